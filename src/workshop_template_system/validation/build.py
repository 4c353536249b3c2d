"""The Antora build of a workshop copy, and its diagnostics as findings.

The folder built is always a private copy (see `sources`): `ensure_git_repository` makes it a
repository, and a playbook the pinned, offline Antora cannot build as written (extensions, content
from elsewhere, branches other than ``HEAD``) is replaced by `build_playbook`'s trimmed copy.
Diagnostics at ``error``/``fatal`` are errors, ``warn`` warnings; a build that cannot run (Antora
not installed, a timeout) is one warning, as the other checks still stand. A diagnostic that repeats a finding
of our own checks (same check, file and target) is dropped: ours says more and has the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from workshop_template_system.integrations.antora import AntoraError, Diagnostic, build_site, ensure_git_repository
from workshop_template_system.validation.report import Finding, Severity
from workshop_template_system.workshop.showroom.checks import PLAYBOOKS
from workshop_template_system.workshop.showroom.enhance import build_playbook

# Asciidoctor's messages for problems our checks also find, and the check that finds them.
_SAME_AS = (
    (re.compile(r"^target of xref not found: (\S+)"), "xref-target"),
    (re.compile(r"^target of include not found: (\S+)"), "include"),
    (re.compile(r"^target of image not found: (\S+)"), "image"),
    (re.compile(r"^skipping reference to missing attribute: (\S+)"), "attribute"),
)


def build_workshop(
    top: Path, *, site_dir: Path, cache_dir: Path, timeout: float
) -> tuple[dict[str, Any], list[Finding]]:
    """Build the copy at ``top``: the build's outcome, and its diagnostics as findings. Blocking."""
    playbook, note = _playbook(top)
    try:
        ensure_git_repository(top)
        if playbook is None:
            playbook = build_playbook(top).name
        report = build_site(top, output_dir=site_dir, playbook=playbook, cache_dir=cache_dir, timeout=timeout)
    except AntoraError as exc:  # the other checks still stand; say that the build could not
        return {"built": False, "ok": False, "error": str(exc)}, [Finding("warning", "antora", None, None, str(exc))]
    findings = [_finding(diagnostic, top) for diagnostic in report.diagnostics]
    outcome = {
        "built": True,
        "ok": report.ok,
        "seconds": round(report.seconds, 2),
        "playbook": playbook,
        "diagnostics": len(report.diagnostics),
    }
    if note:
        outcome["note"] = note
    return outcome, findings


def without_repeats(diagnostics: list[Finding], ours: list[Finding]) -> list[Finding]:
    """The build's findings that say something our checks did not already say."""
    kept = []
    for diagnostic in diagnostics:
        repeated = False
        for pattern, check in _SAME_AS:
            if match := pattern.match(diagnostic.message):
                target = match.group(1)
                repeated = any(
                    finding.check == check
                    and finding.file == diagnostic.file
                    and (diagnostic.line is None or finding.line == diagnostic.line)
                    and target.lower() in finding.message.lower()
                    for finding in ours
                )
                break
        if not repeated:
            kept.append(diagnostic)
    return kept


def _finding(diagnostic: Diagnostic, top: Path) -> Finding:
    severity: Severity = "error" if diagnostic.fails_build and diagnostic.level != "warn" else "warning"
    if not diagnostic.fails_build:
        severity = "info"
    file = None
    if diagnostic.file is not None:
        path = diagnostic.file.resolve()
        file = path.relative_to(top.resolve()).as_posix() if path.is_relative_to(top.resolve()) else str(path)
    return Finding(severity, "antora", file, diagnostic.line, diagnostic.message)


def _playbook(top: Path) -> tuple[str | None, str | None]:
    """The workshop's own playbook when Antora can build it here as written; else None and why not."""
    for name in PLAYBOOKS:
        try:
            data = yaml.safe_load((top / name).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        if reason := _unbuildable(top, data):
            return None, f"built with a trimmed copy of {name}: {reason}"
        return name, None
    return None, "the workshop has no playbook: built with one made from its components"


def _unbuildable(top: Path, data: dict[str, Any]) -> str | None:
    antora = data.get("antora") if isinstance(data.get("antora"), dict) else {}
    asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
    if antora.get("extensions") or asciidoc.get("extensions"):
        return "it loads extensions, which are not installed here"
    content = data.get("content") if isinstance(data.get("content"), dict) else {}
    sources = content.get("sources") if isinstance(content.get("sources"), list) else []
    if not sources:
        return "it names no content source"
    for source in sources:
        url = str(source.get("url") or "") if isinstance(source, dict) else ""
        if "://" in url or ":" in url.split("/", 1)[0] or not url or (top / url).resolve() != top.resolve():
            return f"its content source {url or '?'} is not the workshop folder itself"
        branches = source.get("branches")
        names = branches if isinstance(branches, list) else [branches] if branches else ["HEAD"]
        if "HEAD" not in [str(name) for name in names]:
            return "its content source is read from named branches; the copy is built from HEAD"
    return None
