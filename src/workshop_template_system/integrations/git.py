"""Cloning git repositories safely: known transports only, no prompts, a timeout, size and file limits.

A source is validated first (`validate_repository_source`): https, http, ssh (URL or scp-like
``git@host:org/repo.git``), git, and local paths or ``file://`` only when allowed. Remote helpers
(``ext::``, ``fd::``, ...), other schemes and anything git could read as an option are refused.
Entry points that take a source from a caller use `repository_source`, which also resolves its host
and refuses the addresses the link checks' SSRF guard refuses (loopback, private, link-local, metadata,
...), so a caller cannot make the agents probe internal hosts and ports. For http(s) the checked
addresses are pinned (``http.curloptResolve``) and redirects are not followed, so neither a DNS answer
that changes nor a redirect can move the connection elsewhere.

`clone` runs every git command itself rather than through gitpython's command wrapper, because it
needs three things that wrapper does not give: a child environment that allows exactly the source's
transport (``GIT_ALLOW_PROTOCOL``) and never prompts, its own process group so that a timeout ends
git *and* its transport helpers, and a watch on the incoming pack while it downloads. gitpython then
reads the result (commit, branch). Limits are checked on the fetched tree before anything is checked
out, so a small pack that expands to a huge tree never reaches the disk. Symbolic links are checked
out as plain files (``core.symlinks=false``): nothing in a clone can point outside it.

Blocking: callers run `clone` off the event loop.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from ipaddress import ip_address
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import git

from workshop_template_system.errors import CloneTimeout, GitError, RefNotFound, RepositoryRefused
from workshop_template_system.integrations.web import Address, refusal, unique_addresses
from workshop_template_system.settings import Settings, child_environment

Transport = Literal["https", "http", "ssh", "git", "file"]

_SCHEMES: dict[str, Transport] = {
    "https": "https",
    "http": "http",
    "ssh": "ssh",
    "git+ssh": "ssh",
    "ssh+git": "ssh",
    "git": "git",
    "file": "file",
}
# What git may use for each transport; an http source may be redirected to https, never the reverse.
_ALLOWED_PROTOCOLS: dict[Transport, str] = {
    "https": "https",
    "http": "http:https",
    "ssh": "ssh",
    "git": "git",
    "file": "file",
}
_DEFAULT_PORTS: dict[Transport, int] = {"https": 443, "http": 80, "ssh": 22, "git": 9418, "file": 0}
_REMOTE_HELPER = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*::")
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP = re.compile(r"(?:(?P<user>[^@/:]+)@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^@/:\[]+):(?P<path>.+)")
_HOST = re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_USERINFO = re.compile(r"//[^/@]*@")
_REF = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/+-]{0,254}")
_HEX = re.compile(r"[0-9a-f]{4,40}")
_DOTS = re.compile(r"\.{2,}")
_REDIRECTED = re.compile(r"returned error: 30[12378]\b")
# Variables that would point git at another repository or inject configuration from a parent git.
_INHERITED_GIT_STATE = frozenset(
    {
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_NAMESPACE",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_CURL_VERBOSE",
    }
)


def allowed_protocols(transport: Transport) -> str:
    """What git may use for a source of this transport (``GIT_ALLOW_PROTOCOL``)."""
    return _ALLOWED_PROTOCOLS[transport]


def safe_git_environment(protocols: str, config: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a git child: only `protocols`, never a prompt, no inherited repository or config state.

    ``GIT_DIR``-style variables, injected configuration (``GIT_CONFIG_*``) and ``GIT_TRACE*`` from our own
    environment are dropped, so git acts only on the paths and settings each command names. `config` (such as
    a source's `RepositorySource.git_config`) is given to git as ``GIT_CONFIG_COUNT``/``KEY``/``VALUE``.
    """
    inherited = {
        key: value
        for key, value in child_environment({}).items()
        if key not in _INHERITED_GIT_STATE and not key.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_TRACE"))
    }
    configured = {"GIT_CONFIG_COUNT": str(len(config))} if config else {}
    for index, (key, value) in enumerate((config or {}).items()):
        configured |= {f"GIT_CONFIG_KEY_{index}": key, f"GIT_CONFIG_VALUE_{index}": value}
    return (
        inherited
        | configured
        | {
            "GIT_ALLOW_PROTOCOL": protocols,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",  # set but empty: git asks no helper program and no terminal
            "SSH_ASKPASS_REQUIRE": "never",
            "GIT_LFS_SKIP_SMUDGE": "1",
            "LC_ALL": "C",
        }
    )


_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class RepositorySource:
    """A repository source that passed validation: what git is given, and what people are shown.

    `host` and `port` are where git connects (empty and 0 for a local source); `git_config` is what
    git must be run with for this source (set by `repository_source`: the checked address pinned).
    """

    url: str
    transport: Transport
    display: str
    name: str
    host: str = ""
    port: int = 0
    git_config: tuple[tuple[str, str], ...] = ()

    @property
    def is_local(self) -> bool:
        """A path on this machine (or a ``file://`` URL)."""
        return self.transport == "file"


@dataclass(frozen=True)
class ClonedRepository:
    """A finished clone: where it is, what was checked out, and how big it is."""

    path: Path
    source: RepositorySource
    ref: str
    commit: str
    files: int
    bytes: int


def validate_repository_source(source: str, *, allow_local: bool) -> RepositorySource:
    """Accept an https/http/ssh/git URL, an scp-like address, or (when allowed) a local path; refuse the rest."""
    if not isinstance(source, str) or not source.strip():
        raise RepositoryRefused("refused repository: the source is empty")
    text = source.strip()
    if _CONTROL.search(text):
        raise _refused(text, "it contains control characters")
    if text.startswith("-"):
        raise _refused(text, "it starts with '-' and would be read as a git option")
    if _REMOTE_HELPER.match(text):
        raise _refused(text, "remote helper transports like 'ext::' and 'fd::' run programs and are not allowed")
    if match := _URL.match(text):
        return _url_source(text, match.group(1).lower(), allow_local)
    if (match := _SCP.fullmatch(text)) and "/" not in text.split(":", 1)[0]:
        return _scp_source(text, match)
    return _local_source(Path(text), text, allow_local)


def repository_source(
    text: str, settings: Settings, *, ref: str | None = None, allow_local: bool | None = None
) -> RepositorySource:
    """A caller's repository source (and the `ref` to fetch, checked first), validated and its address checked.

    Local sources follow `allow_local` (``ALLOW_LOCAL_REPOSITORIES`` unless given). A remote host is resolved
    and refused with `RepositoryRefused` when any of its addresses is one the SSRF guard of the link checks
    refuses, unless ``ALLOW_PRIVATE_URLS`` is on or it is the host and port of ``GITEA_URL`` or of a peer
    agent's URL (the operator's own servers). The port counts: with the agents on 127.0.0.1, their host alone
    would open every port of it. Blocking (``getaddrinfo``): callers run it off the event loop or accept a
    short wait. Raises `GitError` when the host does not resolve.
    """
    if ref is not None:
        validate_ref(ref)
    local = settings.allow_local_repositories if allow_local is None else allow_local
    source = validate_repository_source(text, allow_local=local)
    if source.is_local or settings.allow_private_urls or (source.host, source.port) in _configured_servers(settings):
        return source
    literal = _literal(source.host)
    if literal is None and (not source.host.isascii() or source.host.endswith(".")):
        # curl would look such a name up in another form (punycode, no dot) than the one pinned: no pin would hold
        raise _refused(text, "write its host in ASCII (punycode for an international name), without a final dot")
    addresses = [literal] if literal is not None else _resolve(source)
    for address in addresses:
        if (reason := refusal(address)) is not None:
            where = source.host if literal is not None else f"{source.host} resolves to {address}, which"
            raise _refused(text, f"{where} is {reason} (SSRF guard); ALLOW_PRIVATE_URLS=true allows it")
    return replace(source, git_config=_pinned(source, None if literal is not None else addresses))


def validate_ref(ref: str) -> str:
    """`ref` when it is a valid branch, tag or commit name that git cannot read as an option or a range."""
    if _REF.fullmatch(ref) is None or ".." in ref or "//" in ref or ref.endswith(("/", ".", ".lock")):
        raise RepositoryRefused(f"refused ref {ref[:80]!r}: not a valid branch, tag or commit name")
    return ref


def clone(
    source: RepositorySource,
    dest: Path,
    *,
    ref: str | None,
    depth: int | None = 1,
    timeout: float,
    max_files: int,
    max_bytes: int,
) -> ClonedRepository:
    """Clone `source` at `ref` (default branch when None) into `dest`, shallow when `depth` is set.

    `dest` must not exist or be an empty folder; on any failure what was made there is removed.
    Raises `RepositoryRefused` (a limit, a bad ref name), `CloneTimeout`, `RefNotFound` or `GitError`.
    """
    if ref is not None:
        validate_ref(ref)
    existed = _prepare(dest)
    run = _Runner(source, dest, time.monotonic() + timeout, timeout, max_bytes)
    try:
        target = _fetch(run, ref, depth)
        files, size = _tree_size(run, target)
        _check_limits(source, files, size, max_files, max_bytes)
        if target == "HEAD":
            run.git("-C", str(dest), "checkout", "-q", "-f")
        else:
            run.git("-C", str(dest), "-c", "advice.detachedHead=false", "checkout", "-q", "--detach", target)
        commit, checked_out = _head(dest)
    except BaseException:
        _remove(dest, existed)
        raise
    return ClonedRepository(dest, source, ref or checked_out, commit, files, size)


# Validation


def _url_source(text: str, scheme: str, allow_local: bool) -> RepositorySource:
    transport = _SCHEMES.get(scheme)
    if transport is None:
        raise _refused(text, f"the '{scheme}://' scheme is not supported; use https://, ssh:// or git@host:path")
    if any(char.isspace() for char in text):
        raise _refused(text, "a URL cannot contain spaces")
    try:
        parts = urlsplit(text)
    except ValueError:  # an unbalanced '[' or ']' in the host
        raise _refused(text, "it is not a valid URL") from None
    if transport == "file":
        if parts.netloc not in ("", "localhost"):
            raise _refused(text, "a file:// URL must name a path on this machine")
        return _local_source(Path(unquote(parts.path)), text, allow_local)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise _refused(text, "its host or port is not valid") from None
    if not host or host.startswith("-") or (parts.username or "").startswith("-"):
        raise _refused(text, "it names no valid host")
    path = parts.path.strip("/")
    if not path or path.startswith("-"):
        raise _refused(text, "it names no repository path")
    netloc = f"[{host}]" if ":" in host else host
    display = f"{scheme}://{netloc}{f':{port}' if port else ''}{parts.path}"
    return RepositorySource(text, transport, display, _repository_name(path), host, port or _DEFAULT_PORTS[transport])


def _scp_source(text: str, match: re.Match[str]) -> RepositorySource:
    host, path, user = match.group("host"), match.group("path"), match.group("user") or ""
    if host.startswith("-") or path.startswith("-") or user.startswith("-"):
        raise _refused(text, "its user, host or path starts with '-' and would be read as an ssh or git option")
    if any(char.isspace() for char in text) or _HOST.fullmatch(host) is None:
        raise _refused(text, "it is not a valid ssh address (user@host:path)")
    return RepositorySource(text, "ssh", text, _repository_name(path), host.strip("[]").lower(), _DEFAULT_PORTS["ssh"])


def _local_source(path: Path, text: str, allow_local: bool) -> RepositorySource:
    if not allow_local:
        raise _refused(text, "local paths are not allowed here; give an https:// or ssh URL")
    try:
        resolved = path.resolve()
        found = resolved.is_dir()
    except (OSError, ValueError):  # a name too long for the file system, a NUL from '%00' in a file:// URL
        raise _refused(text, "it is not a usable local path") from None
    if not found:
        raise GitError(f"local repository {str(resolved)!r} does not exist or is not a folder")
    return RepositorySource(str(resolved), "file", str(resolved), _repository_name(resolved.name))


def _repository_name(path: str) -> str:
    """The last path segment without ``.git``, safe as one folder name: no '..', no leading '.' or '-'."""
    name = path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return _DOTS.sub(".", name).lstrip(".-") or "repository"


def _refused(text: str, reason: str) -> RepositoryRefused:
    shown = _USERINFO.sub("//***@", text)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return RepositoryRefused(f"refused repository {shown!r}: {reason}")


# The address check


def _configured_servers(settings: Settings) -> set[tuple[str, int]]:
    """(host, port) of GITEA_URL and of the peer agents' URLs."""
    servers = set()
    for url in (settings.gitea_url, *settings.peer_urls.values()):
        try:
            parts = urlsplit(url or "")
            host, port = parts.hostname, parts.port or {"https": 443, "http": 80}.get(parts.scheme)
        except ValueError:  # a malformed URL names no server
            continue
        if host and port:
            servers.add((host, port))
    return servers


def _literal(host: str) -> Address | None:
    """The address `host` is written as, or None for a name."""
    try:
        return ip_address(host)
    except ValueError:
        return None


def _resolve(source: RepositorySource) -> list[Address]:
    """Every address the host of `source` resolves to."""
    try:
        infos = socket.getaddrinfo(source.host, source.port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise GitError(f"cannot resolve the host of {source.display} ({source.host}): {reason}") from None
    if not (addresses := unique_addresses(infos)):
        raise GitError(f"cannot resolve the host of {source.display} ({source.host}): no address")
    return addresses


def _pinned(source: RepositorySource, resolved: list[Address] | None) -> tuple[tuple[str, str], ...]:
    """git configuration that keeps an http(s) fetch on the checked addresses: curl is given the `resolved`
    addresses of the host (no second DNS lookup), and redirects, which could name any other host, are not
    followed. ssh and git:// resolve the host again when they connect: a DNS answer that changes in between
    is not caught for them."""
    if source.transport not in ("http", "https"):
        return ()
    if resolved is None:
        return (("http.followRedirects", "false"),)
    shown = ",".join(f"[{address}]" if address.version == 6 else str(address) for address in resolved)
    return (("http.followRedirects", "false"), ("http.curloptResolve", f"{source.host}:{source.port}:{shown}"))


# Cloning


class _Runner:
    """Runs git for one clone: its environment, its deadline, and the watch on the incoming pack."""

    def __init__(self, source: RepositorySource, dest: Path, deadline: float, timeout: float, max_bytes: int) -> None:
        self.source = source
        self.dest = dest
        self.deadline = deadline
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.env = safe_git_environment(allowed_protocols(source.transport), dict(source.git_config))

    def git(self, *args: str, network: bool = False) -> str:
        """Run one git command within the deadline (watching the download when `network`); its stdout."""
        try:
            process = subprocess.Popen(
                ["git", *args],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, and no terminal to prompt on
            )
        except OSError as exc:
            raise GitError(f"git cannot be started ({exc.strerror}): is git installed?") from exc
        lower_priority(process)
        try:
            out, err = self._wait(process, network)
        except BaseException:
            kill_process_group(process)
            raise
        if process.returncode != 0:
            raise GitError(f"git {git_subcommand(args)} of {self.source.display} failed: {self._reason(err)}")
        return out.decode(errors="surrogateescape")

    def _wait(self, process: subprocess.Popen[bytes], network: bool) -> tuple[bytes, bytes]:
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise CloneTimeout(
                    f"cloning {self.source.display} took longer than {self.timeout:g} s; the partial clone was removed"
                )
            try:
                return process.communicate(timeout=min(_POLL_SECONDS, remaining))
            except subprocess.TimeoutExpired:
                if network:
                    self._check_download()

    def _check_download(self) -> None:
        pack = self.dest / ".git" / "objects" / "pack"
        try:
            received = sum(entry.stat().st_size for entry in os.scandir(pack))
        except FileNotFoundError:
            return
        if received > self.max_bytes:
            raise RepositoryRefused(
                f"{self.source.display} is too large: the download passed {self.max_bytes:,} bytes (max_bytes)"
            )

    def _reason(self, stderr: bytes) -> str:
        reason = git_reason(stderr.decode(errors="replace")).replace(self.source.url, self.source.display)
        if _REDIRECTED.search(reason) and ("http.followRedirects", "false") in self.source.git_config:
            return f"{reason} (a redirect, not followed from a checked address: give the address it redirects to)"
        return reason


def git_subcommand(args: Sequence[str]) -> str:
    """The git command's name, past ``-C <path>``, ``-c <setting>``, ``--git-dir``/``--work-tree`` and other options."""
    words = iter(args)
    for word in words:
        if word in ("-C", "-c", "--git-dir", "--work-tree"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return "git"


def git_reason(stderr: str) -> str:
    """The line of git's stderr that says why it failed (every refused ref, for a push)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    rejected = [" ".join(line.split()) for line in lines if line.startswith("! [")]
    if rejected:
        return "; ".join(rejected) + " (nothing was overwritten)"
    fatal = [line for line in lines if line.startswith(("fatal:", "error:", "remote: error"))]
    return (fatal or lines or ["git gave no reason"])[-1]


def _fetch(run: _Runner, ref: str | None, depth: int | None) -> str:
    """Bring the commit into `run.dest` without checking it out; the revision to check out."""
    url, dest = run.source.url, str(run.dest)
    shallow = ("--depth", str(depth)) if depth else ()
    local = ("--no-local",) if run.source.is_local else ()  # makes --depth work on paths, and copies no links
    clone = ("clone", "-q", "--no-checkout", "-c", "core.symlinks=false", *local, *shallow)
    if ref is None:
        run.git(*clone, "--", url, dest, network=True)
        return "HEAD"
    listed = run.git("ls-remote", "--heads", "--tags", "--", url, f"refs/heads/{ref}", f"refs/tags/{ref}", network=True)
    if listed.strip():
        run.git(*clone, "--branch", ref, "--", url, dest, network=True)
        return "HEAD"
    if not (_HEX.fullmatch(ref) or ref.startswith("refs/")):
        raise RefNotFound(f"{run.source.display} has no branch or tag named {ref!r}")
    run.git("init", "-q", dest)
    run.git("-C", dest, "config", "core.symlinks", "false")
    run.git("-C", dest, "remote", "add", "origin", url)
    if len(ref) == 40 or ref.startswith("refs/"):
        try:
            run.git("-C", dest, "fetch", "-q", *shallow, "origin", ref, network=True)
            return run.git("-C", dest, "rev-parse", "FETCH_HEAD").strip()
        except RepositoryRefused:  # a limit or the timeout: no second attempt
            raise
        except GitError:
            if ref.startswith("refs/"):
                raise RefNotFound(f"{run.source.display} has no ref {ref!r}") from None
    # The server would not send one commit by id, or the id is abbreviated: fetch everything and look.
    run.git("-C", dest, "fetch", "-q", "--tags", "origin", network=True)
    try:
        return run.git("-C", dest, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError:
        raise RefNotFound(f"{run.source.display} has no branch, tag or commit {ref!r}") from None


def _tree_size(run: _Runner, revision: str) -> tuple[int, int]:
    """Files and bytes of the tree at `revision`, read from git's objects (nothing checked out yet)."""
    listing = run.git("-C", str(run.dest), "ls-tree", "-r", "-l", "-z", revision)
    files = size = 0
    for entry in listing.split("\0"):
        fields = entry.split(None, 4)
        if len(fields) >= 4 and fields[1] == "blob":
            files += 1
            size += int(fields[3]) if fields[3].isdigit() else 0
    return files, size


def _check_limits(source: RepositorySource, files: int, size: int, max_files: int, max_bytes: int) -> None:
    if files > max_files:
        raise RepositoryRefused(f"{source.display} has {files:,} files, above the limit of {max_files:,} (max_files)")
    if size > max_bytes:
        raise RepositoryRefused(
            f"{source.display} has {size:,} bytes of files, above the limit of {max_bytes:,} (max_bytes)"
        )


def _head(dest: Path) -> tuple[str, str]:
    """The checked-out commit, and the branch name (the commit when detached)."""
    try:
        with git.Repo(dest) as repo:
            commit = repo.head.commit.hexsha
            return commit, (commit if repo.head.is_detached else repo.active_branch.name)
    except (git.GitError, ValueError) as exc:
        raise GitError(f"cannot read the clone in {dest}: {exc}") from exc


def _prepare(dest: Path) -> bool:
    """Check that `dest` can receive a clone; whether it existed (an empty folder) before."""
    if dest.exists():
        if not dest.is_dir() or any(dest.iterdir()):
            raise GitError(f"cannot clone into {dest}: it exists and is not an empty folder")
        return True
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GitError(f"cannot clone into {dest}: {exc.strerror}") from exc
    return False


def _remove(dest: Path, existed: bool) -> None:
    """Remove what a failed clone made: the folder, or only its contents when it was there before."""
    if not existed:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir() if dest.is_dir() else ():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


GIT_NICENESS = 10
"""git runs this much nicer than the agent: a large clone or checkout left the agent's own requests waiting for a core
(its card p95 went from 18 to 101 ms during the analysis of a 5,000-file repository)."""


def lower_priority(process: subprocess.Popen[Any]) -> None:
    """Make git and every helper it starts (its process group) yield the cores to the agent's event loop."""
    with contextlib.suppress(OSError):  # it may have ended already
        os.setpriority(os.PRIO_PGRP, process.pid, GIT_NICENESS)


def kill_process_group(process: subprocess.Popen[Any]) -> None:
    """End git and every helper it started (one process group), and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


__all__ = [
    "ClonedRepository",
    "RepositorySource",
    "Transport",
    "clone",
    "repository_source",
    "validate_ref",
    "validate_repository_source",
]
