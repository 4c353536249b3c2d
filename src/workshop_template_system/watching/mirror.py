"""A bare mirror of a watched repository's branches under ``shared/git-cache/``, read with plain git.

Git runs the way `integrations.git` runs it for clones: only the source's own transport is allowed
(``GIT_ALLOW_PROTOCOL``), nothing ever prompts, each command has its own process group so a timeout
ends git and its transport helpers, and no ``GIT_DIR``-like variable is inherited from the parent. Only
branches are fetched (``refs/heads/*``, pruned), never tags or pull-request refs, and the URL is
passed on each fetch rather than written into the mirror's configuration.

Blocking: callers run these methods off the event loop.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from workshop_template_system.errors import GitError, RefNotFound, RepositoryRefused
from workshop_template_system.integrations.git import (
    RepositorySource,
    allowed_protocols,
    git_reason,
    kill_process_group,
    lower_priority,
    safe_git_environment,
)

# Variables that would point git at another repository or inject configuration (as integrations.git drops them);
# GIT_SSH_COMMAND and the like stay, for deployments that give git its key that way.
_SHA = re.compile(r"[0-9a-f]{40}")
_STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied", "T": "type-changed"}
_POLL_SECONDS = 0.1
_BRANCHES = "+refs/heads/*:refs/heads/*"
_FIELD, _RECORD = "\x1f", "\x1e"


class Commit(BaseModel):
    """One commit of the watched branch."""

    sha: str
    author: str
    date: str
    subject: str


@dataclass(frozen=True)
class FileChange:
    """One entry of ``git diff --name-status``: what happened to a path (and where a rename came from)."""

    status: str
    path: str
    old_path: str | None = None


class Mirror:
    """The bare mirror of one repository: fetched on demand, read by commit."""

    def __init__(self, source: RepositorySource, path: Path, *, timeout: float, max_bytes: int) -> None:
        self.source = source
        self.path = path
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.env = safe_git_environment(allowed_protocols(source.transport), dict(source.git_config))

    def fetch(self) -> None:
        """Create the mirror when missing (or unreadable) and bring its branches up to date."""
        if not (self.path / "HEAD").is_file():
            shutil.rmtree(self.path, ignore_errors=True)
            self.path.mkdir(parents=True)
            self._git("init", "-q", "--bare", ".")
            self._git("config", "gc.auto", "0")  # keep every commit once seen, even after a force push
        self._git("fetch", "-q", "--prune", "--no-tags", "--", self.source.url, _BRANCHES, network=True)

    def default_branch(self) -> str:
        """The branch the remote's HEAD points at."""
        listed = self._git("ls-remote", "--symref", "--", self.source.url, "HEAD", network=True)
        for line in listed.splitlines():
            if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
                return line.removeprefix("ref: refs/heads/").removesuffix("\tHEAD")
        raise GitError(f"{self.source.display} names no default branch; give the branch to watch")

    def head(self, branch: str) -> str:
        """The commit the mirrored branch points at."""
        code, out, _ = self._call(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"])
        sha = out.decode().strip()
        if code != 0 or not _SHA.fullmatch(sha):
            raise RefNotFound(f"{self.source.display} has no branch named {branch!r}")
        return sha

    def contains(self, sha: str) -> bool:
        """Whether the commit is in the mirror."""
        return self._call(["cat-file", "-e", f"{sha}^{{commit}}"])[0] == 0

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether `older` is in the history of `newer` (false after a force push)."""
        return self._call(["merge-base", "--is-ancestor", older, newer])[0] == 0

    def commits(self, start: str, end: str, limit: int) -> tuple[list[Commit], int]:
        """Commits reachable from `end` and not from `start`, newest first (at most `limit`), and their count."""
        count = int(self._git("rev-list", "--count", f"{start}..{end}").strip() or 0)
        template = _FIELD.join(("%H", "%an", "%aI", "%s")) + _RECORD
        listed = self._git("log", "--no-color", f"--max-count={limit}", f"--format={template}", f"{start}..{end}")
        commits = []
        for record in listed.split(_RECORD):
            fields = record.strip("\n").split(_FIELD)
            if len(fields) == 4:
                commits.append(Commit(sha=fields[0], author=fields[1], date=fields[2], subject=fields[3]))
        return commits, count

    def changes(self, start: str, end: str) -> list[FileChange]:
        """The files that differ between two commits, renames found (``--name-status -M``)."""
        listed = self._git("diff", "--no-color", "--no-ext-diff", "--name-status", "-M", "-z", start, end)
        fields = iter(listed.split("\0"))
        found: list[FileChange] = []
        for code in fields:
            if not code:
                continue
            status = _STATUS.get(code[0], "modified")
            if code[0] in "RC":
                old_path, path = next(fields, ""), next(fields, "")
                found.append(FileChange(status, path, old_path))
            else:
                found.append(FileChange(status, next(fields, "")))
        return found

    def paths(self, commit: str) -> list[str]:
        """Every file path of the commit's tree."""
        return [path for path in self._git("ls-tree", "-r", "--name-only", "-z", commit).split("\0") if path]

    def read(self, commit: str, paths: list[str], max_bytes: int) -> dict[str, str]:
        """The text of these files at `commit` (one ``cat-file --batch``); missing, binary and large ones left out."""
        wanted = [path for path in dict.fromkeys(paths) if "\n" not in path]
        if not wanted:
            return {}
        request = "".join(f"{commit}:{path}\n" for path in wanted).encode(errors="surrogateescape")
        code, output, err = self._call(["cat-file", "--batch"], stdin=request)
        if code != 0:
            raise GitError(f"git cat-file of {self.source.display} failed: {self._reason(err)}")
        texts: dict[str, str] = {}
        position = 0
        for path in wanted:
            end = output.find(b"\n", position)
            if end < 0:
                break
            header = output[position:end].split(b" ")
            position = end + 1
            if len(header) != 3 or not header[2].isdigit():  # "<name> missing", "<name> ambiguous"
                continue
            size = int(header[2])
            data = output[position : position + size]
            position += size + 1
            if header[1] == b"blob" and size <= max_bytes and b"\0" not in data[:8192]:
                texts[path] = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        return texts

    # Running git

    def _git(self, *args: str, network: bool = False) -> str:
        """Run git in the mirror; its stdout, or `GitError` with git's reason."""
        code, out, err = self._call(list(args), network=network)
        if code != 0:
            raise GitError(f"git {args[0]} of {self.source.display} failed: {self._reason(err)}")
        return out.decode(errors="surrogateescape")

    def _call(self, args: list[str], *, network: bool = False, stdin: bytes | None = None) -> tuple[int, bytes, bytes]:
        """Run git in the mirror within the timeout (watching the download when `network`)."""
        try:
            process = subprocess.Popen(
                ["git", "-C", str(self.path), *args],
                env=self.env,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, and no terminal to prompt on
            )
        except OSError as exc:
            raise GitError(f"git cannot be started ({exc.strerror}): is git installed?") from exc
        lower_priority(process)
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise GitError(
                        f"git {args[0]} of {self.source.display} ran past {self.timeout:g} s and was stopped"
                    )
                try:
                    out, err = process.communicate(input=stdin, timeout=min(_POLL_SECONDS, remaining))
                    return process.returncode, out, err
                except subprocess.TimeoutExpired:
                    stdin = None  # already handed over: communicate keeps writing it
                    if network:
                        self._check_size()
        except BaseException:
            kill_process_group(process)
            raise

    def _check_size(self) -> None:
        received = 0
        with contextlib.suppress(FileNotFoundError):
            received = sum(entry.stat().st_size for entry in os.scandir(self.path / "objects" / "pack"))
        if received > self.max_bytes:
            raise RepositoryRefused(
                f"{self.source.display} is too large: the mirror passed {self.max_bytes:,} bytes (max_bytes)"
            )

    def _reason(self, stderr: bytes) -> str:
        return git_reason(stderr.decode(errors="replace")).replace(self.source.url, self.source.display)
