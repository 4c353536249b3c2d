"""A running task's progress written to the agent's own task store at most every `PROGRESS_WRITE_DELAY` seconds.

The SDK saves the task at each event: created, working, each progress message, each artifact piece,
finished. On the agent's own SQLite store each save is an ORM write and a commit, and for a short
skill (an ``ask`` streams its answer in several pieces) they were most of the time the call took.
Only some of those writes need to be durable at once: the first (the task exists: a restart fails it
with the reason if the agent dies) and the final or waiting states (what the client is told). So a
working state of a task already stored is kept in memory and written after the delay, the latest
one only, unless a final state comes first and replaces it. Reads see the newest state either way.

What a kill can lose is progress within the last `PROGRESS_WRITE_DELAY` seconds of a task that the
restart then fails anyway. Shutdown writes what is pending (`flush`). Shared stores (``TASK_STORE_URL``)
write every event, as their replicas follow the events through the database.
"""

from __future__ import annotations

import asyncio
import logging

from a2a.server.context import ServerCallContext
from a2a.server.owner_resolver import OwnerResolver
from a2a.server.tasks import TaskStore
from a2a.types import ListTasksRequest, ListTasksResponse, Task, TaskState

logger = logging.getLogger(__name__)

PROGRESS_WRITE_DELAY = 0.25

type Key = tuple[str, str]


class CoalescedProgressStore(TaskStore):
    """`store` with the working states of stored tasks written after a delay, the latest one only."""

    def __init__(self, store: TaskStore, owner: OwnerResolver, delay: float = PROGRESS_WRITE_DELAY) -> None:
        self.store = store
        self.owner = owner
        self.delay = delay
        self._stored: set[Key] = set()
        """Unfinished tasks the store already holds: their next working states may wait."""
        self._pending: dict[Key, tuple[Task, ServerCallContext]] = {}
        self._writers: dict[Key, asyncio.Task[None]] = {}
        self._locks: dict[Key, asyncio.Lock] = {}

    async def save(self, task: Task, context: ServerCallContext) -> None:
        """Keep a working state of a stored task for later; write any other state now, in order."""
        key = (self.owner(context), task.id)
        if key in self._stored and task.status.state == TaskState.TASK_STATE_WORKING:
            kept = Task()
            kept.CopyFrom(task)
            self._pending[key] = (kept, context)
            if key not in self._writers:
                self._writers[key] = asyncio.create_task(self._write_later(key), name=f"write task {task.id}")
            return
        self._pending.pop(key, None)
        async with self._lock(key):
            await self.store.save(task, context)
        if task.status.state in (TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING):
            self._stored.add(key)
        else:  # final or waiting: nothing of it waits any more (a writer that wakes finds nothing to write)
            self._stored.discard(key)
            self._locks.pop(key, None)

    async def get(self, task_id: str, context: ServerCallContext) -> Task | None:
        """The newest state: the one waiting to be written, else the store's."""
        pending = self._pending.get((self.owner(context), task_id))
        if pending is None:
            return await self.store.get(task_id, context)
        task = Task()
        task.CopyFrom(pending[0])
        return task

    async def list(self, params: ListTasksRequest, context: ServerCallContext) -> ListTasksResponse:
        """The store's list (running tasks as of their last written state)."""
        return await self.store.list(params, context)

    async def delete(self, task_id: str, context: ServerCallContext) -> None:
        """Forget what waits, then delete from the store."""
        key = (self.owner(context), task_id)
        self._pending.pop(key, None)
        self._stored.discard(key)
        async with self._lock(key):
            await self.store.delete(task_id, context)
        self._locks.pop(key, None)

    async def flush(self) -> None:
        """Write every waiting state now (at shutdown)."""
        for key in list(self._pending):
            await self._write(key)

    async def _write_later(self, key: Key) -> None:
        try:
            await asyncio.sleep(self.delay)
            await self._write(key)
        finally:
            self._writers.pop(key, None)

    async def _write(self, key: Key) -> None:
        if key not in self._pending:
            return  # a final state was written instead (and its lock dropped: do not make another)
        async with self._lock(key):
            pending = self._pending.pop(key, None)
            if pending is None:
                return  # a final state was written instead
            try:
                await self.store.save(*pending)
            except Exception as exc:  # a later write may succeed; the task's final state is written in its turn
                logger.warning("the progress of task %s was not written: %s", key[1], exc)

    def _lock(self, key: Key) -> asyncio.Lock:
        """The task's write lock, kept while the task runs (dropped with its final or waiting state)."""
        return self._locks.setdefault(key, asyncio.Lock())
