"""What write_prose accepts from a model and what it refuses, with a scripted model; and read_sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workshop_template_system.workshop.outline import Module, Outline, Source, Step, Verification
from workshop_template_system.workshop.prose import OBJECTIVE_CHARS, read_sources, write_prose

README = "# Tasks\n\nA TODO list service. Configure it in `config/app.yml`, then start it.\n"
SUMMARY = json.dumps({"summary": "A workshop on the task service, from its README."})


class ScriptedModel:
    """A `ChatModel` that gives its answers in order and keeps the messages it was sent."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[list[dict[str, str]], int, float]] = []

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> str:
        self.calls.append((messages, max_tokens, temperature))
        return self.answers.pop(0)


def tasks(steps: int = 2) -> Outline:
    module = Module(
        id="start",
        title="Start the service",
        introduction="Start the task service.",
        objectives=["Start the service"],
        steps=[Step(title=f"Step {n}", text=f"Do step {n}.", commands=[f"make step{n}"]) for n in range(1, steps + 1)],
        source_files=["README.md"],
        verification=Verification(),
    )
    return Outline(
        title="Tasks",
        summary="Run the task service.",
        audience="developers",
        duration_minutes=20,
        prerequisites=[],
        modules=[module],
        workflow="new-workshop",
        evidence=["README.md"],
        source=Source(repository="/src/tasks"),
    )


def answer(**changes: Any) -> str:
    data: dict[str, Any] = {
        "introduction": "You start the TODO list service and configure it in `config/app.yml`.",
        "objectives": ["Start the service with `make step1`", "Check that it runs"],
        "steps": [{"index": 1, "text": "Build it with `make step1`."}, {"index": 2, "text": "Then start it."}],
    }
    data.update(changes)
    return json.dumps(data)


async def rewrite(module_answer: str, steps: int = 2) -> tuple[Outline, list[str], ScriptedModel]:
    model = ScriptedModel(module_answer, SUMMARY)
    written, warnings = await write_prose(tasks(steps), {"README.md": README}, model)
    return written, warnings, model


async def test_a_grounded_answer_is_used_and_extra_fields_change_nothing() -> None:
    written, warnings, model = await rewrite(answer(commands=["rm -rf /"], title="Hacked"))
    assert warnings == []
    module = written.modules[0]
    assert module.introduction.startswith("You start the TODO list service")
    assert module.title == "Start the service"
    assert [step.commands for step in module.steps] == [["make step1"], ["make step2"]]
    assert written.summary == "A workshop on the task service, from its README."
    (messages, max_tokens, temperature), _ = model.calls
    assert [message["role"] for message in messages] == ["system", "user"]
    assert max_tokens > 0
    assert 0 <= temperature <= 1


async def test_a_module_without_steps_needs_no_steps_in_the_answer() -> None:
    reply = json.dumps({"introduction": "You read how the service starts.", "objectives": ["Explain the service"]})
    written, warnings, _ = await rewrite(reply, steps=0)
    assert warnings == []
    assert written.modules[0].introduction == "You read how the service starts."


@pytest.mark.parametrize(
    ("module_answer", "reason"),
    [
        ("[1, 2]", "the model's answer was not valid JSON"),
        ('{"introduction": "cut off', "the model's answer was not valid JSON"),
        (answer(introduction=42), "the introduction is missing or not a text"),
        (answer(introduction="   "), "the introduction is empty"),
        (answer(introduction="..."), "the introduction has no words"),
        (answer(introduction="Lorem ipsum dolor sit amet."), "the introduction contains placeholder text ('Lorem')"),
        (answer(objectives=["Key benefit 1"]), "an objective contains placeholder text ('Key benefit')"),
        (answer(objectives=["Learn <insert topic>"]), "an objective contains placeholder text ('<insert')"),
        (answer(objectives=["x" * (OBJECTIVE_CHARS + 1)]), f"an objective is longer than {OBJECTIVE_CHARS} characters"),
        (answer(objectives=["Start\nand stop"]), "an objective spans several lines"),
        (answer(objectives=[]), "the objectives are not a list of 1 to 8 texts"),
        (answer(objectives=["Start it"] * 9), "the objectives are not a list of 1 to 8 texts"),
        (
            answer(steps=[{"index": 1, "text": "Run this:\n```bash\nrm -rf /\n```"}, {"index": 2, "text": "Done."}]),
            "the text of step 1 contains a code block; commands stay as the repository wrote them",
        ),
        (
            answer(steps=[{"index": 1, "text": "Type:\n$ make all"}, {"index": 2, "text": "Done."}]),
            "the text of step 1 contains a code block; commands stay as the repository wrote them",
        ),
        (
            answer(steps=[{"index": 1, "text": "Run `make all`."}, {"index": 2, "text": "Done."}]),
            "the text of step 1 names `make all`, which is not in the repository's text or the outline",
        ),
        (
            answer(steps=[{"index": 1, "text": "One."}, {"index": 1, "text": "Two."}]),
            "the steps do not give each of the 2 step indexes once",
        ),
        (
            answer(steps=[{"index": True, "text": "One."}, {"index": 2, "text": "Two."}]),
            "the steps do not give each of the 2 step indexes once",
        ),
        (
            answer(steps=[{"index": 1, "text": "One."}, {"index": 3, "text": "Three."}]),
            "the steps do not give each of the 2 step indexes once",
        ),
        (answer(steps={"1": "One."}), "the steps are not a list"),
        (answer(steps=[{"index": 2, "text": "Two."}]), "the answer has no text for step 1"),
        (answer(steps=[{"index": 1, "text": "One."}, {"index": 2, "text": "TODO"}]), None),
    ],
)
async def test_an_invalid_answer_keeps_the_module_and_says_why(module_answer: str, reason: str | None) -> None:
    written, warnings, _ = await rewrite(module_answer)
    if reason is None:  # "TODO" is in the repository's text (a TODO list service): not a placeholder here
        assert warnings == []
        return
    assert warnings == [f"module 'start': {reason}; kept the repository's text"]
    assert written.modules[0] == tasks().modules[0]
    assert written.summary == "A workshop on the task service, from its README."


async def test_a_placeholder_word_absent_from_the_repository_is_refused() -> None:
    model = ScriptedModel(answer(introduction="TBD: describe the service."), SUMMARY)
    _, warnings = await write_prose(tasks(), {"README.md": "A task service."}, model)
    assert warnings == [
        "module 'start': the introduction contains placeholder text ('TBD'); kept the repository's text"
    ]


def test_read_sources_reads_the_outlines_text_files_inside_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "README.md").write_text(README)
    (root / "docs" / "long.md").write_text("word " * 10_000)
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x00\x00")
    (tmp_path / "secret.txt").write_text("outside the repository")
    outline = tasks()
    module = outline.modules[0].model_copy(
        update={"source_files": ["README.md", "docs/long.md", "logo.png", "../secret.txt", "missing.md"]}
    )
    outline = outline.model_copy(update={"modules": [module]})

    sources = read_sources(root, outline, max_chars=1_000)

    assert list(sources) == ["README.md", "docs/long.md"]
    assert sources["README.md"] == README
    assert len(sources["docs/long.md"]) == 1_000
