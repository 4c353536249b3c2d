"""Includes and images that do not resolve to a file of the workshop (``check_workshop`` does the xrefs).

Targets follow Antora's resource ids: ``partial$file.adoc``, ``module:partial$file.adoc``,
``component:module:image$file.png``, or, without a family, a path relative to the including file
(includes) or to the module's ``images/`` (images). Attribute references are resolved first; a
target still holding one, a URL, or another component's resource is not checked here (URLs of
images are checked as links).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass

from workshop_template_system.validation.report import Finding
from workshop_template_system.validation.workshop_files import AdocFile, substitute
from workshop_template_system.workshop.showroom.scanner import without_passthroughs

_INCLUDE = re.compile(r"^include::([^\[\s][^\[]*)\[.*\]$")
_IMAGE = re.compile(r"(?<![\w\\:])image:(:?)([^\s\[:][^\s\[]*)\[")
_FAMILIES = {
    "page": "pages",
    "partial": "partials",
    "example": "examples",
    "image": "images",
    "attachment": "attachments",
}


@dataclass(frozen=True, slots=True)
class Target:
    """An include or image reference: what it names, resolved, and where it is."""

    kind: str
    target: str
    file: str
    line: int


def check_references(file: AdocFile, counts: Counter[str], external: list[Target]) -> list[Finding]:
    """Findings for includes and images of ``file`` with no file behind them; ``counts`` counts those checked,
    ``external`` receives images given by URL (they are checked as links)."""
    findings: list[Finding] = []
    for line, attributes in file.attributed_lines():
        if line.kind == "comment":
            continue
        targets = []
        if match := _INCLUDE.match(line.text):
            targets.append(("include", match.group(1)))
        if line.kind == "text":
            targets += [("image", match.group(2)) for match in _IMAGE.finditer(without_passthroughs(line.text))]
        for kind, raw in targets:
            target = substitute(raw, attributes).strip()
            if target.startswith(("http://", "https://")):
                external.append(Target(kind, target, file.path, line.number))
                continue
            if "{" in target or target.startswith("data:"):
                continue
            path = _resolve(target, file, kind)
            if path is None:
                continue
            counts[f"{kind}s"] += 1
            if not (file.component.folder / path).is_file():
                message = f"{kind} target not found: {raw}"
                findings.append(Finding("error", kind, file.path, line.number, message))
    return findings


def _resolve(target: str, file: AdocFile, kind: str) -> str | None:
    """The path of a target relative to its component ('..' when it leaves it); None for another component."""
    rest = target.rsplit("@", 1)[-1]
    if "$" in rest:
        head, relative = rest.split("$", 1)
        *coordinates, family = head.split(":")
    else:
        *coordinates, relative = rest.split(":")
        family = None
    if len(coordinates) > 2:
        return None
    module = file.module
    if len(coordinates) == 2:
        if coordinates[0] and coordinates[0] != file.component.name:
            return None
        module = coordinates[1] or "ROOT"
    elif coordinates:
        module = coordinates[0] or module
    if family is None and kind == "include" and not coordinates:
        return posixpath.normpath(posixpath.join(str(file.folder), relative))
    folder = _FAMILIES.get(family or "image")
    if folder is None:
        return None
    return posixpath.normpath(posixpath.join("modules", module, folder, relative.lstrip("/")))
