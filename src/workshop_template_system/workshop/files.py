"""One walk over a repository folder: every file worth analysing, with its size, in a stable order.

Vendored, generated and tool folders (``node_modules``, ``target``, ``dist``, hidden folders, ...) are
skipped, and symbolic links are never followed. Contents are read on demand, capped in size, and
files that look binary are read as nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {
        "node_modules",
        "bower_components",
        "jspm_packages",
        "vendor",
        "target",
        "dist",
        "build",
        "_build",
        "site",
        "venv",
        "__pycache__",
        "coverage",
        "htmlcov",
    }
)
# Hidden folders are tool state, except this one: the Maven wrapper's settings name the Maven version.
KEPT_HIDDEN_DIRS = frozenset({".mvn"})
# Read at most this much of one file; larger files count for languages but are not parsed.
MAX_READ_BYTES = 1_000_000
_BINARY_PROBE = 8192


class RepositoryFile:
    """A file of the repository: its path relative to the root (POSIX form), its size, and parts of its name."""

    __slots__ = ("name", "parent", "path", "size", "suffix")

    def __init__(self, path: str, size: int) -> None:
        self.path = path
        self.size = size
        self.parent, _, self.name = path.rpartition("/")
        dot = self.name.rfind(".")
        self.suffix = self.name[dot:].lower() if dot > 0 else ""  # ".py"; "" for "Makefile" or ".env"

    def __repr__(self) -> str:
        return f"RepositoryFile({self.path!r}, {self.size})"

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))


@dataclass
class RepositoryFiles:
    """The files of one repository folder, walked once."""

    root: Path
    files: list[RepositoryFile]
    skipped_dirs: list[str] = field(default_factory=list)
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def walk(cls, root: Path) -> RepositoryFiles:
        """Walk `root`, skipping vendored and generated folders; files sorted by path."""
        files: list[RepositoryFile] = []
        skipped: list[str] = []
        _walk(root, "", files, skipped)
        files.sort(key=lambda item: item.path)
        return cls(root, files, sorted(skipped))

    @cached_property
    def by_path(self) -> dict[str, RepositoryFile]:
        return {item.path: item for item in self.files}

    @cached_property
    def by_name(self) -> dict[str, list[RepositoryFile]]:
        """Files grouped by lower-case file name."""
        grouped: dict[str, list[RepositoryFile]] = {}
        for item in self.files:
            grouped.setdefault(item.name.lower(), []).append(item)
        return grouped

    @cached_property
    def dirs(self) -> set[str]:
        """Every folder that holds at least one file, as a relative POSIX path."""
        found: set[str] = set()
        for item in self.files:
            parent = item.parent
            while parent and parent not in found:
                found.add(parent)
                parent = parent.rpartition("/")[0]
        return found

    def named(self, *names: str) -> list[RepositoryFile]:
        """Files with one of these names (case-insensitive), shallowest first."""
        found = [item for name in names for item in self.by_name.get(name.lower(), ())]
        return sorted(found, key=lambda item: (item.path.count("/"), item.path))

    def with_suffix(self, *suffixes: str) -> Iterator[RepositoryFile]:
        return (item for item in self.files if item.suffix in suffixes)

    def under(self, folder: str) -> Iterator[RepositoryFile]:
        prefix = folder.rstrip("/") + "/" if folder else ""
        return (item for item in self.files if item.path.startswith(prefix))

    def exists(self, path: str) -> bool:
        return path in self.by_path

    def text(self, path: str) -> str:
        """The file's text (UTF-8, invalid bytes replaced); ``""`` when missing, too large or binary."""
        if path in self._texts:
            return self._texts[path]
        item = self.by_path.get(path)
        text = ""
        if item is not None and item.size <= MAX_READ_BYTES:
            try:
                data = (self.root / path).read_bytes()
            except OSError:
                data = b""
            if b"\0" not in data[:_BINARY_PROBE]:
                text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        self._texts[path] = text
        return text

    def texts(self, items: Iterable[RepositoryFile]) -> Iterator[tuple[RepositoryFile, str]]:
        for item in items:
            yield item, self.text(item.path)


def _walk(folder: Path, prefix: str, files: list[RepositoryFile], skipped: list[str]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        relative = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if _skipped(entry.name):
                if entry.name != ".git":
                    skipped.append(relative)
            else:
                _walk(Path(entry.path), relative + "/", files, skipped)
        elif entry.is_file(follow_symlinks=False):
            try:
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            files.append(RepositoryFile(relative, size))


def _skipped(name: str) -> bool:
    if name.startswith("."):
        return name not in KEPT_HIDDEN_DIRS
    return name.lower() in SKIPPED_DIRS or name.endswith(".egg-info")
