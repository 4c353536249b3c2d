"""Where tasks live: SQLite in the workspace by default, any SQLAlchemy async URL with ``TASK_STORE_URL``.

A shared store (replicas of one agent) is the SDK's versioned store with its event log: a cancel through any replica
bumps the task's version, the replica running it sees that on its next save and stops the skill, and a subscriber on
any replica follows the task's events from the log.

That log only grows: the SDK keeps every event (its `DatabaseTaskEventStream.destroy` is a no-op and nothing deletes
rows), and only a subscriber following a running task reads them. `prune_events` deletes the events of tasks that
ended more than `EVENT_RETENTION` ago; each replica runs it at start and every `PRUNE_INTERVAL` (`prune_periodically`).

A store that refuses a request (a full disk, a database down) answers with one A2A error naming what it could not do and
the database's reason (`refusals`): SQLAlchemy's own message would show the SQL and its parameters, the caller's whole
message among them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from a2a.helpers import new_text_part
from a2a.server.cluster import DatabaseTaskEventStream, VersionedDatabaseTaskStore
from a2a.server.models import create_task_event_model, create_task_model, create_task_version_model
from a2a.server.tasks import DatabaseTaskStore
from a2a.types import Message, Role, TaskState, TaskStatus
from a2a.utils.errors import InternalError
from google.protobuf.json_format import MessageToDict
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import and_, delete, exists, select, text
from sqlalchemy.exc import IntegrityError, ProgrammingError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.errors import ConfigurationError, ServeError
from workshop_template_system.runtime.logs import STORE_REFUSAL
from workshop_template_system.runtime.sqlite_journal import use_write_ahead_log
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace

logger = logging.getLogger(__name__)


def task_store_url(settings: Settings, spec: AgentSpec, workspace: Workspace) -> str:
    """``TASK_STORE_URL`` (shared by replicas), else a SQLite file of this agent's in the workspace."""
    if settings.task_store_url:
        return settings.task_store_url
    return f"sqlite+aiosqlite:///{sqlite_path(spec, workspace)}"


def sqlite_path(spec: AgentSpec, workspace: Workspace) -> Path:
    """The agent's own SQLite task store, when ``TASK_STORE_URL`` is unset."""
    return workspace.agent_dir(spec.slug) / "tasks.db"


def open_task_engine(settings: Settings, spec: AgentSpec, workspace: Workspace) -> AsyncEngine:
    """The engine of the agent's task store: its own SQLite file in WAL mode where it can be, else the shared URL."""
    engine = open_engine(task_store_url(settings, spec, workspace))
    if not settings.task_store_url:
        use_write_ahead_log(engine, sqlite_path(spec, workspace))
    return engine


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
    url = tasks.table.engine.url.render_as_string(hide_password=True)
    return ServeError(f"task store {url} cannot be opened: {database_reason(exc)}")


_SQLITE_MEANINGS = {sqlite3.SQLITE_FULL: "the disk is full", sqlite3.SQLITE_READONLY: "the database is read-only"}


def database_reason(exc: BaseException) -> str:
    """Why the database refused: the driver's message (SQLite's with what it means), never the SQL or its parameters."""
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error in its own, which shows the SQL
    if isinstance(cause, SQLAlchemyError):  # SQLAlchemy's own (no driver error behind it): its bare message
        return str(cause.args[0]) if cause.args else type(cause).__name__
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None and (meaning := _SQLITE_MEANINGS.get(code & 0xFF)):  # the primary code of an extended one
        return f"{meaning} ({cause})"
    return str(cause) or type(cause).__name__


@contextmanager
def refusals(action: str) -> Iterator[None]:
    """Turn a database error inside the block into one A2A error: "the task store cannot <action>: <reason>"."""
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:  # OSError: asyncpg's refused or timed-out connection, unwrapped
        raise InternalError(message=f"{STORE_REFUSAL} {action}: {database_reason(exc)}") from exc


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the task store's database (readiness)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


UNFINISHED = tuple(TaskState.Name(state) for state in (TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING))
TERMINAL_STATES = frozenset(
    {
        TaskState.TASK_STATE_COMPLETED,
        TaskState.TASK_STATE_FAILED,
        TaskState.TASK_STATE_CANCELED,
        TaskState.TASK_STATE_REJECTED,
    }
)
"""The states a task never leaves."""
FINISHED = tuple(TaskState.Name(state) for state in TERMINAL_STATES)
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


EVENT_RETENTION = timedelta(minutes=10)
"""How long the events of a finished task stay: far longer than a subscriber takes to read the last one (the SDK's
stream polls every 0.5 s), and a task that ended cannot be subscribed to any more."""
PRUNE_INTERVAL = 300.0


async def prune_events(tasks: AgentTasks, retention: timedelta = EVENT_RETENTION) -> int:
    """Delete from the shared event log the events of tasks that ended more than `retention` ago; how many.

    A task's end is its last status time (the tasks table's ``last_updated``). Tasks still running, waiting for input,
    or without a status time keep all their events. Without a shared store (no event log) nothing is done.
    """
    if not isinstance(tasks.store, VersionedDatabaseTaskStore):
        return 0
    table, events = tasks.table, tasks.store._event_model
    model = table.task_model
    ended_before = (datetime.now(UTC) - retention).replace(tzinfo=None)  # the SDK stores naive UTC times
    ended = exists().where(
        and_(
            model.id == events.task_id,
            model.owner == events.owner,
            model.status["state"].as_string().in_(FINISHED),
            model.last_updated < ended_before,
        )
    )
    async with table.async_session_maker.begin() as session:
        result = await session.execute(delete(events).where(ended))
    return result.rowcount


async def prune_periodically(tasks: AgentTasks, interval: float = PRUNE_INTERVAL) -> None:
    """`prune_events` now and every `interval` seconds until cancelled; a database error is logged, then retried."""
    while True:
        try:
            if pruned := await prune_events(tasks):
                logger.info("pruned %d events of finished tasks from the task event log", pruned)
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("could not prune the task event log (will retry in %.0f s): %s", interval, exc)
        await asyncio.sleep(interval)
