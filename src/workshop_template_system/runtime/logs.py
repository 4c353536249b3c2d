"""JSON log lines, one per event, carrying the agent name and the current task id."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

current_task_id: ContextVar[str | None] = ContextVar("current_task_id", default=None)


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
            "message": record.getMessage(),
        }
        task_id = current_task_id.get()
        if task_id:
            entry["task_id"] = task_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_config(agent: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` document for the agent process and uvicorn's loggers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "agent": agent}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stderr}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"},
            "httpx": {"level": "WARNING"},
            "aiosqlite": {"level": "WARNING"},
            "sqlalchemy": {"level": "WARNING"},
        },
    }
