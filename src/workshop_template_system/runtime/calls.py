"""From an A2A message to a skill call: a DataPart ``{"skill", "input"}`` or plain text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from a2a.helpers import get_data_parts, get_message_text
from a2a.types import Message
from pydantic import ValidationError

from workshop_template_system.agents.base import Skill, SkillInput
from workshop_template_system.errors import SkillInputError

_WORD_SEPARATORS = re.compile(r"[\s_\-]+")


@dataclass(frozen=True)
class SkillCall:
    """A validated request to run one skill."""

    skill: Skill
    input: SkillInput


def parse_call(skills: tuple[Skill, ...], text_skill: str | None, message: Message) -> SkillCall:
    """Find the skill a message asks for and validate its input; `SkillInputError` says what is wrong."""
    payload = _structured_payload(message)
    if payload is not None:
        skill = _skill_by_id(skills, payload.get("skill"))
        raw_input = payload.get("input", {})
        if not isinstance(raw_input, dict):
            raise SkillInputError(f"'input' must be a JSON object, got {type(raw_input).__name__}")
        return SkillCall(skill, validate_input(skill, raw_input))
    skill, raw_input = _route_text(skills, text_skill, get_message_text(message).strip())
    return SkillCall(skill, validate_input(skill, raw_input))


def validate_input(skill: Skill, raw_input: dict[str, Any]) -> SkillInput:
    """Validate a skill's input; the error names each bad field."""
    try:
        return skill.input_model.model_validate(raw_input)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'input'}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise SkillInputError(f"invalid input for skill '{skill.id}': {problems}") from None


def _structured_payload(message: Message) -> dict[str, Any] | None:
    data_parts = get_data_parts(message.parts)
    if data_parts:
        payload = data_parts[0]
        if not isinstance(payload, dict):
            raise SkillInputError('a data part must be a JSON object like {"skill": "<id>", "input": {...}}')
        return payload
    text = get_message_text(message).strip()
    if text.startswith("{"):
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            return None
        if isinstance(payload, dict) and "skill" in payload:
            return payload
    return None


def _skill_by_id(skills: tuple[Skill, ...], skill_id: object) -> Skill:
    for skill in skills:
        if skill.id == skill_id:
            return skill
    if not isinstance(skill_id, str) or not skill_id:
        raise SkillInputError(f"the call names no skill; {describe_skills(skills)}")
    raise SkillInputError(f"unknown skill {skill_id!r}; {describe_skills(skills)}")


def _route_text(skills: tuple[Skill, ...], text_skill: str | None, text: str) -> tuple[Skill, dict[str, Any]]:
    """Plain text: a leading skill id or name picks the skill; otherwise the agent's text skill."""
    if not text:
        raise SkillInputError(f"the message is empty; {describe_skills(skills)}")
    for skill in skills:
        rest = _strip_skill_prefix(text, skill)
        if rest is not None:
            return skill, _text_input(skill, rest)
    if text_skill is not None:
        skill = _skill_by_id(skills, text_skill)
        return skill, _text_input(skill, text)
    raise SkillInputError(
        f"could not tell which skill the text asks for; start it with a skill id or send a data part "
        f'{{"skill": "<id>", "input": {{...}}}}; {describe_skills(skills)}'
    )


def _strip_skill_prefix(text: str, skill: Skill) -> str | None:
    """The text after a leading skill id or name (``workspace status`` = ``workspace_status``), else None."""
    for label in (skill.id, skill.name):
        words = _WORD_SEPARATORS.split(label.strip())
        pattern = r"[\s_\-]+".join(re.escape(word) for word in words) + r"(?:\s+|$)"
        match = re.match(pattern, text, re.IGNORECASE)
        if match:
            return text[match.end() :].strip()
    return None


def _text_input(skill: Skill, rest: str) -> dict[str, Any]:
    if skill.from_text is not None:
        return skill.from_text(rest)
    if rest:
        raise SkillInputError(
            f'skill \'{skill.id}\' takes structured input: send a data part {{"skill": "{skill.id}", "input": {{...}}}}'
        )
    return {}


def describe_skills(skills: tuple[Skill, ...]) -> str:
    """One line naming the valid skills, for error messages."""
    return "valid skills: " + ", ".join(skill.id for skill in skills)
