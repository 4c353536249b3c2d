"""Checking watches: fetch, the commits and changed files since the last seen commit, and what they mean.

A check never advances the last seen commit (a proposal does, once its branch is published); it
records when it ran and what it found in the watch's ``last_check``. Blocking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workshop_template_system.errors import GitError, WorkshopSystemError
from workshop_template_system.settings import Settings
from workshop_template_system.watching.cache import fetched_mirror, repository_source
from workshop_template_system.watching.changes import (
    AffectedModule,
    ChangedFile,
    Priority,
    Revisions,
    assess,
    paths_to_read,
)
from workshop_template_system.watching.inventory import VersionChange
from workshop_template_system.watching.mirror import Commit
from workshop_template_system.watching.module_sources import load_module_sources
from workshop_template_system.watching.watches import Watch, WatchStore, validate_workshop_name
from workshop_template_system.workspace import Workspace
from workshop_template_system.workspace.clock import now_iso

MAX_COMMITS = 100
MAX_TEXT_BYTES = 1_000_000


class UpdateReport(BaseModel):
    """What changed in a watched repository since the last seen commit, and what it means for the workshop."""

    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    workshop: str
    repository: str
    branch: str
    pipeline_id: str
    from_commit: str = Field(alias="from", description="the last seen commit")
    to: str = Field(description="the branch's head now")
    up_to_date: bool
    history_rewritten: bool = Field(default=False, description="the last seen commit is not in the new history")
    checked_at: str
    commit_count: int = 0
    commits: list[Commit] = Field(default_factory=list, description=f"newest first, at most {MAX_COMMITS}")
    changed_files: list[ChangedFile] = Field(default_factory=list)
    affected_modules: list[AffectedModule] = Field(default_factory=list)
    versions: list[VersionChange] = Field(default_factory=list)
    priority: Priority | None = None

    def summary(self) -> str:
        """One line: ``2 commits on main (1a2b3c4..5d6e7f8), 2 files changed, modules build, run; priority high``."""
        if self.up_to_date:
            return f"up to date at {self.to[:7]} on {self.branch}"
        modules = ", ".join(module.id for module in self.affected_modules) or "none"
        commits = f"{self.commit_count} new commit{'s' if self.commit_count != 1 else ''}"
        files = f"{len(self.changed_files)} file{'s' if len(self.changed_files) != 1 else ''} changed"
        return (
            f"{commits} on {self.branch} ({self.from_commit[:7]}..{self.to[:7]}), {files}, "
            f"modules affected: {modules}; priority {self.priority}"
        )


def check_watch(workspace: Workspace, settings: Settings, watch: Watch) -> UpdateReport:
    """Fetch the watched repository and report what changed on its branch since the last seen commit."""
    source = repository_source(watch.repository, settings)
    mirror = fetched_mirror(workspace, settings, source)
    head, seen = mirror.head(watch.branch), watch.seen_commit
    known: dict[str, Any] = {
        "workshop": watch.workshop,
        "repository": source.display,
        "branch": watch.branch,
        "pipeline_id": watch.pipeline_id,
        "from": seen,
        "to": head,
        "checked_at": now_iso(),
    }
    if head == seen:
        return UpdateReport(**known, up_to_date=True)
    if not mirror.contains(seen):
        raise GitError(
            f"the last seen commit {seen[:12]} of {source.display} is gone (the branch history was rewritten); "
            f"watch the repository again to start from its head {head[:12]}"
        )
    commits, count = mirror.commits(seen, head, MAX_COMMITS)
    changes = mirror.changes(seen, head)
    sources = load_module_sources(workspace, watch.pipeline_id)
    revisions = Revisions(
        before=mirror.read(seen, paths_to_read(changes, sources, mirror.paths(seen)), MAX_TEXT_BYTES),
        after=mirror.read(head, paths_to_read(changes, sources, mirror.paths(head)), MAX_TEXT_BYTES),
    )
    assessment = assess(changes, sources, revisions)
    return UpdateReport(
        **known,
        up_to_date=False,
        history_rewritten=not mirror.is_ancestor(seen, head),
        commit_count=count,
        commits=commits,
        changed_files=assessment.changed_files,
        affected_modules=assessment.affected_modules,
        versions=assessment.versions,
        priority=assessment.priority,
    )


@dataclass(frozen=True)
class CheckResults:
    """The reports of the watches checked, and the watches that could not be checked."""

    reports: list[UpdateReport]
    errors: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        """The check_updates result."""
        return {
            "checked": len(self.reports) + len(self.errors),
            "pending": sum(not report.up_to_date for report in self.reports),
            "updates": [report.model_dump(mode="json") for report in self.reports],
            "errors": self.errors,
        }


def check_updates(workspace: Workspace, settings: Settings, workshop: str | None = None) -> CheckResults:
    """Check one watch (its failure raises) or all of them (a failing watch is listed under ``errors``)."""
    store = WatchStore(workspace, lock_timeout=settings.lock_timeout)
    watches = [store.get(validate_workshop_name(workshop))] if workshop is not None else store.all()
    results = CheckResults([], [])
    for watch in watches:
        try:
            report = check_watch(workspace, settings, watch)
        except WorkshopSystemError as exc:
            if workshop is not None:
                raise
            results.errors.append({"workshop": watch.workshop, "error": str(exc)})
            store.update(watch.workshop, last_check={"at": now_iso(), "error": str(exc)})
            continue
        results.reports.append(report)
        store.update(watch.workshop, last_check=_last_check(report))
    return results


def _last_check(report: UpdateReport) -> dict[str, Any]:
    return {
        "at": report.checked_at,
        "head": report.to,
        "commits": report.commit_count,
        "affected_modules": [module.id for module in report.affected_modules],
        "priority": report.priority,
    }
