"""Properties of splitting a workshop page into section chunks (`chunk_page`), for any page text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop_template_system.rag.chunking import Chunk, chunk_page
from workshop_template_system.rag.content import Page
from workshop_template_system.workshop.showroom.checks import BUILT_IN_ATTRIBUTES

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüßçø中文", min_size=1, max_size=8)
# Code lines that would be markup outside a listing block: inside one they are code and stay as written.
CODE_SAMPLES = [
    "== Not a heading", "* not an item", ":name: value", "[[not-an-anchor]]", "// not a comment", "{guid}",
    "<b>&amp;</b>", "|===", "NOTE: text", ".Not a title", "  indented", "", 'echo "$HOME" | tr a-z A-Z',
]  # fmt: skip
ANY_CHARACTER = st.characters(blacklist_categories=["Cs", "Zl", "Zp", "Cc"], blacklist_characters="`")
CODE_LINE = (
    st.one_of(st.sampled_from(CODE_SAMPLES), st.text(alphabet=ANY_CHARACTER, max_size=40))
    .map(str.rstrip)
    .filter(lambda line: line not in ("----", "......"))  # a line that closes the block is not code
)
# Lines that open, close or confuse blocks, for pages that are not well formed.
MARKUP = st.sampled_from(
    ["----", "....", "```", "```bash", "++++", "|===", "====", "****", "--", "+", "////", "[source,bash]", "[[a]]",
     "[#x]", "[cols=\"2*\"]", "[cols=\"99999999999999*\"]", "= T", "== T", "=== T", "==== T", ":a: {a}", ":b: {a}{a}",
     ":sectids!:", ":idprefix:", ":idseparator: -", "{a}", "* x", "** y", ". x", "1. y", "NOTE: n", "a:: b", ".Title",
     "ifdef::x[]", "endif::[]", "// c", "include::x[]", "| a | b", "xref:p.adoc#s[S]", "<<s,S>>", "pass:[<b>]", ""]
)  # fmt: skip
ANY_LINE = st.one_of(MARKUP, st.text(max_size=30), st.tuples(MARKUP, st.text(max_size=10)).map(" ".join))


@dataclass
class Element:
    kind: str  # "heading", "paragraph" or "code"
    level: int = 0
    words: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()
    fence: str = "----"


ELEMENTS = st.one_of(
    st.builds(Element, kind=st.just("heading"), level=st.integers(1, 3), words=st.lists(WORD, min_size=1, max_size=4)),
    st.builds(Element, kind=st.just("paragraph"), lines=st.lists(st.lists(WORD, max_size=5), min_size=1, max_size=4)),
    st.builds(
        Element,
        kind=st.just("code"),
        lines=st.lists(CODE_LINE, min_size=1, max_size=8).filter(lambda lines: any(line.strip() for line in lines)),
        fence=st.sampled_from(["----", "......", "```"]),
    ),
)


@dataclass
class WrittenPage:
    """A page written from elements, with what each of its paragraph lines and code blocks must become."""

    text: str
    tokens: list[str]
    code_blocks: list[str]
    headings: list[tuple[int, str]]


def write_page(elements: list[Element]) -> WrittenPage:
    """The page's text; every paragraph line starts with a token found nowhere else, so it can be traced."""
    out, tokens, blocks, headings = ["= Page title", ""], [], [], []
    for element in elements:
        if element.kind == "heading":
            title = " ".join(element.words)
            headings.append((element.level, title))
            out += ["=" * (element.level + 1) + " " + title, ""]
        elif element.kind == "paragraph":
            for words in element.lines:
                tokens.append(f"tok{len(tokens)}x")
                out.append(" ".join([tokens[-1], *words]))
            out.append("")
        else:
            code = "\n".join(element.lines).strip("\n")
            blocks.append(code)
            opening = element.fence if element.fence != "```" else "```bash"
            out += ["[source,bash]" if element.fence != "```" else "", opening, *element.lines, element.fence, ""]
    return WrittenPage("\n".join(out), tokens, blocks, headings)


def chunks_of(text: str, **attributes: str) -> list[Chunk]:
    page = Page("module-01.adoc", "ROOT", "modules/ROOT/pages/module-01.adoc", text, "Module 1", None)
    return chunk_page("lab", "The lab", page, {**BUILT_IN_ATTRIBUTES, **attributes})


@FAST
@given(st.lists(ELEMENTS, max_size=14))
def test_every_paragraph_line_lands_in_exactly_one_chunk(elements: list[Element]) -> None:
    page = write_page(elements)
    chunks = chunks_of(page.text)
    for token in page.tokens:
        holders = [chunk.key for chunk in chunks if re.search(rf"\b{token}\b", chunk.body)]
        assert len(holders) == 1, (token, holders, page.text)


@FAST
@given(st.lists(ELEMENTS, max_size=14), st.integers(0, 3000))
def test_code_blocks_are_never_split_however_long(elements: list[Element], padding: int) -> None:
    elements = [*elements, Element("code", lines=("x" * padding + "y", "", "tail"))]  # longer than one part
    page = write_page(elements)
    chunks = chunks_of(page.text)
    for code in page.code_blocks:
        assert any(f"```bash\n{code}\n```" in chunk.body for chunk in chunks), (code, page.text)
    assert sum(chunk.body.count("```bash\n") for chunk in chunks) == len(page.code_blocks)


@FAST
@given(st.lists(ELEMENTS, max_size=14))
def test_titles_and_anchors_follow_the_headings(elements: list[Element]) -> None:
    page = write_page(elements)
    chunks = chunks_of(page.text)
    anchors = {chunk.title: chunk.anchor for chunk in chunks if chunk.anchor}
    for level, title in page.headings:
        if level == 3 and (1, title) not in page.headings and (2, title) not in page.headings:
            assert title not in anchors  # deeper sections stay in their parent, as a heading line of its body
        elif title in anchors:
            expected = "_" + "_".join(title.lower().split())
            assert re.fullmatch(rf"{re.escape(expected)}(_\d+)?", anchors[title]), (title, anchors[title])
    for chunk in chunks:
        assert chunk.title == chunk.title.strip() and chunk.title, chunk
        assert not chunk.title.startswith("="), chunk
        assert chunk.anchor == "" or re.fullmatch(r"[^\W\d][\w\-.:]*", chunk.anchor), chunk.anchor
    section_anchors = [chunk.anchor for chunk in chunks if chunk.part == 0 and chunk.anchor]
    assert len(section_anchors) == len(set(section_anchors))


@FAST
@given(st.lists(ANY_LINE, max_size=40).map("\n".join))
def test_any_text_chunks_without_error_and_with_stable_unique_ids(text: str) -> None:
    first, second = chunks_of(text), chunks_of(text)
    assert [chunk.id for chunk in first] == [chunk.id for chunk in second]
    assert len({chunk.key for chunk in first}) == len(first)
    assert len({chunk.id for chunk in first}) == len(first)
    for chunk in first:
        assert chunk.body.strip(), chunk
        assert chunk.text.startswith(chunk.heading)


@FAST
@given(st.text(max_size=400), st.sampled_from(["", "-", "."]))
def test_any_unicode_text_and_id_settings_chunk_without_error(text: str, separator: str) -> None:
    for chunk in chunks_of(text, idseparator=separator):
        assert chunk.body.strip()
        assert "\n" not in chunk.anchor and " " not in chunk.anchor


def test_an_unterminated_code_block_keeps_the_rest_of_the_page_as_code() -> None:
    chunks = chunks_of("= T\n\n== Run\n\n[source,bash]\n----\nmvn package\n\n== Not a section\n\nmore")
    assert [chunk.title for chunk in chunks] == ["Run"]
    assert chunks[0].body == "```bash\nmvn package\n\n== Not a section\n\nmore\n```"
