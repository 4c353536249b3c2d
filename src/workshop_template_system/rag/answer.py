"""Answers made only of the workshop's own words: the best sentences and commands of the sections found.

`extractive_answer` picks the sentences closest in meaning to the question (by the same embedding
model; a sentence is read together with the command it introduces, and weighted by how close its
section is and whether that section ranked first), all from one section, in page order, each
followed by the code block it introduces and marked with its citation's number. When the workshop
does not seem to answer the question (`relevant`), `not_found_answer` says so and names the closest
pages instead: it never writes what the workshop does not say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workshop_template_system.rag.index import Found

CLEARLY_CLOSE = 0.45
"""A section this similar to the question (cosine) is relevant whatever words it uses."""
MIN_SIMILARITY = 0.15
MIN_COVERAGE = 1 / 3
"""Otherwise a third of the question's content words must appear in one of the sections found.

Calibrated on tests/rag/questions.yaml: the 55 answerable questions have a best similarity of 0.17
and more and a coverage of 0.4 and more; of the 10 off-topic ones, the closest ("a Terraform module
for an S3 bucket") has a similarity of 0.40 and a coverage of 0.25, the others 0.16 and 0.
"""
SUPPORTING = 0.25
"""Sections after the first are cited only when at least this close to the question."""
FIRST_BONUS = 0.1
"""Added to the sentences of the best-ranked section (by words and meaning together), which answers most often.

On the question set, the sentence picked came from a page that answers the question 82% of the time
when sentences were weighted by their section's similarity alone, 86% with this bonus.
"""
MAX_SENTENCES = 3
CLOSE_TO_BEST = 0.85

_FENCE = re.compile(r"^```[^\n]*\n.*?\n```$", re.DOTALL | re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\[(\"'])")
_WORD = re.compile(r"[a-z0-9][a-z0-9_.-]*[a-z0-9]")
_STOP_WORDS = frozenset(
    re.split(
        r"\s+",
        """the and for with how what why where when which who does did you your its are was can could should would
        will this that these those there their from into about after before than then not yes get got have has had
        make all any some one""".strip(),
    )
)

Mode = Literal["extractive", "llm"]
Embed = Callable[[Sequence[str]], list[list[float]]]


@dataclass(frozen=True)
class Answer:
    """An answer in pieces (sentences and code blocks, as they are streamed), with its citations."""

    pieces: tuple[str, ...]
    citations: tuple[dict[str, Any], ...]
    mode: Mode
    found: bool
    warnings: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The pieces as one text: code blocks on lines of their own."""
        return "".join(self.joined_pieces())

    def joined_pieces(self) -> list[str]:
        """Each piece with the space or blank line that joins it to the one before: together, `text`."""
        joined: list[str] = []
        for number, piece in enumerate(self.pieces):
            before = self.pieces[number - 1] if number else ""
            joint = "\n\n" if piece.startswith("```") or before.endswith("```") or piece.startswith("- ") else " "
            joined.append(f"{joint}{piece}" if number else piece)
        return joined


@dataclass(frozen=True)
class _Unit:
    """A sentence, list item or code block of a section, in page order."""

    section: int
    position: int
    block: int
    text: str
    code: bool


def relevant(question: str, found: Sequence[Found]) -> list[Found]:
    """The sections worth citing, or none when the workshop does not seem to answer the question.

    Relevant means close in meaning (`CLEARLY_CLOSE`), or somewhat close and sharing words with the
    question (`MIN_SIMILARITY`, `MIN_COVERAGE`); then the first section and the others that are close too.
    """
    if not found:
        return []
    similarity = max(item.similarity for item in found)
    asked = _content_words(question)
    coverage = max(len(asked & _content_words(item.hit.text)) for item in found) / max(len(asked), 1)
    if similarity < CLEARLY_CLOSE and (similarity < MIN_SIMILARITY or coverage < MIN_COVERAGE):
        return []
    return [item for number, item in enumerate(found) if number == 0 or item.similarity >= SUPPORTING]


def citations(found: Sequence[Found]) -> list[dict[str, Any]]:
    """One citation per section: page, section title, anchor, page URL when known, and similarity."""
    cited = []
    for item in found:
        meta = item.meta
        citation = {
            "workshop": item.hit.workshop,
            "page": item.hit.page,
            "page_title": meta.get("page_title", ""),
            "title": meta.get("title", ""),
            "anchor": meta.get("anchor", ""),
            "score": round(item.similarity, 4),
        }
        if meta.get("url"):
            citation["url"] = meta["url"]
        cited.append(citation)
    return cited


def not_found_answer(question_scope: str, found: Sequence[Found]) -> Answer:
    """The workshop does not seem to answer: say so, and name the closest pages without quoting them."""
    closest: list[Found] = []
    for item in found:
        if item.hit.page not in {seen.hit.page for seen in closest}:
            closest.append(item)
    pieces = [f"I could not find an answer to this in {question_scope}."]
    if closest:
        names = "; ".join(f"{item.meta.get('page_title', item.hit.page)}" for item in closest[:3])
        pieces.append(f"The closest pages are: {names}.")
    return Answer(tuple(pieces), tuple(citations(closest[:3])), "extractive", found=False)


def extractive_answer(question: str, found: Sequence[Found], embed: Embed) -> Answer:
    """The sentences of the found sections closest to the question, each cited, with the commands they introduce."""
    sections = relevant(question, found)
    units = [unit for number, item in enumerate(sections) for unit in _units(number, _body(item.hit.text))]
    prose = [unit for unit in units if not unit.code and _says_something(unit.text)]
    if not prose:
        return Answer((), tuple(citations(sections)), "extractive", found=bool(sections))
    vectors = embed([question, *(_with_code(units, unit) for unit in prose)])
    closeness = [item.similarity + (FIRST_BONUS if number == 0 else 0.0) for number, item in enumerate(sections)]
    scores = {
        id(unit): _dot(vectors[0], vector) + closeness[unit.section]
        for unit, vector in zip(prose, vectors[1:], strict=True)
    }
    best = max(prose, key=lambda unit: scores[id(unit)])
    chosen = [
        unit for unit in prose if unit.section == best.section and scores[id(unit)] >= CLOSE_TO_BEST * scores[id(best)]
    ]
    chosen = sorted(sorted(chosen, key=lambda unit: -scores[id(unit)])[:MAX_SENTENCES], key=lambda u: u.position)
    pieces = []
    for number, unit in enumerate(chosen):
        pieces.append(f"{unit.text} [{unit.section + 1}]")
        if number + 1 < len(chosen) and chosen[number + 1].block == unit.block:
            continue  # the code comes after the last chosen sentence of a paragraph
        pieces.extend(code.text for code in _code_run(units, unit))
    return Answer(tuple(pieces), tuple(citations(sections)), "extractive", found=True)


def _with_code(units: list[_Unit], unit: _Unit) -> str:
    """A sentence with the start of the command it introduces: what it means to a participant."""
    code = _code_after(units, unit)
    return f"{unit.text}\n{code.text[:300]}" if code is not None else unit.text


def _code_after(units: list[_Unit], unit: _Unit) -> _Unit | None:
    """The code block right after the paragraph of `unit`: the command the sentence introduces."""
    return next(iter(_code_run(units, unit)), None)


def _code_run(units: list[_Unit], unit: _Unit) -> list[_Unit]:
    """The code blocks right after the paragraph of `unit`, up to the next prose: the commands it introduces."""
    last = max(other.position for other in units if other.section == unit.section and other.block == unit.block)
    run: list[_Unit] = []
    for following in (other for other in units if other.section == unit.section and other.position > last):
        if not following.code:
            break
        run.append(following)
    return run


def _body(text: str) -> str:
    """A stored chunk's text without its heading line."""
    return text.partition("\n\n")[2] or text


def _units(section: int, body: str) -> list[_Unit]:
    """Sentences, list items and table rows, and code blocks kept whole, in order."""
    units: list[_Unit] = []
    cursor = block = 0
    for fence in [*_FENCE.finditer(body), None]:
        prose = body[cursor : fence.start() if fence else len(body)]
        for paragraph in prose.split("\n\n"):
            for line in _lines(paragraph):
                units.append(_Unit(section, len(units), block, line, code=False))
            block += 1
        if fence is None:
            break
        units.append(_Unit(section, len(units), block, fence.group(0), code=True))
        block += 1
        cursor = fence.end()
    return units


def _lines(block: str) -> list[str]:
    block = block.strip()
    if not block or block.startswith("#### "):
        return []
    if "\n" in block:  # a list or a table: one item or row at a time
        return [line.strip() for line in block.splitlines() if line.strip()]
    return [sentence.strip() for sentence in _SENTENCE_END.split(block) if sentence.strip()]


def _says_something(text: str) -> bool:
    """Words a participant can read, not only file names or values in code spans (a "Source files" list)."""
    return len(re.findall(r"[A-Za-z]{2,}", re.sub(r"`[^`]*`", " ", text))) >= 2


def _content_words(text: str) -> set[str]:
    """Lower-case words of three letters or more, less common ones, with a plural ``s`` dropped."""
    return {word.removesuffix("s") for word in _WORD.findall(text.lower()) if word not in _STOP_WORDS and len(word) > 2}


def _dot(left: Sequence[float], right: Sequence[float]) -> float:
    return float(sum(a * b for a, b in zip(left, right, strict=True)))
