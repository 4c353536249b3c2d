"""A workshop outline from a topic and learning objectives (original content, the seed's workflow 2).

There is no repository to take text and commands from, so only a language model can write this
outline; its answer is validated like any outline (the `Outline` model) and refused when it holds
placeholder text or no steps. The caller says in its result that the commands are the model's and
need a review.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from workshop_template_system.errors import ModelError
from workshop_template_system.integrations.llama_stack import ChatModel
from workshop_template_system.workshop.model_answers import PLACEHOLDER, InvalidAnswer, json_object
from workshop_template_system.workshop.outline import Outline

HEADING = "TOPIC FACTS (JSON)"
MAX_TOKENS = 4_000
SYSTEM_PROMPT = (
    "You design hands-on technical workshops. Each module is one page a learner works through in a terminal: "
    "learning objectives, steps that each explain what to do and give the exact shell commands, and a "
    "verification. Use real, current commands and tools; never write placeholders. Answer with one JSON object "
    "and nothing else."
)
TASK = (
    "Design the workshop for the topic and objectives above: one module per objective unless two belong "
    "together. Answer in this JSON form:\n"
    '{"title": "...", "summary": "...", "audience": "...", "duration_minutes": 60, '
    '"prerequisites": [{"name": "...", "version": "..."}], "modules": [{"id": "kebab-case-id", "title": "...", '
    '"introduction": "...", "objectives": ["..."], "steps": [{"title": "...", "text": "...", "commands": ["..."]}], '
    '"verification": {"text": "...", "commands": ["..."]}}]}'
)
_SLUG = re.compile(r"[^a-z0-9]+")


async def outline_from_topic(topic: str, objectives: list[str], model: ChatModel) -> Outline:
    """Ask the model for the outline; `ModelError` with the reason when the answer cannot be used."""
    facts = json.dumps({"topic": topic, "objectives": objectives}, ensure_ascii=False)
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"{HEADING}\n{facts}\n\nTASK\n{TASK}"},
    ]
    answer = await model.complete(messages, max_tokens=MAX_TOKENS, temperature=0.2)
    try:
        return _outline(json_object(answer), topic)
    except (InvalidAnswer, ValidationError) as exc:
        reason = exc.errors()[0] if isinstance(exc, ValidationError) else exc
        raise ModelError(f"the model's outline for {topic!r} cannot be used: {_reason(reason)}") from None


def _outline(data: dict[str, Any], topic: str) -> Outline:
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules:
        raise InvalidAnswer("it has no modules")
    for module in modules:
        if not isinstance(module, dict) or not module.get("steps"):
            raise InvalidAnswer("a module has no steps")
        module["id"] = _slug(str(module.get("id") or module.get("title") or "module"))
        module.setdefault("source_files", [])
        module.setdefault("verification", {"text": "", "commands": []})
    if placeholder := PLACEHOLDER.search(json.dumps(data, ensure_ascii=False)):
        raise InvalidAnswer(f"it contains placeholder text ({placeholder.group(0)!r})")
    data.setdefault("prerequisites", [])
    data.setdefault("duration_minutes", 15 * len(modules))
    return Outline.model_validate(
        {**data, "workflow": "new-workshop", "evidence": [], "source": {"repository": f"topic: {topic}"}}
    )


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:64] or "module"


def _reason(error: object) -> str:
    if isinstance(error, dict):
        location = ".".join(str(part) for part in error.get("loc", ()))
        return f"{location}: {error.get('msg')}" if location else str(error.get("msg"))
    return str(error)
