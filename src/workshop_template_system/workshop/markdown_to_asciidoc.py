"""Markdown to AsciiDoc, for tutorial pages that become Showroom pages.

Converts what tutorials use: ATX and setext headings, paragraphs, nested bullet and numbered lists,
fenced code (``[source,<lang>]`` listings), block quotes and GitHub/MkDocs admonitions, pipe
tables, horizontal rules, images, links (a relative ``.md`` link becomes an ``xref`` to the
``.adoc`` page), inline code (passed through literally), bold and italic. Text that AsciiDoc would
read as an attribute reference (``{name}``) is escaped, so a converted page never refers to an
undefined attribute. HTML comments become comment blocks; front matter is dropped.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*\{?\.?([\w+#.-]*)")
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$")
_TABLE_DIVIDER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_GITHUB_ADMONITION = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$", re.IGNORECASE)
_MKDOCS_ADMONITION = re.compile(r"^(!!!|\?\?\?\+?)\s+(\w+)(?:\s+\"([^\"]*)\")?\s*$")
_ADMONITION_KINDS = {"note": "NOTE", "tip": "TIP", "hint": "TIP", "important": "IMPORTANT", "warning": "WARNING"}
_ADMONITION_KINDS |= {"caution": "CAUTION", "danger": "CAUTION", "info": "NOTE", "success": "TIP", "example": "NOTE"}

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_ATTRIBUTE = re.compile(r"\{([\w-]+)\}")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\*)|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_HTML_TAG = re.compile(r"</?(?:br|p|div|span|b|i|em|strong|sup|sub|kbd|details|summary)\b[^>]*>", re.IGNORECASE)
_STASHED = re.compile("\x00(\\d+)\x00")
_ESCAPED_BAR = "\\|"  # a | inside a table cell


def markdown_to_asciidoc(markdown: str) -> str:
    """The AsciiDoc for a Markdown page (ends with one newline)."""
    return _Converter(markdown).convert()


class _Converter:
    """A line-by-line pass that keeps what the previous lines opened (a list, a paragraph, a quote)."""

    def __init__(self, markdown: str) -> None:
        self.lines = _without_front_matter(markdown.splitlines())
        self.index = 0
        self.out: list[str] = []
        self.list_indents: list[int] = []
        self.list_kinds: list[str] = []
        self.paragraph = False

    def convert(self) -> str:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            self._line(line)
        text = "\n".join(self.out).strip("\n")
        return re.sub(r"\n{3,}", "\n\n", text) + "\n"

    def _line(self, line: str) -> None:
        following = self.lines[self.index] if self.index < len(self.lines) else ""
        if fence := _FENCE.match(line):
            self._code(fence)
        elif heading := _ATX.match(line):
            self._block(f"{'=' * len(heading.group(1))} {_inline(heading.group(2))}")
        elif line.strip() and not self.paragraph and _SETEXT.match(following) and not _ITEM.match(line):
            self.index += 1
            self._block(f"{'=' if following.strip().startswith('=') else '=='} {_inline(line.strip())}")
        elif not line.strip():
            self._end_paragraph()
        elif _RULE.match(line):
            self._block("'''")
        elif line.lstrip().startswith("<!--"):
            self._comment(line)
        elif line.lstrip().startswith(">"):
            self._quote(line)
        elif admonition := _MKDOCS_ADMONITION.match(line.strip()):
            self._mkdocs_admonition(admonition)
        elif "|" in line and "|" in following and _TABLE_DIVIDER.match(following):
            self._table(line)
        elif item := _ITEM.match(line):
            self._item(item)
        elif line[:1].isspace() and self.list_indents:
            self._attach()
            self.out.append(_inline(line.strip()))
        else:
            self._text(line)

    def _block(self, text: str) -> None:
        """A block that stands alone: blank lines around it, any open list or paragraph ended."""
        self._end_paragraph()
        self.list_indents, self.list_kinds = [], []
        self.out.extend(["", text, ""])

    def _end_paragraph(self) -> None:
        if self.paragraph or (self.out and self.out[-1] != ""):
            self.out.append("")
        self.paragraph = False

    def _attach(self) -> None:
        """Attach what follows to the open list item: after a blank line that takes a ``+`` line."""
        if self.out and self.out[-1] == "":
            while self.out and self.out[-1] == "":
                self.out.pop()
            self.out.append("+")
        elif self.out and self.out[-1].startswith(("----", "[source")):
            self.out.append("+")

    def _text(self, line: str) -> None:
        if self.list_indents and not self.paragraph:
            self.list_indents, self.list_kinds = [], []
            self.out.append("")
        if image := re.fullmatch(r"\s*" + _IMAGE.pattern + r"\s*", line):
            self._block(f"image::{image.group(2)}[{_alt(image.group(1))}]")
            return
        self.out.append(_inline(line.strip()))
        self.paragraph = True

    def _item(self, item: re.Match[str]) -> None:
        indent, marker, text = len(item.group(1).expandtabs(4)), item.group(2), item.group(3)
        kind = "*" if marker[0] in "-*+" else "."
        if not self.list_indents:
            self._end_paragraph()
        while self.list_indents and indent < self.list_indents[-1]:
            self.list_indents.pop()
            self.list_kinds.pop()
        if self.list_indents and indent == self.list_indents[-1] and kind != self.list_kinds[-1]:
            # Another kind of list at the same level is a new list: AsciiDoc needs a comment line between them.
            self.out.extend(["", "//", ""])
            self.list_indents.pop()
            self.list_kinds.pop()
        if not self.list_indents or indent > self.list_indents[-1]:
            self.list_indents.append(indent)
            self.list_kinds.append(kind)
        self.out.append(f"{kind * len(self.list_indents)} {_inline(text)}")
        self.paragraph = False

    def _code(self, fence: re.Match[str]) -> None:
        indent, marker, language = len(fence.group(1)), fence.group(2), fence.group(3).lower()
        closing = re.compile(rf"^\s*{re.escape(marker[0])}{{{len(marker)},}}\s*$")
        body: list[str] = []
        while self.index < len(self.lines) and not closing.match(self.lines[self.index]):
            line = self.lines[self.index]
            body.append(line[indent:] if not line[:indent].strip() else line.lstrip())
            self.index += 1
        self.index += 1
        delimiter = "-" * max([4, *(len(line.strip()) + 1 for line in body if set(line.strip()) == {"-"})])
        attributes = f"[source,{language}]" if language else "[source]"
        if self.list_indents:
            self._attach()
            self.out.extend([attributes, delimiter, *body, delimiter])
        else:
            self._block("\n".join([attributes, delimiter, *body, delimiter]))

    def _comment(self, line: str) -> None:
        body = [line.split("<!--", 1)[1]]
        while "-->" not in body[-1] and self.index < len(self.lines):
            body.append(self.lines[self.index])
            self.index += 1
        body[-1] = body[-1].split("-->", 1)[0]
        self._block("\n".join(["////", *(text.rstrip() for text in body if text.strip()), "////"]))

    def _quote(self, line: str) -> None:
        body = [line.lstrip()[1:].removeprefix(" ")]
        while self.index < len(self.lines) and self.lines[self.index].lstrip().startswith(">"):
            body.append(self.lines[self.index].lstrip()[1:].removeprefix(" "))
            self.index += 1
        kind = _GITHUB_ADMONITION.match(body[0].strip())
        inner = markdown_to_asciidoc("\n".join(body[1:] if kind else body)).rstrip("\n")
        if kind:
            self._block(f"[{kind.group(1).upper()}]\n====\n{inner}\n====")
        else:
            self._block(f"____\n{inner}\n____")

    def _mkdocs_admonition(self, admonition: re.Match[str]) -> None:
        body: list[str] = []
        while self.index < len(self.lines) and (
            not self.lines[self.index].strip() or self.lines[self.index].startswith(("    ", "\t"))
        ):
            body.append(self.lines[self.index][4:] if self.lines[self.index].startswith("    ") else "")
            self.index += 1
        kind = _ADMONITION_KINDS.get(admonition.group(2).lower(), "NOTE")
        title = f".{_inline(admonition.group(3))}\n" if admonition.group(3) else ""
        inner = markdown_to_asciidoc("\n".join(body)).rstrip("\n")
        self._block(f"{title}[{kind}]\n====\n{inner}\n====")

    def _table(self, header: str) -> None:
        rows = [_cells(header)]
        self.index += 1  # the divider
        while self.index < len(self.lines) and "|" in self.lines[self.index] and self.lines[self.index].strip():
            rows.append(_cells(self.lines[self.index]))
            self.index += 1
        width = len(rows[0])
        lines = [f'[cols="{width}*",options="header"]', "|==="]
        for number, row in enumerate(rows):
            cells = (row + [""] * width)[:width]
            lines.append(" ".join(f"| {_inline(cell).replace('|', _ESCAPED_BAR)}" for cell in cells))
            if number == 0:
                lines.append("")
        lines.append("|===")
        self._block("\n".join(lines))


def _inline(text: str) -> str:
    """Inline Markdown to AsciiDoc; converted pieces are stashed so later rules do not touch them."""
    stash: list[str] = []

    def keep(converted: str) -> str:
        stash.append(converted)
        return f"\x00{len(stash) - 1}\x00"

    text = _CODE_SPAN.sub(lambda m: keep(_literal(m.group(2).strip())), text)
    text = _HTML_TAG.sub(lambda m: keep(" +") if m.group(0).lower().startswith("<br") else "", text)
    text = _IMAGE.sub(lambda m: keep(f"image:{m.group(2)}[{_alt(m.group(1))}]"), text)
    text = _LINK.sub(lambda m: keep(_link(_inline(m.group(1)), m.group(2))), text)
    text = _AUTOLINK.sub(lambda m: keep(m.group(1)), text)
    text = _ATTRIBUTE.sub(lambda m: keep("\\{" + m.group(1) + "}"), text)
    text = _BOLD.sub(lambda m: keep(f"*{_inline(m.group(2))}*"), text)
    text = _ITALIC.sub(lambda m: keep(f"_{_inline(m.group(1) or m.group(2))}_"), text)
    while _STASHED.search(text):
        text = _STASHED.sub(lambda m: stash[int(m.group(1))], text)
    return text


def _literal(code: str) -> str:
    """Monospace shown exactly as written: no formatting and no attribute references inside."""
    if "+" not in code:
        return f"`+{code}+`"
    return "`pass:c[" + code.replace("]", "\\]") + "]`"


def _link(label: str, target: str) -> str:
    if target.startswith("#"):
        return f"<<{target[1:]},{label}>>"
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
        return f"{target}[{label}]" if target.startswith(("http://", "https://")) else f"link:{target}[{label}]"
    page, _, anchor = target.partition("#")
    if page.endswith(".md"):
        return f"xref:{page[:-3]}.adoc{'#' + anchor if anchor else ''}[{label}]"
    return f"link:{target}[{label}]"


def _alt(text: str) -> str:
    return text.replace("]", "").replace(",", " ").strip()


def _cells(row: str) -> list[str]:
    """The cells of a table row; a ``|`` inside code or escaped as ``\\|`` stays in its cell."""
    cells: list[str] = []
    current: list[str] = []
    in_code, previous = False, ""
    for char in row.strip():
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code and previous != "\\":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        previous = char
    cells.append("".join(current))
    cells = cells[1:] if row.strip().startswith("|") else cells
    cells = cells[:-1] if row.strip().endswith("|") and len(cells) > 1 else cells
    return [cell.strip().replace("\\|", "|") for cell in cells]


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for index in range(1, min(len(lines), 100)):
            if lines[index].strip() in ("---", "..."):
                return lines[index + 1 :]
    return lines
