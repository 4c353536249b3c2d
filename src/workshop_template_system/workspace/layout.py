"""The shared workspace folder: its layout, pipelines, their metadata, and locks on its resources.

    pipelines/<id>/{workspace-content,agent-artifacts,metadata/locks,final-output}
    agents/<agent>/{working,cache}
    shared/{templates,git-cache,coordination/locks}
    completed/<YYYY-MM-DD>/<id>

Every id that becomes a path goes through `validate_id`; every metadata write is atomic and
made under the pipeline's ``metadata`` lock.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

from workshop_template_system.errors import InvalidNameError, WorkspaceError, WorkspaceUnwritable
from workshop_template_system.workspace import archive as archiving
from workshop_template_system.workspace import metadata, status
from workshop_template_system.workspace.atomic import atomic_write_json
from workshop_template_system.workspace.clock import now_iso
from workshop_template_system.workspace.locks import LOCK_SUFFIX, LockOwner, hold, read_holder
from workshop_template_system.workspace.names import validate_id

PIPELINE_SUBDIRS = ("workspace-content", "agent-artifacts", "metadata/locks", "final-output")
TOP_LEVEL_DIRS = (
    "pipelines",
    "agents",
    "shared/templates",
    "shared/git-cache",
    "shared/coordination/locks",
    "completed",
)
DEFAULT_LOCK_TIMEOUT = 30.0
MIN_FREE_BYTES = 16 * 1024 * 1024
"""Below this much free space the workspace counts as full: readiness fails before writes start failing."""
UNWRITABLE = {
    errno.ENOSPC: ("full", "no space left on device"),
    errno.EDQUOT: ("over its quota", "disk quota exceeded"),
    errno.EROFS: ("read-only", "read-only file system"),
}
"""The errors of a file system that refuses writes: what the workspace then is, and what the system said."""
# Who holds a metadata lock for the few milliseconds of a read-modify-write.
_METADATA_WRITER = "workspace"


class Workspace:
    """One shared workspace folder (``WORKSPACE_PATH``), safe to use from many processes at once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    # Layout

    def ensure(self) -> None:
        """Create the top-level layout (idempotent)."""
        for name in TOP_LEVEL_DIRS:
            self._mkdir(self.root / name)

    def agent_dir(self, agent_slug: str) -> Path:
        """``agents/<slug>/`` with ``working/`` and ``cache/``, created when missing."""
        path = self.root / "agents" / validate_id(agent_slug, "agent name")
        for name in ("working", "cache"):
            self._mkdir(path / name)
        return path

    def check_writable(self) -> None:
        """`WorkspaceError` with the reason when the workspace is missing, read-only, full, or refuses a probe write.

        Full means less than `MIN_FREE_BYTES` free (or no free inode): a probe write could still fit where a
        workshop, a clone or the task store cannot.
        """
        if not self.root.is_dir():
            raise WorkspaceError(f"workspace {self.root} does not exist or is not a directory")
        try:
            space = os.statvfs(self.root)
        except OSError as exc:
            raise WorkspaceError(f"workspace {self.root} cannot be examined: {_reason(exc)}") from exc
        if space.f_flag & os.ST_RDONLY:
            raise WorkspaceUnwritable(f"workspace {self.root} is not writable: read-only file system")
        free = space.f_bavail * space.f_frsize
        if free < MIN_FREE_BYTES:
            raise WorkspaceUnwritable(
                f"workspace {self.root} is full: {_mib(free)} free, less than the {_mib(MIN_FREE_BYTES)} it needs"
            )
        if space.f_files and not space.f_favail:  # file systems without an inode limit report 0 inodes
            raise WorkspaceUnwritable(f"workspace {self.root} is full: no free inodes left")
        self._probe_write()

    def _probe_write(self) -> None:
        probe = self.root / f".write-probe-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            with probe.open("wb") as handle:
                handle.write(b"probe")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            error = WorkspaceUnwritable if exc.errno in UNWRITABLE else WorkspaceError
            raise error(f"workspace {self.root} is not writable: {_reason(exc)}") from exc
        finally:
            with suppress(OSError):  # a read-only mount refuses to unlink even a missing file (EROFS, not ENOENT)
                probe.unlink(missing_ok=True)

    # Pipelines

    def pipeline_dir(self, pipeline_id: str) -> Path:
        """``pipelines/<id>`` (validated, not created)."""
        return self.root / "pipelines" / validate_id(pipeline_id)

    def info_path(self, pipeline_id: str) -> Path:
        """``pipelines/<id>/metadata/pipeline-info.json``."""
        return self.pipeline_dir(pipeline_id) / "metadata" / metadata.PIPELINE_INFO

    def agent_status_path(self, pipeline_id: str) -> Path:
        """``pipelines/<id>/metadata/agent-status.json``."""
        return self.pipeline_dir(pipeline_id) / "metadata" / metadata.AGENT_STATUS

    def pipeline_exists(self, pipeline_id: str) -> bool:
        """Whether ``pipelines/<id>`` exists."""
        return self.pipeline_dir(pipeline_id).is_dir()

    def pipeline_ids(self) -> list[str]:
        """Ids of the active pipelines, sorted (oldest first for generated ids)."""
        try:
            entries = list((self.root / "pipelines").iterdir())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise WorkspaceError(f"cannot list {self.root / 'pipelines'}: {_reason(exc)}") from exc
        return sorted(entry.name for entry in entries if entry.is_dir() and _is_valid_id(entry.name))

    def init_pipeline(self, pipeline_id: str | None = None, **info: object) -> dict[str, object]:
        """Create a pipeline's folders and metadata; on an existing pipeline, return its info unchanged."""
        pipeline_id = metadata.new_pipeline_id() if pipeline_id is None else validate_id(pipeline_id)
        self.ensure()
        directory = self.pipeline_dir(pipeline_id)
        for name in PIPELINE_SUBDIRS:
            self._mkdir(directory / name)
        with self.lock(metadata.METADATA_LOCK, pipeline_id, agent=_METADATA_WRITER):
            if self.info_path(pipeline_id).exists():
                return metadata.read_object(self.info_path(pipeline_id))
            if not self.agent_status_path(pipeline_id).exists():
                self._write(self.agent_status_path(pipeline_id), {})
            created = metadata.seed_info(pipeline_id, info)
            self._write(self.info_path(pipeline_id), created)
            return created

    def pipeline_info(self, pipeline_id: str) -> dict[str, object]:
        """The pipeline's ``pipeline-info.json``."""
        self._require(pipeline_id)
        return metadata.read_object(self.info_path(pipeline_id))

    def update_pipeline(self, pipeline_id: str, /, **fields: object) -> dict[str, object]:
        """Merge ``fields`` into ``pipeline-info.json`` (atomically, under the lock); the new info."""
        if fields.get("pipeline_id", pipeline_id) != pipeline_id:
            raise WorkspaceError(f"pipeline {pipeline_id!r}: pipeline_id cannot be changed")
        with self.lock(metadata.METADATA_LOCK, pipeline_id, agent=_METADATA_WRITER):
            info = self.pipeline_info(pipeline_id)
            info.update(fields, updated_time=now_iso())
            self._write(self.info_path(pipeline_id), info)
            return info

    def set_agent_status(
        self, pipeline_id: str, agent: str, status: str, message: str | None = None, **extra: object
    ) -> dict[str, object]:
        """Record ``agent``'s status in ``agent-status.json`` (atomically, under the lock); its entry."""
        validate_id(agent, "agent name")
        entry = metadata.agent_entry(status, message, extra)
        with self.lock(metadata.METADATA_LOCK, pipeline_id, agent=agent):
            statuses = self._agent_statuses(pipeline_id)
            statuses[agent] = entry
            self._write(self.agent_status_path(pipeline_id), statuses)
        return entry

    def agent_statuses(self, pipeline_id: str) -> dict[str, object]:
        """The pipeline's ``agent-status.json``: agent → {status, updated_time, message?, ...}."""
        self._require(pipeline_id)
        return self._agent_statuses(pipeline_id)

    def status_summary(self, pipeline_id: str | None = None) -> dict[str, object]:
        """Pipelines, agents' statuses, lock holders and disk use, as JSON-ready data."""
        return status.summary(self, pipeline_id)

    def archive(self, pipeline_id: str, *, agent: str = "cli", timeout: float = DEFAULT_LOCK_TIMEOUT) -> Path:
        """Move ``pipelines/<id>`` to ``completed/<YYYY-MM-DD>/<id>``; the new path."""
        return archiving.archive(self, pipeline_id, agent=agent, timeout=timeout)

    def cleanup(self, older_than: timedelta, *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> list[Path]:
        """Delete archived pipelines archived longer than ``older_than`` ago; the removed paths."""
        return archiving.cleanup(self, older_than, timeout=timeout)

    # Locks

    @contextmanager
    def lock(
        self,
        resource: str,
        pipeline_id: str | None = None,
        *,
        agent: str = "cli",
        timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> Iterator[LockOwner]:
        """Hold the lock on ``resource`` of a pipeline (or a global one) for the ``with`` block.

        Blocks up to ``timeout`` seconds, then raises `LockTimeout` naming the holder.
        """
        lock_path = self.lock_path(resource, pipeline_id)
        if pipeline_id is not None:
            self._require(pipeline_id)
        self._mkdir(lock_path.parent)
        label = _label(resource, pipeline_id)
        with hold(lock_path, label=label, agent=agent, timeout=timeout) as owner:
            if pipeline_id is not None and not self.pipeline_exists(pipeline_id):
                raise WorkspaceError(f"pipeline {pipeline_id!r} was archived or removed while waiting for {label}")
            yield owner

    def holder(self, resource: str, pipeline_id: str | None = None) -> LockOwner | None:
        """Who holds the lock on ``resource`` right now; None when it is free."""
        if pipeline_id is not None:
            self._require(pipeline_id)
        return read_holder(self.lock_path(resource, pipeline_id))

    def held_locks(self, pipeline_id: str | None = None) -> list[tuple[str, LockOwner]]:
        """The locks held right now on a pipeline's resources (or the global ones), by resource name."""
        if pipeline_id is not None:
            self._require(pipeline_id)
        directory = self.lock_path("probe", pipeline_id).parent
        try:
            names = sorted(path.name for path in directory.glob(f"*{LOCK_SUFFIX}"))
        except OSError as exc:
            raise WorkspaceError(f"cannot list {directory}: {_reason(exc)}") from exc
        held = []
        for name in names:
            resource = name.removesuffix(LOCK_SUFFIX)
            if _is_valid_id(resource) and (owner := read_holder(directory / name)) is not None:
                held.append((resource, owner))
        return held

    def lock_path(self, resource: str, pipeline_id: str | None = None) -> Path:
        """``pipelines/<id>/metadata/locks/<resource>.lock``, or ``shared/coordination/locks/...``."""
        name = validate_id(resource, "resource") + LOCK_SUFFIX
        if pipeline_id is None:
            return self.root / "shared" / "coordination" / "locks" / name
        return self.pipeline_dir(pipeline_id) / "metadata" / "locks" / name

    # Helpers

    def _require(self, pipeline_id: str) -> None:
        if not self.pipeline_exists(pipeline_id):
            raise WorkspaceError(f"pipeline {pipeline_id!r} does not exist in {self.root}")

    def _agent_statuses(self, pipeline_id: str) -> dict[str, object]:
        path = self.agent_status_path(pipeline_id)
        return metadata.read_object(path) if path.exists() else {}

    def _write(self, path: Path, obj: object) -> None:
        try:
            atomic_write_json(path, obj)
        except OSError as exc:
            raise WorkspaceError(f"cannot write {path}: {_reason(exc)}") from exc

    def _mkdir(self, path: Path) -> None:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create {path}: {_reason(exc)}") from exc


def _label(resource: str, pipeline_id: str | None) -> str:
    return f"global lock {resource!r}" if pipeline_id is None else f"lock {resource!r} of pipeline {pipeline_id!r}"


def _is_valid_id(name: str) -> bool:
    try:
        validate_id(name)
    except InvalidNameError:
        return False
    return True


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _reason(exc: OSError) -> str:
    reasons = {
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "no space left on device (disk full)",
        errno.EDQUOT: "disk quota exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.ENOENT: "no such file or directory",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))
