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

import numpy as np

from workshop_template_system.rag import sentences
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


def extractive_answer(question: str, question_vector: Sequence[float], found: Sequence[Found], embed: Embed) -> Answer:
    """The sentences of the found sections closest to the question, each cited, with the commands they introduce.

    Sentences are compared by the vectors stored with their chunk; `embed` computes the vectors of a
    chunk stored without them (by an older version of the index).
    """
    sections = relevant(question, found)
    units = [unit for number, item in enumerate(sections) for unit in sentences.units(number, item.hit.text)]
    readable = sentences.prose(units)
    if not readable:
        return Answer((), tuple(citations(sections)), "extractive", found=bool(sections))
    closeness = [item.similarity + (FIRST_BONUS if number == 0 else 0.0) for number, item in enumerate(sections)]
    meaning = _sentence_vectors(sections, units, readable, embed) @ np.asarray(question_vector, dtype=np.float32)
    scores = [float(score) + closeness[unit.section] for unit, score in zip(readable, meaning, strict=True)]
    best = _with_its_command(max(range(len(readable)), key=scores.__getitem__), readable, units)
    chosen = [
        number
        for number, unit in enumerate(readable)
        if unit.section == readable[best].section and scores[number] >= CLOSE_TO_BEST * scores[best]
    ]
    chosen = sorted(sorted(chosen, key=lambda number: -scores[number])[:MAX_SENTENCES])
    pieces = []
    for place, number in enumerate(chosen):
        unit = readable[number]
        pieces.append(f"{unit.text} [{unit.section + 1}]")
        if place + 1 < len(chosen) and readable[chosen[place + 1]].block == unit.block:
            continue  # the code comes after the last chosen sentence of a paragraph
        pieces.extend(code.text for code in sentences.code_run(units, unit))
    return Answer(tuple(pieces), tuple(citations(sections)), "extractive", found=True)


def _with_its_command(best: int, readable: Sequence[sentences.Unit], units: Sequence[sentences.Unit]) -> int:
    """The same words where they introduce a command, when the best sentence has none: a workshop's objectives
    repeat its steps' first sentences, and the step is the answer a participant can follow."""
    if sentences.code_run(units, readable[best]):
        return best
    words = _same_words(readable[best].text)
    for number, unit in enumerate(readable):
        if number != best and _same_words(unit.text) == words and sentences.code_run(units, unit):
            return number
    return best


def _same_words(text: str) -> str:
    """A sentence without its list marker, code quotes, closing punctuation and case."""
    return " ".join(re.sub(r"^(?:[-*]|\d+\.)\s+|[`+]", "", text.strip()).rstrip(".:").lower().split())


def _sentence_vectors(
    sections: Sequence[Found], units: Sequence[sentences.Unit], readable: Sequence[sentences.Unit], embed: Embed
) -> np.ndarray:
    """One vector per readable unit, in order: stored with its chunk, or embedded now when the chunk has none."""
    parts = []
    for number, item in enumerate(sections):
        mine = [unit for unit in readable if unit.section == number]
        if not mine:
            continue
        stored = sentences.decode(item.hit.sentence_vectors, len(item.hit.vector))
        if stored is None or len(stored) != len(mine):
            stored = np.asarray(embed([sentences.meaning(units, unit) for unit in mine]), dtype=np.float32)
        parts.append(stored)
    return np.concatenate(parts)


def _content_words(text: str) -> set[str]:
    """Lower-case words of three letters or more, less common ones, with a plural ``s`` dropped."""
    return {word.removesuffix("s") for word in _WORD.findall(text.lower()) if word not in _STOP_WORDS and len(word) > 2}
