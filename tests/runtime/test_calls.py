"""From a message to a skill call: data parts, JSON text, and plain text that names a skill."""

from __future__ import annotations

import pytest
from a2a.helpers import new_data_part, new_message, new_text_part
from a2a.types import Role

from workshop_template_system.agents import AGENTS
from workshop_template_system.errors import SkillInputError
from workshop_template_system.runtime.calls import parse_call

SKILLS = AGENTS["workshop_chat"].skills


def _text(text: str):
    return new_message([new_text_part(text)], role=Role.ROLE_USER)


@pytest.mark.parametrize(
    ("text", "pipeline_id"),
    [
        ("workspace status", None),
        ("workspace_status demo-1", "demo-1"),
        ("Workspace-Status   pipeline_2.b", "pipeline_2.b"),
        ("workspace status   run-42  ", "run-42"),
        ('{"skill": "workspace_status", "input": {"pipeline_id": "p-1"}}', "p-1"),
    ],
)
def test_text_names_the_skill_and_the_rest_is_its_input(text: str, pipeline_id: str | None) -> None:
    call = parse_call(SKILLS, None, _text(text))
    assert call.skill.id == "workspace_status"
    assert call.input.pipeline_id == pipeline_id


def test_a_data_part_wins_and_numbers_arrive_as_json_numbers() -> None:
    message = new_message(
        [new_data_part({"skill": "workspace_status", "input": {"pipeline_id": "x-1"}})], role=Role.ROLE_USER
    )
    assert parse_call(SKILLS, None, message).input.pipeline_id == "x-1"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (_text("workspace statusx"), "could not tell which skill"),
        (_text("workspace status ../../etc"), "pipeline_id: invalid pipeline id '../../etc'"),
        (new_message([new_data_part(["a"])], role=Role.ROLE_USER), "a data part must be a JSON object"),
        (
            new_message([new_data_part({"input": {}})], role=Role.ROLE_USER),
            "the call names no skill; valid skills: ask, index_workshop, list_workshops, remove_workshop, "
            "workspace_status",
        ),
        (
            new_message([new_data_part({"skill": "workspace_status", "input": [1]})], role=Role.ROLE_USER),
            "'input' must be a JSON object, got list",
        ),
    ],
)
def test_bad_calls_say_what_is_wrong(message, reason: str) -> None:
    with pytest.raises(SkillInputError) as raised:
        parse_call(SKILLS, None, message)
    assert reason in str(raised.value)
