"""Finished tasks kept in memory in front of the task store.

A task in a terminal state (completed, failed, canceled, rejected) never changes again: the SDK refuses new messages
to it, and the shared store refuses a cancel or a stale write to it (compare-and-swap on its version). So a finished
task read once can be served from memory by every replica, even when several share one database. A task that is not
finished is read from the store every time, so its progress, and a cancel made through another replica, show at once.

Writes and deletes through this process drop the task from memory, before and after they reach the store, and a read
that overlapped a delete or the write of a finished state is not kept (it may hold the state before), so the map never
holds what the store no longer says. The map is a bounded LRU: by entries and by the tasks' serialised size.

Every store the request handler uses goes through these wrappers, so they are also where a database error becomes one
A2A error with the database's reason and no SQL (`task_store.refusals`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from a2a.server.cluster import StoredTask, TaskVersion, VersionedTaskStore
from a2a.server.context import ServerCallContext
from a2a.server.events.event_queue import Event
from a2a.server.owner_resolver import OwnerResolver
from a2a.server.tasks import TaskStore
from a2a.types import ListTasksRequest, ListTasksResponse, Task

from workshop_template_system.runtime.task_store import TERMINAL_STATES, refusals

MAX_TASKS = 2048
MAX_TASK_BYTES = 32 * 1024 * 1024


class Lru[K: Hashable, V]:
    """A map that forgets its least recently used entries past `max_entries` entries or `max_bytes` bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        """The value, now the most recently used; None when absent."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep `value` (of `size` bytes), forgetting the oldest entries to stay in bounds; too large: not kept."""
        self.pop(key)
        if size > self.max_bytes:
            return
        self._entries[key] = (value, size)
        self.bytes += size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped

    def pop(self, key: K) -> None:
        """Forget `key` if present."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry[1]


class FinishedTasks:
    """Finished tasks by (owner, task id), as the store returned them, with their version."""

    def __init__(self, owner: OwnerResolver, max_entries: int = MAX_TASKS, max_bytes: int = MAX_TASK_BYTES) -> None:
        self.owner = owner
        self.tasks: Lru[tuple[str, str], StoredTask] = Lru(max_entries, max_bytes)
        self.generation = 0
        """Counts deletes and writes of finished states: a read begun at an older generation is not kept."""

    def key(self, task_id: str, context: ServerCallContext) -> tuple[str, str]:
        """The entry of `task_id` for the caller (the store keeps each owner's tasks apart)."""
        return self.owner(context), task_id

    def get(self, key: tuple[str, str]) -> StoredTask | None:
        """A copy of the finished task (the SDK may change what it is given), or None."""
        stored = self.tasks.get(key)
        if stored is None:
            return None
        task = Task()
        task.CopyFrom(stored.task)
        return StoredTask(task, stored.version)

    def keep(self, key: tuple[str, str], stored: StoredTask | None, generation: int) -> None:
        """Remember a task read from the store, if it is finished and no write overlapped the read."""
        if stored is not None and stored.task.status.state in TERMINAL_STATES and generation == self.generation:
            task = Task()
            task.CopyFrom(stored.task)
            self.tasks.put(key, StoredTask(task, stored.version), task.ByteSize())

    def forget(self, key: tuple[str, str], written: Task | None = None) -> None:
        """Drop a task this process writes (`written`) or deletes (None).

        Only a delete or a finished state can make a read in flight wrong to keep: an unfinished state never follows
        a finished one, so most writes (progress) leave the reads in flight alone.
        """
        self.tasks.pop(key)
        if written is None or written.status.state in TERMINAL_STATES:
            self.generation += 1


class _ListAndDelete:
    """What both wrappers do alike: list from the store, delete from the store and from memory."""

    store: TaskStore | VersionedTaskStore
    finished: FinishedTasks

    async def list(self, params: ListTasksRequest, context: ServerCallContext) -> ListTasksResponse:
        """Listing always reads the store."""
        with refusals("list tasks"):
            return await self.store.list(params, context)

    async def delete(self, task_id: str, context: ServerCallContext) -> None:
        """Delete from the store and from memory."""
        key = self.finished.key(task_id, context)
        self.finished.forget(key)
        try:
            with refusals(f"delete task {task_id}"):
                await self.store.delete(task_id, context)
        finally:
            self.finished.forget(key)


class CachedTaskStore(_ListAndDelete, TaskStore):
    """An agent's own task store (one process) with its finished tasks served from memory."""

    def __init__(self, store: TaskStore, finished: FinishedTasks) -> None:
        self.store = store
        self.finished = finished

    async def save(self, task: Task, context: ServerCallContext) -> None:
        """Write through to the store."""
        key = self.finished.key(task.id, context)
        self.finished.forget(key, task)
        try:
            with refusals(f"save task {task.id}"):
                await self.store.save(task, context)
        finally:
            self.finished.forget(key, task)

    async def get(self, task_id: str, context: ServerCallContext) -> Task | None:
        """A finished task from memory; any other from the store."""
        key = self.finished.key(task_id, context)
        if (cached := self.finished.get(key)) is not None:
            return cached.task
        generation = self.finished.generation
        with refusals(f"read task {task_id}"):
            task = await self.store.get(task_id, context)
        self.finished.keep(key, StoredTask(task, TaskVersion.MISSING) if task is not None else None, generation)
        return task


class CachedVersionedTaskStore(_ListAndDelete, VersionedTaskStore):
    """A store shared by replicas (versioned, with the event log) with finished tasks served from memory."""

    def __init__(self, store: VersionedTaskStore, finished: FinishedTasks) -> None:
        self.store = store
        self.finished = finished

    async def save(
        self,
        task: Task,
        *,
        event: Event | None,
        prev: Task | None,
        prev_version: TaskVersion,
        context: ServerCallContext,
    ) -> TaskVersion:
        """Write through to the store (its version check included)."""
        key = self.finished.key(task.id, context)
        self.finished.forget(key, task)
        try:
            with refusals(f"save task {task.id}"):
                return await self.store.save(task, event=event, prev=prev, prev_version=prev_version, context=context)
        finally:
            self.finished.forget(key, task)

    async def get(self, task_id: str, context: ServerCallContext) -> StoredTask | None:
        """A finished task from memory; any other from the store."""
        key = self.finished.key(task_id, context)
        if (cached := self.finished.get(key)) is not None:
            return cached
        generation = self.finished.generation
        with refusals(f"read task {task_id}"):
            stored = await self.store.get(task_id, context)
        self.finished.keep(key, stored, generation)
        return stored


def cached_store(store: TaskStore | VersionedTaskStore, finished: FinishedTasks) -> TaskStore | VersionedTaskStore:
    """`store` with its finished tasks served from `finished`, under the interface the request handler expects."""
    if isinstance(store, VersionedTaskStore):
        return CachedVersionedTaskStore(store, finished)
    return CachedTaskStore(store, finished)
