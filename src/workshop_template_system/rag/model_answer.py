"""Answers written by a language model from the retrieved sections only, citing them by number.

The prompt holds the question and the numbered sections, nothing else; it asks the model to answer
from them alone, quote commands exactly, cite each sentence, and say so when they do not answer.
Only the sections the answer cites are returned as citations, renumbered in the answer to match
(all of them when it cites none); a number that names no section is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workshop_template_system.integrations.llama_stack import ChatModel
from workshop_template_system.rag.answer import Answer, citations, relevant
from workshop_template_system.rag.index import Found

MAX_TOKENS = 600
SYSTEM = (
    "You answer questions from participants of a hands-on technical workshop. Use only the numbered workshop "
    "sections you are given; never use other knowledge. Quote commands exactly as the sections write them. "
    "After each sentence, cite the sections it comes from by their numbers in square brackets, like [1]. "
    "If the sections do not answer the question, say that the workshop does not cover it."
)
_CITATION = re.compile(r"\[(\d+)\]")
_MARKER = re.compile(r"(\s*)\[(\d+)\]")
_FENCE = re.compile(r"(```.*?```)", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?\]])\s+(?=[A-Z`\[(\"'])")


def prompt(question: str, found: Sequence[Found]) -> list[dict[str, str]]:
    """The chat messages: the rules, then the numbered sections and the question."""
    sections = "\n\n".join(f"[{number}] {item.hit.text}" for number, item in enumerate(found, 1))
    user = f"WORKSHOP SECTIONS\n\n{sections}\n\nQUESTION\n{question}\n\nAnswer in a few sentences, with citations."
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


async def model_answer(question: str, found: Sequence[Found], model: ChatModel) -> Answer:
    """The model's answer from the relevant sections; raises `ModelError` when it gives none."""
    sections = relevant(question, found)
    text = await model.complete(prompt(question, sections), max_tokens=MAX_TOKENS, temperature=0.0)
    cited = sorted({int(number) for number in _CITATION.findall(text) if 1 <= int(number) <= len(sections)})
    if not cited:
        return Answer(tuple(_pieces(text)), tuple(citations(sections)), "llm", found=True)
    renumbered = {old: new for new, old in enumerate(cited, 1)}  # citations hold only the sections cited

    def renumber(match: re.Match[str]) -> str:
        number = renumbered.get(int(match.group(2)))
        return f"{match.group(1)}[{number}]" if number else ""

    text = _MARKER.sub(renumber, text)
    kept = [sections[number - 1] for number in cited]
    return Answer(tuple(_pieces(text)), tuple(citations(kept)), "llm", found=True)


def _pieces(text: str) -> list[str]:
    """Sentences and code blocks, in order, as they are streamed."""
    pieces: list[str] = []
    for part in _FENCE.split(text.strip()):
        if part.startswith("```"):
            pieces.append(part)
        else:
            pieces.extend(sentence.strip() for sentence in _SENTENCE_END.split(part) if sentence.strip())
    return pieces
