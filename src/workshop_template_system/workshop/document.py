"""A documentation page read into sections of paragraphs, lists and code blocks.

The readers (`markdown_reader`, `asciidoc_reader`, `rst_reader`) feed a `DocumentBuilder`; the
result is the same shape whatever the markup, so the outline builder treats a README.md, a
README.adoc, an MkDocs page, a Sphinx page and a Showroom page alike. Paragraph text is plain:
inline markup is removed, `code` keeps its backticks, a link keeps its URL when it is absolute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Paragraph:
    text: str


@dataclass
class ListBlock:
    items: list[str]


@dataclass
class CodeBlock:
    language: str
    code: str
    title: str | None = None


Block = Paragraph | ListBlock | CodeBlock


@dataclass
class Section:
    """A heading (level 1 is the page title's level) and the blocks up to the next heading."""

    title: str
    level: int
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """A page: its title, the blocks before its first section, and its sections in order (flat)."""

    path: str
    title: str | None
    intro: list[Block]
    sections: list[Section]

    def paragraphs(self) -> list[str]:
        """Every paragraph of the page, in order."""
        blocks = [*self.intro, *(block for section in self.sections for block in section.blocks)]
        return [block.text for block in blocks if isinstance(block, Paragraph)]


class DocumentBuilder:
    """Collects headings and blocks in reading order; the first level-1 heading becomes the title."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.title: str | None = None
        self.intro: list[Block] = []
        self.sections: list[Section] = []
        self._paragraph: list[str] = []
        self._list: list[str] = []

    def heading(self, level: int, title: str) -> None:
        self.flush()
        text = plain_text(title)
        if level == 1 and self.title is None and not self.sections:
            self.title = text
        else:
            self.sections.append(Section(text, level))

    def line(self, text: str) -> None:
        """A line of paragraph text (a list in progress ends)."""
        self._flush_list()
        self._paragraph.append(text.strip())

    def item(self, text: str) -> None:
        """A new list item."""
        self._flush_paragraph()
        self._list.append(text.strip())

    def continue_item(self, text: str) -> bool:
        """Add a continuation line to the current list item; False when no list is open."""
        if not self._list:
            return False
        self._list[-1] = f"{self._list[-1]} {text.strip()}"
        return True

    def code(self, language: str, code: str, title: str | None = None) -> None:
        self.flush()
        self._blocks().append(CodeBlock(language.lower(), code.rstrip("\n"), title))

    def flush(self) -> None:
        self._flush_paragraph()
        self._flush_list()

    def build(self) -> Document:
        self.flush()
        return Document(self.path, self.title, self.intro, self.sections)

    def _blocks(self) -> list[Block]:
        return self.sections[-1].blocks if self.sections else self.intro

    def _flush_paragraph(self) -> None:
        if self._paragraph:
            text = plain_text(" ".join(self._paragraph))
            if text:
                self._blocks().append(Paragraph(text))
            self._paragraph = []

    def _flush_list(self) -> None:
        if self._list:
            items = [text for text in (plain_text(item) for item in self._list) if text]
            if items:
                self._blocks().append(ListBlock(items))
            self._list = []


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\bimage::?[^\s\[]*\[[^\]]*\]")
_EMPTY_LINK = re.compile(r"\[\s*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_ADOC_LINK = re.compile(r"\b(?:link:)?(https?://[^\s\[]+)\[([^\]]*)\]")
_ADOC_XREF = re.compile(r"\bxref:([^\[\s]+)\[([^\]]*)\]|<<([^,>]+)(?:,\s*([^>]*))?>>")
_RST_LINK = re.compile(r"`([^`<]+?)\s*<([^>]+)>`__?")
_RST_ROLE = re.compile(r":[a-z:]+:`([^`]+)`")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|(?<![\w`])_)(?=\S)(.+?)(?<=\S)\1")
_RST_LITERAL = re.compile(r"``([^`]+)``")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def plain_text(text: str) -> str:
    """Inline markup removed: images dropped, links to their text (with the URL when absolute)."""
    text = _EMPTY_LINK.sub("", _IMAGE.sub("", text))
    text = _MD_LINK.sub(_link, text)
    text = _ADOC_LINK.sub(lambda m: _shown_link(m.group(2), m.group(1)), text)
    text = _ADOC_XREF.sub(_xref_text, text)
    text = _RST_LINK.sub(lambda m: _shown_link(m.group(1), m.group(2)), text)
    text = _RST_ROLE.sub(r"`\1`", text)
    text = _RST_LITERAL.sub(r"`\1`", text)
    text = "".join(
        part if part.startswith("`") else _EMPHASIS.sub(r"\2", _HTML_TAG.sub("", part))
        for part in _CODE_SPAN.split(text)  # `<id>` and `__init__` in code spans are code, not markup
    )
    return re.sub(r"\s+", " ", text).strip()


def _xref_text(match: re.Match[str]) -> str:
    """An xref's text, else its target page's name (``xref:deploy.adoc[]`` → ``deploy``)."""
    label = (match.group(2) or match.group(4) or "").strip()
    target = match.group(1) or match.group(3) or ""
    return label or target.split("#")[0].rsplit(":", 1)[-1].removesuffix(".adoc") or target


def _link(match: re.Match[str]) -> str:
    return _shown_link(match.group(1), match.group(2))


def _shown_link(label: str, url: str) -> str:
    label = label.strip()
    if not url.startswith(("http://", "https://")) or label == url:
        return label or url
    return f"{label} ({url})" if label else url
