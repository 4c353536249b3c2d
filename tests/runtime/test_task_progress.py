"""Working states written late and once, final states at once and last, on the SDK's real SQLite task store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from a2a.server.context import ServerCallContext
from a2a.server.tasks import DatabaseTaskStore
from a2a.types import Task, TaskState, TaskStatus
from sqlalchemy.ext.asyncio import create_async_engine

from workshop_template_system.runtime.task_progress import CoalescedProgressStore

DELAY = 0.2
CONTEXT = ServerCallContext()


class CountingStore(DatabaseTaskStore):
    """The SDK's store, counting the writes that reach the database."""

    writes = 0

    async def save(self, task: Task, context: ServerCallContext) -> None:
        self.writes += 1
        await super().save(task, context)


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[CountingStore, CoalescedProgressStore, DatabaseTaskStore]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'tasks.db'}")
    database = CountingStore(engine)
    await database.initialize()
    reader = DatabaseTaskStore(engine)  # what a restarted agent would read
    await reader.initialize()
    yield database, CoalescedProgressStore(database, database.owner_resolver, delay=DELAY), reader
    await engine.dispose()


def task(state: TaskState, step: int = 0) -> Task:
    return Task(id="t1", context_id="c1", status=TaskStatus(state=state), metadata={"step": step})


async def test_progress_is_written_late_and_once_and_reads_see_the_newest(stores) -> None:
    database, store, reader = stores
    await store.save(task(TaskState.TASK_STATE_SUBMITTED), CONTEXT)
    for step in range(1, 51):
        await store.save(task(TaskState.TASK_STATE_WORKING, step), CONTEXT)
    assert (await store.get("t1", CONTEXT)).metadata["step"] == 50
    assert (await reader.get("t1", CONTEXT)).status.state == TaskState.TASK_STATE_SUBMITTED  # the task exists at once
    await asyncio.sleep(DELAY * 3)
    assert database.writes == 2
    stored = await reader.get("t1", CONTEXT)
    assert (stored.status.state, stored.metadata["step"]) == (TaskState.TASK_STATE_WORKING, 50)


async def test_a_final_state_is_written_at_once_and_never_overwritten_by_progress(stores) -> None:
    database, store, reader = stores
    await store.save(task(TaskState.TASK_STATE_SUBMITTED), CONTEXT)
    await store.save(task(TaskState.TASK_STATE_WORKING, 1), CONTEXT)
    await store.save(task(TaskState.TASK_STATE_COMPLETED, 2), CONTEXT)
    assert (await reader.get("t1", CONTEXT)).status.state == TaskState.TASK_STATE_COMPLETED
    await asyncio.sleep(DELAY * 3)
    assert (await reader.get("t1", CONTEXT)).status.state == TaskState.TASK_STATE_COMPLETED
    assert database.writes == 2


async def test_a_task_waiting_for_input_is_written_at_once_and_flush_writes_what_waits(stores) -> None:
    database, store, reader = stores
    await store.save(task(TaskState.TASK_STATE_SUBMITTED), CONTEXT)
    await store.save(task(TaskState.TASK_STATE_INPUT_REQUIRED, 1), CONTEXT)
    assert (await reader.get("t1", CONTEXT)).status.state == TaskState.TASK_STATE_INPUT_REQUIRED
    await store.save(task(TaskState.TASK_STATE_WORKING, 2), CONTEXT)  # resumed: written at once, known again
    await store.save(task(TaskState.TASK_STATE_WORKING, 3), CONTEXT)
    await store.flush()
    assert (await reader.get("t1", CONTEXT)).metadata["step"] == 3
    assert database.writes == 4
