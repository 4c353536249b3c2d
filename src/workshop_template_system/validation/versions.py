"""Version claims in a workshop's text compared with what the source repository's build files declare.

The declared versions come from the analysis (``prerequisites`` and ``frameworks``, each with the
file that declares it: ``pom.xml``, ``package.json``, ``pyproject.toml``...). A claim is a tool's
name followed by a version in the text of a page (``Java 11``, ``Node.js v18``, ``Python 3.9``,
``Spring Boot 2.7``). It contradicts the declaration when no version it names can satisfy it: a
claim ``3.9`` means any ``3.9.x``; a declaration may be exact (``17``), a range (``>=3.10``,
``^4.19``, ``~=3.8``, ``>=18 <21``, ``18.x``) or alternatives (``||``). Java's ``1.8`` is ``8``.
Declarations that cannot be read (Maven ranges, ``latest``) are not compared.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workshop_template_system.validation.report import Finding
from workshop_template_system.validation.workshop_files import AdocFile
from workshop_template_system.workshop.showroom.scanner import without_passthroughs

Version = tuple[int, ...]
Interval = tuple[Version, Version]  # [low, high): tuples compare as versions, a prefix sorting first

_INFINITY: Version = (10**9,)
_ALIASES: dict[str, str] = {
    "java": r"(?:Java(?:\s+SE)?|OpenJDK|JDK)",
    "node.js": r"Node(?:\.?js)?",
    "go": r"(?-i:Go|Golang)",
    "spring boot": r"Spring\s+Boot",
}
_VERSION = r"\s+(?:version\s+)?v?(\d+(?:\.\d+)*)(?![\w.]*\d)"
# Names that are also words or carry editions ("Go 2 by 2", "Rust 2021"): only a dotted version is a claim.
_DOTTED = frozenset({"go", "rust"})
_DOTTED_VERSION = r"\s+(?:version\s+)?v?(\d+(?:\.\d+)+)(?![\w.]*\d)"
_CLAUSE = re.compile(r"(>=|<=|==|~=|!=|>|<|=|\^|~)?\s*v?(\d+(?:\.(?:\d+|[xX*]))*)")


@dataclass(frozen=True, slots=True)
class Declared:
    """A version a build file of the source repository declares for a tool or framework."""

    name: str
    version: str
    source_file: str


def declared_versions(analysis: Mapping[str, Any]) -> list[Declared]:
    """The versioned prerequisites and frameworks of an analysis (``analysis.json``)."""
    found = []
    for key in ("prerequisites", "frameworks"):
        for item in analysis.get(key) or []:
            if isinstance(item, dict) and item.get("name") and item.get("version") and item.get("source_file"):
                found.append(Declared(str(item["name"]), str(item["version"]), str(item["source_file"])))
    return found


def check_versions(file: AdocFile, declared: Iterable[Declared], counts: Counter[str]) -> list[Finding]:
    """A warning for each claim in ``file`` that the declared version contradicts."""
    patterns = [(item, _claim_pattern(item.name)) for item in declared]
    findings = []
    for line in file.lines:
        if line.kind != "text":
            continue
        text = without_passthroughs(line.text)
        for item, pattern in patterns:
            for match in pattern.finditer(text):
                counts["version_claims"] += 1
                if compatible(match.group(1), item.version, java=item.name.lower() == "java") is False:
                    message = (
                        f"the page says {match.group(0).strip()}, but {item.source_file} declares "
                        f"{item.name} {item.version}"
                    )
                    findings.append(Finding("warning", "version", file.path, line.number, message))
    return findings


def compatible(claim: str, declared: str, *, java: bool = False) -> bool | None:
    """Whether some version the claim names satisfies the declaration; None when it cannot be read."""
    low = _numbers(claim, java)
    if low is None:
        return None
    wanted = (low, _next(low))
    alternatives = [_interval(part, java) for part in declared.split("||")]
    if any(interval is None for interval in alternatives):
        return None
    return any(_overlap(wanted, interval) for interval in alternatives if interval is not None)


def _claim_pattern(name: str) -> re.Pattern[str]:
    alias = _ALIASES.get(name.lower(), r"\s+".join(map(re.escape, name.split())))
    version = _DOTTED_VERSION if name.lower() in _DOTTED else _VERSION
    return re.compile(rf"(?<![\w.-]){alias}{version}", re.IGNORECASE)


def _interval(declared: str, java: bool) -> Interval | None:
    """The versions a declaration (clauses joined by AND) allows, as one interval."""
    text = declared.strip()
    clauses = _CLAUSE.findall(text)
    if not clauses or re.sub(r"[\s,]", "", _CLAUSE.sub("", text)):
        return None  # something besides clauses: a Maven range, a tag, a name
    low, high = (), _INFINITY
    for operator, raw in clauses:
        parsed = _numbers(raw.split(".x")[0].split(".X")[0].split(".*")[0], java)
        if parsed is None:
            return None
        clause = _clause(operator, parsed)
        if clause is None:
            continue
        low, high = max(low, clause[0]), min(high, clause[1])
    return low, high


def _clause(operator: str, version: Version) -> Interval | None:
    above = (*version, 0, 0, 0, 1)  # just above every version with this prefix's padding
    match operator:
        case ">=":
            return version, _INFINITY
        case ">":
            return above, _INFINITY
        case "<=":
            return (), _next(version)
        case "<":
            return (), version
        case "^":
            index = next((i for i, part in enumerate(version) if part), len(version) - 1)
            return version, _next(version[: index + 1])
        case "~":
            return version, _next(version[:2] if len(version) > 1 else version)
        case "~=":
            return version, _next(version[:-1] if len(version) > 1 else version)
        case "!=":
            return None
        case _:
            return version, _next(version)


def _numbers(text: str, java: bool) -> Version | None:
    parts = text.strip().lstrip("v").split(".")
    if not parts or not all(part.isdigit() for part in parts):
        return None
    numbers = tuple(int(part) for part in parts)
    if java and len(numbers) > 1 and numbers[0] == 1 and numbers[1] <= 8:
        numbers = numbers[1:]  # Java 1.8 is Java 8
    return numbers


def _next(version: Version) -> Version:
    """The first version after every version starting with ``version``: 3.9 → 3.10, 17 → 18."""
    return (*version[:-1], version[-1] + 1)


def _overlap(first: Interval, second: Interval) -> bool:
    return max(first[0], second[0]) < min(first[1], second[1])
