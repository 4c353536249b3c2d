"""The workspace monitor: pipelines, agents' statuses, lock holders and disk use, as JSON-ready data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.workspace.clock import now_iso

if TYPE_CHECKING:
    from workshop_template_system.workspace.layout import Workspace

# Stop counting disk use after this many entries: the summary must stay quick on a large mount.
MAX_WALK_ENTRIES = 200_000


def summary(workspace: Workspace, pipeline_id: str | None = None) -> dict[str, object]:
    """The whole workspace, or one pipeline of it (`WorkspaceError` when that pipeline does not exist)."""
    if not workspace.root.is_dir():
        raise WorkspaceError(f"workspace {workspace.root} does not exist or is not a directory")
    if pipeline_id is not None and not workspace.pipeline_exists(pipeline_id):
        raise WorkspaceError(f"pipeline {pipeline_id!r} does not exist in {workspace.root}")
    ids = workspace.pipeline_ids() if pipeline_id is None else [pipeline_id]
    return {
        "workspace": str(workspace.root),
        "generated_time": now_iso(),
        "pipelines": [_pipeline(workspace, each) for each in ids],
        "global_locks": _locks(workspace, None),
        "archived_pipelines": archived_count(workspace.root / "completed"),
        "disk": disk_use(workspace.root),
    }


def _pipeline(workspace: Workspace, pipeline_id: str) -> dict[str, object]:
    entry: dict[str, object] = {"pipeline_id": pipeline_id}
    # One damaged pipeline must not hide the others: its problem is reported in place.
    try:
        info = workspace.pipeline_info(pipeline_id)
        entry.update(
            status=info.get("status"),
            start_time=info.get("start_time"),
            updated_time=info.get("updated_time"),
            agents=workspace.agent_statuses(pipeline_id),
            locks=_locks(workspace, pipeline_id),
        )
    except WorkspaceError as exc:
        entry.update(status="unknown", error=str(exc))
    return entry


def _locks(workspace: Workspace, pipeline_id: str | None) -> list[dict[str, object]]:
    return [{"resource": resource, **owner.to_dict()} for resource, owner in workspace.held_locks(pipeline_id)]


def archived_count(completed: Path) -> int:
    """How many pipelines lie under ``completed/<date>/``."""
    count = 0
    for day in _subdirectories(completed):
        count += len(_subdirectories(day))
    return count


def _subdirectories(path: Path) -> list[Path]:
    try:
        return [entry for entry in path.iterdir() if entry.is_dir()]
    except OSError:
        return []  # missing, or removed by a cleanup while we look


def disk_use(root: Path) -> dict[str, object]:
    """Bytes in files under ``root`` (walk capped at `MAX_WALK_ENTRIES`) and its file system's totals."""
    used, complete = _walk_bytes(root)
    usage = shutil.disk_usage(root)
    return {
        "workspace_bytes": used,
        "workspace_bytes_complete": complete,
        "filesystem_free_bytes": usage.free,
        "filesystem_total_bytes": usage.total,
    }


def _walk_bytes(root: Path) -> tuple[int, bool]:
    total, seen, pending = 0, 0, [root]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue  # removed or unreadable while we walk: count what we can
        for entry in entries:
            seen += 1
            if seen > MAX_WALK_ENTRIES:
                return total, False
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total, True
