"""From changed files to the affected modules of a workshop, and a priority: the rules, in one place.

A module is affected when
  - one of its source files changed. For a page with a top-level section titled like the module (the
    README section the module was built from), only when that section changed (`sections`);
  - a build file, container file or manifest changed and the module's commands run the tool it
    configures (`file_kinds`: pom.xml → mvn, mvnw, java; a Dockerfile → docker, podman; ...).

Priority of a file: high for documentation that changes a module and for any file whose declared
versions changed (`inventory`: Java 17 → 21, a base image, a chart version); medium for other build
changes, manifests, code, and documentation the workshop draws on outside any module; low for lock
files and the rest. An update's priority is the highest of its files (low when commits changed no file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from workshop_template_system.watching.file_kinds import (
    Kind,
    file_kind,
    is_build_input,
    is_docs,
    is_yaml,
    tools_of_file,
)
from workshop_template_system.watching.inventory import Inventory, VersionChange, take_inventory, version_changes
from workshop_template_system.watching.mirror import FileChange
from workshop_template_system.watching.module_sources import ModuleSources, WorkshopModule
from workshop_template_system.watching.sections import SectionDiff, section_diff

Priority = Literal["high", "medium", "low"]
PRIORITIES: tuple[Priority, ...] = ("low", "medium", "high")

MAX_BUILD_INPUTS = 100


class ChangedFile(BaseModel):
    """One changed file: what happened to it, what kind of file it is, and how much it matters."""

    path: str
    status: str
    old_path: str | None = None
    kind: Kind
    priority: Priority
    sections: list[str] = Field(default_factory=list, description="documentation: the sections that changed")
    versions: list[VersionChange] = Field(default_factory=list)


class AffectedModule(BaseModel):
    """A workshop module to regenerate, the changed files that touch it, and why."""

    id: str
    title: str | None
    files: list[str]
    reasons: list[str]


@dataclass(frozen=True)
class Assessment:
    """What the changes mean for the workshop."""

    changed_files: list[ChangedFile]
    affected_modules: list[AffectedModule]
    versions: list[VersionChange]
    priority: Priority | None


@dataclass(frozen=True)
class Revisions:
    """The text of the files that need reading (see `paths_to_read`), before and after the changes."""

    before: Mapping[str, str]
    after: Mapping[str, str]


def paths_to_read(changes: Sequence[FileChange], sources: ModuleSources, tree: Iterable[str]) -> list[str]:
    """The files of one revision the assessment reads: changed pages the workshop draws on, changed YAML,
    and (when a build or deployment file changed) every build file of the tree, for the version comparison."""
    changed = [path for change in changes for path in (change.path, change.old_path) if path]
    pages = [path for path in changed if path in sources.files and is_docs(path)]
    if not any(is_build_input(path) or is_yaml(path) for path in changed):
        return pages
    builds = [path for path in tree if is_build_input(path)][:MAX_BUILD_INPUTS]
    return list(dict.fromkeys([*pages, *(path for path in changed if is_yaml(path)), *builds]))


def assess(changes: Sequence[FileChange], sources: ModuleSources, revisions: Revisions) -> Assessment:
    """Classify each change, find the modules it affects, and rank it."""
    before, after = _inventory(revisions.before), _inventory(revisions.after)
    versions = version_changes(before, after)
    manifests = before.manifests | after.manifests
    affected: dict[str, AffectedModule] = {}
    files: list[ChangedFile] = []
    for change in changes:
        kind = file_kind(change.path, manifests)
        own_versions = [version for version in versions if version.file in (change.path, change.old_path)]
        diff = _section_diff(change, sources, revisions) if kind == "docs" else None
        touched = False
        for module in sources.modules:
            reason = _reason(module, change, kind, own_versions, diff)
            if reason is not None:
                touched = True
                entry = affected.setdefault(
                    module.id, AffectedModule(id=module.id, title=module.title, files=[], reasons=[])
                )
                entry.files.append(change.path)
                entry.reasons.append(reason)
        priority = _priority(kind, touched, bool(own_versions), change, sources)
        sections = sorted(diff.changed) if diff else []
        files.append(
            ChangedFile(
                path=change.path,
                status=change.status,
                old_path=change.old_path,
                kind=kind,
                priority=priority,
                sections=sections,
                versions=own_versions,
            )
        )
    ordered = [affected[module.id] for module in sources.modules if module.id in affected]
    return Assessment(files, ordered, versions, highest(file.priority for file in files) if changes else None)


def highest(priorities: Iterable[Priority]) -> Priority:
    """The highest of these priorities (low for none)."""
    return max(priorities, key=PRIORITIES.index, default="low")


def _reason(
    module: WorkshopModule,
    change: FileChange,
    kind: Kind,
    versions: list[VersionChange],
    diff: SectionDiff | None,
) -> str | None:
    """Why this change affects this module, or None when it does not."""
    direct = bool({change.path, change.old_path} & module.source_files)
    if direct and diff is not None and module.title in diff.titles:
        return f"{change.path}: section '{module.title}' changed" if module.title in diff.changed else None
    runs = sorted(tools_of_file(change.path, kind) & module.tools)
    if not direct and not runs:
        return None
    reason = f"{change.path} {_verb(change)}"
    if versions:
        reason += f" ({'; '.join(version.describe() for version in versions)})"
    if runs:
        reason += f"; the module runs {', '.join(runs)}"
    return reason


def _priority(kind: Kind, touched: bool, versions: bool, change: FileChange, sources: ModuleSources) -> Priority:
    if versions or (kind == "docs" and touched):
        return "high"
    if kind == "docs":
        return "medium" if {change.path, change.old_path} & sources.files else "low"
    return "medium" if kind in ("build", "manifest", "code") else "low"


def _section_diff(change: FileChange, sources: ModuleSources, revisions: Revisions) -> SectionDiff | None:
    """The page's section changes, when the workshop draws on it and both versions could be read."""
    old_path = change.old_path or change.path
    before = None if change.status == "added" else revisions.before.get(old_path)
    after = None if change.status == "deleted" else revisions.after.get(change.path)
    if before is None and after is None:
        return None
    return section_diff(change.path, before, after)


def _inventory(texts: Mapping[str, str]) -> Inventory:
    inputs = {path: text for path, text in texts.items() if is_build_input(path) or is_yaml(path)}
    return take_inventory(inputs) if inputs else Inventory({}, frozenset())


def _verb(change: FileChange) -> str:
    if change.status == "renamed":
        return f"renamed from {change.old_path}"
    return {"modified": "changed", "type-changed": "changed"}.get(change.status, change.status)
