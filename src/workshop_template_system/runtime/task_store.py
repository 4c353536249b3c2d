"""Where tasks live: SQLite in the workspace by default, any SQLAlchemy async URL with ``TASK_STORE_URL``."""

from __future__ import annotations

import uuid
import warnings
from datetime import UTC, datetime

from a2a.helpers import new_text_part
from a2a.server.tasks import DatabaseTaskStore
from a2a.types import Message, Role, TaskState, TaskStatus
from google.protobuf.json_format import MessageToDict
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.errors import ConfigurationError, ServeError
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace


def task_store_url(settings: Settings, spec: AgentSpec, workspace: Workspace) -> str:
    """``TASK_STORE_URL`` (shared by replicas), else a SQLite file of this agent's in the workspace."""
    if settings.task_store_url:
        return settings.task_store_url
    return f"sqlite+aiosqlite:///{workspace.agent_dir(spec.slug) / 'tasks.db'}"


def open_engine(url: str) -> AsyncEngine:
    """An async engine for the task store; a URL SQLAlchemy cannot use is a configuration error."""
    try:
        # A pool as large as the concurrency the agent serves, so connections are reused, not reopened.
        return create_async_engine(url, pool_size=16, max_overflow=16, pool_pre_ping=not url.startswith("sqlite"))
    except Exception as exc:  # SQLAlchemy raises several unrelated types for a bad URL or a missing driver
        raise ConfigurationError(f"TASK_STORE_URL cannot be used: {exc}") from exc


_TASK_MODELS: dict[str, type] = {}
"""The SDK's model class of each table, declared once per process (SQLAlchemy refuses a table declared twice)."""


def task_store(engine: AsyncEngine, spec: AgentSpec) -> DatabaseTaskStore:
    """Each agent keeps its tasks in a table of its own, so agents can share one database."""
    table = f"a2a_tasks_{spec.name}"
    if table in _TASK_MODELS:
        store = DatabaseTaskStore(engine)
        store.task_model = _TASK_MODELS[table]
        return store
    with warnings.catch_warnings():
        # The SDK declares a model class per table name; SQLAlchemy warns that the class name repeats.
        warnings.filterwarnings("ignore", message="This declarative base already contains a class")
        store = DatabaseTaskStore(engine, table_name=table)
    _TASK_MODELS[table] = store.task_model
    return store


async def open_store(store: DatabaseTaskStore) -> None:
    """Create this agent's table; a database that refuses the login or does not answer is one `ServeError`."""
    try:
        await store.initialize()
    except (SQLAlchemyError, OSError) as exc:  # OSError: asyncpg's refused or timed-out connection, unwrapped
        reason = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error in its own
        url = store.engine.url.render_as_string(hide_password=True)
        raise ServeError(f"task store {url} cannot be opened: {reason}") from exc


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the task store's database (readiness)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


UNFINISHED = tuple(TaskState.Name(state) for state in (TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING))
INTERRUPTED = "the agent stopped (killed or crashed) before the task finished"


async def fail_interrupted(store: DatabaseTaskStore) -> int:
    """Mark the tasks an earlier process of this agent left unfinished as failed, with the reason; how many.

    Only for a task store of this agent's own: with a shared one, another replica may be running them.
    """
    await store.initialize()
    model = store.task_model
    now = datetime.now(UTC)
    async with store.async_session_maker.begin() as session:
        rows = (await session.execute(select(model).where(model.status["state"].as_string().in_(UNFINISHED)))).scalars()
        count = 0
        for row in rows:
            row.status = _failed_status(row.id, row.context_id, now)
            row.last_updated = now.replace(tzinfo=None)
            count += 1
    return count


def _failed_status(task_id: str, context_id: str, when: datetime) -> dict[str, object]:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    message = Message(
        message_id=str(uuid.uuid4()),
        role=Role.ROLE_AGENT,
        parts=[new_text_part(INTERRUPTED)],
        task_id=task_id,
        context_id=context_id,
    )
    return MessageToDict(TaskStatus(state=TaskState.TASK_STATE_FAILED, message=message, timestamp=stamp))
