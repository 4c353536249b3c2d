"""The watches: which repository each published workshop follows, and the last commit seen of it.

One state file for the whole workspace, ``shared/coordination/watches.json``, read freely (it is only
ever replaced atomically) and changed only under the workspace's global ``watches`` lock, with a
read-modify-write that touches one watch at a time. Blocking: callers run these off the event loop.

    {"watches": [{"workshop", "repository", "branch", "pipeline_id", "cache", "seen_commit",
                  "watched_at", "updated_at", "last_check"?, "last_proposal"?}, ...]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from workshop_template_system.errors import InvalidNameError, RepositoryRefused, WorkspaceError
from workshop_template_system.workspace import Workspace, atomic_write_json, validate_id
from workshop_template_system.workspace.clock import now_iso

AGENT = "documentation-pipeline"
LOCK = "watches"
MAX_WORKSHOP_NAME = 100
_BRANCH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/+-]{0,254}")


class Watch(BaseModel):
    """One watched repository and the workshop built from it."""

    workshop: str
    repository: str
    branch: str
    pipeline_id: str
    cache: str
    seen_commit: str
    watched_at: str
    updated_at: str
    last_check: dict[str, Any] | None = None
    last_proposal: dict[str, Any] | None = None


def validate_workshop_name(name: str) -> str:
    """A published workshop's repository name: one safe path component, at most 100 characters."""
    if isinstance(name, str) and len(name) > MAX_WORKSHOP_NAME:
        raise InvalidNameError(f"invalid workshop name: longer than {MAX_WORKSHOP_NAME} characters")
    return validate_id(name, "workshop name")


def validate_branch(branch: str) -> str:
    """A branch name git and the shell read as nothing else (no options, ranges or ``..``)."""
    if _BRANCH.fullmatch(branch) is None or ".." in branch or "//" in branch or branch.endswith(("/", ".", ".lock")):
        raise RepositoryRefused(f"refused branch {branch[:80]!r}: not a valid branch name")
    return branch


class WatchStore:
    """``watches.json`` of one workspace."""

    def __init__(self, workspace: Workspace, *, lock_timeout: float) -> None:
        self.workspace = workspace
        self.lock_timeout = lock_timeout
        self.path = workspace.root / "shared" / "coordination" / "watches.json"

    def all(self) -> list[Watch]:
        """Every watch, by workshop name."""
        return sorted(_read(self.path).values(), key=lambda watch: watch.workshop)

    def get(self, workshop: str) -> Watch:
        """The watch of this workshop; `WorkspaceError` naming the watched ones when there is none."""
        watches = _read(self.path)
        if workshop not in watches:
            known = ", ".join(sorted(watches)) or "none"
            raise WorkspaceError(f"workshop {workshop!r} is not watched (watched: {known})")
        return watches[workshop]

    def put(self, watch: Watch) -> Watch | None:
        """Add or replace the watch; the one it replaced, whose first watch time and last proposal it keeps."""
        with self._locked() as watches:
            earlier = watches.get(watch.workshop)
            if earlier is not None:
                kept = {"watched_at": earlier.watched_at, "last_proposal": earlier.last_proposal}
                watch = watch.model_copy(update=kept)
            watches[watch.workshop] = watch
            self._write(watches)
        return earlier

    def remove(self, workshop: str) -> Watch:
        """Forget the watch; the watch that was removed."""
        with self._locked() as watches:
            if workshop not in watches:
                raise WorkspaceError(f"workshop {workshop!r} is not watched")
            removed = watches.pop(workshop)
            self._write(watches)
        return removed

    def update(self, workshop: str, *, only_if_seen: str | None = None, **fields: Any) -> Watch | None:
        """Change some fields of a watch; None when it is gone (unwatched meanwhile).

        With `only_if_seen`, ``seen_commit`` and ``pipeline_id`` change only if the last seen commit
        still is that one (a re-watch got there first otherwise); the other fields change regardless.
        """
        with self._locked() as watches:
            watch = watches.get(workshop)
            if watch is None:
                return None
            if only_if_seen is not None and watch.seen_commit != only_if_seen:
                fields.pop("seen_commit", None)
                fields.pop("pipeline_id", None)
            watches[workshop] = watch.model_copy(update={**fields, "updated_at": now_iso()})
            self._write(watches)
            return watches[workshop]

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Watch]]:
        """The watches, read under the ``watches`` lock, which is held until the block ends."""
        with self.workspace.lock(LOCK, agent=AGENT, timeout=self.lock_timeout):
            yield _read(self.path)

    def _write(self, watches: dict[str, Watch]) -> None:
        document = {"watches": [watches[name].model_dump(mode="json") for name in sorted(watches)]}
        try:
            atomic_write_json(self.path, document)
        except OSError as exc:
            raise WorkspaceError(f"cannot write {self.path}: {exc.strerror or exc}") from exc


def _read(path: Path) -> dict[str, Watch]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise WorkspaceError(f"cannot read the watches in {path}: {exc}") from exc
    try:
        watches = [Watch.model_validate(item) for item in document["watches"]]
    except (KeyError, TypeError, ValidationError) as exc:
        raise WorkspaceError(f"the watches in {path} are not in the expected form: {exc}") from exc
    return {watch.workshop: watch for watch in watches}
