"""The workshop to validate, copied into a private folder: from a pipeline, a local folder, or a repository.

Validation never writes where the workshop came from: Antora needs a git repository (and maybe a
trimmed playbook) in the folder it builds, so it builds a copy. The copy leaves out ``.git``,
``node_modules``, ``build`` and ``www``, and symbolic links (nothing in the copy points outside it).
A pipeline's ``final-output/`` is copied under the pipeline's ``final-output`` lock, so content_creator
never rewrites it halfway through the copy. Blocking: agents run these off the event loop.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.integrations.git import RepositorySource, clone
from workshop_template_system.validation.versions import Declared, declared_versions
from workshop_template_system.workshop.pipeline_steps import analysis_path, final_output
from workshop_template_system.workspace import Workspace

VALIDATION_AGENT = "research-validation"
_LEFT_OUT = frozenset({".git", "node_modules", "build", "www"})


@dataclass(frozen=True)
class Snapshot:
    """A private copy of the workshop, where it came from, and the versions its source repository declares
    (from the pipeline's analysis: a folder or repository given directly has no source repository known)."""

    root: Path
    source: dict[str, Any]
    declared: list[Declared] = field(default_factory=list)


def from_pipeline(workspace: Workspace, pipeline_id: str, dest: Path, *, lock_timeout: float) -> Snapshot:
    """Copy the pipeline's ``final-output/``; versions from its analysis, when it has one."""
    if not workspace.pipeline_exists(pipeline_id):
        raise WorkspaceError(f"no pipeline '{pipeline_id}' in the workspace")
    folder = final_output(workspace, pipeline_id)
    with workspace.lock("final-output", pipeline_id, agent=VALIDATION_AGENT, timeout=lock_timeout):
        if not folder.is_dir() or not any(folder.iterdir()):
            raise WorkspaceError(
                f"pipeline '{pipeline_id}' has no workshop in final-output/ yet: run content_creator first"
            )
        copy_workshop(folder, dest, max_files=None, max_bytes=None)
    source: dict[str, Any] = {"pipeline_id": pipeline_id}
    try:
        analysis = json.loads(analysis_path(workspace, pipeline_id).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Snapshot(dest, source)
    except ValueError as exc:
        raise WorkspaceError(f"the analysis of pipeline '{pipeline_id}' cannot be read: {exc}") from None
    origin = analysis.get("source") if isinstance(analysis, dict) and isinstance(analysis.get("source"), dict) else {}
    if origin.get("repository"):
        source["repository"] = origin["repository"]
    return Snapshot(dest, source, declared_versions(analysis))


def from_folder(folder: Path, dest: Path, *, max_files: int, max_bytes: int) -> Snapshot:
    """Copy a local folder (within the clone limits)."""
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise WorkspaceError(f"no folder at {folder}")
    copy_workshop(folder, dest, max_files=max_files, max_bytes=max_bytes)
    return Snapshot(dest, {"path": str(folder)})


def from_repository(
    source: RepositorySource, dest: Path, *, ref: str | None, timeout: float, max_files: int, max_bytes: int
) -> Snapshot:
    """Clone the repository into ``dest``, its history removed (the build makes a repository of its own)."""
    cloned = clone(source, dest, ref=ref, timeout=timeout, max_files=max_files, max_bytes=max_bytes)
    shutil.rmtree(dest / ".git")
    described = {"repository": source.display, "ref": cloned.ref, "commit": cloned.commit}
    return Snapshot(dest, described)


def copy_workshop(folder: Path, dest: Path, *, max_files: int | None, max_bytes: int | None) -> None:
    """Copy ``folder`` into the new folder ``dest``: regular files and folders only, within the limits."""
    files: list[Path] = []
    size = 0
    for root, subfolders, names in os.walk(folder):
        subfolders[:] = [name for name in subfolders if name not in _LEFT_OUT and not (Path(root) / name).is_symlink()]
        for name in names:
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            files.append(path)
            size += path.stat().st_size
            if max_files is not None and len(files) > max_files:
                raise WorkspaceError(f"{folder} has more than {max_files:,} files (CLONE_MAX_FILES)")
            if max_bytes is not None and size > max_bytes:
                raise WorkspaceError(f"{folder} holds more than {max_bytes:,} bytes (CLONE_MAX_BYTES)")
    dest.mkdir(parents=True)
    for path in files:
        target = dest / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
