"""The AsciiDoc files of a workshop's Antora components, read once, with the attributes each line sees.

A workshop is any folder holding Antora components (``antora.yml``); each AsciiDoc file under a
component's ``modules/`` is read and scanned (`scanner.scan`), navigation files and partials included.
Attribute values are those Asciidoctor would use: built-ins, the playbook's, the component's (their
references to earlier ones resolved, as Antora does), then the page's own entries, line by line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from workshop_template_system.workshop.showroom.asciidoc import ATTRIBUTE_REFERENCE
from workshop_template_system.workshop.showroom.checks import PLAYBOOKS
from workshop_template_system.workshop.showroom.enhance_steps import Component, attribute_values
from workshop_template_system.workshop.showroom.scanner import Line, entry, scan

_SKIPPED_DIRS = frozenset({"node_modules", "build", "www"})
# What Antora gives these attributes: resource families, so ``{partialsdir}/x.adoc`` is ``partial$/x.adoc``.
_FAMILY_ATTRIBUTES = {"partialsdir": "partial$", "examplesdir": "example$", "attachmentsdir": "attachment$"}


@dataclass(frozen=True)
class AdocFile:
    """One AsciiDoc file of a component: its path in the workshop, module, family folder, text and lines."""

    path: str
    component: Component
    module: str
    family: str | None
    """``pages``, ``partials``, ``examples``...; None for a navigation file or a file beside the families."""
    folder: PurePosixPath
    """Its folder relative to the component, for relative include targets."""
    text: str
    lines: list[Line]

    @property
    def is_page(self) -> bool:
        """A page Antora publishes (hidden ``_`` and ``.`` files are not)."""
        parts = PurePosixPath(self.path).parts
        return self.family == "pages" and not any(part.startswith(("_", ".")) for part in parts)

    def raw_lines(self) -> list[str]:
        return self.text.splitlines()

    def attributed_lines(self) -> Iterator[tuple[Line, Mapping[str, str]]]:
        """Each line with the attributes defined at that point (one mapping, updated as entries are met)."""
        attributes = dict(self.component.attributes)
        for line in self.lines:
            if parsed := entry(line):
                name, unset, value = parsed
                if unset:
                    attributes.pop(name, None)
                else:
                    attributes[name] = substitute(value, attributes)
            yield line, attributes


@dataclass(frozen=True)
class Workshop:
    """The components of a workshop folder and their AsciiDoc files."""

    top: Path
    components: list[Component]
    files: list[AdocFile]
    unreadable: list[str]
    """``antora.yml`` files that cannot be read (check_workshop reports them)."""

    @property
    def pages(self) -> list[AdocFile]:
        return [file for file in self.files if file.is_page]


def read_workshop(top: Path) -> Workshop:
    """Every component under ``top`` and every AsciiDoc file in their ``modules/``. Blocking."""
    playbook = playbook_attributes(top)
    components: list[Component] = []
    unreadable: list[str] = []
    for descriptor in _descriptors(top):
        try:
            component = Component.load(descriptor, top, playbook)
        except (OSError, ValueError, yaml.YAMLError):
            unreadable.append(descriptor.relative_to(top).as_posix())
            continue
        component.attributes.update(_resolved(component.attributes))
        components.append(component)
    files = [file for component in components for file in _files(component)]
    return Workshop(top, components, files, unreadable)


def substitute(text: str, attributes: Mapping[str, str]) -> str:
    """``text`` with its attribute references replaced; undefined ones stay as written (Asciidoctor's default)."""

    def value(match: re.Match[str]) -> str:
        escaped, name, escaped_end = match.groups()
        if escaped:
            return match.group(0)[1:]
        return match.group(0) if escaped_end else attributes.get(name, match.group(0))

    return ATTRIBUTE_REFERENCE.sub(value, text)


def _resolved(attributes: dict[str, str]) -> dict[str, str]:
    """Component attribute values with references to earlier ones resolved, in order, as Antora does."""
    resolved: dict[str, str] = {}
    for name, value in attributes.items():
        resolved[name] = substitute(value, {**attributes, **resolved}) if "{" in value else value
    return {**resolved, **_FAMILY_ATTRIBUTES}


def _files(component: Component) -> Iterator[AdocFile]:
    modules = component.folder / "modules"
    for path in sorted(modules.rglob("*.adoc")) if modules.is_dir() else ():
        if path.is_symlink() or not path.is_file():
            continue
        parts = path.relative_to(modules).parts
        family = parts[1] if len(parts) > 2 else None
        text = path.read_text(encoding="utf-8", errors="replace")
        yield AdocFile(
            path=path.relative_to(component.top).as_posix(),
            component=component,
            module=parts[0] if len(parts) > 1 else "ROOT",
            family=family,
            folder=PurePosixPath(path.relative_to(component.folder).parent.as_posix()),
            text=text,
            lines=scan(text),
        )


def _descriptors(top: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name not in _SKIPPED_DIRS)
        if "antora.yml" in files:
            yield Path(folder) / "antora.yml"


def playbook_attributes(top: Path) -> dict[str, str]:
    """The attributes the playbook at the top of the workshop gives every page."""
    for name in PLAYBOOKS:
        try:
            data = yaml.safe_load((top / name).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
            return attribute_values(asciidoc.get("attributes"))
    return {}
