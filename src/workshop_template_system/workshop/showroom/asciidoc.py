"""AsciiDoc that shows text exactly as the repository wrote it.

Text taken from READMEs is plain text, but AsciiDoc reads markup in it: ``{name}`` attribute
references, lines that start a list, a section or a block, passthrough, formatting and macro marks.
These helpers neutralise exactly those and leave everything else as written, so the page source
stays readable: a risky word becomes ``pass:[...]``, an unknown reference ``\\{name}``, a risky line
start gets ``{empty}`` in front. Code goes into listing blocks that substitute attributes only when
a command uses one of the workshop's attributes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator
from urllib.parse import quote

# As Asciidoctor finds them (its AttributeReferenceRx): {name}, {set:...}, {counter:...}, optionally escaped.
ATTRIBUTE_REFERENCE = re.compile(r"(\\)?\{(\w[\w-]*|(?:set|counter2?):[^}]+?)(\\)?\}")

_CODE_OR_LINK = re.compile(r"(?<![\w`])`([^`\n]+)`(?![\w`])|\[([^\]\n]+)\]\((https?://[^\s()\[\]]+)\)")
# A word AsciiDoc would not show as written: passthroughs, unconstrained marks, anchors, index terms,
# cross references, character references, macros, replacements, sub/superscript, a description list term.
_RISKY_WORD = re.compile(
    r"\+\+|\$\$|__|\*\*|##|\[\[|\]\]|<<|>>|\(\(|\)\)|&#?\w+;|[A-Za-z]+:\S*\[|\((?:C|R|TM)\)"
    r"|\^\S*\^|~\S*~|(?<!\w)\+\S(?:\S*\S)?\+(?!\w)|(?::{2,4}|;;)$"
)
# A line start that AsciiDoc reads as structure: a section, list, block title, attribute line, comment,
# attribute entry, delimiter, table, callout, quote, block macro or preprocessor directive.
_STRUCTURE_START = re.compile(r"^(?:[=#.*\-+\[/:|<>'\u2022]|_{4}|`{3}|\d+\.\s|[A-Za-z]\.\s|[IVXivx]+\)\s|[\w-]+::)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022]|(\d+)[.)])\s+(\S.*)$")
_PREPROCESSOR = re.compile(r"^(?:include|ifdef|ifndef|ifeval|endif)::\S*\[.*\]$")
_CALLOUT = re.compile(r"<!?(?:--)?(?:\d+|\.)(?:--)?>\s*$")
_LANGUAGE = re.compile(r"^[\w#+.-]+$")
_ID_CHARS = re.compile(r"[^a-z0-9]+")
# URL characters that AsciiDoc's formatting would read in a link target (it runs before macros).
_URL_FORMATTING = str.maketrans({"_": "%5F", "~": "%7E", "*": "%2A", "^": "%5E", "+": "%2B", "'": "%27", "`": "%60"})


def passthrough(text: str) -> str:
    """``text`` shown exactly as written, in a ``pass:[]`` macro (HTML-escaped by hand, as it has no subs)."""
    escaped = html.escape(text, quote=False).replace("\\", "&#92;").replace("]", "&#93;")
    return f"pass:[{escaped}]"


def code_span(text: str) -> str:
    """Literal monospace: ``+text+`` inside backticks, or a passthrough when the text could end it early."""
    if text and text == text.strip() and not any(char in text for char in "+`\\"):
        return f"`+{text}+`"
    return f"`{passthrough(text)}`"


def url_path(path: str) -> str:
    """A repository path for a link target, percent-encoded so that no formatting mark survives in it."""
    return quote(path, safe="/").translate(_URL_FORMATTING)


def escape_references(text: str, keep: Collection[str] = ()) -> str:
    """Every attribute reference shows as written, except those to the names in ``keep``.

    ``{name}`` becomes ``\\{name}``; one written with a backslash already gets a second, which
    Asciidoctor shows (the first backslash escapes the reference, the other stays).
    """

    def escape(match: re.Match[str]) -> str:
        if match.group(2) in keep and not match.group(1):
            return match.group(0)
        return "\\" + match.group(0)

    return ATTRIBUTE_REFERENCE.sub(escape, text)


def inline(text: str, defined: Collection[str], *, line_start: bool = True) -> str:
    """Prose on one line (whitespace collapsed) that renders as written.

    Backtick spans stay literal code, Markdown links to web pages become links, references to the
    ``defined`` attributes are kept and all others escaped. ``line_start`` guards the beginning of a
    paragraph against being read as structure; list item text does not need it.
    """
    text = " ".join(text.split())
    parts: list[str] = []
    last = 0
    for match in _CODE_OR_LINK.finditer(text):
        parts.append(_prose(text[last : match.start()], defined))
        if match.group(1) is not None:
            parts.append(code_span(match.group(1)))
        else:
            label = match.group(2)  # with "=" in it, link text would be read as attributes
            parts.append(
                link(match.group(3), passthrough(label) if "=" in label else inline(label, defined, line_start=False))
            )
        last = match.end()
    parts.append(_prose(text[last:], defined))
    line = "".join(parts)
    if line.endswith(" +"):  # a hard line break otherwise
        line = line[:-1] + "{plus}"
    return "{empty}" + line if line_start and _STRUCTURE_START.match(line) else line


def link(url: str, text: str) -> str:
    """A link macro to a web address; one with formatting marks in it is kept whole in a ``++`` passthrough."""
    url = url.replace("{", "%7B").replace("}", "%7D")
    if re.search(r"[_*#^~+'`]", url):
        url = "++" + url.replace("+", "%2B") + "++"
    return f"link:{url}[{text}]"


def blocks(text: str, defined: Collection[str]) -> str:
    """Plain text as AsciiDoc paragraphs and lists: blank lines separate paragraphs, ``-``/``*``/``1.`` start items."""
    rendered: list[tuple[bool, str]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lead, items, ordered = _split_items(chunk)
        if lead:
            rendered.append((False, inline(" ".join(lead), defined)))
        if items:
            marker = "." if ordered else "*"
            lines = [f"{marker} {inline(' '.join(item), defined, line_start=False)}" for item in items]
            rendered.append((True, "\n".join(lines)))
    parts: list[str] = []
    for index, (is_list, block) in enumerate(rendered):
        if is_list and index and rendered[index - 1][0]:
            parts.append("//-")  # keeps two lists apart: adjacent ones would merge or nest
        parts.append(block)
    return "\n\n".join(parts)


def _split_items(chunk: str) -> tuple[list[str], list[list[str]], bool]:
    lead: list[str] = []
    items: list[list[str]] = []
    ordered = False
    for line in chunk.splitlines():
        if match := _LIST_ITEM.match(line):
            ordered = ordered if items else match.group(1) is not None
            items.append([match.group(2)])
        elif items:
            items[-1].append(line)
        elif line.strip():
            lead.append(line)
    return lead, items, ordered


def listing(code: str, *, language: str | None, defined: Collection[str], execute: bool = False) -> str:
    """A source block showing ``code`` verbatim; Showroom runs it in the terminal when ``execute``.

    Attributes are substituted only when the code uses one of the ``defined`` ones (other references
    in it are escaped then). ``subs="+attributes"`` rather than ``subs="attributes"``, which would drop
    the escaping of ``<``, ``>`` and ``&``. Callout-like line ends switch callouts off, preprocessor
    directives are escaped, and the delimiter outgrows any ``----`` line in the code.
    """
    lines = [("\\" + line if _PREPROCESSOR.match(line) else line) for line in code.strip("\n").splitlines()]
    substitute = any(
        not match.group(1) and match.group(2) in defined
        for line in lines
        for match in ATTRIBUTE_REFERENCE.finditer(line)
    )
    if substitute:
        lines = [escape_references(line, defined) for line in lines]
    callouts = any(_CALLOUT.search(line) for line in lines)
    attributes = ["source", *([language] if language and _LANGUAGE.match(language) else [])]
    if execute:
        attributes.append("role=execute")
    if subs := _subs(attributes=substitute, callouts=callouts):
        attributes.append(f'subs="{subs}"')
    dashes = [len(line.rstrip()) for line in lines if re.fullmatch(r"-{4,}", line.rstrip())]
    delimiter = "-" * max([4, *(length + 1 for length in dashes)])
    return "\n".join([f"[{','.join(attributes)}]", delimiter, *lines, delimiter])


def _subs(*, attributes: bool, callouts: bool) -> str | None:
    """The ``subs`` a listing needs, or None for the default (special characters and callouts)."""
    if attributes:
        return "specialcharacters,attributes" if callouts else "+attributes"
    return "specialcharacters" if callouts else None


def section(level: int, title: str, anchor: str, defined: Collection[str]) -> str:
    """A section title with an explicit id, so citations can point at it whatever the title says."""
    return f"[#{anchor}]\n{'=' * (level + 1)} {inline(title, defined, line_start=False)}"


def slug(text: str) -> str:
    """Lowercase letters and digits joined by ``-`` (empty when there are none)."""
    return _ID_CHARS.sub("-", text.lower()).strip("-")


def unique_ids(prefix: str, titles: list[str]) -> Iterator[str]:
    """An id per title, ``prefix-<slug>``, numbered ``-2``, ``-3``... where two would be the same."""
    seen: set[str] = set()
    for position, title in enumerate(titles, start=1):
        base = f"{prefix}-{slug(title) or position}"
        candidate, number = base, 2
        while candidate in seen:
            candidate, number = f"{base}-{number}", number + 1
        seen.add(candidate)
        yield candidate


def _prose(text: str, defined: Collection[str]) -> str:
    return "".join(_word(word, defined) for word in re.split(r"( +)", text))


def _word(word: str, defined: Collection[str]) -> str:
    if not word.strip():
        return word
    return passthrough(word) if _RISKY_WORD.search(word) else escape_references(word, defined)
