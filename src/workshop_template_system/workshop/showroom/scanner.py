"""Reading an AsciiDoc page line by line for what Antora does not check: references, anchors, attributes.

Each line gets a kind that says which substitutions Asciidoctor applies to it: ``text`` (all of
them), ``attrlist`` (a block attribute line), ``entry`` (an attribute entry), ``substituted`` (a
verbatim block whose ``subs`` include attributes), ``verbatim``, and, with nothing to check,
``structure`` (delimiters, list continuations), ``comment`` and ``directive``. This
follows Asciidoctor's rules for delimited blocks, styled and literal paragraphs, comments and
passthroughs closely enough for checking, not for rendering: a passthrough that spans lines, or a
block attribute line separated from its block by a comment, may be read differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from workshop_template_system.workshop.showroom.asciidoc import ATTRIBUTE_REFERENCE

Kind = Literal["text", "attrlist", "entry", "substituted", "verbatim", "structure", "comment", "directive"]

# Asciidoctor's own patterns (BlockAttributeLineRx, AttributeEntryRx, ConditionalDirectiveRx, ...), simplified.
_ATTRLIST = re.compile(r"^\[(?:|[\w.#%{,\"'].*|\[(?:|[^\W\d][\w\-:.]*(?:, *.+)?)\])\]$")
_ENTRY = re.compile(r"^:(!?\w[^:]*?)(!?):(?:[ \t]+(.*))?$")
_DIRECTIVE = re.compile(r"^(?:ifdef|ifndef|ifeval|endif)::\S*\[.*\]$")
_VERBATIM_DELIMITER = re.compile(r"^(-{4,}|\.{4,}|\+{4,}|`{3}[\w+#.-]*|--)$")
_STRUCTURE = re.compile(r"^(?:={4,}|\*{4,}|_{4,}|[|,:!]===|\+)$")
_SECTION = re.compile(r"^(={1,6}|#{1,6})[ \t]+(\S.*?)(?:[ \t]+\1)?$")
_VERBATIM_STYLES = frozenset({"source", "listing", "literal", "pass"})
_PASS_MACRO = re.compile(r"(\\?)pass:([a-z,]*)\[(|.*?[^\\])\]")
_PASS_MARKS = (
    re.compile(r"\+\+\+.*?\+\+\+"),
    re.compile(r"\$\$.*?\$\$"),
    re.compile(r"\+\+.*?\+\+"),
    re.compile(r"(?<![\w;:\\])\+(?:\S|\S.*?\S)\+(?!\w)"),
)
_INLINE_ANCHOR = re.compile(r"(?<!\\)(?:\[\[([^\W\d][\w\-:.]*)(?:, *[^\]]*)?\]\]|anchor:([^\W\d][\w\-:.]*)\[)")
_XREF = re.compile(r"(?<!\\)(?:xref:([^\s\[]+)\[|<<([^>,\s]+)(?:,[^>]*)?>>)")
_INVALID_ID_CHARS = re.compile(r"<[^>]+>|&(?:[a-z][a-z]+\d{0,2}|#\d\d\d{0,4}|#x[\da-f][\da-f][\da-f]{0,3});|[^ \w\-.]+")
# Replacements Asciidoctor makes in titles before it derives an id (they turn into entities, then vanish).
_VANISHING = re.compile(r"\((?:C|R|TM)\)|(?:^| )--(?: |$)|(?<=\w)--(?=\w)|\.\.\.|->|=>|<-|<=")
_MACRO_TEXT = re.compile(r"\b[a-z]+:\S*?\[([^\]]*)\]")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a page, with its number (from 1) and what Asciidoctor does with it."""

    number: int
    text: str
    kind: Kind
    section_level: int | None = None


def scan(text: str) -> list[Line]:
    """The page's lines, each with its kind; section titles carry their level (0 for the page title)."""
    lines: list[Line] = []
    block: tuple[str, Kind] | None = None  # the closing delimiter of the verbatim block we are in, and its kind
    paragraph: Kind | None = None  # the kind of the verbatim paragraph we are in
    pending: list[str] = []  # block attribute lines waiting for their block
    at_start = True
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if block is not None:
            closing = line == block[0]
            lines.append(Line(number, line, "structure" if closing else block[1]))
            block = None if closing else block
            continue
        if paragraph is not None and line:
            lines.append(Line(number, line, paragraph))
            continue
        paragraph = None
        if not line:
            at_start = True
            continue
        kind, block, paragraph, level = _classify(line, pending, at_start)
        lines.append(Line(number, line, kind, level))
        if kind == "attrlist":
            pending.append(line)
        elif kind not in ("comment", "directive"):
            pending = []
        at_start = kind not in ("text", "verbatim", "substituted") or level is not None
    return lines


def _classify(
    line: str, pending: list[str], at_start: bool
) -> tuple[Kind, tuple[str, Kind] | None, Kind | None, int | None]:
    """The kind of a line outside verbatim blocks; the block or paragraph it opens; its section level."""
    if re.fullmatch(r"/{4,}", line):
        return "comment", (line, "comment"), None, None
    if line.startswith("//"):
        return "comment", None, None, None
    if _DIRECTIVE.match(line):
        return "directive", None, None, None
    if _ATTRLIST.match(line):
        return "attrlist", None, None, None
    if _STRUCTURE.match(line):
        return "structure", None, None, None
    if delimiter := _VERBATIM_DELIMITER.match(line):
        style, subs = _block_style(pending)
        if delimiter.group(1) == "--" and style not in _VERBATIM_STYLES:
            return "structure", None, None, None  # an open block: its content is read as usual
        return "structure", ("```" if line.startswith("```") else line, _verbatim_kind(subs)), None, None
    if not at_start:
        return "text", None, None, None
    if _ENTRY.match(line):
        return "entry", None, None, None
    if section := _SECTION.match(line):
        return "text", None, None, len(section.group(1)) - 1
    style, subs = _block_style(pending)
    if line[0] in " \t" or style in _VERBATIM_STYLES:
        kind = _verbatim_kind(subs)
        return kind, None, kind, None
    if subs is not None and not _enables_attributes(subs):
        return "verbatim", None, "verbatim", None
    return "text", None, None, None


def _block_style(pending: list[str]) -> tuple[str | None, str | None]:
    """The style (first positional attribute) and ``subs`` of the block attribute lines before a block."""
    style = subs = None
    for line in pending:
        body = line[1:-1]
        if body.startswith("["):
            continue
        first = body.split(",", 1)[0].strip()
        if first and "=" not in first:
            style = re.split(r"[#.%]", first, maxsplit=1)[0] or style
        if found := re.search(r"(?:^|,)\s*subs=(\"[^\"]*\"|'[^']*'|[^,]*)", body):
            subs = found.group(1).strip("\"'")
    return style, subs


def _verbatim_kind(subs: str | None) -> Kind:
    return "substituted" if subs is not None and _enables_attributes(subs) else "verbatim"


def _enables_attributes(subs: str) -> bool:
    names = [name.strip() for name in subs.split(",")]
    return (
        any(name.lstrip("+").rstrip("+") in ("attributes", "a", "normal", "n") for name in names)
        and "-attributes" not in names
    )


def without_passthroughs(text: str) -> str:
    """The line with passthrough content removed, except ``pass:[]`` macros that substitute attributes."""
    text = _PASS_MACRO.sub(lambda m: m.group(3) if not m.group(1) and _enables_attributes(m.group(2)) else "", text)
    for pattern in _PASS_MARKS:
        text = pattern.sub("", text)
    return text


def references(line: Line) -> Iterator[tuple[str, bool]]:
    """Attribute references the line makes: ``(name, defines)``; ``{set:...}`` and ``{counter:...}`` define."""
    if line.kind not in ("text", "attrlist", "substituted"):
        return
    text = without_passthroughs(line.text) if line.kind != "substituted" else line.text
    for match in ATTRIBUTE_REFERENCE.finditer(text):
        if match.group(1) or match.group(3):
            continue
        name = match.group(2)
        if name.startswith(("set:", "counter:", "counter2:")):
            yield name.split(":")[1].lstrip("!"), True
        else:
            yield name, False


def entry(line: Line) -> tuple[str, bool, str] | None:
    """An attribute entry as ``(name, unset, value)``."""
    if line.kind != "entry" or not (match := _ENTRY.match(line.text)):
        return None
    name = match.group(1)
    return name.lstrip("!"), name.startswith("!") or bool(match.group(2)), match.group(3) or ""


def xrefs(line: Line) -> Iterator[str]:
    """The targets of the line's cross references (``page.adoc#id``, ``module:page.adoc``, ``#id``, ``id``)."""
    if line.kind != "text":
        return
    for match in _XREF.finditer(without_passthroughs(line.text)):
        yield match.group(1) or match.group(2)


def ids(lines: list[Line], attributes: Mapping[str, str]) -> set[str]:
    """Every id a cross reference can point at: explicit block and inline anchors, and section ids.

    Sections without an explicit id get Asciidoctor's generated one, following ``sectids``,
    ``idprefix`` and ``idseparator`` as ``attributes`` and the page's own entries set them; a
    repeated one gets ``_2``, ``_3``... ``attributes`` must hold Asciidoctor's defaults for those.
    """
    attributes = dict(attributes)
    found: set[str] = set()
    explicit: list[str] = []
    for line in lines:
        if parsed := entry(line):
            name, unset, value = parsed
            if unset:
                attributes.pop(name, None)
            else:
                attributes[name] = value
        if line.kind == "attrlist":
            explicit.extend(attrlist_ids(line.text))
            found.update(explicit)
            continue
        if line.kind == "text":
            anchors = {a or b for a, b in _INLINE_ANCHOR.findall(without_passthroughs(line.text))}
            found.update(anchors)
            title = _SECTION.match(line.text) if line.section_level else None
            if title and not explicit and not anchors and "sectids" in attributes:
                prefix, separator = attributes.get("idprefix", "_"), attributes.get("idseparator", "_")
                found.add(unique_id(auto_id(title.group(2), attributes, prefix, separator), found, separator))
        if line.kind not in ("comment", "directive"):
            explicit = []
    return found


def auto_id(title: str, attributes: Mapping[str, str], prefix: str = "_", separator: str = "_") -> str:
    """The id Asciidoctor generates for a section title (``== Build the app`` → ``_build_the_app``).

    Asciidoctor derives it from the converted title; this approximates the conversion: attribute
    values in, markup and macros out, replacements that become entities removed.
    """
    text = ATTRIBUTE_REFERENCE.sub(
        lambda m: str(attributes.get(m.group(2), m.group(2))) if not m.group(1) else m.group(0)[1:], title
    )
    text = _PASS_MACRO.sub(lambda m: m.group(3), text)
    text = _MACRO_TEXT.sub(lambda m: m.group(1), text)
    text = _INVALID_ID_CHARS.sub("", _VANISHING.sub("", text).lower())
    if not separator:
        return prefix + text.replace(" ", "")
    separator = separator[0]
    squeezed = " .-" if separator in "-." else f" {separator}.-"
    generated = re.sub(f"[{re.escape(squeezed)}]+", separator, prefix + text)
    generated = generated.removesuffix(separator)
    return generated[1:] if not prefix and generated.startswith(separator) else generated


def unique_id(candidate: str, taken: set[str], separator: str) -> str:
    number = 2
    unique = candidate
    while unique in taken:
        unique, number = f"{candidate}{separator[:1] or '_'}{number}", number + 1
    return unique


def attrlist_ids(line: str) -> list[str]:
    body = line[1:-1]
    if body.startswith("[") and body.endswith("]"):
        return [body[1:-1].split(",", 1)[0].strip()] if body[1:-1] else []
    found = []
    first = body.split(",", 1)[0]
    if "=" not in first and (shorthand := re.search(r"#([^.#%,\s]+)", first)):
        found.append(shorthand.group(1))
    found.extend(match.strip("\"'") for match in re.findall(r"(?:^|,)\s*id=(\"[^\"]*\"|'[^']*'|[^,]*)", body))
    return found
