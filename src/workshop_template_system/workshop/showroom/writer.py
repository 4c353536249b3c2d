"""Writing a rendered workshop into a folder, and removing what an earlier render wrote that is gone now.

A manifest, ``.workshop-files.json`` in the folder, lists the files the writer made; only those are
ever removed, so pages an author added by hand stay. The manifest first lists the old and new files
together, and the new list only once the files are written and the stale ones gone: after a crash at
any point, the next write still knows every file it may remove. Callers hold the workspace lock.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from workshop_template_system.errors import InvalidNameError
from workshop_template_system.workspace.atomic import atomic_write_json, atomic_write_text

MANIFEST_NAME = ".workshop-files.json"


def write_workshop(files: dict[str, str], destination: Path) -> list[Path]:
    """Write ``files`` (relative path → text) under ``destination`` atomically; return the paths written.

    Files from an earlier write that are not in ``files`` are removed. Paths must be relative,
    POSIX-style, and stay inside ``destination``.
    """
    relative = [_checked(path) for path in files]
    destination.mkdir(parents=True, exist_ok=True)
    manifest = destination / MANIFEST_NAME
    previous = _read_manifest(manifest)
    atomic_write_json(manifest, {"files": sorted({*previous, *relative})})
    written = []
    for path, text in zip(relative, files.values(), strict=True):
        target = destination / path
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, text)
        written.append(target)
    for stale in sorted(set(previous) - set(relative)):
        (destination / stale).unlink(missing_ok=True)
    atomic_write_json(manifest, {"files": sorted(relative)})
    return written


def _checked(path: str) -> str:
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\\" in path or any(part in ("", ".", "..") for part in path.split("/")):
        raise InvalidNameError(f"A workshop file must have a relative path inside the workshop, not {path!r}")
    if pure.name == MANIFEST_NAME:
        raise InvalidNameError(f"{MANIFEST_NAME} is the writer's own manifest, not a workshop file")
    return path


def _read_manifest(manifest: Path) -> list[str]:
    """The listed paths that are still valid; a missing or unreadable manifest lists nothing (nothing is removed)."""
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    paths = []
    for path in listed if isinstance(listed, list) else []:
        try:
            paths.append(_checked(path))
        except (InvalidNameError, TypeError):
            continue
    return paths
