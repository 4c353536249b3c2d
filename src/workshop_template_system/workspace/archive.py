"""Archiving finished pipelines to ``completed/<YYYY-MM-DD>/<id>`` and deleting old archives."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from workshop_template_system.errors import ConfigurationError, WorkspaceError
from workshop_template_system.workspace.atomic import atomic_write_json
from workshop_template_system.workspace.clock import iso, parse_iso, utc_now
from workshop_template_system.workspace.locks import owner_path
from workshop_template_system.workspace.metadata import METADATA_LOCK, PIPELINE_INFO, read_object

if TYPE_CHECKING:
    from workshop_template_system.workspace.layout import Workspace

# Archive and cleanup both change completed/: they take this global lock so that neither
# removes a date folder the other is about to use.
COMPLETED_LOCK = "completed"
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"(?:\d+[smhdw])+")
_PART = re.compile(r"(\d+)([smhdw])")


def parse_duration(text: str) -> timedelta:
    """``7d``, ``12h``, ``30m``, ``45s``, ``2w`` or combinations like ``1d12h``."""
    compact = text.strip().lower()
    if not _DURATION.fullmatch(compact):
        raise ConfigurationError(
            f"invalid duration {text!r}: use a number and a unit s, m, h, d or w, like 7d, 12h or 1d12h"
        )
    return sum((timedelta(**{_UNITS[unit]: int(number)}) for number, unit in _PART.findall(compact)), timedelta())


def archive(workspace: Workspace, pipeline_id: str, *, agent: str, timeout: float) -> Path:
    """Mark the pipeline archived and move it under ``completed/<today UTC>/``; the new path.

    Refused while another lock of the pipeline is held: someone is still working on it.
    """
    with workspace.lock(METADATA_LOCK, pipeline_id, agent=agent, timeout=timeout):
        busy = [(name, owner) for name, owner in workspace.held_locks(pipeline_id) if name != METADATA_LOCK]
        if busy:
            name, owner = busy[0]
            raise WorkspaceError(f"pipeline {pipeline_id!r} is in use: lock {name!r} is held by {owner.describe()}")
        now = utc_now()
        source = workspace.pipeline_dir(pipeline_id)
        target = workspace.root / "completed" / f"{now:%Y-%m-%d}" / pipeline_id
        with workspace.lock(COMPLETED_LOCK, agent=agent, timeout=timeout):
            if target.exists():
                raise WorkspaceError(f"cannot archive pipeline {pipeline_id!r}: {target} already exists")
            previous = workspace.pipeline_info(pipeline_id)
            _write_info(
                workspace.info_path(pipeline_id),
                {**previous, "status": "archived", "archived_time": iso(now), "updated_time": iso(now)},
            )
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                source.rename(target)
            except OSError as exc:
                _write_info(workspace.info_path(pipeline_id), previous)
                raise WorkspaceError(f"cannot move {source} to {target}: {exc.strerror or exc}") from exc
        # Our own owner record moved with the folder; the lock is released through its open file.
        owner_path(target / "metadata" / "locks" / f"{METADATA_LOCK}.lock").unlink(missing_ok=True)
        return target


def cleanup(workspace: Workspace, older_than: timedelta, *, timeout: float) -> list[Path]:
    """Delete archived pipelines archived more than ``older_than`` ago; the removed paths.

    The archive time is the ``archived_time`` recorded by `archive`, else the end of the date
    folder's day (never too early). ``pipelines/`` is never touched; emptied date folders go too.
    """
    completed = workspace.root / "completed"
    cutoff = utc_now() - older_than
    removed: list[Path] = []
    with workspace.lock(COMPLETED_LOCK, agent="cleanup", timeout=timeout):
        try:
            for folder, day in _dated_folders(completed):
                for pipeline in sorted(entry for entry in folder.iterdir() if entry.is_dir()):
                    if _archived_at(pipeline, day) <= cutoff:
                        shutil.rmtree(pipeline)
                        removed.append(pipeline)
                if not any(folder.iterdir()):
                    folder.rmdir()
        except OSError as exc:
            raise WorkspaceError(f"cleanup of {completed} failed: {exc.strerror or exc}") from exc
    return removed


def _dated_folders(completed: Path) -> list[tuple[Path, datetime]]:
    if not completed.is_dir():
        return []
    folders = [(entry, _day(entry)) for entry in completed.iterdir() if entry.is_dir()]
    return sorted((folder, day) for folder, day in folders if day is not None)


def _day(folder: Path) -> datetime | None:
    try:
        return datetime.strptime(folder.name, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _archived_at(pipeline: Path, day: datetime) -> datetime:
    try:
        recorded = read_object(pipeline / "metadata" / PIPELINE_INFO).get("archived_time")
    except WorkspaceError:
        recorded = None
    moment = parse_iso(recorded) if isinstance(recorded, str) else None
    return moment if moment is not None else day + timedelta(days=1)


def _write_info(path: Path, info: dict[str, object]) -> None:
    try:
        atomic_write_json(path, info)
    except OSError as exc:
        raise WorkspaceError(f"cannot write {path}: {exc.strerror or exc}") from exc
