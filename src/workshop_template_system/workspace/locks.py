"""Exclusive locks on workspace resources, with owner records others can read.

Each lock is a ``flock`` on ``<resource>.lock`` (filelock's `UnixFileLock`): the kernel drops it
when the holder's process dies, however it dies, so a dead holder never blocks anyone. Every
acquisition opens its own lock object, so threads of one process exclude each other too.

While held, ``<resource>.owner.json`` says who holds it (agent, pid, host, since). It is written
after the lock is taken and removed before it is released; a record left by a killed holder is
ignored (and removed) because `read_holder` trusts it only while the lock is really held.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import Timeout, UnixFileLock

from workshop_template_system.errors import ConfigurationError, LockTimeout, WorkspaceError
from workshop_template_system.workspace.atomic import atomic_write_json
from workshop_template_system.workspace.clock import now_iso

LOCK_SUFFIX = ".lock"
OWNER_SUFFIX = ".owner.json"
_POLL_INTERVAL = 0.01
_OWNER_FIELDS = ("agent", "pid", "host", "since")


@dataclass(frozen=True)
class LockOwner:
    """Who holds a lock: the agent (or ``cli``), its process id and host, and since when (UTC)."""

    agent: str
    pid: int
    host: str
    since: str

    @classmethod
    def current(cls, agent: str) -> LockOwner:
        """An owner record for this process."""
        return cls(agent=agent, pid=os.getpid(), host=socket.gethostname(), since=now_iso())

    @classmethod
    def unknown(cls) -> LockOwner:
        """The lock is held by a process that wrote no owner record (``flock(1)`` in a script, say)."""
        return cls(agent="unknown", pid=0, host="unknown", since="unknown")

    def describe(self) -> str:
        """``agent content-creator (pid 42 on host pod-1, since 2026-11-27T18:30:00Z)``."""
        if self == LockOwner.unknown():
            return "a process that left no owner record"
        return f"agent {self.agent} (pid {self.pid} on host {self.host}, since {self.since})"

    def to_dict(self) -> dict[str, object]:
        """The record as JSON-ready fields."""
        return asdict(self)


def owner_path(lock_path: Path) -> Path:
    """The owner record next to a lock file."""
    return lock_path.with_name(lock_path.name.removesuffix(LOCK_SUFFIX) + OWNER_SUFFIX)


@contextmanager
def hold(lock_path: Path, *, label: str, agent: str, timeout: float) -> Iterator[LockOwner]:
    """Hold the lock at ``lock_path`` for the ``with`` block; `LockTimeout` after ``timeout`` seconds.

    ``label`` names the resource in messages (``lock 'content' of pipeline 'p1'``). ``timeout``
    is finite and not negative: 0 tries once.
    """
    if not (timeout >= 0 and math.isfinite(timeout)):
        raise ConfigurationError(f"{label}: timeout must be a finite number of seconds >= 0, got {timeout!r}")
    lock = _native_lock(lock_path)
    try:
        lock.acquire(timeout=timeout, poll_interval=_POLL_INTERVAL)
    except Timeout:
        holder = read_holder(lock_path)
        who = holder.describe() if holder else "another process"
        raise LockTimeout(f"{label} is held by {who}; gave up after {timeout:g}s") from None
    except FileNotFoundError as exc:
        raise WorkspaceError(f"{label}: {lock_path.parent} was removed while waiting") from exc
    except OSError as exc:
        raise WorkspaceError(f"{label}: cannot open {lock_path}: {exc.strerror or exc}") from exc
    owner = LockOwner.current(agent)
    record = owner_path(lock_path)
    try:
        try:
            atomic_write_json(record, owner.to_dict(), durable=False)
        except OSError as exc:
            raise WorkspaceError(f"{label}: cannot write {record}: {exc.strerror or exc}") from exc
        yield owner
    finally:
        try:
            with suppress(FileNotFoundError):
                record.unlink()
        finally:
            lock.release()


def read_holder(lock_path: Path) -> LockOwner | None:
    """Who holds the lock right now, or None when it is free (whatever owner record is lying around)."""
    try:
        for _ in range(5):
            if not lock_path.exists():
                return None
            probe = _native_lock(lock_path)
            try:
                probe.acquire(blocking=False)
            except Timeout:
                owner = _read_owner(owner_path(lock_path))
                if owner is not None:
                    return owner
                # Taken a moment ago (or by another probe): the owner record follows within milliseconds.
                time.sleep(0.01)
                continue
            try:
                # Free: a record here was left by a holder that died without cleaning up.
                with suppress(FileNotFoundError):
                    owner_path(lock_path).unlink()
            finally:
                probe.release()
            return None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WorkspaceError(f"cannot read lock {lock_path}: {exc.strerror or exc}") from exc
    return LockOwner.unknown()


def _native_lock(lock_path: Path) -> UnixFileLock:
    # No soft fallback: a marker-file lock would outlive a killed holder, which is what we must avoid.
    return UnixFileLock(lock_path, thread_local=False, fallback_to_soft=False, preserve_lock_file=True)


def _read_owner(path: Path) -> LockOwner | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockOwner(**{name: data[name] for name in _OWNER_FIELDS})
    except (OSError, ValueError, KeyError, TypeError):
        return None
