"""Validating a workshop folder: every check, the live link checks and the Antora build, in one report.

`validate_folder` reads the folder once, runs the checks that need no network (`check_workshop`'s
nav, attribute and xref checks; includes and images; code blocks; version claims), then checks the
external links and builds the site at the same time. The folder must be a private copy: the build
makes it a git repository (see `sources`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.integrations.web import WebClient
from workshop_template_system.peer_calls import ProgressReporter
from workshop_template_system.validation.build import build_workshop, without_repeats
from workshop_template_system.validation.code_blocks import check_blocks
from workshop_template_system.validation.links import Link, LinkChecker, find_links, link_findings
from workshop_template_system.validation.references import Target, check_references
from workshop_template_system.validation.report import Finding, Report
from workshop_template_system.validation.versions import Declared, check_versions
from workshop_template_system.validation.workshop_files import Workshop, read_workshop
from workshop_template_system.workshop.showroom import check_workshop


@dataclass(frozen=True)
class ValidationOptions:
    """How far validation goes: the SSRF guard, link-check limits, and the build."""

    allow_private_urls: bool = False
    check_links: bool = True
    link_timeout: float = 10.0
    link_concurrency: int = 8
    max_redirects: int = 5
    max_links: int = 300
    build: bool = True
    build_timeout: float = 180.0


@dataclass
class _Static:
    findings: list[Finding]
    checked: dict[str, Any]
    links: list[Link]


async def validate_folder(
    top: Path,
    *,
    work_dir: Path,
    cache_dir: Path,
    declared: Sequence[Declared] = (),
    options: ValidationOptions | None = None,
    progress: ProgressReporter | None = None,
) -> Report:
    """Validate the workshop copy at ``top``; ``work_dir`` receives the built site, ``cache_dir`` Antora's cache."""
    report = progress or _silent
    options = options or ValidationOptions()
    workshop = await asyncio.to_thread(read_workshop, top)
    if not workshop.components and not workshop.unreadable:
        raise WorkspaceError("no Antora component (antora.yml) in the folder: it is not a Showroom or Antora workshop")
    await report(f"checking {len(workshop.pages)} pages: references, code blocks, versions", 0.2)
    static = await asyncio.to_thread(_static_checks, workshop, list(declared))
    async with asyncio.TaskGroup() as group:
        build = None
        if options.build:
            await report("building the workshop with Antora", 0.4)
            build = group.create_task(
                asyncio.to_thread(
                    build_workshop, top, site_dir=work_dir / "site", cache_dir=cache_dir, timeout=options.build_timeout
                ),
                name="validation-build",
            )
        links = group.create_task(_check_links(static, workshop, options, report), name="validation-links")
    outcome, diagnostics = build.result() if build is not None else ({"built": False, "skipped": True}, [])
    findings = [*static.findings, *links.result(), *without_repeats(diagnostics, static.findings)]
    return Report(findings=findings, checked=static.checked, build=outcome)


def _static_checks(workshop: Workshop, declared: list[Declared]) -> _Static:
    findings = [
        Finding(f.severity, f.check, f.file.as_posix(), f.line, f.message) for f in check_workshop(workshop.top)
    ]
    languages: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    links: list[Link] = []
    for file in workshop.files:
        external: list[Target] = []
        findings += check_blocks(file, languages)
        findings += check_references(file, counts, external)
        if declared and file.family in ("pages", "partials"):
            findings += check_versions(file, declared, counts)
        links += find_links(file)
        links += [Link(target.target, target.file, target.line) for target in external]
    checked: dict[str, Any] = {
        "pages": len(workshop.pages),
        "files": len(workshop.files),
        "code_blocks": sum(languages.values()),
        "code_blocks_by_language": dict(sorted(languages.items())),
        "includes": counts["includes"],
        "images": counts["images"],
        "version_claims": counts["version_claims"],
        "versions_declared": len(declared),
    }
    return _Static(findings, checked, links)


async def _check_links(
    static: _Static, workshop: Workshop, options: ValidationOptions, report: ProgressReporter
) -> list[Finding]:
    urls = list(dict.fromkeys(link.url.split("#", 1)[0] for link in static.links))
    static.checked["links"] = 0
    if not options.check_links or not urls:
        return []
    checked, skipped = urls[: options.max_links], urls[options.max_links :]
    await report(f"checking {len(checked)} external links", 0.5)
    async with WebClient(timeout=options.link_timeout, allow_private=options.allow_private_urls) as client:
        checker = LinkChecker(client, concurrency=options.link_concurrency, max_redirects=options.max_redirects)
        statuses = await checker.check_all(checked)
    static.checked["links"] = len(checked)
    findings = link_findings(static.links, statuses, _own_repository(workshop))
    if skipped:
        message = f"{len(skipped)} more external links were not checked (at most {options.max_links} a run)"
        findings.append(Finding("info", "link", None, None, message))
    return findings


def _own_repository(workshop: Workshop) -> str | None:
    for component in workshop.components:
        url = component.attributes.get("repository_url", "")
        if url.startswith(("http://", "https://")):
            return url
    return None


async def _silent(message: str, fraction: float | None) -> None:
    return None
