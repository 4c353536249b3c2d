"""Enhancing an existing Showroom/Antora workshop (workflow 3): a copy with real improvements, every author line kept.

``enhance_workshop(source, destination, outline)`` copies the cloned workshop (without ``.git``) to
``destination`` and improves the copy; ``source`` is never written. The copy is made beside the
destination and replaces it only when complete, so a failure leaves the earlier output in place.
For each Antora component the analysis found (every ``antora.yml``: the Showroom layout under
``content/``, a plain component anywhere, a legacy RTO workshop built by ``default-site.yml``):

- module pages lacking objectives or a verification (``Module.derived``) get the outline's;
- xrefs to missing pages point at the one page with that file name or title, else are reported;
- Showroom lab attributes used but not defined get example values in ``antora.yml``; others are reported;
- pages that no navigation file lists are appended to their module's navigation file.

Then `check_workshop` runs on the copy: whatever it still finds is reported, as are playbook
features the local build leaves out. The playbook itself is kept as written; `build_playbook` writes
a trimmed copy (``.enhance-site.yml``) that the pinned, offline Antora can build. Blocking.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.workshop.outline import Module, Outline
from workshop_template_system.workshop.showroom.checks import PLAYBOOKS, check_workshop
from workshop_template_system.workshop.showroom.enhance_steps import (
    LAB_ATTRIBUTES,
    Change,
    Component,
    add_sections,
    add_to_nav,
    attribute_values,
    define_attributes,
    fix_xrefs,
    page_title,
    plan_attributes,
)
from workshop_template_system.workspace.atomic import atomic_write_text

BUILD_PLAYBOOK = ".enhance-site.yml"
_SKIPPED_DIRS = frozenset({".git", "node_modules", "build", "www"})
_ANTORA_REFERENCE = re.compile(r"\{(\w[\w-]*)\}")  # what Antora resolves in attribute values of antora.yml

__all__ = ["BUILD_PLAYBOOK", "LAB_ATTRIBUTES", "Change", "Enhancement", "build_playbook", "enhance_workshop"]


class Enhancement(BaseModel):
    """What enhancing did: the changes made, the problems left (reported), and the author pages kept."""

    changes: list[Change]
    reported: list[Change]
    pages_kept: list[str]


def enhance_workshop(source: Path, destination: Path, outline: Outline) -> Enhancement:
    """Copy the workshop at ``source`` to ``destination`` (replacing what is there) and improve the copy."""
    source, destination = source.resolve(), destination.absolute()
    if not source.is_dir():
        raise WorkspaceError(f"No workshop to enhance at {source}")
    if destination.resolve().is_relative_to(source) or source.is_relative_to(destination.resolve()):
        raise WorkspaceError(f"The enhanced workshop {destination} cannot be inside {source}, nor contain it")
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".enhancing", dir=destination.parent))
    try:
        shutil.copytree(source, staging, symlinks=True, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True)
        enhancement = _enhance(staging, outline)
        _replace(staging, destination)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WorkspaceError(f"The workshop {source} cannot be enhanced into {destination}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return enhancement


def build_playbook(destination: Path) -> Path:
    """Write ``.enhance-site.yml``: the workshop's playbook as the pinned, offline Antora can build it here.

    Left out: Antora and Asciidoctor extensions (none is installed here), the UI bundle and
    supplemental UI files (the build gives its own bundle), output, runtime and git settings.
    Content comes from the workshop folder itself (``HEAD``, read from the work tree): the local
    sources of the playbook, or else every component found.
    """
    name, data = _playbook(destination)
    site = data.get("site") if isinstance(data.get("site"), dict) else {}
    trimmed: dict[str, Any] = {"site": dict(site) or {"title": _site_title(destination)}}
    trimmed["content"] = {"sources": _local_sources(destination, data)}
    asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
    if asciidoc := {key: value for key, value in asciidoc.items() if key != "extensions"}:
        trimmed["asciidoc"] = asciidoc
    if isinstance(data.get("urls"), dict):
        trimmed["urls"] = data["urls"]
    origin = f"a trimmed copy of {name}" if name else "made from the workshop's components (it has no playbook)"
    header = f"# Antora playbook for building this workshop offline: {origin}. Not part of the workshop.\n"
    path = destination / BUILD_PLAYBOOK
    atomic_write_text(path, header + yaml.safe_dump(trimmed, sort_keys=False, allow_unicode=True, width=1000))
    return path


def _enhance(top: Path, outline: Outline) -> Enhancement:
    playbook_name, playbook = _playbook(top)
    asciidoc = playbook.get("asciidoc") if isinstance(playbook.get("asciidoc"), dict) else {}
    playbook_attributes = attribute_values(asciidoc.get("attributes"))
    components = []
    for descriptor in _descriptors(top, outline):
        try:
            components.append(Component.load(descriptor, top, playbook_attributes))
        except (OSError, ValueError, yaml.YAMLError):
            continue  # check_workshop reports the unreadable descriptor
    if not components:
        raise WorkspaceError(f"No Antora component (antora.yml) to enhance in {outline.source.repository}")
    pages_kept = [component.relative(path) for component in components for path in component.pages.values()]
    changes: list[Change] = []
    reported: list[Change] = []
    known = {**LAB_ATTRIBUTES, "lab_name": _ANTORA_REFERENCE.sub(r"\\{\1}", outline.title)}
    plans = []
    for component in components:
        values, unknown = plan_attributes(component, known)
        plans.append(values)
        reported += unknown
    for module in outline.modules:
        added, not_added = _module_sections(top, components, plans, module)
        changes += added
        reported += not_added
    for component in components:
        fixed, unfixed = fix_xrefs(component)
        changes += fixed
        reported += unfixed
    for component, values in zip(components, plans, strict=True):
        defined, undefined = define_attributes(component, values)
        listed, unlisted = add_to_nav(component)  # after the attributes: it may list a nav file in antora.yml
        changes += defined + listed
        reported += undefined + unlisted
    reported += _playbook_notes(top, playbook_name, playbook)
    reported += _leftovers(top, reported)
    return Enhancement(changes=changes, reported=reported, pages_kept=pages_kept)


def _module_sections(
    top: Path, components: list[Component], plans: list[dict[str, str]], module: Module
) -> tuple[list[Change], list[Change]]:
    """Objectives and verification for the module's page, which the outline names as its first source file."""
    if not module.derived:
        return [], []
    where = module.source_files[0] if module.source_files else None
    for component, values in zip(components, plans, strict=True):
        if where is not None and (page := component.page_of(top / where)) is not None:
            return add_sections(component, page, module, {*component.attributes, *values}), []
    missing = " and ".join(module.derived)
    message = f"module {module.title!r} has no page in the workshop ({where}), so its {missing} could not be added"
    return [], [Change(kind="module", file=where or "", message=message)]


def _leftovers(top: Path, reported: list[Change]) -> list[Change]:
    """What `check_workshop` still finds and is not reported yet (an xref to a missing id, ...)."""
    known = {(change.kind, change.file, change.line) for change in reported}
    return [
        Change(kind=finding.check, file=finding.file.as_posix(), line=finding.line, message=finding.message)
        for finding in check_workshop(top)
        if (finding.check, finding.file.as_posix(), finding.line) not in known
    ]


def _playbook_notes(top: Path, name: str | None, data: dict[str, Any]) -> list[Change]:
    """The playbook's extensions and supplemental UI files, kept in it but left out of the local build."""
    if name is None:
        return []
    text = (top / name).read_text(encoding="utf-8", errors="replace")
    antora = data.get("antora") if isinstance(data.get("antora"), dict) else {}
    asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
    ui = data.get("ui") if isinstance(data.get("ui"), dict) else {}
    not_installed = "which is not installed here"
    found = [("Antora extension", item, not_installed) for item in _items(antora.get("extensions"))]
    found += [("Asciidoctor extension", item, not_installed) for item in _items(asciidoc.get("extensions"))]
    found += [
        ("supplemental UI files", item, "which need the Showroom UI bundle")
        for item in _items(ui.get("supplemental_files"))
    ]
    notes = []
    for what, item, why in found:
        label = str(item.get("require") or item.get("path") or "") if isinstance(item, dict) else str(item)
        line = next((n for n, text_line in enumerate(text.splitlines(), 1) if label and label in text_line), None)
        message = (
            f"{name} keeps the {what} {label!r}, {why}: the local build uses a trimmed copy of the playbook "
            f"({BUILD_PLAYBOOK}) without it"
        )
        notes.append(Change(kind="playbook", file=name, line=line, message=message))
    return notes


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _playbook(top: Path) -> tuple[str | None, dict[str, Any]]:
    """The first playbook at the top of the workshop that reads as a mapping, and its data."""
    for name in PLAYBOOKS:
        try:
            data = yaml.safe_load((top / name).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            return name, data
    return None, {}


def _local_sources(top: Path, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The playbook's content sources that are this folder, built from ``HEAD``; else every component found."""
    content = data.get("content") if isinstance(data.get("content"), dict) else {}
    sources = []
    for source in _items(content.get("sources")):
        url = str(source.get("url") or "") if isinstance(source, dict) else ""
        if url and "://" not in url and ":" not in url.split("/", 1)[0] and (top / url).resolve() == top.resolve():
            kept = {key: source[key] for key in ("start_path", "start_paths") if key in source}
            sources.append({"url": ".", "branches": "HEAD", **kept})
    if sources:
        return sources
    folders = [descriptor.parent.relative_to(top).as_posix() for descriptor in _walk_descriptors(top)]
    return [{"url": ".", "branches": "HEAD", "start_paths": [folder or "." for folder in folders]}]


def _site_title(top: Path) -> str:
    for descriptor in _walk_descriptors(top):
        try:
            data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("title"):
            return str(data["title"])
    index = top / "content" / "modules" / "ROOT" / "pages" / "index.adoc"
    return (page_title(index.read_text(encoding="utf-8")) if index.is_file() else None) or top.name


def _descriptors(top: Path, outline: Outline) -> list[Path]:
    """The ``antora.yml`` files the analysis found (its evidence), else every one in the workshop."""
    named = [top / path for path in outline.evidence if Path(path).name == "antora.yml"]
    found = [path for path in named if path.is_file()] or list(_walk_descriptors(top))
    return [path for path in found if path.resolve().is_relative_to(top.resolve())]  # no link out of the copy


def _walk_descriptors(top: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name not in _SKIPPED_DIRS)
        if "antora.yml" in files:
            yield Path(folder) / "antora.yml"


def _replace(staging: Path, destination: Path) -> None:
    """Put the finished copy in place of ``destination``; the earlier one is removed only after."""
    previous = None
    if destination.exists() or destination.is_symlink():
        previous = staging.with_name(staging.name.removesuffix(".enhancing") + ".previous")
        destination.rename(previous)
    try:
        staging.rename(destination)
    except OSError:
        if previous is not None:
            previous.rename(destination)
        raise
    if previous is None:
        return
    if previous.is_dir() and not previous.is_symlink():
        shutil.rmtree(previous)
    else:
        previous.unlink()
