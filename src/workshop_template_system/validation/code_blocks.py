"""Source blocks of a page and their syntax, checked by language; each problem at its line on the page.

Blocks are found from the scanner's reading of the page (`scanner.scan`): a listing (``----``), a
fenced (````` ```lang `````), a literal or open block styled ``source``, or a source paragraph, whose
language is the second positional attribute (``[source,bash]``, ``[,yaml]``) or the fence's.
Before checking, callouts (``<1>``) are removed, and in a block that substitutes attributes
(``subs="attributes"``) each reference like ``{user}`` becomes a safe word (``user``), since the learner
sees a value there, not the braces.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from workshop_template_system.validation.report import Finding
from workshop_template_system.validation.syntax import CHECKERS, LANGUAGES
from workshop_template_system.validation.workshop_files import AdocFile
from workshop_template_system.workshop.showroom.asciidoc import ATTRIBUTE_REFERENCE
from workshop_template_system.workshop.showroom.scanner import Line

_VERBATIM_DELIMITER = re.compile(r"^(-{4,}|\.{4,}|`{3}([\w+#.-]*)|--)$")
_BLOCK_TITLE = re.compile(r"^\.[^\s.]")
_CALLOUTS = re.compile(r"(?:[ \t]*(?://|#|--|;;)?[ \t]*<(?:\d+|\.)>|[ \t]*<!--(?:\d+|\.)-->)+[ \t]*$")
_POSITIONAL = re.compile(r"""\s*("[^"]*"|'[^']*'|[^,]*)\s*(?:,|$)""")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A source block: its language (lower case), first content line on the page, text, and substitutions."""

    language: str
    line: int
    text: str
    attributes: bool
    """Asciidoctor replaces attribute references in it (``subs`` includes ``attributes``)."""


def code_blocks(lines: list[Line], raw: list[str]) -> Iterator[CodeBlock]:
    """The source blocks with a language among the scanned ``lines`` of a page (``raw``: its text lines)."""
    pending: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.kind == "attrlist":
            pending.append(line.text)
        elif line.kind in ("comment", "directive") or (line.kind == "text" and _BLOCK_TITLE.match(line.text)):
            pass  # neither ends the block attributes waiting for their block
        elif (
            line.kind == "structure"
            and (delimiter := _VERBATIM_DELIMITER.match(line.text))
            and (line.text != "--" or _language(pending))  # an open block is a source block only when styled so
        ):
            end = _closing(lines, index, "```" if line.text.startswith("```") else line.text)
            if language := delimiter.group(2) or _language(pending):
                body = lines[index + 1 : end]
                last = lines[end].number - 1 if end < len(lines) else len(raw)
                text = "\n".join(raw[line.number : last])
                yield CodeBlock(language.lower(), line.number + 1, text, any(b.kind == "substituted" for b in body))
            pending, index = [], end + 1
            continue
        elif line.kind in ("verbatim", "substituted") and (language := _language(pending)):
            end = index
            while (
                end + 1 < len(lines)
                and lines[end + 1].kind == line.kind
                and lines[end + 1].number == lines[end].number + 1
            ):
                end += 1
            text = "\n".join(raw[line.number - 1 : lines[end].number])
            yield CodeBlock(language.lower(), line.number, text, line.kind == "substituted")
            pending, index = [], end + 1
            continue
        else:
            pending = []
        index += 1


def check_blocks(file: AdocFile, languages: Counter[str]) -> list[Finding]:
    """Findings for the checkable source blocks of ``file``; ``languages`` counts the blocks checked."""
    findings: list[Finding] = []
    for block in code_blocks(file.lines, file.raw_lines()):
        kind = LANGUAGES.get(block.language)
        if kind is None:
            continue
        languages[kind] += 1
        last = block.text.count("\n") + 1
        for offset, message in CHECKERS[kind](prepared(block)):
            line = block.line if offset is None else block.line + min(max(offset, 1), last) - 1
            findings.append(Finding("error", f"code-{kind}", file.path, line, f"{block.language} block: {message}"))
    return findings


def prepared(block: CodeBlock) -> str:
    """The block's text as the learner copies it: no callouts, attribute references as safe words."""
    text = "\n".join(_CALLOUTS.sub("", line) for line in block.text.split("\n"))
    if block.attributes:
        text = ATTRIBUTE_REFERENCE.sub(_safe_word, text)
    return text


def _safe_word(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(0)[1:]
    return re.sub(r"[^\w-]", "_", match.group(2))


def _closing(lines: list[Line], start: int, delimiter: str) -> int:
    """The index of the line closing the block opened at ``start`` (``len(lines)`` when it is never closed)."""
    for index in range(start + 1, len(lines)):
        if lines[index].kind == "structure" and lines[index].text == delimiter:
            return index
    return len(lines)


def _language(attribute_lines: list[str]) -> str | None:
    """The language of ``[source,lang]``, ``[,lang]`` or ``[source,language=lang]``, from the last that has one."""
    language = None
    for text in attribute_lines:
        body = text[1:-1]
        if body.startswith("["):
            continue  # an anchor: [[id]]
        positional = [value.strip("\"'") for value in _POSITIONAL.findall(body)]
        named = dict(value.split("=", 1) for value in positional if "=" in value)
        style = re.split(r"[#.%]", positional[0], maxsplit=1)[0] if positional else ""
        if named.get("language"):
            language = named["language"].strip("\"'")
        elif style in ("source", "") and len(positional) > 1 and positional[1] and "=" not in positional[1]:
            language = positional[1]
    return language
