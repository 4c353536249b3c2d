"""Watching a repository for a workshop, listing the watches, and unwatching. Blocking."""

from __future__ import annotations

from typing import Any

from workshop_template_system.settings import Settings
from workshop_template_system.watching.cache import fetched_mirror, remove_mirror, repository_source
from workshop_template_system.watching.mirror import Mirror
from workshop_template_system.watching.module_sources import ModuleSources, load_module_sources
from workshop_template_system.watching.watches import Watch, WatchStore, validate_branch, validate_workshop_name
from workshop_template_system.workspace import Workspace, validate_id
from workshop_template_system.workspace.clock import now_iso


def watch_repository(
    workspace: Workspace,
    settings: Settings,
    *,
    repository: str,
    workshop: str,
    pipeline_id: str,
    branch: str | None = None,
) -> dict[str, Any]:
    """Mirror the repository, and record the watch with the branch's current head as the last seen commit.

    Watching a workshop again replaces its repository, branch and pipeline, and starts again from the head.
    """
    validate_workshop_name(workshop)
    sources = load_module_sources(workspace, validate_id(pipeline_id))
    source = repository_source(repository, settings)
    if branch is not None:
        validate_branch(branch)
    mirror = fetched_mirror(workspace, settings, source)
    branch = branch or mirror.default_branch()
    head = mirror.head(branch)
    now = now_iso()
    watch = Watch(
        workshop=workshop,
        repository=source.url,
        branch=branch,
        pipeline_id=pipeline_id,
        cache=mirror.path.name,
        seen_commit=head,
        watched_at=now,
        updated_at=now,
    )
    store = WatchStore(workspace, lock_timeout=settings.lock_timeout)
    replaced = store.put(watch)
    if replaced is not None and replaced.cache != watch.cache:
        _drop_unused_mirror(workspace, settings, store, replaced.cache)
    return {
        "workshop": workshop,
        "repository": source.display,
        "branch": branch,
        "pipeline_id": pipeline_id,
        "seen_commit": head,
        "modules": [module.id for module in sources.modules],
        "replaced": replaced is not None,
        "warnings": _warnings(sources, source.display, mirror, branch, head),
    }


def list_watches(workspace: Workspace, settings: Settings) -> dict[str, Any]:
    """Every watch, with its last check and last proposal."""
    watches = WatchStore(workspace, lock_timeout=settings.lock_timeout).all()
    return {"watches": [watch.model_dump(mode="json") for watch in watches]}


def unwatch(workspace: Workspace, settings: Settings, workshop: str) -> dict[str, Any]:
    """Forget the watch, and the repository's mirror when no other watch uses it."""
    store = WatchStore(workspace, lock_timeout=settings.lock_timeout)
    removed = store.remove(validate_workshop_name(workshop))
    mirror_removed = _drop_unused_mirror(workspace, settings, store, removed.cache)
    return {"workshop": workshop, "removed": removed.model_dump(mode="json"), "mirror_removed": mirror_removed}


def _drop_unused_mirror(workspace: Workspace, settings: Settings, store: WatchStore, cache: str) -> bool:
    if any(watch.cache == cache for watch in store.all()):
        return False
    return remove_mirror(workspace, settings, cache)


def _warnings(sources: ModuleSources, display: str, mirror: Mirror, branch: str, head: str) -> list[str]:
    """What the person watching should know: the workshop was built from another repository or commit."""
    warnings = []
    if sources.repository and sources.repository != display:
        warnings.append(f"pipeline {sources.pipeline_id} was built from {sources.repository}, not {display}")
    if sources.commit and sources.commit != head:
        if mirror.contains(sources.commit) and mirror.is_ancestor(sources.commit, head):
            behind = mirror.commits(sources.commit, head, 0)[1]
            where = f"{behind} commit{'s' if behind != 1 else ''} behind the head of {branch}"
        else:
            where = f"not in the history of {branch}"
        warnings.append(
            f"the workshop was built from commit {sources.commit[:12]}, {where}; changes are counted from the head "
            f"{head[:12]} on"
        )
    return warnings
