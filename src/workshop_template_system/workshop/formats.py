"""Existing workshop and tutorial formats, the files that show them, their pages in nav order, and the workflow.

    showroom        content/antora.yml (+ modules/ROOT/nav.adoc, site.yml or default-site.yml, ui-config.yml)
    antora          another antora.yml component
    rto             default-site.yml without the Showroom layout (the legacy RHPDS workshops)
    mkdocs          mkdocs.yml: pages from its nav, else the docs folder in file order
    sphinx          conf.py beside index.rst: pages from the index's toctree
    jupyter         notebooks, in file order
    markdown-docs   a docs/tutorial folder of Markdown or AsciiDoc pages with shell commands

Only an existing Showroom/Antora or legacy RTO workshop is enhanced (``enhance-existing``); for
everything else a new workshop is written (``new-workshop``), from tutorial pages when there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from workshop_template_system.workshop.build_systems import folder_of, in_folder
from workshop_template_system.workshop.commands import shell_commands
from workshop_template_system.workshop.document import CodeBlock
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.outline import Workflow
from workshop_template_system.workshop.pages import read_page

FormatName = Literal["showroom", "antora", "rto", "mkdocs", "sphinx", "jupyter", "markdown-docs"]
EXISTING_WORKSHOP_FORMATS = ("showroom", "antora", "rto")
MAX_PAGES = 60
MAX_NAV_ENTRIES = 500
DOCS_FOLDERS = ("docs", "doc", "documentation", "tutorial", "tutorials", "guide", "guides", "workshop", "labs", "lab")
_XREF = re.compile(r"^(\*+)\s+xref:([^\[]+)\[([^\]]*)\]")
_TOCTREE_ENTRY = re.compile(r"(.*?)\s*<([^>]+)>")
_RST_TOCTREE = re.compile(r"^\.\.\s+toctree::")


class Format(BaseModel):
    """A recognised format and the files that show it."""

    name: FormatName
    evidence: list[str]


@dataclass(frozen=True)
class Page:
    """A page of an existing workshop or tutorial, with the title its nav gives it."""

    path: str
    title: str | None = None


@dataclass
class FormatFindings:
    formats: list[Format] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    pages_format: FormatName | None = None
    title: str | None = None

    def found(self, name: FormatName, evidence: list[str], pages: list[Page], title: str | None = None) -> None:
        self.formats.append(Format(name=name, evidence=evidence))
        if not self.pages and pages:
            self.pages, self.pages_format, self.title = pages[:MAX_PAGES], name, title


def detect_formats(files: RepositoryFiles) -> FormatFindings:
    """Every format found; the pages of the first one that has pages (existing workshops come first)."""
    findings = FormatFindings()
    _antora(files, findings)
    _mkdocs(files, findings)
    _sphinx(files, findings)
    _jupyter(files, findings)
    if all(found.name == "jupyter" for found in findings.formats):
        _markdown_docs(files, findings)
    return findings


def decide_workflow(formats: list[Format]) -> tuple[Workflow, list[str]]:
    """``enhance-existing`` with the workshop's files when it already is a Showroom/Antora or RTO workshop."""
    existing = [found for found in formats if found.name in EXISTING_WORKSHOP_FORMATS]
    if existing:
        return "enhance-existing", list(dict.fromkeys(path for found in existing for path in found.evidence))
    return "new-workshop", []


def _antora(files: RepositoryFiles, findings: FormatFindings) -> None:
    playbooks = [path for path in ("site.yml", "default-site.yml", "ui-config.yml") if files.exists(path)]
    components = files.named("antora.yml")
    showroom = files.exists("content/antora.yml")
    for component in components:
        folder = folder_of(component.path)
        descriptor = _yaml_mapping(files.text(component.path))
        navs = [in_folder(folder, str(nav)) for nav in _list(descriptor.get("nav")) if isinstance(nav, str)]
        if not navs and files.exists(in_folder(folder, "modules/ROOT/nav.adoc")):
            navs = [in_folder(folder, "modules/ROOT/nav.adoc")]
        navs = [nav for nav in navs if files.exists(nav)]
        pages = [page for nav in navs for page in _antora_nav(files, nav)] or _antora_pages(files, folder)
        name: FormatName = "showroom" if showroom and component.path == "content/antora.yml" else "antora"
        evidence = [component.path, *navs, *(playbooks if name == "showroom" else [])]
        title = descriptor.get("title") if isinstance(descriptor.get("title"), str) else None
        findings.found(name, evidence, pages, title)
    if files.exists("default-site.yml") and not showroom:
        findings.found("rto", ["default-site.yml"], [])


def _antora_nav(files: RepositoryFiles, nav: str) -> list[Page]:
    """Pages listed by a nav file, in order; xrefs resolve against the nav file's module."""
    component, _, module_path = f"/{nav}".rpartition("/modules/")
    module = module_path.split("/", 1)[0]
    pages: list[Page] = []
    for line in files.text(nav).splitlines():
        if match := _XREF.match(line.strip()):
            target = match.group(2).split("#", 1)[0].rsplit("@", 1)[-1]
            parts = target.split(":")
            page_module, page = (parts[-2], parts[-1]) if len(parts) >= 2 else (module, parts[-1])
            path = in_folder(component.lstrip("/"), f"modules/{page_module}/pages/{page}")
            if files.exists(path) and all(known.path != path for known in pages):
                pages.append(Page(path, match.group(3).strip() or None))
    return pages


def _antora_pages(files: RepositoryFiles, component_folder: str) -> list[Page]:
    folder = in_folder(component_folder, "modules/ROOT/pages")
    pages = [item.path for item in files.under(folder) if item.suffix == ".adoc"]
    return [Page(path) for path in sorted(pages, key=lambda path: (not path.endswith("/index.adoc"), path))]


def _mkdocs(files: RepositoryFiles, findings: FormatFindings) -> None:
    configs = files.named("mkdocs.yml", "mkdocs.yaml")
    if not configs:
        return
    config_path = configs[0].path
    config = _yaml_mapping(files.text(config_path))
    docs_dir = in_folder(folder_of(config_path), str(config.get("docs_dir") or "docs").strip("/"))
    entries: list[tuple[str | None, str]] = []
    _flatten_nav(config.get("nav"), None, entries)
    pages = [Page(in_folder(docs_dir, path), title) for title, path in entries]
    pages = [page for page in pages if files.exists(page.path)] or _folder_pages(files, docs_dir, (".md",))
    site_name = config.get("site_name")
    findings.found("mkdocs", [config_path], pages, site_name if isinstance(site_name, str) else None)


def _flatten_nav(node: Any, title: str | None, entries: list[tuple[str | None, str]]) -> None:
    """MkDocs nav: ``page.md``, ``{Title: page.md}``, ``{Section: [...]}``; external links dropped."""
    if len(entries) >= MAX_NAV_ENTRIES:
        return
    if isinstance(node, str):
        if node.endswith(".md") and "://" not in node:
            entries.append((title, node))
    elif isinstance(node, list):
        for child in node[:MAX_NAV_ENTRIES]:
            _flatten_nav(child, None, entries)
    elif isinstance(node, dict):
        for key, child in list(node.items())[:MAX_NAV_ENTRIES]:
            _flatten_nav(child, str(key), entries)


def _sphinx(files: RepositoryFiles, findings: FormatFindings) -> None:
    for conf in files.named("conf.py"):
        folder = folder_of(conf.path)
        indexes = [in_folder(folder, name) for name in ("index.rst", "index.md")]
        index = next((path for path in indexes if files.exists(path)), None)
        if index is None:
            continue
        pages = _toctree(files, folder, index) or _folder_pages(files, folder, (".rst", ".md"))
        findings.found("sphinx", [conf.path, index], pages)
        return


def _toctree(files: RepositoryFiles, folder: str, index: str) -> list[Page]:
    """Entries of the index's ``toctree`` directives (reST or MyST), in order."""
    pages: list[Page] = []
    mode: str | None = None
    for line in files.text(index).splitlines():
        text = line.strip()
        if mode == "rst" and text and not line[:1].isspace():
            mode = None
        if mode is None:
            mode = "rst" if _RST_TOCTREE.match(text) else "myst" if text.startswith("```{toctree}") else None
        elif mode == "myst" and text.startswith("```"):
            mode = None
        elif text and not text.startswith(":") and (page := _toctree_page(files, folder, text)):
            pages.append(page)
    return pages


def _toctree_page(files: RepositoryFiles, folder: str, entry: str) -> Page | None:
    """``Title <path>`` or ``path``, with or without its suffix; None for links, globs and missing pages."""
    match = _TOCTREE_ENTRY.fullmatch(entry)
    title, target = (match.group(1) or None, match.group(2)) if match else (None, entry)
    if "://" in target or "*" in target:
        return None
    for suffix in ("", ".rst", ".md"):
        path = in_folder(folder, target.strip("/") + suffix)
        if path.endswith((".rst", ".md")) and files.exists(path):
            return Page(path, title)
    return None


def _jupyter(files: RepositoryFiles, findings: FormatFindings) -> None:
    notebooks = [item.path for item in files.with_suffix(".ipynb")]
    if notebooks:
        findings.found("jupyter", notebooks[:MAX_PAGES], [Page(path) for path in notebooks])


def _markdown_docs(files: RepositoryFiles, findings: FormatFindings) -> None:
    for name in DOCS_FOLDERS:
        if name not in files.dirs:
            continue
        pages = _folder_pages(files, name, (".md", ".adoc"))
        with_commands = [page.path for page in pages if _has_commands(files, page.path)]
        if len(pages) >= 2 and with_commands:
            findings.found("markdown-docs", [page.path for page in pages], pages)
            return


def _folder_pages(files: RepositoryFiles, folder: str, suffixes: tuple[str, ...]) -> list[Page]:
    """Pages of a folder in file order, its index or README first."""
    paths = [item.path for item in files.under(folder) if item.suffix in suffixes]

    def order(path: str) -> tuple[int, int, str]:
        name = path.rsplit("/", 1)[-1].lower()
        return (path.count("/"), 0 if name.startswith(("index.", "readme.")) else 1, path)

    return [Page(path) for path in sorted(paths, key=order)[:MAX_PAGES]]


def _has_commands(files: RepositoryFiles, path: str) -> bool:
    document = read_page(path, files.text(path))
    blocks = [*document.intro, *(block for section in document.sections for block in section.blocks)]
    return any(isinstance(block, CodeBlock) and shell_commands(block) for block in blocks)


class _TolerantLoader(yaml.SafeLoader):
    """Safe YAML that reads unknown tags (MkDocs' ``!!python/name:``, ``!ENV``) as nothing."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _yaml_mapping(text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_TolerantLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
