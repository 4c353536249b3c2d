"""JSON log lines, one per event, carrying the agent name and the current task id."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

current_task_id: ContextVar[str | None] = ContextVar("current_task_id", default=None)

_SECRETS = (
    (re.compile(r"(?i)\b(bearer\s+)[^\s'\",}]+"), r"\1***"),  # tokens in headers the SDK logs at DEBUG
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?token\s+)[^\s'\",}]+"), r"\1***"),  # Gitea's scheme
    (re.compile(r"(://)[^/@\s'\"]+@"), r"\1***@"),  # user:password@ in URLs
)
CLIENT_ERROR_LOGGERS = (
    "a2a.server.routes.jsonrpc_dispatcher",
    "a2a.compat.v0_3.jsonrpc_adapter",
    "a2a.utils.error_handlers",
)
"""The SDK loggers that report a client's malformed request as an error with a traceback."""
_CLIENT_ERRORS = ("Failed to validate", "Request Error")
STORE_ERROR_LOGGERS = ("a2a.server.agent_execution.active_task",)
"""The SDK loggers that report a task store failure with a traceback."""
STORE_REFUSAL = "the task store cannot"


def redact(text: str) -> str:
    """The text with bearer tokens and URL passwords replaced by ``***``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class ClientErrorFilter(logging.Filter):
    """A malformed request is the client's mistake: one warning line, not an error with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.getMessage().startswith(_CLIENT_ERRORS):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


class StoreErrorFilter(logging.Filter):
    """A task the store refused (`task_store.refusals`): one line with the database's reason, no traceback.

    The traceback's cause is SQLAlchemy's error, which holds the SQL and its parameters: the caller's message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and str(getattr(error, "message", "")).startswith(STORE_REFUSAL):
            record.msg, record.args = f"{record.getMessage()}: {error.message}", ()  # type: ignore[attr-defined]
            record.exc_info = record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, agent, task_id, message."""

    def __init__(self, agent: str) -> None:
        super().__init__()
        self.agent = agent

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "agent": self.agent,
            "message": redact(record.getMessage()),
        }
        task_id = current_task_id.get()
        if task_id:
            entry["task_id"] = task_id
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def log_config(agent: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` document for the agent process and uvicorn's loggers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "agent": agent}},
        "filters": {"client_errors": {"()": ClientErrorFilter}, "store_errors": {"()": StoreErrorFilter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stderr}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"},
            "httpx": {"level": "WARNING"},
            "aiosqlite": {"level": "WARNING"},
            "sqlalchemy": {"level": "WARNING"},
            **{name: {"filters": ["client_errors"]} for name in CLIENT_ERROR_LOGGERS},
            **{name: {"filters": ["store_errors"]} for name in STORE_ERROR_LOGGERS},
        },
    }
