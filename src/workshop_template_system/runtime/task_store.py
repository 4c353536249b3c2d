"""Where tasks live: SQLite in the workspace by default, any SQLAlchemy async URL with ``TASK_STORE_URL``."""

from __future__ import annotations

import warnings

from a2a.server.tasks import DatabaseTaskStore
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.errors import ConfigurationError
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


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the task store's database (readiness)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
