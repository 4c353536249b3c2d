"""The git cache of watched repositories: one bare mirror per repository under ``shared/git-cache/``.

A mirror is named after the repository and a hash of its address (``greeting-service-3f2a9c81d0e4``),
shared by every watch of that repository, and fetched under the workspace's global
``git-cache-<name>`` lock, so two agents never fetch into one mirror at once. Blocking.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from urllib.parse import urlsplit

from workshop_template_system.errors import RepositoryRefused
from workshop_template_system.integrations import git
from workshop_template_system.integrations.git import RepositorySource, validate_repository_source
from workshop_template_system.settings import Settings
from workshop_template_system.watching.mirror import Mirror
from workshop_template_system.watching.watches import AGENT
from workshop_template_system.workspace import Workspace, validate_id

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def repository_source(repository: str, settings: Settings) -> RepositorySource:
    """The validated source (integrations.git's rules, local paths as settings allow), with no password in it, and
    then its address checked (`integrations.git.repository_source`)."""
    source = validate_repository_source(repository, allow_local=settings.allow_local_repositories)
    if "://" in source.url and urlsplit(source.url).password is not None:
        raise RepositoryRefused(
            f"refused repository {source.display!r}: a password in the URL would be stored in the workspace; "
            "use a credential helper or an SSH key"
        )
    return git.repository_source(repository, settings)


def cache_name(source: RepositorySource) -> str:
    """The mirror's folder name: the repository's name and the first 12 hex digits of its address's SHA-256."""
    digest = hashlib.sha256(source.url.encode()).hexdigest()[:12]
    name = _UNSAFE.sub("-", source.name).strip("-.")[:60].replace("..", ".") or "repository"
    return validate_id(f"{name}-{digest}", "cache name")


def mirror_of(workspace: Workspace, settings: Settings, source: RepositorySource) -> Mirror:
    """The repository's mirror (not fetched)."""
    path = workspace.root / "shared" / "git-cache" / cache_name(source)
    return Mirror(source, path, timeout=settings.clone_timeout, max_bytes=settings.clone_max_bytes)


def fetched_mirror(workspace: Workspace, settings: Settings, source: RepositorySource) -> Mirror:
    """The repository's mirror with its branches fetched; waits for a fetch another agent is making."""
    mirror = mirror_of(workspace, settings, source)
    # A fetch in progress may take up to clone_timeout: wait for it rather than fail.
    timeout = settings.lock_timeout + settings.clone_timeout
    with workspace.lock(f"git-cache-{mirror.path.name}", agent=AGENT, timeout=timeout):
        mirror.fetch()
    return mirror


def remove_mirror(workspace: Workspace, settings: Settings, name: str) -> bool:
    """Delete a mirror no watch uses any more; whether there was one."""
    path = workspace.root / "shared" / "git-cache" / validate_id(name, "cache name")
    if not path.is_dir():
        return False
    with workspace.lock(f"git-cache-{name}", agent=AGENT, timeout=settings.lock_timeout):
        shutil.rmtree(path, ignore_errors=True)
    return True
