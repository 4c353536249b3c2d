"""A workshop's pages split into section chunks: what the chat index embeds, searches and cites.

Each level 1 or level 2 section (``==``, ``===``) of a page is a chunk, and so is the text before the
first section; deeper sections stay inside their parent. A chunk keeps its page, section title, and
anchor: the section's explicit id (``[#id]``, ``[[id]]``) or the id Asciidoctor generates for it,
computed by the Showroom checks' own rules. The body is plain text in a Markdown-like form:
paragraphs, list items, and code blocks kept whole in fences, with the workshop's attributes
substituted where Asciidoctor substitutes them. A long section is split between blocks into parts.

A chunk's id is a hash of everything stored about it, so indexing unchanged content again finds
the same ids, and a changed section gets a new id under the same `Chunk.key`.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from workshop_template_system.rag.content import Page, WorkshopContent, substitute
from workshop_template_system.workshop.showroom.scanner import Line, attrlist_ids, auto_id, entry, scan, unique_id

MAX_PART_CHARS = 1500
"""About 350 tokens: a part the embedding model reads whole (it reads 256 tokens of longer ones)."""

_TITLE = re.compile(r"^(?:=|#){1,6}[ \t]+(\S.*?)\s*$")
_TITLE_ANCHOR = re.compile(r"\s*\[\[([^\W\d][\w\-:.]*)(?:,[^\]]*)?\]\]\s*$")
_VERBATIM_OPENING = re.compile(r"^(-{4,}|\.{4,}|`{3}([\w+#.-]*))$")
_PASS_DELIMITER = re.compile(r"^\+{4,}$")
_LIST_ITEM = re.compile(r"^\s*(\*+|-|\.+|\d+\.)\s+(.*)$")
_DESCRIPTION = re.compile(r"^(.+?)(::|;;)(?:\s+(.*))?$")
_ADMONITION = re.compile(r"^(NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+(.*)$")
_BLOCK_TITLE = re.compile(r"^\.([^\s.].*)$")
_BLOCK_MACRO = re.compile(r"^(?:image|video|audio|toc)::")
_SOURCE_STYLE = re.compile(r"^\[(?:source)?,\s*([\w+#.-]+)")
_COLUMNS = re.compile(r"cols=\"?([^\"\]]*)")
_TABLE = re.compile(r"^[|,:!]===$")
_XREF = re.compile(r"xref:([^\s\[]+)\[([^\]]*)\]")
_ANGLE_XREF = re.compile(r"<<([^>,]+)(?:,\s*([^>]*))?>>")
_URL_MACRO = re.compile(r"(?:link:)?((?:https?|mailto|ftp)://[^\s\[]+|(?<=link:)[^\s\[]+)\[([^\]]*)\]")
_MENU = re.compile(r"menu:([^\[]+)\[([^\]]*)\]")
_INLINE_MACRO = re.compile(
    r"\b(?:kbd|btn|pass|footnote|icon|image|indexterm2?|anchor|stem|latexmath|asciimath):\S*?\[([^\]]*)\]"
)
_INLINE_ANCHOR = re.compile(r"\[\[[^\]]*\]\]")
_ROLE = re.compile(r"\[[.#][^\]]*\]#(.*?)#")
_PASSTHROUGH = re.compile(r"\+\+\+(.*?)\+\+\+|\$\$(.*?)\$\$")
_LITERAL_CODE = re.compile(r"`\+(.+?)\+`")
_STRONG = re.compile(r"(?<![\w*])\*{1,2}(\S|\S.*?\S)\*{1,2}(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w_])_{1,2}(\S|\S.*?\S)_{1,2}(?![\w_])")
_MARK = re.compile(r"(?<![\w#])#(\S|\S.*?\S)#(?![\w#])")


@dataclass(frozen=True)
class Chunk:
    """One section (or part of one) of a workshop page, as stored and cited."""

    workshop: str
    workshop_title: str
    page: str
    """The Antora page id within the component: ``setup.adoc``, ``appendix:faq.adoc``."""
    page_title: str
    module: str
    title: str
    """The section's title; the page's title for the text before its first section."""
    anchor: str
    """The section's id; empty for the top of the page."""
    part: int
    heading: str
    """Where the chunk is, for people and for search: ``Page title — Section — Subsection``."""
    body: str
    url: str | None

    @property
    def key(self) -> str:
        """Where the chunk is: the same key across versions of the content, so a change is an update."""
        return f"{self.page}#{self.anchor}#{self.part}"

    @property
    def text(self) -> str:
        """What is searched and embedded: the heading, then the body."""
        return f"{self.heading}\n\n{self.body}"

    @property
    def id(self) -> str:
        """A hash of everything stored about the chunk: unchanged content keeps its id."""
        fields = [self.workshop, self.workshop_title, self.page, self.anchor, self.part, self.page_title]
        fields += [self.module, self.title]
        fields += [self.heading, self.body, self.url]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()[:32]

    def metadata(self) -> dict[str, object]:
        """The fields a citation needs, stored beside the text."""
        return {
            "workshop_title": self.workshop_title,
            "page_title": self.page_title,
            "module": self.module,
            "title": self.title,
            "anchor": self.anchor,
            "part": self.part,
            "url": self.url,
        }


def chunk_workshop(workshop: str, content: WorkshopContent) -> list[Chunk]:
    """Every chunk of every page, in reading order."""
    return [chunk for page in content.pages for chunk in chunk_page(workshop, content.title, page, content.attributes)]


def chunk_page(workshop: str, workshop_title: str, page: Page, attributes: Mapping[str, str]) -> list[Chunk]:
    """The page's sections as chunks; sections with no text of their own (only subsections) are left out.

    Parts are numbered per anchor, so sections without an id (``:sectids!:``) still get distinct keys.
    """
    reader = _PageReader(dict(attributes))
    sections = reader.read(scan(page.text))
    page_title = reader.page_title or page.nav_title or page.id.rpartition(":")[2].removesuffix(".adoc")
    chunks = []
    parts: dict[str, int] = {}
    for section in sections:
        title = section.title or page_title
        path = [page.nav_title or page_title]
        path += [page_title] if page_title != path[0] else []
        path += [name for name in (section.parent, section.title) if name and name not in path]
        url = page.url + (f"#{section.anchor}" if section.anchor else "") if page.url else None
        heading = " — ".join(path)
        for body in _parts(section.blocks):
            number = parts[section.anchor] = parts.get(section.anchor, -1) + 1
            chunks.append(
                Chunk(
                    workshop=workshop,
                    workshop_title=workshop_title,
                    page=page.id,
                    page_title=page_title,
                    module=page.module,
                    title=title,
                    anchor=section.anchor,
                    part=number,
                    heading=heading,
                    body=body,
                    url=url,
                )
            )
    return chunks


def _parts(blocks: list[str]) -> Iterator[str]:
    """The blocks joined into parts of about `MAX_PART_CHARS`, split only between blocks."""
    part: list[str] = []
    size = 0
    for block in blocks:
        if part and size + len(block) > MAX_PART_CHARS:
            yield "\n\n".join(part)
            part, size = [], 0
        part.append(block)
        size += len(block) + 2
    if part:
        yield "\n\n".join(part)


@dataclass
class _Section:
    title: str
    anchor: str
    parent: str
    blocks: list[str] = field(default_factory=list)


class _PageReader:
    """Walks a scanned page once: attribute entries, sections and their blocks, in order."""

    def __init__(self, attributes: dict[str, str]) -> None:
        self.attributes = attributes
        self.page_title: str | None = None
        self.sections = [_Section("", "", "")]
        self.taken: set[str] = set()
        self.pending_ids: list[str] = []
        self.language = ""
        self.paragraph: list[str] = []
        self.numbers: dict[int, int] = {}
        self.last_number = 0
        self.parent = ""
        self.table: list[str] | None = None
        self.columns = 0
        self.block_title: str | None = None

    def read(self, lines: list[Line]) -> list[_Section]:
        index = 0
        while index < len(lines):
            line = lines[index]
            if line.number > self.last_number + 1:
                self._end_paragraph()  # a blank line ends a paragraph
            self.last_number = line.number
            index = self._line(lines, index)
        self._end_paragraph()
        self._emit_block_title()
        return [section for section in self.sections if section.blocks]

    def _line(self, lines: list[Line], index: int) -> int:
        """Handle the line at ``index``; the index of the next line to read."""
        line = lines[index]
        if line.kind in ("comment", "directive"):
            return index + 1
        if line.kind == "entry":
            self._entry(line)
        elif line.kind == "attrlist":
            self._end_paragraph()
            self._attrlist(line.text)
            return index + 1
        elif line.kind == "structure":
            self._end_paragraph()
            return self._block(lines, index)
        elif line.kind in ("verbatim", "substituted"):
            self._end_paragraph()
            return self._literal_paragraph(lines, index)
        elif line.section_level is not None:
            self._end_paragraph()
            self._heading(line)
        else:
            self._text(line.text)
        self.pending_ids, self.language = [], ""
        return index + 1

    def _entry(self, line: Line) -> None:
        if parsed := entry(line):
            name, unset, value = parsed
            if unset:
                self.attributes.pop(name, None)
            else:
                self.attributes[name] = substitute(value, self.attributes)

    def _attrlist(self, text: str) -> None:
        ids = attrlist_ids(text)
        self.pending_ids.extend(ids)
        self.taken.update(ids)
        if style := _SOURCE_STYLE.match(text):
            self.language = style.group(1)
        if columns := _COLUMNS.search(text):
            specs = [spec.strip() for spec in columns.group(1).split(",") if spec.strip()]
            counts = [int(spec.split("*")[0]) if re.match(r"\d+\*", spec) else 1 for spec in specs]
            self.columns = sum(counts) if len(specs) > 1 or "*" in columns.group(1) else len(specs)

    def _heading(self, line: Line) -> None:
        match = _TITLE.match(line.text)
        raw = match.group(1) if match else line.text
        anchor_match = _TITLE_ANCHOR.search(raw)
        raw = _TITLE_ANCHOR.sub("", raw)
        title = _inline(substitute(raw, self.attributes))
        level = line.section_level or 0
        self._emit_block_title()
        if level == 0:
            self.page_title = self.page_title or title
            return
        if level > 2:
            self.sections[-1].blocks.append(f"#### {title}")
            return
        anchor = self._section_id(raw, anchor_match.group(1) if anchor_match else None)
        if level == 1:
            self.parent = title
        self.sections.append(_Section(title, anchor, self.parent if level == 2 else ""))
        self.numbers.clear()

    def _section_id(self, raw_title: str, inline: str | None) -> str:
        """The explicit id, else Asciidoctor's generated one (``sectids``, ``idprefix``, ``idseparator``)."""
        if self.pending_ids or inline:
            anchor = inline or self.pending_ids[-1]
            self.taken.add(anchor)
            return anchor
        if "sectids" not in self.attributes:
            return ""
        prefix = self.attributes.get("idprefix", "_")
        separator = self.attributes.get("idseparator", "_")
        anchor = unique_id(auto_id(raw_title, self.attributes, prefix, separator), self.taken, separator)
        self.taken.add(anchor)
        return anchor

    def _block(self, lines: list[Line], index: int) -> int:
        """A delimited block: a verbatim one becomes a code fence; other delimiters only open and close."""
        opening = lines[index].text
        if _TABLE.match(opening):
            self._table_delimiter()
            return index + 1
        verbatim = _VERBATIM_OPENING.match(opening)
        if not (verbatim or _PASS_DELIMITER.match(opening)):
            return index + 1  # example, sidebar, open and table blocks: their content is read as usual
        closing = "```" if opening.startswith("```") else opening
        end = index + 1  # the scanner never marks a line inside a verbatim block as structure
        while end < len(lines) and not (lines[end].kind == "structure" and lines[end].text == closing):
            end += 1
        content = lines[index + 1 : end]
        if verbatim and content:  # a passthrough block is raw HTML: nothing to read
            fence_language = verbatim.group(2) if opening.startswith("```") else None
            self._code(content, fence_language or self.language)
        self.pending_ids, self.language = [], ""
        self.last_number = lines[min(end, len(lines) - 1)].number
        return end + 1

    def _literal_paragraph(self, lines: list[Line], index: int) -> int:
        end = index
        while (
            end + 1 < len(lines)
            and lines[end + 1].kind == lines[index].kind
            and lines[end + 1].number == lines[end].number + 1
        ):
            end += 1
        self._code(lines[index : end + 1], self.language)
        self.pending_ids, self.language = [], ""
        self.last_number = lines[end].number
        return end + 1

    def _code(self, content: list[Line], language: str) -> None:
        """A code block kept whole, blank lines included, attributes substituted where the block asks."""
        texts: list[str] = []
        previous = content[0].number - 1
        for line in content:
            texts.extend([""] * (line.number - previous - 1))
            texts.append(substitute(line.text, self.attributes) if line.kind == "substituted" else line.text)
            previous = line.number
        code = "\n".join(texts).strip("\n")
        if code.strip():
            self._emit_block_title()
            self.sections[-1].blocks.append(f"```{language}\n{code}\n```")

    def _text(self, text: str) -> None:
        """A line of a paragraph, list, admonition, table or block title."""
        text = substitute(text, self.attributes)
        stripped = text.strip()
        if _BLOCK_MACRO.match(stripped):
            return
        if (title := _BLOCK_TITLE.match(stripped)) and not self.paragraph:
            self._emit_block_title()
            self.block_title = _inline(title.group(1))  # it leads the paragraph it titles
            return
        if item := _LIST_ITEM.match(text):
            self._end_paragraph(keep_numbers=True)
            self._emit_block_title()
            self.paragraph = [self._item_marker(item.group(1)) + _inline(item.group(2))]
            return
        if self.table is not None:
            cells = [_inline(cell.strip()) for cell in stripped.removeprefix("|").split("|")]
            if not self.table and not self.columns and stripped.startswith("|"):
                self.columns = len(cells)
            self.table.extend(cells)
            return
        if not self.paragraph and (admonition := _ADMONITION.match(stripped)):
            stripped = f"{admonition.group(1).capitalize()}: {admonition.group(2)}"
        elif not self.paragraph and (description := _DESCRIPTION.match(stripped)) and "://" not in stripped:
            stripped = f"{description.group(1)}: {description.group(3) or ''}".rstrip()
        self.paragraph.append(_inline(stripped.removesuffix(" +")))

    def _table_delimiter(self) -> None:
        """Open a table, or close it: its cells become one line per row."""
        if self.table is None:
            self._emit_block_title()
            self.table = []
            return
        width = max(self.columns, 1)
        rows = [self.table[start : start + width] for start in range(0, len(self.table), width)]
        text = "\n".join(" | ".join(row) for row in rows)
        if text.strip():
            self.sections[-1].blocks.append(text)
        self.table, self.columns = None, 0

    def _item_marker(self, marker: str) -> str:
        depth = len(marker) if marker[0] in "*." else 1
        indent = "  " * (depth - 1)
        if marker[0] in "*-":
            return f"{indent}- "
        for deeper in [level for level in self.numbers if level > depth]:
            del self.numbers[deeper]
        self.numbers[depth] = self.numbers.get(depth, 0) + 1
        return f"{indent}{self.numbers[depth]}. "

    def _emit_block_title(self) -> None:
        """A block title that leads no paragraph (it titles code, a list or a table) is a line of its own."""
        if self.block_title:
            self.sections[-1].blocks.append(self.block_title + ":")
        self.block_title = None

    def _end_paragraph(self, *, keep_numbers: bool = False) -> None:
        if self.paragraph:
            blocks = self.sections[-1].blocks
            text = " ".join(part for part in self.paragraph if part)
            if self.block_title and not _LIST_ITEM.match(text):
                text, self.block_title = f"{self.block_title}: {text}", None
            if _LIST_ITEM.match(text) and blocks and _LIST_ITEM.match(blocks[-1].rpartition("\n")[2]):
                blocks[-1] += "\n" + text  # the items of one list stay together
            else:
                blocks.append(text)
            self.paragraph = []
            if not keep_numbers and not _LIST_ITEM.match(self.sections[-1].blocks[-1]):
                self.numbers.clear()


def _inline(text: str) -> str:
    """AsciiDoc inline markup as plain text: link text kept, formatting marks and anchors removed."""
    text = _PASSTHROUGH.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _LITERAL_CODE.sub(r"`\1`", text)
    text = _XREF.sub(lambda m: m.group(2) or m.group(1).rpartition("#")[0].removesuffix(".adoc"), text)
    text = _ANGLE_XREF.sub(lambda m: m.group(2) or m.group(1), text)
    text = _URL_MACRO.sub(lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _MENU.sub(lambda m: " > ".join([m.group(1), *(p.strip() for p in m.group(2).split(">") if p.strip())]), text)
    text = _INLINE_MACRO.sub(r"\1", text)
    text = _INLINE_ANCHOR.sub("", text)
    text = _ROLE.sub(r"\1", text)
    text = _STRONG.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _MARK.sub(r"\1", text)
    return html.unescape(text).strip()
