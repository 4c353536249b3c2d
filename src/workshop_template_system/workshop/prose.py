"""Prose by a language model: the outline's explanations rewritten, grounded in the repository's own text.

    read_sources(root, outline)            → {relative path: text}, the files the outline draws on
    write_prose(outline, sources, model)   → (a new outline, [warning])

The model rewrites prose only: the summary, and per module its introduction, objectives and the text
of each step. Titles, ids, commands, snippets, outcomes, verification and source files are copied from
the outline, never from an answer, so the model cannot change a command. One call per module plus one
for the summary; each prompt holds the instructions, the repository's text (at most
`SOURCE_CHARS` characters) and the outline's facts as JSON, and asks for a JSON answer.

An answer is used only when it is valid: JSON of the asked shape (a ```json fence is fine), every
text non-empty, under its length cap, free of placeholder words (TODO, lorem, "[Content to be", ...)
and of code blocks, and every `code span` it names found verbatim in the prompt, so no command is
invented. Otherwise that module (or the summary) keeps the deterministic text and a warning says why.
A model that cannot be reached raises `ModelError`; the caller decides what follows.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop_template_system.integrations.llama_stack import ChatModel, EmptyAnswer
from workshop_template_system.workshop.model_answers import PLACEHOLDER, InvalidAnswer, json_object
from workshop_template_system.workshop.outline import Module, Outline

log = logging.getLogger(__name__)

SOURCE_CHARS = 12_000  # of repository text per prompt
TEMPERATURE = 0.2
INTRODUCTION_CHARS = 2_000
OBJECTIVE_CHARS = 200
MAX_OBJECTIVES = 8
STEP_TEXT_CHARS = 2_000
SUMMARY_CHARS = 1_500
_FACT_CHARS = 2_000  # of one text or snippet in the facts
_KEPT = "kept the repository's text"

_CODE_BLOCK = re.compile(r"```|^\s*(?:-{4,}|\.{4,}|\$ )", re.MULTILINE)
_CODE_SPAN = re.compile(r"`([^`\n]+)`")

SYSTEM_PROMPT = (
    "You write the prose of a hands-on workshop made from a software repository. Use only facts found in the "
    "repository text and the outline facts you are given; never add tools, versions, URLs or commands that are "
    "not there. Never write commands or code blocks: the learner sees each step's commands exactly as listed, "
    "right after your text. Name a command, file or value only inside backticks and exactly as it is written "
    "in the facts or the repository text. Write plain sentences for the learner, without headings or lists. "
    "Answer with one JSON object and nothing else."
)
_MODULE_TASK = (
    "Write for this module: introduction (two to four sentences: what the learner does in it and why), "
    f"objectives (one to {MAX_OBJECTIVES} short learning objectives, each starting with a verb), and for every "
    "step, by its index, a text of one to three sentences explaining what the step does and what its commands "
    "achieve. Answer in this JSON form:\n"
    '{"introduction": "...", "objectives": ["..."], "steps": [{"index": 1, "text": "..."}]}'
)
_SUMMARY_TASK = (
    "Write the workshop's summary: two to four sentences on what the learner builds or runs in this workshop "
    'and what they know afterwards. Answer in this JSON form:\n{"summary": "..."}'
)


@dataclass(frozen=True, slots=True)
class _Prompt:
    """The user message, and what an answer may quote: the repository's text and the facts' own strings."""

    text: str
    known: str


async def write_prose(outline: Outline, sources: dict[str, str], model: ChatModel) -> tuple[Outline, list[str]]:
    """A new outline whose prose the model wrote, and a warning for each part that kept the outline's text."""
    outline = outline.model_copy(deep=True)  # the result shares nothing with the outline given
    warnings: list[str] = []
    modules = [await _module_prose(outline, module, sources, model, warnings) for module in outline.modules]
    log.info("the model wrote the prose of %d of %d modules", len(modules) - len(warnings), len(modules))
    summary = await _summary_prose(outline, sources, model, warnings)
    return outline.model_copy(update={"summary": summary, "modules": modules}), warnings


async def _module_prose(
    outline: Outline, module: Module, sources: dict[str, str], model: ChatModel, warnings: list[str]
) -> Module:
    preferred = [*module.source_files, *(step.source_file for step in module.steps if step.source_file)]
    prompt = _prompt("MODULE FACTS", _module_facts(outline, module), sources, preferred, _MODULE_TASK)
    max_tokens = min(4_096, 400 + 200 * len(module.steps))
    try:
        answer = await _ask(model, prompt.text, max_tokens)
        introduction, objectives, texts = _read_module_answer(answer, len(module.steps), prompt.known)
    except InvalidAnswer as invalid:
        warnings.append(f"module '{module.id}': {invalid}; {_KEPT}")
        return module
    steps = [step.model_copy(update={"text": text}) for step, text in zip(module.steps, texts, strict=True)]
    return module.model_copy(update={"introduction": introduction, "objectives": objectives, "steps": steps})


async def _summary_prose(outline: Outline, sources: dict[str, str], model: ChatModel, warnings: list[str]) -> str:
    preferred = [section.source_file for section in outline.overview]
    prompt = _prompt("WORKSHOP FACTS", _workshop_facts(outline), sources, preferred, _SUMMARY_TASK)
    try:
        data = json_object(await _ask(model, prompt.text, 400))
        return _prose(data.get("summary"), "the summary", SUMMARY_CHARS, prompt.known)
    except InvalidAnswer as invalid:
        warnings.append(f"summary: {invalid}; {_KEPT}")
        return outline.summary


async def _ask(model: ChatModel, prompt: str, max_tokens: int) -> str:
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]
    try:
        return await model.complete(messages, max_tokens=max_tokens, temperature=TEMPERATURE)
    except EmptyAnswer:
        raise InvalidAnswer("the model gave no answer") from None


# The prompt: the repository's text, then the facts as one JSON line, then the task.


def _prompt(
    heading: str, facts: dict[str, Any], sources: dict[str, str], preferred: Iterable[str], task: str
) -> _Prompt:
    excerpts = _excerpts(sources, preferred)
    text = f"REPOSITORY TEXT\n{excerpts}\n\n{heading} (JSON)\n{json.dumps(facts, ensure_ascii=False)}\n\nTASK\n{task}"
    return _Prompt(text, "\n".join([excerpts, *_strings(facts)]))


def _strings(value: object) -> Iterator[str]:
    """Every string in the facts, as written (the JSON line escapes quotes and newlines)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _excerpts(sources: dict[str, str], preferred: Iterable[str]) -> str:
    """The module's own files first, then the others (the README, ...), cut to `SOURCE_CHARS` in all."""
    order = [path for path in dict.fromkeys(preferred) if path in sources]
    order += [path for path in sources if path not in order]
    parts, budget = [], SOURCE_CHARS
    for path in order:
        text = sources[path].strip()
        if not text or budget < 200:
            continue
        if len(text) > budget:
            cut = text[:budget]
            text = cut[: cut.rfind("\n")] if "\n" in cut else cut
        parts.append(f"--- {path} ---\n{text}")
        budget -= len(text)
    return "\n\n".join(parts) if parts else "(none)"


def _module_facts(outline: Outline, module: Module) -> dict[str, Any]:
    return {
        "workshop": outline.title,
        "module": {
            "id": module.id,
            "title": module.title,
            "introduction": _cut(module.introduction),
            "objectives": module.objectives,
            "steps": [
                {
                    "index": index,
                    "title": step.title,
                    "text": _cut(step.text),
                    "commands": step.commands,
                    "snippets": [{"language": s.language, "code": _cut(s.code)} for s in step.snippets],
                    "outcome": _cut(step.outcome),
                    "source_file": step.source_file,
                }
                for index, step in enumerate(module.steps, 1)
            ],
            "verification": {"text": _cut(module.verification.text), "commands": module.verification.commands},
            "source_files": module.source_files,
        },
    }


def _workshop_facts(outline: Outline) -> dict[str, Any]:
    return {
        "title": outline.title,
        "audience": outline.audience,
        "duration_minutes": outline.duration_minutes,
        "summary": _cut(outline.summary),
        "prerequisites": [{"name": p.name, "version": p.version} for p in outline.prerequisites],
        "overview": [{"title": section.title, "text": _cut(section.text)} for section in outline.overview],
        "modules": [{"title": module.title, "objectives": module.objectives} for module in outline.modules],
    }


def _cut(text: str) -> str:
    return text if len(text) <= _FACT_CHARS else text[:_FACT_CHARS]


# Reading an answer: every check that fails raises `InvalidAnswer` with the reason.


def _read_module_answer(answer: str, step_count: int, known: str) -> tuple[str, list[str], list[str]]:
    data = json_object(answer)
    introduction = _prose(data.get("introduction"), "the introduction", INTRODUCTION_CHARS, known)
    objectives = data.get("objectives")
    if not isinstance(objectives, list) or not 1 <= len(objectives) <= MAX_OBJECTIVES:
        raise InvalidAnswer(f"the objectives are not a list of 1 to {MAX_OBJECTIVES} texts")
    objectives = [_prose(text, "an objective", OBJECTIVE_CHARS, known, one_line=True) for text in objectives]
    return introduction, objectives, _step_texts(data.get("steps", []), step_count, known)


def _step_texts(steps: object, step_count: int, known: str) -> list[str]:
    """The text of each step, in the outline's order: every index from 1 to `step_count` exactly once."""
    if not isinstance(steps, list):
        raise InvalidAnswer("the steps are not a list")
    texts: dict[int, str] = {}
    for entry in steps:
        index = entry.get("index") if isinstance(entry, dict) else None
        if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= step_count or index in texts:
            raise InvalidAnswer(f"the steps do not give each of the {step_count} step indexes once")
        texts[index] = _prose(entry.get("text"), f"the text of step {index}", STEP_TEXT_CHARS, known)
    if len(texts) != step_count:
        missing = ", ".join(str(index) for index in range(1, step_count + 1) if index not in texts)
        raise InvalidAnswer(f"the answer has no text for step {missing}")
    return [texts[index] for index in range(1, step_count + 1)]


def _prose(value: object, what: str, limit: int, known: str, *, one_line: bool = False) -> str:
    """A text the page can use, grounded in what the prompt gave: otherwise `InvalidAnswer` saying what is wrong."""
    if not isinstance(value, str):
        raise InvalidAnswer(f"{what} is missing or not a text")
    text = value.strip()
    if not re.search(r"[^\W\d_]{2}", text):
        raise InvalidAnswer(f"{what} is empty" if not text else f"{what} has no words")
    if len(text) > limit:
        raise InvalidAnswer(f"{what} is longer than {limit} characters")
    if one_line and "\n" in text:
        raise InvalidAnswer(f"{what} spans several lines")
    if (placeholder := PLACEHOLDER.search(text)) and placeholder.group(0).lower() not in known.lower():
        raise InvalidAnswer(f"{what} contains placeholder text ({placeholder.group(0)!r})")
    if _CODE_BLOCK.search(text):
        raise InvalidAnswer(f"{what} contains a code block; commands stay as the repository wrote them")
    for span in _CODE_SPAN.findall(text):
        if span.strip() not in known:
            raise InvalidAnswer(f"{what} names `{span}`, which is not in the repository's text or the outline")
    return text


def read_sources(root: Path, outline: Outline, *, max_chars: int = SOURCE_CHARS) -> dict[str, str]:
    """The text of the files the outline draws on (modules, steps, overview, evidence), each cut to `max_chars`.

    Files outside ``root``, missing or binary are left out. Blocking: callers run it off the event loop.
    """
    paths = [
        *(section.source_file for section in outline.overview),
        *(path for module in outline.modules for path in module.source_files),
        *(step.source_file for module in outline.modules for step in module.steps if step.source_file),
        *outline.evidence,
    ]
    base = root.resolve()
    sources: dict[str, str] = {}
    for relative in dict.fromkeys(paths):
        path = (base / relative).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            continue
        with path.open("rb") as file:
            data = file.read(max_chars * 4)
        if b"\0" in data:
            continue
        sources[relative] = data.decode("utf-8", errors="replace")[:max_chars]
    return sources
