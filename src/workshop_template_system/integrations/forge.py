"""The git forge port: where published workshops live, and how git reaches them.

Two backends, chosen from settings in `open_forge`: `GiteaForge` (``gitea.py``, REST API v1 and git over
HTTP(S) with the token) and `LocalGitForge` (``local_git.py``, bare repositories in the workspace).
The port covers repositories, tags and pull requests; the git work itself (commits, tags, pushes) is
the domain's (``workshop/publishing.py``), which runs git through a forge's `GitAccess`.

The token never reaches argv, a file or a log: `GitAccess` hands it to each git child as
``http.extraHeader`` through ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_0``/``GIT_CONFIG_VALUE_0`` in the
child's environment, and scrubs it from any message git prints.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from workshop_template_system.errors import ConfigurationError, ForgeError, InvalidNameError
from workshop_template_system.integrations.git import (
    git_reason,
    git_subcommand,
    kill_process_group,
    lower_priority,
    safe_git_environment,
)
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace, validate_id

DEFAULT_ORGANIZATION = "workshops"
DEFAULT_BRANCH = "main"
MAX_ORGANIZATION_LENGTH = 40  # Gitea's limit for user and organization names
MAX_REPOSITORY_LENGTH = 100  # Gitea's limit for repository names


@dataclass(frozen=True)
class RepositoryInfo:
    """A repository on the forge: where git clones it, where people see it, and its default branch."""

    organization: str
    name: str
    clone_url: str
    web_url: str | None
    default_branch: str = DEFAULT_BRANCH
    description: str = ""

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready fields."""
        return {
            "repository": self.name,
            "organization": self.organization,
            "clone_url": self.clone_url,
            "web_url": self.web_url,
            "default_branch": self.default_branch,
            "description": self.description,
        }


@dataclass(frozen=True)
class Tag:
    """A tag (a published version): its name, the commit it names, and that commit's date (ISO 8601)."""

    name: str
    commit: str
    date: str | None


@dataclass(frozen=True)
class PullRequest:
    """A pull request opened on the forge."""

    number: int
    url: str | None


@dataclass(frozen=True)
class GitAccess:
    """How git reaches a forge: the transports it may use, and the secret configuration for its children.

    ``secret_config`` (``http.extraHeader`` with the token) goes only into the environment of git
    commands that talk to the forge; its values are scrubbed from every message. Its repr hides them.
    """

    protocols: str
    secret_config: Mapping[str, str] = field(default_factory=dict, repr=False)
    config: Mapping[str, str] = field(default_factory=dict)
    """Configuration that is no secret, for every command: a source's address pin (`RepositorySource.git_config`)."""

    def environment(self, *, with_secrets: bool) -> dict[str, str]:
        """The child environment: no inherited git state, no prompts, the configuration, and the secrets when asked."""
        return safe_git_environment(self.protocols, {**self.config, **(self.secret_config if with_secrets else {})})

    def scrub(self, text: str) -> str:
        """`text` with every secret value (and the token inside it) replaced by ``***``."""
        for value in self.secret_config.values():
            for secret in {value, value.rsplit(" ", 1)[-1]}:
                if secret:
                    text = text.replace(secret, "***")
        return text


class GitForge(Protocol):
    """Where workshops are published: repositories, their tags, pull requests, and git access."""

    kind: str
    """``gitea`` or ``local``."""
    organization: str | None
    """Where repositories go when a call names no organization (None: the Gitea token's user)."""

    def ensure_repository(self, organization: str | None, name: str, description: str) -> RepositoryInfo:
        """The repository, created (empty, default branch ``main``) when missing."""
        ...

    def get_repository(self, organization: str | None, name: str) -> RepositoryInfo | None:
        """The repository, or None when it does not exist."""
        ...

    def list_repositories(self, organization: str | None) -> list[RepositoryInfo]:
        """Every repository of the organization (or the user), by name."""
        ...

    def list_tags(self, organization: str | None, name: str) -> list[Tag]:
        """The repository's tags, in no particular order."""
        ...

    def open_pull_request(
        self, organization: str | None, name: str, *, head: str, base: str, title: str, body: str
    ) -> PullRequest | None:
        """Open a pull request from `head` into `base`; None when the forge has no pull requests."""
        ...

    def git_access(self) -> GitAccess:
        """How git pushes to and fetches from this forge."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def open_forge(settings: Settings, workspace: Workspace) -> GitForge:
    """Gitea when ``GITEA_URL`` and ``GITEA_TOKEN`` are set, local bare repositories otherwise."""
    # Imported here: both backends import this module's types.
    from workshop_template_system.integrations.gitea import GiteaForge
    from workshop_template_system.integrations.local_git import LocalGitForge

    if settings.gitea_url and settings.gitea_token:
        return GiteaForge(settings.gitea_url, settings.gitea_token, organization=settings.gitea_organization)
    if settings.gitea_url or settings.gitea_token:
        missing = "GITEA_TOKEN" if settings.gitea_url else "GITEA_URL"
        raise ConfigurationError(f"Gitea needs both GITEA_URL and GITEA_TOKEN; {missing} is not set")
    return LocalGitForge(local_forge_root(workspace), organization=settings.gitea_organization or DEFAULT_ORGANIZATION)


def validate_organization(value: str) -> str:
    """An organization name that is safe as a path and valid on Gitea."""
    validate_id(value, "organization")
    if len(value) > MAX_ORGANIZATION_LENGTH:
        raise InvalidNameError(f"invalid organization {value[:60]!r}: at most {MAX_ORGANIZATION_LENGTH} characters")
    return value


def validate_repository_name(value: str) -> str:
    """A repository name that is safe as a path and valid on Gitea (no ``.git`` ending)."""
    validate_id(value, "repository name")
    if len(value) > MAX_REPOSITORY_LENGTH or value.lower().endswith((".git", ".wiki")):
        raise InvalidNameError(
            f"invalid repository name {value[:60]!r}: at most {MAX_REPOSITORY_LENGTH} characters, "
            "not ending in '.git' or '.wiki'"
        )
    return value


# Running git


_BRANCH_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def validate_ref_name(value: str, kind: str) -> str:
    """A branch or tag name: one or two parts of letters, digits, '.', '_', '-' joined by one '/'."""
    parts = value.split("/") if isinstance(value, str) else []
    bad = (
        not 1 <= len(parts) <= 2
        or len(value) > 128
        or ".." in value
        or any(_BRANCH_PART.fullmatch(part) is None or part.endswith((".", ".lock")) for part in parts)
        or value == "HEAD"
    )
    if bad:
        raise InvalidNameError(
            f"invalid {kind} {str(value)[:60]!r}: use letters, digits, '.', '_' or '-', at most one '/', "
            "each part starting with a letter or digit, no '..' and no '.lock' ending"
        )
    return value


def run_git(
    args: Sequence[str],
    *,
    access: GitAccess,
    timeout: float,
    cwd: Path | None = None,
    with_secrets: bool = False,
    extra_env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``git <args>`` in its own process group; the whole group is killed after `timeout` seconds.

    Raises `ForgeError` with git's last ``fatal:``/``error:`` line (secrets scrubbed) when `check` and git fails.
    """
    env = access.environment(with_secrets=with_secrets)
    env.update(extra_env or {})
    try:
        process = subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as exc:
        raise ForgeError(f"git cannot be started ({exc.strerror}): is git installed?") from exc
    lower_priority(process)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_process_group(process)
        raise ForgeError(f"git {git_subcommand(args)} took longer than {timeout:g} s and was stopped") from None
    except BaseException:
        kill_process_group(process)
        raise
    result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    if check and result.returncode != 0:
        raise ForgeError(f"git {git_subcommand(args)} failed: {access.scrub(git_reason(err))}")
    return result


__all__ = [
    "DEFAULT_BRANCH",
    "DEFAULT_ORGANIZATION",
    "GitAccess",
    "GitForge",
    "PullRequest",
    "RepositoryInfo",
    "Tag",
    "open_forge",
    "run_git",
    "validate_organization",
    "validate_ref_name",
    "validate_repository_name",
]


def local_forge_root(workspace: Workspace) -> Path:
    """Where the local forge keeps its bare repositories: ``<workspace>/git/<organization>/<name>.git``."""
    return workspace.root / "git"


def in_local_forge(repository: str, workspace: Workspace) -> bool:
    """Whether `repository` (a path or ``file://`` URL) is one of the local forge's own, inside the workspace.

    Those are ours even where local sources are off (containers): source_manager publishes there and
    workshop_chat indexes from there.
    """
    text = repository.removeprefix("file://")
    if "://" in text or not text.startswith("/"):
        return False
    try:
        return Path(text).resolve().is_relative_to(local_forge_root(workspace).resolve())
    except (OSError, ValueError):
        return False
