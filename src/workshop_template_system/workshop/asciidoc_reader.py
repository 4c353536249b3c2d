"""Reads AsciiDoc (the parts READMEs and Showroom pages use) into a `Document`.

Headings (``= Title``, ``== Section``, and Markdown-style ``#``), paragraphs, lists, and listing or
literal blocks with their ``[source,lang]`` attribute line and ``.Title``. Comments, attribute
entries, includes, block images and tables are skipped; example, sidebar and quote delimiters are
dropped and their content read as usual.
"""

from __future__ import annotations

import re

from workshop_template_system.workshop.document import Document, DocumentBuilder

_HEADING = re.compile(r"^(={1,6}|#{1,6})\s+(\S.*?)\s*$")
_ATTRIBUTES = re.compile(r"^\[([^\]]*)\]\s*$")
_LISTING = re.compile(r"^(-{4,}|\.{4,}|`{3,}\s*[\w+-]*)\s*$")
_ITEM = re.compile(r"^\s*(?:\*{1,5}|-|\.{1,5}|\d+\.)\s+(.*)$")
_SKIPPED_LINE = re.compile(r"^(//|:[\w-]+!?:|include::|image::|toc::|ifdef::|ifndef::|endif::|ifeval::)")
_DELIMITER = re.compile(r"^(={4,}|\*{4,}|_{4,}|\+{4,}|--)\s*$")
_TABLE = re.compile(r"^\|===\s*$")
_ADMONITION = re.compile(r"^(NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+")


def read_asciidoc(path: str, text: str) -> Document:
    """The page's title (``= Title``), sections, paragraphs, lists and source blocks."""
    builder = DocumentBuilder(path)
    lines = text.splitlines()
    language: str | None = None
    title: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        index += 1
        if line.startswith("////"):
            index = _skip_until(lines, index, line)
        elif _TABLE.match(line):
            builder.flush()
            index = _skip_until(lines, index, "|===")
        elif attributes := _ATTRIBUTES.match(line):
            builder.flush()
            language = _source_language(attributes.group(1))
        elif line.startswith(".") and len(line) > 1 and not line[1].isspace() and not line.startswith(".."):
            builder.flush()
            title = line[1:].strip()
        elif listing := _LISTING.match(line):
            delimiter = listing.group(1)
            fence_language = delimiter.lstrip("`").strip() if delimiter.startswith("`") else ""
            end = "```" if delimiter.startswith("`") else delimiter
            body, index = _block(lines, index, end)
            builder.code(fence_language or language or "", "\n".join(body), title)
            language = title = None
        elif heading := _HEADING.match(line):
            builder.heading(len(heading.group(1)), heading.group(2))
            language = title = None
        elif not line.strip() or _SKIPPED_LINE.match(line) or _DELIMITER.match(line):
            builder.flush()
        elif item := _ITEM.match(line):
            builder.item(item.group(1))
        elif line == "+" or (line[:1].isspace() and builder.continue_item(line)):
            continue
        else:
            builder.line(_ADMONITION.sub("", line))
    return builder.build()


def _source_language(attributes: str) -> str | None:
    """``source,bash,role=execute`` or ``,bash`` → ``bash``; other attribute lines → None."""
    names = [part.strip() for part in attributes.split(",")]
    if names and names[0] in ("source", "") and len(names) > 1 and "=" not in names[1]:
        return names[1]
    return None


def _block(lines: list[str], index: int, delimiter: str) -> tuple[list[str], int]:
    body: list[str] = []
    while index < len(lines) and lines[index].rstrip() != delimiter:
        body.append(lines[index])
        index += 1
    return body, index + 1


def _skip_until(lines: list[str], index: int, delimiter: str) -> int:
    return _block(lines, index, delimiter)[1]
