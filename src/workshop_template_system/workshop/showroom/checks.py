"""Checks an Antora workshop needs beyond what Antora reports: reachability, attributes, xref fragments.

Antora fails on a missing xref target or an undefined attribute it meets, but it does not notice a
page that no navigation file lists (learners cannot reach it), nor an ``xref:page.adoc#id[]`` whose
``id`` is not in the target page. These checks read the sources of any folder holding Antora
components (every ``antora.yml`` under it, with the playbook's attributes when a ``site.yml`` is at
its top) and need no build:

- ``nav``: a page that no navigation file of its component links to (warning);
- ``attribute``: a reference to an attribute that neither the page, its component, the playbook nor
  Asciidoctor and Antora define (error);
- ``xref-target``: a cross reference to a page of the component that does not exist (error);
- ``xref-fragment``: a cross reference to an id that the target page does not have (error);
- ``descriptor``: an ``antora.yml`` that cannot be read (error).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from workshop_template_system.workshop.showroom.scanner import Line, entry, ids, references, scan, xrefs

Severity = Literal["error", "warning"]
PLAYBOOKS = ("site.yml", "default-site.yml", "antora-playbook.yml")
_SKIPPED_DIRS = frozenset({"node_modules", "build", "www"})
_CHARACTERS = {
    "blank": "", "empty": "", "sp": " ", "nbsp": "&#160;", "zwsp": "&#8203;", "wj": "&#8288;", "apos": "&#39;",
    "quot": "&#34;", "lsquo": "&#8216;", "rsquo": "&#8217;", "ldquo": "&#8220;", "rdquo": "&#8221;", "deg": "&#176;",
    "plus": "&#43;", "brvbar": "&#166;", "vbar": "|", "amp": "&", "lt": "<", "gt": ">", "startsb": "[", "endsb": "]",
    "caret": "^", "asterisk": "*", "tilde": "~", "backslash": "\\", "backtick": "`", "two-colons": "::",
    "two-semicolons": ";;", "cpp": "C++", "cxx": "C++", "pp": "&#43;&#43;",
}  # fmt: skip
_INTRINSIC = """
    asciidoctor asciidoctor-version backend basebackend doctype docname docfile docdir docfilesuffix doctitle docdate
    docdatetime doctime docyear localdate localdatetime localtime localyear outfilesuffix filetype htmlsyntax
    safe-mode-name safe-mode-safe embedded sectids attribute-missing attribute-undefined appendix-caption
    caution-caption important-caption note-caption tip-caption warning-caption example-caption figure-caption
    table-caption toc-title untitled-label version-label last-update-label user-home max-include-depth
    env env-site site-gen site-gen-antora icons sectanchors source-highlighter relfilesuffix imagesdir
    attachmentsdir examplesdir partialsdir page-partial page-component-name page-component-version page-version
    page-component-title page-component-display-version page-component-latest-version
    page-component-version-is-latest page-module page-relative-src-path page-edit-url page-origin-type
    page-origin-url page-origin-start-path page-origin-reftype page-origin-refname page-origin-refhash
    page-origin-branch page-origin-tag page-origin-worktree page-origin-private
"""
# What Asciidoctor and Antora define on every page (the values matter only for generated section ids).
BUILT_IN_ATTRIBUTES: dict[str, str] = {**dict.fromkeys(_INTRINSIC.split(), ""), **_CHARACTERS}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: how bad, which check, where (``file`` relative to the checked folder), and what."""

    severity: Severity
    check: str
    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.severity}: {self.message} [{self.check}]"


def check_workshop(destination: Path) -> list[Finding]:
    """Every finding for the Antora components under ``destination``, ordered by file and line."""
    playbook = playbook_attributes(destination)
    findings: list[Finding] = []
    for descriptor in _descriptors(destination):
        try:
            component = _Component.load(descriptor, playbook)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            file = descriptor.relative_to(destination)
            findings.append(Finding("error", "descriptor", file, None, f"cannot read the component descriptor: {exc}"))
            continue
        findings.extend(
            Finding(f.severity, f.check, (descriptor.parent / f.file).relative_to(destination), f.line, f.message)
            for f in component.check()
        )
    return sorted(findings, key=lambda f: (str(f.file), f.line or 0))


@dataclass
class _Component:
    """One ``antora.yml`` and its files; paths relative to its folder, pages keyed by (module, path in pages/)."""

    root: Path
    name: str
    nav: list[str]
    attributes: dict[str, str]
    pages: dict[tuple[str, str], str]
    _scanned: dict[str, list[Line]] = field(default_factory=dict)
    _ids: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, descriptor: Path, playbook: Mapping[str, str]) -> _Component:
        data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("it is not a YAML mapping")
        asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
        attributes = {**BUILT_IN_ATTRIBUTES, **playbook, **attribute_values(asciidoc.get("attributes"))}
        nav = [str(path) for path in data.get("nav") or [] if isinstance(path, str)]
        root = descriptor.parent
        pages = {}
        for page in sorted((root / "modules").glob("*/pages/**/*.adoc")):
            parts = page.relative_to(root / "modules").parts
            if not any(part.startswith(("_", ".")) for part in parts):
                pages[(parts[0], "/".join(parts[2:]))] = page.relative_to(root).as_posix()
        return cls(root, str(data.get("name") or ""), nav, attributes, pages)

    def check(self) -> Iterator[Finding]:
        """Findings with ``file`` relative to the component's folder."""
        linked: set[tuple[str, str]] = set()
        for nav in self.nav:
            if not (self.root / nav).is_file():
                continue  # Antora reports a missing navigation file itself
            module = PurePosixPath(nav).parts[1] if nav.startswith("modules/") else "ROOT"
            yield from self._check_file(nav, module, PurePosixPath(), linked)
        for (module, relative), path in self.pages.items():
            yield from self._check_file(path, module, PurePosixPath(relative).parent, None)
        for key, path in self.pages.items():
            if key not in linked:
                navs = ", ".join(self.nav) or "none is listed in antora.yml"
                message = f"page {key[1]} is in no navigation file ({navs}): learners cannot reach it"
                yield Finding("warning", "nav", Path(path), None, message)

    def _check_file(
        self, path: str, module: str, folder: PurePosixPath, linked: set[tuple[str, str]] | None
    ) -> Iterator[Finding]:
        """Findings in one file; a navigation file gets ``linked``, the set of pages it links to, to add to."""
        lines = self._lines(path)
        for number, name in undefined_attributes(lines, self.attributes):
            yield Finding("error", "attribute", Path(path), number, f"attribute {name!r} is not defined")
        for line in lines:
            for target in xrefs(line):
                if "{" not in target:
                    yield from self._check_xref(path, line.number, target, module, folder, linked)

    def _check_xref(
        self,
        path: str,
        number: int,
        target: str,
        module: str,
        folder: PurePosixPath,
        linked: set[tuple[str, str]] | None,
    ) -> Iterator[Finding]:
        reference, hash_sign, fragment = target.partition("#")
        if ".adoc" not in reference:
            if (reference and hash_sign) or linked is not None:
                return  # a page id without .adoc (Antora refuses it), or an in-page reference in a navigation file
            fragment, target_path = fragment or reference, path
        else:
            key = page_key(reference, module, folder, self.name)
            if key is None:
                return  # another component: not ours to check
            if key not in self.pages:
                yield Finding("error", "xref-target", Path(path), number, f"xref target not found: {target}")
                return
            if linked is not None:
                linked.add(key)
            target_path = self.pages[key]
        if fragment and fragment not in self._page_ids(target_path):
            message = f"xref fragment #{fragment} is no id in {PurePosixPath(target_path).name}: {target}"
            yield Finding("error", "xref-fragment", Path(path), number, message)

    def _page_ids(self, path: str) -> set[str]:
        if path not in self._ids:
            self._ids[path] = ids(self._lines(path), self.attributes)
        return self._ids[path]

    def _lines(self, path: str) -> list[Line]:
        if path not in self._scanned:
            self._scanned[path] = scan((self.root / path).read_text(encoding="utf-8", errors="replace"))
        return self._scanned[path]


def undefined_attributes(lines: list[Line], defined: Mapping[str, str]) -> Iterator[tuple[int, str]]:
    """``(line, name)`` of every reference to an attribute not defined at that point of the page."""
    names = set(defined)
    for line in lines:
        if parsed := entry(line):
            name, unset, value = parsed
            for referenced, _ in references(Line(line.number, value, "text")):
                if referenced not in names:
                    yield line.number, referenced
            if unset:
                names.discard(name)
            else:
                names.add(name)
            continue
        for name, defines in references(line):
            if defines:
                names.add(name)
            elif name not in names:
                yield line.number, name


def page_key(reference: str, module: str, folder: PurePosixPath, component: str) -> tuple[str, str] | None:
    """``(module, path under pages/)`` of an Antora page id, or None when it names another component."""
    *coordinates, relative = reference.rsplit("@", 1)[-1].split(":")
    if len(coordinates) > 2:
        return None
    if len(coordinates) == 2:
        if coordinates[0] and coordinates[0] != component:
            return None
        module = coordinates[1] or "ROOT"
    elif coordinates:
        module = coordinates[0] or module
    family, _, relative = relative.rpartition("$")
    if family and family != "page":
        return None
    if relative.startswith("./"):
        relative = (folder / relative[2:]).as_posix()
    return module, posixpath.normpath(relative)


def _descriptors(destination: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(destination):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name not in _SKIPPED_DIRS)
        if "antora.yml" in files:
            yield Path(folder) / "antora.yml"


def playbook_attributes(destination: Path) -> dict[str, str]:
    """Attributes the playbook at the top of ``destination`` gives every page (none when it has no playbook)."""
    for name in PLAYBOOKS:
        try:
            data = yaml.safe_load((destination / name).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        site = data.get("site") if isinstance(data.get("site"), dict) else {}
        asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
        attributes = {f"site-{key}": str(site[key]) for key in ("title", "url") if site.get(key)}
        return {**attributes, **attribute_values(asciidoc.get("attributes"))}
    return {}


def attribute_values(attributes: Any) -> dict[str, str]:
    """Attributes as Asciidoctor receives them: null and false unset, true empty, ``@`` (soft set) dropped."""
    if not isinstance(attributes, dict):
        return {}
    values = {}
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        values[str(name)] = "" if value is True else str(value).removesuffix("@")
    return values
