"""The local forge: bare repositories under ``<workspace>/git/<organization>/<repository>.git``.

They are real git remotes (``file://`` URLs), so everything published here can be cloned, fetched
and pushed to like any other repository. There is no web view and no pull requests: a branch is
merged with git. A repository is made in a hidden folder and renamed into place, so a half-made
one is never seen and two processes creating the same one both end up with one repository.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from workshop_template_system.errors import ForgeError
from workshop_template_system.integrations.forge import (
    DEFAULT_BRANCH,
    GitAccess,
    PullRequest,
    RepositoryInfo,
    Tag,
    run_git,
    validate_organization,
    validate_repository_name,
)

_TIMEOUT = 60.0
_GIT_DEFAULT_DESCRIPTION = "Unnamed repository"
# name, object, commit (annotated tags), date, commit date (annotated tags); NUL-separated
_TAG_FORMAT = "%00".join(
    [
        "%(refname:strip=2)",
        "%(objectname)",
        "%(*objectname)",
        "%(committerdate:iso-strict)",
        "%(*committerdate:iso-strict)",
    ]
)


class LocalGitForge:
    """Bare repositories in a folder of the workspace, one folder per organization."""

    kind = "local"

    def __init__(self, root: Path, *, organization: str) -> None:
        self.root = Path(root)
        self.organization = validate_organization(organization)
        self._access = GitAccess(protocols="file")

    def __repr__(self) -> str:
        return f"LocalGitForge({str(self.root)!r})"

    def ensure_repository(self, organization: str | None, name: str, description: str) -> RepositoryInfo:
        """The repository, created bare with ``main`` as its default branch when missing."""
        path = self._path(organization, name)
        if not (path / "HEAD").is_file():
            self._create(path, description)
        info = self.get_repository(organization, name)
        assert info is not None
        return info

    def get_repository(self, organization: str | None, name: str) -> RepositoryInfo | None:
        """The repository, or None when there is no bare repository at its path."""
        path = self._path(organization, name)
        if not (path / "HEAD").is_file():
            return None
        return self._info(path)

    def list_repositories(self, organization: str | None) -> list[RepositoryInfo]:
        """The organization's repositories, by name."""
        folder = self.root / self._organization(organization)
        if not folder.is_dir():
            return []
        paths = sorted(p for p in folder.glob("*.git") if not p.name.startswith(".") and (p / "HEAD").is_file())
        return [self._info(path) for path in paths]

    def list_tags(self, organization: str | None, name: str) -> list[Tag]:
        """Every tag with its commit (an annotated tag is followed to its commit) and the commit's date."""
        path = self._path(organization, name)
        if not (path / "HEAD").is_file():
            raise ForgeError(f"repository {self._organization(organization)}/{name} does not exist")
        listing = run_git(
            ["--git-dir", str(path), "for-each-ref", f"--format={_TAG_FORMAT}", "refs/tags"],
            access=self._access,
            timeout=_TIMEOUT,
        ).stdout
        tags = []
        for line in listing.splitlines():
            tag, obj, peeled, date, peeled_date = (line.split("\0") + [""] * 5)[:5]
            tags.append(Tag(name=tag, commit=peeled or obj, date=peeled_date or date or None))
        return tags

    def open_pull_request(
        self, organization: str | None, name: str, *, head: str, base: str, title: str, body: str
    ) -> PullRequest | None:
        """Local repositories have no pull requests: None (the branch is merged with git)."""
        return None

    def git_access(self) -> GitAccess:
        """``file://`` only, and no secrets."""
        return self._access

    def __enter__(self) -> LocalGitForge:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release."""

    # Helpers

    def _organization(self, organization: str | None) -> str:
        return validate_organization(organization) if organization else self.organization

    def _path(self, organization: str | None, name: str) -> Path:
        return self.root / self._organization(organization) / f"{validate_repository_name(name)}.git"

    def _info(self, path: Path) -> RepositoryInfo:
        head = _read(path / "HEAD")
        branch = head.removeprefix("ref: refs/heads/") if head.startswith("ref: refs/heads/") else DEFAULT_BRANCH
        description = _read(path / "description")
        return RepositoryInfo(
            organization=path.parent.name,
            name=path.name.removesuffix(".git"),
            clone_url=path.resolve().as_uri(),
            web_url=None,
            default_branch=branch,
            description="" if description.startswith(_GIT_DEFAULT_DESCRIPTION) else description,
        )

    def _create(self, path: Path, description: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ForgeError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
        staging = path.parent / f".{path.name}.{secrets.token_hex(4)}"
        try:
            run_git(["init", "-q", "--bare", "-b", DEFAULT_BRANCH, str(staging)], access=self._access, timeout=_TIMEOUT)
            (staging / "description").write_text(description.strip() + "\n", encoding="utf-8")
            staging.rename(path)
        except OSError as exc:
            if not (path / "HEAD").is_file():  # not another process that made it first
                raise ForgeError(f"cannot create repository {path}: {exc.strerror or exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""
