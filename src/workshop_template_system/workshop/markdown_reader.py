"""Reads Markdown (CommonMark/GitHub flavour, the parts documentation uses) into a `Document`."""

from __future__ import annotations

import re

from workshop_template_system.workshop.document import Document, DocumentBuilder

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*\{?\.?([\w+#.-]*)")
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def read_markdown(path: str, text: str) -> Document:
    """The page's title (first ``#`` heading), sections, paragraphs, lists and fenced code blocks."""
    builder = DocumentBuilder(path)
    lines = _without_front_matter(text.splitlines())
    pending: list[str] = []  # paragraph lines not yet given to the builder: the next line may make them a heading
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if fence := _FENCE.match(line):
            _give(builder, pending)
            index = _code(builder, lines, index, fence)
        elif "|" in line and index < len(lines) and _TABLE_DELIMITER.match(lines[index]):
            _give(builder, pending)
            index = _table(builder, lines, index + 1)
        elif heading := _ATX.match(line):
            _give(builder, pending)
            builder.heading(len(heading.group(1)), heading.group(2))
        elif _SETEXT.match(line) and len(pending) == 1:
            builder.heading(1 if line.strip().startswith("=") else 2, pending.pop())
        elif not line.strip() or _RULE.match(line):
            _give(builder, pending)
            builder.flush()
        elif line.lstrip().startswith("<!--"):
            _give(builder, pending)
            while "-->" not in line and index < len(lines):
                line = lines[index]
                index += 1
        elif item := _ITEM.match(line):
            _give(builder, pending)
            builder.item(item.group(1))
        elif line[:1].isspace() and not pending and builder.continue_item(line):
            continue
        else:
            pending.append(line.lstrip("> ").strip() if line.lstrip().startswith(">") else line)
    _give(builder, pending)
    return builder.build()


def _give(builder: DocumentBuilder, pending: list[str]) -> None:
    for line in pending:
        builder.line(line)
    pending.clear()


def _code(builder: DocumentBuilder, lines: list[str], index: int, fence: re.Match[str]) -> int:
    """Read a fenced block that opened on the line before `index`; the index after its closing fence."""
    indent, marker, language = len(fence.group(1)), fence.group(2), fence.group(3)
    closing = re.compile(rf"^\s*{re.escape(marker[0])}{{{len(marker)},}}\s*$")
    body: list[str] = []
    while index < len(lines) and not closing.match(lines[index]):
        line = lines[index]
        body.append(line[indent:] if not line[:indent].strip() else line.lstrip())
        index += 1
    builder.code(language, "\n".join(body))
    return index + 1


def _table(builder: DocumentBuilder, lines: list[str], index: int) -> int:
    """A pipe table (its header already read) as a list, one item per row: "first cell — the other cells"."""
    while index < len(lines) and "|" in lines[index] and lines[index].strip():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", lines[index].strip().strip("|"))]
        cells = [cell.replace("\\|", "|") for cell in cells if cell]
        if cells:
            builder.item(cells[0] if len(cells) == 1 else f"{cells[0]} — {'; '.join(cells[1:])}")
        index += 1
    builder.flush()
    return index


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for index in range(1, min(len(lines), 100)):
            if lines[index].strip() in ("---", "..."):
                return lines[index + 1 :]
    return lines
