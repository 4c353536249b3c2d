"""Where tasks live: SQLite in the workspace by default, any SQLAlchemy async URL with ``TASK_STORE_URL``.

A shared store (replicas of one agent) is the SDK's versioned store with its event log: a cancel through any replica
bumps the task's version, the replica running it sees that on its next save and stops the skill, and a subscriber on
any replica follows the task's events from the log.
"""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from a2a.helpers import new_text_part
from a2a.server.cluster import DatabaseTaskEventStream, VersionedDatabaseTaskStore
from a2a.server.models import create_task_event_model, create_task_model, create_task_version_model
from a2a.server.tasks import DatabaseTaskStore
from a2a.types import Message, Role, TaskState, TaskStatus
from google.protobuf.json_format import MessageToDict
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, ProgrammingError, SQLAlchemyError
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


@dataclass(frozen=True)
class AgentTasks:
    """One agent's tasks: the store the request handler writes and, when replicas share it, their event log."""

    store: DatabaseTaskStore | VersionedDatabaseTaskStore
    events: DatabaseTaskEventStream | None = None

    @property
    def table(self) -> DatabaseTaskStore:
        """The plain store over the tasks table (the versioned store keeps one inside)."""
        if isinstance(self.store, VersionedDatabaseTaskStore):
            return cast(DatabaseTaskStore, self.store.as_task_store)
        return self.store


def task_store(engine: AsyncEngine, spec: AgentSpec, *, shared: bool) -> AgentTasks:
    """Each agent keeps its tasks in tables of its own, so agents can share one database.

    The SDK takes table names and declares a model class per store; SQLAlchemy refuses a table declared twice in a
    process (`create_app` may run several times), so the stores are built on the default names and given the classes
    declared once here, in the attributes the SDK's constructors set (tests/task_store checks each table is used).
    """
    tasks_model = _model(create_task_model, f"a2a_tasks_{spec.name}")
    if not shared:
        plain = DatabaseTaskStore(engine)
        plain.task_model = tasks_model
        return AgentTasks(plain)
    events_model = _model(create_task_event_model, f"a2a_task_events_{spec.name}")
    store = VersionedDatabaseTaskStore(engine)
    cast(DatabaseTaskStore, store.as_task_store).task_model = tasks_model
    store._event_model = events_model
    store._version_model = _model(create_task_version_model, f"a2a_task_versions_{spec.name}")
    events = DatabaseTaskEventStream(engine, create_table=False)  # the store creates the log's table
    events._event_model = events_model
    return AgentTasks(store, events)


_MODELS: dict[str, type] = {}
"""The SDK's model class of each table, declared once per process."""


def _model(declare: Callable[[str], type], table: str) -> type:
    if table not in _MODELS:
        with warnings.catch_warnings():
            # The SDK's classes share a name whatever the table; SQLAlchemy warns that the class name repeats.
            warnings.filterwarnings("ignore", message="This declarative base already contains a class")
            _MODELS[table] = declare(table)
    return _MODELS[table]


_CREATE_ATTEMPTS = 5


async def open_store(tasks: AgentTasks) -> None:
    """Create this agent's tables; a database that refuses the login or does not answer is one `ServeError`.

    Replicas starting together on a new database race to create the tables: the loser's CREATE fails once the
    winner's is committed, so it looks again and finds them.
    """
    for attempt in range(1, _CREATE_ATTEMPTS + 1):
        try:
            await tasks.store.initialize()
            return
        except (IntegrityError, ProgrammingError) as exc:  # the table (or its type) was created meanwhile
            if attempt == _CREATE_ATTEMPTS:
                raise _cannot_open(tasks, exc) from exc
            await asyncio.sleep(0.1 * attempt)
        except (SQLAlchemyError, OSError) as exc:  # OSError: asyncpg's refused or timed-out connection, unwrapped
            raise _cannot_open(tasks, exc) from exc


def _cannot_open(tasks: AgentTasks, exc: Exception) -> ServeError:
    reason = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error in its own
    url = tasks.table.engine.url.render_as_string(hide_password=True)
    return ServeError(f"task store {url} cannot be opened: {reason}")


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
