"""Publishing workshops to a git forge: commits on the default branch, version tags, rollback, branches.

Every change to one repository happens under the global workspace lock ``publish-<org>-<repo>``, in a
scratch bare repository under ``agents/source-manager/working/`` that is removed afterwards:

1. fetch the forge's branches and tags into the scratch repository;
2. stage ``final-output/`` straight from the pipeline (a private index, ``--work-tree``), under the
   pipeline's ``final-output`` lock; its own ``.git`` (made for Antora) is never part of the tree;
3. when the tree differs from the branch, commit it on top of the branch's history and tag it;
4. push the branch and the tag in one atomic push, never forced: a publish only ever adds history.

Blocking: agents run these methods off the event loop.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from workshop_template_system.errors import ForgeError, InvalidNameError, WorkspaceError
from workshop_template_system.integrations.forge import (
    GitAccess,
    GitForge,
    RepositoryInfo,
    Tag,
    run_git,
    validate_organization,
    validate_ref_name,
    validate_repository_name,
)
from workshop_template_system.integrations.git import RepositorySource
from workshop_template_system.workshop.pipeline_steps import final_output
from workshop_template_system.workshop.showroom.writer import MANIFEST_NAME
from workshop_template_system.workspace import Workspace, validate_id
from workshop_template_system.workspace.clock import now_iso

PUBLISHER = "source-manager"
AUTHOR = {
    "GIT_AUTHOR_NAME": "Workshop Template System",
    "GIT_AUTHOR_EMAIL": "source-manager@workshop-template-system.invalid",
    "GIT_COMMITTER_NAME": "Workshop Template System",
    "GIT_COMMITTER_EMAIL": "source-manager@workshop-template-system.invalid",
}
# What the person's own git configuration must not change about a published tree or commit.
_HERMETIC = ("-c", "core.autocrlf=false", "-c", "core.excludesFile=/dev/null", "-c", "commit.gpgSign=false")
_HERMETIC += ("-c", "tag.gpgSign=false", "-c", "credential.helper=")
_VERSION = re.compile(r"v(\d+)")
_SOURCE_PROTOCOLS = {"https": "https", "http": "http:https", "ssh": "ssh", "git": "git", "file": "file"}


@dataclass
class Publisher:
    """Publishes pipelines' workshops to one forge, with the workspace's locks and the given timeouts."""

    forge: GitForge
    workspace: Workspace
    lock_timeout: float
    git_timeout: float

    def publish(
        self,
        pipeline_id: str,
        repository: str,
        *,
        organization: str | None = None,
        message: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any]:
        """Commit the pipeline's ``final-output/`` on the default branch and tag it; push both.

        When the tree equals the branch's, nothing is committed or tagged: the result names the
        existing commit and its version, with ``changed: false``.
        """
        validate_repository_name(repository)
        if version is not None:
            validate_version(version)
        folder = self._workshop_folder(pipeline_id)
        title = str(self.workspace.pipeline_info(pipeline_id).get("title") or repository)
        with self._locked(organization, repository):
            info = self.forge.ensure_repository(organization, repository, f"Workshop: {title}")
            with self._scratch(info) as scratch:
                branch = info.default_branch
                parent = scratch.commit_of(f"refs/remotes/origin/{branch}")
                tree = self._stage(scratch, pipeline_id, folder)
                result = _described(info, parent=parent)
                if parent and scratch.tree_of(parent) == tree:
                    existing = scratch.version_at(parent)
                    note = f"nothing changed since {existing or parent[:12]}: no new commit and no new tag"
                    return {**result, "commit": parent, "version": existing, "changed": False, "note": note}
                version = version or scratch.next_version()
                scratch.refuse_existing_tag(version)
                text = message or f"Publish {title} from pipeline {pipeline_id}"
                commit = scratch.commit(tree, parent, text)
                scratch.tag(version, commit, f"{title} {version}")
                scratch.push(f"{commit}:refs/heads/{branch}", f"refs/tags/{version}:refs/tags/{version}")
                note = f"published {version} of {info.organization}/{info.name} (commit {commit[:12]})"
                return {**result, "commit": commit, "version": version, "changed": True, "note": note}

    def publish_branch(
        self,
        pipeline_id: str,
        repository: str,
        branch: str,
        *,
        organization: str | None = None,
        message: str | None = None,
        title: str | None = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        """Commit ``final-output/`` on a new branch from the default branch, push it, open a pull request."""
        validate_repository_name(repository)
        validate_ref_name(branch, "branch name")
        folder = self._workshop_folder(pipeline_id)
        with self._locked(organization, repository):
            info = self._existing(organization, repository)
            if branch == info.default_branch:
                raise InvalidNameError(f"publish_branch never writes {branch!r}, the default branch; name a new one")
            with self._scratch(info) as scratch:
                base = scratch.commit_of(f"refs/remotes/origin/{info.default_branch}")
                if base is None:
                    raise ForgeError(f"{_name(info)} has no {info.default_branch!r} branch yet: publish_workshop first")
                tree = self._stage(scratch, pipeline_id, folder)
                compare = {"base": info.default_branch, "base_commit": base, "head": branch}
                result = {**_described(info, parent=base), "branch": branch, "pull_request": None}
                existing = scratch.commit_of(f"refs/remotes/origin/{branch}")
                if existing is not None:
                    if scratch.tree_of(existing) != tree:
                        raise ForgeError(f"branch {branch!r} already exists in {_name(info)}; choose another name")
                    files = scratch.changes(base, existing)
                    note = f"branch {branch!r} already holds this workshop: nothing pushed, no pull request opened"
                    compare = {**compare, "files": files}
                    return {**result, "commit": existing, "changed": False, "compare": compare, "note": note}
                if scratch.tree_of(base) == tree:
                    note = f"final-output/ equals {info.default_branch!r}: no branch pushed, nothing to review"
                    result.update(branch=None, commit=base, changed=False, note=note)
                    return {**result, "compare": {**compare, "head": None, "files": []}}
                commit = scratch.commit(tree, base, message or f"Update workshop from pipeline {pipeline_id}")
                scratch.push(f"{commit}:refs/heads/{branch}")
                files = scratch.changes(base, commit)
            result.update(commit=commit, changed=True, compare={**compare, "files": files})
            result.update(self._pull_request(info, branch, title or f"Update workshop: {branch}", body or ""))
            return result

    def rollback(self, repository: str, version: str, *, organization: str | None = None) -> dict[str, Any]:
        """A new commit on the default branch whose tree is `version`'s, tagged with the next version."""
        validate_repository_name(repository)
        validate_version(version)
        with self._locked(organization, repository):
            info = self._existing(organization, repository)
            with self._scratch(info) as scratch:
                head = scratch.commit_of(f"refs/remotes/origin/{info.default_branch}")
                target = scratch.commit_of(f"refs/tags/{version}")
                if target is None:
                    known = ", ".join(scratch.versions()) or "none"
                    raise ForgeError(f"{_name(info)} has no version {version!r} (versions: {known})")
                if head is None:
                    raise ForgeError(f"{_name(info)} has no {info.default_branch!r} branch to roll back")
                result = {**_described(info, parent=head), "rolled_back_to": version}
                tree = scratch.tree_of(target)
                if scratch.tree_of(head) == tree:
                    note = f"{info.default_branch!r} already has the tree of {version}: nothing to roll back"
                    current = scratch.version_at(head)
                    return {**result, "commit": head, "version": current, "changed": False, "note": note}
                new_version = scratch.next_version()
                commit = scratch.commit(tree, head, f"Roll back to {version}")
                scratch.tag(new_version, commit, f"{new_version}: the workshop of {version}")
                scratch.push(f"{commit}:refs/heads/{info.default_branch}", f"refs/tags/{new_version}")
                note = f"rolled back to {version} as {new_version} (commit {commit[:12]}); history kept"
                return {**result, "commit": commit, "version": new_version, "changed": True, "note": note}

    def versions(self, repository: str, *, organization: str | None = None) -> dict[str, Any]:
        """The repository's tags with commit and date, newest first."""
        info = self._existing(organization, validate_repository_name(repository))
        tags = sorted(self.forge.list_tags(organization, repository), key=_newest_first, reverse=True)
        listed = [{"version": tag.name, "commit": tag.commit, "date": tag.date} for tag in tags]
        return {"repository": info.name, "organization": info.organization, "versions": listed}

    def repositories(self, organization: str | None = None) -> dict[str, Any]:
        """The organization's repositories."""
        if organization:
            validate_organization(organization)
        listed = [info.to_dict() for info in self.forge.list_repositories(organization)]
        return {"organization": organization or self.forge.organization, "repositories": listed}

    def sync(self, source: RepositorySource, repository: str, *, organization: str | None = None) -> dict[str, Any]:
        """Mirror `source`'s branches and tags into the forge repository (fast-forward only, nothing deleted)."""
        validate_repository_name(repository)
        upstream = GitAccess(protocols=_SOURCE_PROTOCOLS[source.transport], config=dict(source.git_config))
        with self._locked(organization, repository):
            info = self.forge.ensure_repository(organization, repository, f"Mirror of {source.display}")
            with self._scratch(info, fetch=False) as scratch:
                scratch.fetch_from(source, upstream)
                branches, tags = scratch.refs("refs/heads"), scratch.refs("refs/tags")
                if not branches:
                    raise ForgeError(f"{source.display} has no branches to mirror")
                scratch.push("refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*")
        return {**_described(info, parent=None), "source": source.display, "branches": branches, "tags": tags}

    def record(self, pipeline_id: str, result: dict[str, Any]) -> None:
        """Note the publish in the pipeline's metadata and the source-manager status."""
        fields = ("repository", "organization", "clone_url", "web_url", "commit", "version")
        published = {name: result.get(name) for name in fields} | {"time": now_iso()}
        self.workspace.update_pipeline(pipeline_id, status="published", published=published)
        self.workspace.set_agent_status(pipeline_id, PUBLISHER, "completed", result.get("note"))

    def record_branch(self, pipeline_id: str, result: dict[str, Any]) -> None:
        """Note a proposed branch in the pipeline's metadata and the source-manager status."""
        if not result["changed"]:
            self.workspace.set_agent_status(pipeline_id, PUBLISHER, "completed", result.get("note"))
            return
        fields = ("repository", "organization", "branch", "commit", "pull_request")
        proposed = {name: result.get(name) for name in fields} | {"time": now_iso()}
        self.workspace.update_pipeline(pipeline_id, proposed=proposed)
        self.workspace.set_agent_status(pipeline_id, PUBLISHER, "proposed", f"branch {result['branch']}")

    # Steps

    def _workshop_folder(self, pipeline_id: str) -> Path:
        self.workspace.pipeline_info(pipeline_id)  # a readable error for an unknown pipeline
        folder = final_output(self.workspace, pipeline_id)
        files, nested = _inventory(folder)
        if not files:
            raise WorkspaceError(
                f"pipeline {pipeline_id!r} has no workshop in final-output/: run content_creator's "
                "create_workshop (or enhance_workshop) first"
            )
        if nested:
            raise WorkspaceError(f"final-output/ of {pipeline_id!r} holds other git repositories: {', '.join(nested)}")
        return folder

    def _stage(self, scratch: _Scratch, pipeline_id: str, folder: Path) -> str:
        with self.workspace.lock("final-output", pipeline_id, agent=PUBLISHER, timeout=self.lock_timeout):
            return scratch.write_tree(folder)

    def _existing(self, organization: str | None, repository: str) -> RepositoryInfo:
        info = self.forge.get_repository(organization, repository)
        if info is None:
            owner = organization or self.forge.organization or "the user"
            raise ForgeError(f"repository {owner}/{repository} does not exist on the {self.forge.kind} forge")
        return info

    def _pull_request(self, info: RepositoryInfo, branch: str, title: str, body: str) -> dict[str, Any]:
        try:
            opened = self.forge.open_pull_request(
                info.organization, info.name, head=branch, base=info.default_branch, title=title, body=body
            )
        except ForgeError as exc:
            return {"warning": f"branch pushed, but no pull request was opened: {exc}"}
        if opened is None:
            return {"note": f"the {self.forge.kind} forge has no pull requests: review and merge {branch!r} with git"}
        return {"pull_request": {"number": opened.number, "url": opened.url}}

    @contextmanager
    def _locked(self, organization: str | None, repository: str) -> Iterator[None]:
        owner = validate_organization(organization) if organization else (self.forge.organization or "user")
        resource = f"publish-{owner}-{repository}"
        if len(resource) > 128:
            resource = f"publish-{hashlib.sha256(resource.encode()).hexdigest()[:32]}"
        with self.workspace.lock(resource, agent=PUBLISHER, timeout=self.lock_timeout):
            yield

    @contextmanager
    def _scratch(self, info: RepositoryInfo, *, fetch: bool = True) -> Iterator[_Scratch]:
        working = self.workspace.agent_dir(PUBLISHER) / "working"
        path = Path(tempfile.mkdtemp(prefix=f"{info.organization}-{info.name}-", dir=working))
        try:
            scratch = _Scratch(path, info, self.forge.git_access(), self.git_timeout)
            scratch.init()
            if fetch:
                scratch.fetch()
            yield scratch
        finally:
            shutil.rmtree(path, ignore_errors=True)


class _Scratch:
    """A throwaway bare repository holding what the forge has, where commits and tags are made."""

    def __init__(self, path: Path, info: RepositoryInfo, access: GitAccess, timeout: float) -> None:
        self.path = path
        self.info = info
        self.access = access
        self.timeout = timeout

    def git(self, *args: str, remote: bool = False, env: dict[str, str] | None = None, check: bool = True) -> str:
        command = [*_HERMETIC, "--git-dir", str(self.path), *args]
        result = run_git(
            command, access=self.access, timeout=self.timeout, with_secrets=remote, extra_env=env, check=check
        )
        return result.stdout.strip() if result.returncode == 0 else ""

    def init(self) -> None:
        run_git(["init", "-q", "--bare", str(self.path)], access=self.access, timeout=self.timeout)

    def fetch(self) -> None:
        refspecs = ("+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
        self.git("fetch", "-q", "--no-tags", self.info.clone_url, *refspecs, remote=True)

    def fetch_from(self, source: RepositorySource, upstream: GitAccess) -> None:
        refspecs = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
        # The forge's token must never go to an upstream: this fetch runs with the upstream's access.
        run_git(
            [*_HERMETIC, "--git-dir", str(self.path), "fetch", "-q", "--no-tags", "--", source.url, *refspecs],
            access=upstream,
            timeout=self.timeout,
        )

    def push(self, *refspecs: str) -> None:
        self.git("push", "-q", "--atomic", "--", self.info.clone_url, *refspecs, remote=True)

    def commit_of(self, ref: str) -> str | None:
        return self.git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False) or None

    def tree_of(self, commit: str) -> str:
        return self.git("rev-parse", "--verify", f"{commit}^{{tree}}")

    def write_tree(self, folder: Path) -> str:
        index = {"GIT_INDEX_FILE": str(self.path / "publish-index")}
        self.git("--work-tree", str(folder), "add", "-A", "--", ".", env=index)
        tree = self.git("write-tree", env=index)
        if not self.git("ls-tree", tree):
            raise WorkspaceError(f"{folder} has no files git would publish (all ignored?)")
        return tree

    def commit(self, tree: str, parent: str | None, message: str) -> str:
        parents = ("-p", parent) if parent else ()
        return self.git("commit-tree", tree, *parents, "-m", message, env=AUTHOR)

    def tag(self, version: str, commit: str, message: str) -> None:
        self.git("tag", "-a", "-m", message, "--", version, commit, env=AUTHOR)

    def refs(self, prefix: str) -> list[str]:
        listing = self.git("for-each-ref", "--format=%(refname)", prefix)
        return sorted(line.removeprefix(prefix + "/") for line in listing.splitlines() if line)

    def versions(self) -> list[str]:
        return sorted(self.refs("refs/tags"), key=_version_key)

    def next_version(self) -> str:
        numbers = [int(match.group(1)) for tag in self.versions() if (match := _VERSION.fullmatch(tag))]
        return f"v{max(numbers, default=0) + 1}"

    def version_at(self, commit: str) -> str | None:
        tags = self.git("tag", "--points-at", commit).splitlines()
        return max(tags, key=_version_key) if tags else None

    def refuse_existing_tag(self, version: str) -> None:
        if (commit := self.commit_of(f"refs/tags/{version}")) is not None:
            raise ForgeError(
                f"version {version!r} already exists in {_name(self.info)} (commit {commit[:12]}): give another "
                "version, or none for the next one"
            )

    def changes(self, base: str, commit: str) -> list[dict[str, str]]:
        listing = self.git("diff-tree", "-r", "--no-commit-id", "--name-status", "-z", base, commit)
        fields = listing.split("\0")
        return [{"status": status, "path": path} for status, path in zip(fields[::2], fields[1::2], strict=False)]


def _described(info: RepositoryInfo, *, parent: str | None) -> dict[str, Any]:
    return {**info.to_dict(), "previous_commit": parent}


def _name(info: RepositoryInfo) -> str:
    return f"{info.organization}/{info.name}"


def validate_version(version: str) -> str:
    """A tag name: one path component (letters, digits, '.', '_', '-'), valid for git."""
    validate_id(version, "version")
    validate_ref_name(version, "version")
    return version


def _version_key(name: str) -> tuple[Any, ...]:
    """Natural order: ``v2`` before ``v10``; names without numbers by text."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name) if part)


def _newest_first(tag: Tag) -> tuple[Any, ...]:
    try:
        when = datetime.fromisoformat(tag.date).timestamp() if tag.date else 0.0
    except ValueError:
        when = 0.0
    return (when, _version_key(tag.name))


def _inventory(folder: Path) -> tuple[int, list[str]]:
    """Workshop files under `folder` (its ``.git`` and the writer's manifest left out), and nested repositories."""
    files, nested = 0, []
    for root, dirs, names in os.walk(folder):
        if ".git" in dirs or ".git" in names:
            if Path(root) != folder:
                nested.append(str(Path(root).relative_to(folder)))
            dirs[:] = [name for name in dirs if name != ".git"]
        skipped = {".git", MANIFEST_NAME} if Path(root) == folder else {".git"}
        files += sum(1 for name in names if name not in skipped)
    return files, nested
