"""A Showroom/Antora workshop read from a folder: its component, its pages in navigation order, its URLs.

The component is ``content/antora.yml`` (else the shallowest ``antora.yml`` in the folder). Its
attributes are the playbook's (``site.yml`` at the top of the folder), then the component's, with
references to earlier ones resolved as Antora does. Pages come in the order the navigation files
list them, then the pages no navigation file lists. Includes (``partial$``, ``example$``, relative
paths) are resolved before anything reads the page, as Asciidoctor's preprocessor does.

Blocking: callers run `read_workshop` off the event loop.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.workshop.showroom.asciidoc import ATTRIBUTE_REFERENCE
from workshop_template_system.workshop.showroom.checks import (
    BUILT_IN_ATTRIBUTES,
    attribute_values,
    page_key,
    playbook_attributes,
)

MAX_INCLUDE_DEPTH = 8
MAX_PAGE_BYTES = 2_000_000
_SKIPPED_DIRS = frozenset({"node_modules", "build", "www", ".git"})
_INCLUDE = re.compile(r"^(\\?)include::([^\[\s]+)\[(.*)\]$")
_NAV_XREF = re.compile(r"^\*+\s+xref:([^\[\s]+)\[(.*?)\]\s*$")
_FAMILY = re.compile(r"^(?:(?:([\w.-]*):)?([\w.-]*):)?(partial|example)\$(.+)$")


@dataclass(frozen=True)
class Page:
    """One page: its Antora id (``setup.adoc``, ``appendix:faq.adoc``), module, source and URL."""

    id: str
    module: str
    path: str
    """The file, relative to the workshop folder."""
    text: str
    """The page source with includes resolved."""
    nav_title: str | None
    url: str | None


@dataclass(frozen=True)
class WorkshopContent:
    """What the chat index needs of a workshop: its titles, attributes and pages in reading order."""

    component: str
    title: str
    site_url: str | None
    attributes: Mapping[str, str]
    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = field(default=())


def read_workshop(folder: Path) -> WorkshopContent:
    """The workshop in ``folder``; `WorkspaceError` when it holds no readable Antora component."""
    folder = Path(folder)
    if not folder.is_dir():
        raise WorkspaceError(f"{folder} is not a folder holding a workshop")
    descriptor = _descriptor(folder)
    try:
        data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise WorkspaceError(f"cannot read {descriptor}: {exc}") from exc
    if not isinstance(data, dict):
        raise WorkspaceError(f"{descriptor} is not a YAML mapping")
    root = descriptor.parent
    playbook = playbook_attributes(folder)
    asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
    attributes = _resolved({**BUILT_IN_ATTRIBUTES, **playbook}, attribute_values(asciidoc.get("attributes")))
    component = str(data.get("name") or "ROOT")
    version = data.get("version")
    title = str(data.get("title") or playbook.get("site-title") or component)
    site_url = playbook.get("site-url", "").rstrip("/") or None
    warnings: list[str] = []
    order = _nav_order(root, [str(nav) for nav in data.get("nav") or [] if isinstance(nav, str)], component)
    files = _page_files(root)
    keys = [key for key in order if key in files] + sorted(key for key in files if key not in order)
    pages = []
    for module, relative in keys:
        source = files[(module, relative)]
        text = _with_includes(source, root, module, attributes, warnings, depth=0)
        page_id = relative if module == "ROOT" else f"{module}:{relative}"
        url = _page_url(site_url, component, version, module, relative)
        pages.append(
            Page(page_id, module, source.relative_to(folder).as_posix(), text, order.get((module, relative)), url)
        )
    return WorkshopContent(component, title, site_url, attributes, tuple(pages), tuple(warnings))


def _descriptor(folder: Path) -> Path:
    preferred = folder / "content" / "antora.yml"
    if preferred.is_file():
        return preferred
    found: list[Path] = []
    for parent, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if name not in _SKIPPED_DIRS and not name.startswith("."))
        if "antora.yml" in files:
            found.append(Path(parent) / "antora.yml")
    if not found:
        raise WorkspaceError(f"{folder} holds no Antora component (no antora.yml): is it a Showroom workshop?")
    return min(found, key=lambda path: (len(path.parts), str(path)))


def _resolved(known: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """Attribute values with references to attributes defined before them replaced, as Antora does."""
    resolved = dict(known)
    for name, value in values.items():
        resolved[name] = substitute(value, resolved)
    return resolved


def substitute(text: str, attributes: Mapping[str, str]) -> str:
    """``{name}`` replaced by its value; unknown and escaped references stay as written (``\\{x}`` → ``{x}``)."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) or match.group(3):
            return match.group(0).replace("\\", "", 1)
        return attributes.get(match.group(2), match.group(0))

    return ATTRIBUTE_REFERENCE.sub(value, text)


def _nav_order(root: Path, navs: list[str], component: str) -> dict[tuple[str, str], str]:
    """Pages the navigation files link to, in order, with their navigation text."""
    order: dict[tuple[str, str], str] = {}
    for nav in navs:
        try:
            lines = (root / nav).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        module = PurePosixPath(nav).parts[1] if nav.startswith("modules/") else "ROOT"
        for line in lines:
            if (match := _NAV_XREF.match(line.strip())) is None:
                continue
            key = page_key(match.group(1).partition("#")[0], module, PurePosixPath(), component)
            if key is not None and key not in order:
                order[key] = match.group(2).strip()
    return order


def _page_files(root: Path) -> dict[tuple[str, str], Path]:
    pages = {}
    for page in sorted((root / "modules").glob("*/pages/**/*.adoc")):
        parts = page.relative_to(root / "modules").parts
        if not any(part.startswith(("_", ".")) for part in parts) and page.is_file():
            pages[(parts[0], "/".join(parts[2:]))] = page
    return pages


def _with_includes(
    source: Path, root: Path, module: str, attributes: Mapping[str, str], warnings: list[str], depth: int
) -> str:
    """The file's text with every ``include::`` directive replaced by the file it names."""
    try:
        if source.stat().st_size > MAX_PAGE_BYTES:
            warnings.append(f"{source.relative_to(root)} is larger than {MAX_PAGE_BYTES} bytes: skipped")
            return ""
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        warnings.append(f"cannot read {source.relative_to(root)}: {exc.strerror or exc}")
        return ""
    lines = []
    for line in text.splitlines():
        match = _INCLUDE.match(line.rstrip())
        if match is None:
            lines.append(line)
        elif match.group(1):
            lines.append(line.replace("\\", "", 1))  # an escaped directive is shown as written
        else:
            target = _include_target(substitute(match.group(2), attributes), source, root, module)
            if target is None or not target.is_file() or depth >= MAX_INCLUDE_DEPTH:
                warnings.append(f"{source.relative_to(root)}: include not resolved: {match.group(2)}")
                continue
            lines.append(_with_includes(target, root, module, attributes, warnings, depth + 1))
    return "\n".join(lines)


def _include_target(target: str, source: Path, root: Path, module: str) -> Path | None:
    """The file an include names, inside the component only."""
    if family := _FAMILY.match(target):
        component, named_module, kind, relative = family.groups()
        if component:
            return None  # another component's resource: not in this folder
        path = root / "modules" / (named_module or module) / f"{kind}s" / relative
    else:
        path = source.parent / target
    resolved = path.resolve()
    return resolved if resolved.is_relative_to(root.resolve()) else None


def _page_url(site_url: str | None, component: str, version: object, module: str, relative: str) -> str | None:
    """The page's URL as Antora lays out a site: ``<site>/<component>[/<version>][/<module>]/<page>.html``."""
    if site_url is None:
        return None
    parts = [site_url, component]
    if version not in (None, "", "~", False):
        parts.append(str(version))
    if module != "ROOT":
        parts.append(module)
    parts.append(relative.removesuffix(".adoc") + ".html")
    return "/".join(parts)
