"""Reads reStructuredText (the basics Sphinx pages and READMEs use) into a `Document`.

Section titles are underlined (optionally overlined); their level follows the order in which each
adornment style first appears, as in docutils. Code comes from ``code-block``/``code``/
``sourcecode`` directives and from ``::`` literal blocks; other directives are skipped, except
admonitions, whose text is read as paragraphs.
"""

from __future__ import annotations

import re

from workshop_template_system.workshop.document import Document, DocumentBuilder

_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")
_CODE_DIRECTIVE = re.compile(r"^\.\.\s+(?:code-block|code|sourcecode|prompt)::\s*([\w+-]*)")
_ADMONITION = re.compile(r"^\.\.\s+(?:note|tip|important|warning|caution|hint|attention)::\s*(.*)$")
_DIRECTIVE_OR_COMMENT = re.compile(r"^\.\.(\s|$)")
_ITEM = re.compile(r"^\s*(?:[-*+]|#\.|\d+\.)\s+(.*)$")


def read_rst(path: str, text: str) -> Document:
    """The page's title (the first section title), sections, paragraphs, lists and code blocks."""
    builder = DocumentBuilder(path)
    lines = text.splitlines()
    styles: list[tuple[str, bool]] = []
    literal_next = False
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        following = lines[index + 1].rstrip() if index + 1 < len(lines) else ""
        if _ADORNMENT.match(line) and index + 2 < len(lines) and _ADORNMENT.match(lines[index + 2].rstrip()):
            _title(builder, styles, lines[index + 1], (line[0], True))
            index += 3
        elif line.strip() and not line[:1].isspace() and _underlines(following, line):
            _title(builder, styles, line, (following[0], False))
            index += 2
        elif code := _CODE_DIRECTIVE.match(line):
            body, index = _indented(lines, index + 1)
            builder.code(code.group(1), "\n".join(body))
        elif admonition := _ADMONITION.match(line):
            builder.flush()
            if admonition.group(1):
                builder.line(admonition.group(1))
            body, index = _indented(lines, index + 1)
            for text_line in body:
                builder.line(text_line) if text_line.strip() else builder.flush()
        elif _DIRECTIVE_OR_COMMENT.match(line):
            builder.flush()
            index = _indented(lines, index + 1)[1]
        elif literal_next and line[:1].isspace():
            body, index = _indented(lines, index)
            builder.code("", "\n".join(body))
            literal_next = False
        else:
            index += 1
            if not line.strip():
                builder.flush()
                continue
            literal_next = line.endswith("::")
            if item := _ITEM.match(line):
                builder.item(_literal_marker(item.group(1)))
            elif not (line[:1].isspace() and builder.continue_item(line)):
                builder.line(_literal_marker(line))
    return builder.build()


def _title(builder: DocumentBuilder, styles: list[tuple[str, bool]], text: str, style: tuple[str, bool]) -> None:
    if style not in styles:
        styles.append(style)
    builder.heading(styles.index(style) + 1, text.strip())


def _underlines(candidate: str, text: str) -> bool:
    return bool(_ADORNMENT.match(candidate)) and len(candidate.strip()) >= min(len(text.strip()), 3)


def _indented(lines: list[str], index: int) -> tuple[list[str], int]:
    """The indented block starting at `index` (options and leading blank lines skipped), dedented."""
    while index < len(lines) and (not lines[index].strip() or lines[index].strip().startswith(":")):
        if lines[index].strip() and not lines[index][:1].isspace():
            return [], index
        index += 1
    body: list[str] = []
    while index < len(lines) and (not lines[index].strip() or lines[index][:1].isspace()):
        body.append(lines[index])
        index += 1
    while body and not body[-1].strip():
        body.pop()
    margin = min((len(line) - len(line.lstrip()) for line in body if line.strip()), default=0)
    return [line[margin:] for line in body], index


def _literal_marker(text: str) -> str:
    """``Run this::`` introduces a literal block and reads as ``Run this:``."""
    if text.endswith(" ::"):
        return text[:-3]
    return text[:-1] if text.endswith("::") else text
