"""One question, one answer: search the index, then answer with the model when there is one, else by quoting.

A question nothing relevant answers is never sent to the model. A model that fails leaves the
extractive answer, with a warning that says why.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from workshop_template_system.errors import ModelError
from workshop_template_system.integrations.llama_stack import ChatModel
from workshop_template_system.rag.answer import Answer, extractive_answer, not_found_answer, relevant
from workshop_template_system.rag.index import ChatIndex
from workshop_template_system.rag.model_answer import model_answer


async def ask(index: ChatIndex, question: str, workshop: str | None, top_k: int, model: ChatModel | None) -> Answer:
    """The answer to `question` from one workshop (or all of them), with its citations."""
    search = await asyncio.to_thread(index.search, question, workshop, top_k)
    found = search.found
    if not found:
        return Answer((await asyncio.to_thread(_nothing_indexed, index, workshop),), (), "extractive", found=False)
    if not relevant(question, found):
        return not_found_answer(f"the workshop '{workshop}'" if workshop else "the indexed workshops", found)
    warnings: tuple[str, ...] = ()
    if model is not None:
        try:
            return await model_answer(question, found, model)
        except ModelError as exc:
            warnings = (f"{exc}; the answer quotes the workshop instead",)
    answer = await asyncio.to_thread(extractive_answer, question, search.question_vector, found, index.embedder.embed)
    return replace(answer, warnings=warnings)


def _nothing_indexed(index: ChatIndex, workshop: str | None) -> str:
    names = [entry["workshop"] for entry in index.workshops()]
    if not names:
        return "No workshop is indexed yet: index one with index_workshop first."
    return f"The workshop '{workshop}' is not indexed; indexed workshops: {', '.join(names)}."
