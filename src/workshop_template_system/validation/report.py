"""What a validation found: findings (error, warning, info) with file and line, and what was checked."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: how bad, which check, where (``file`` relative to the workshop, posix), and what.

    Errors break the workshop for learners (a build failure, a block that cannot run as written, a
    missing page or image); warnings are likely wrong (a dead link, a version the source repository
    contradicts, a page nobody can reach); info is worth knowing (a redirect, a link not checked).
    """

    severity: Severity
    check: str
    file: str | None
    line: int | None
    message: str

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, SEVERITIES.index(self.severity), self.check)


@dataclass
class Report:
    """A validation's findings, what it checked (counts by kind), and the Antora build's outcome."""

    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, Any] = field(default_factory=dict)
    build: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        counts = Counter(finding.severity for finding in self.findings)
        return {"errors": counts["error"], "warnings": counts["warning"], "info": counts["info"]}

    def as_json(self) -> dict[str, Any]:
        findings = sorted(self.findings, key=Finding.sort_key)
        return {
            "summary": self.summary(),
            "findings": [asdict(finding) for finding in findings],
            "checked": dict(self.checked),
            "build": dict(self.build),
        }
