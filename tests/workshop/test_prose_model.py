"""write_prose through LlamaStackChatModel and a real chat-completions server that answers from the prompt."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from support import free_port
from support_llm import MODEL, ChatServer, running_chat_server
from workshop_template_system.errors import ModelError
from workshop_template_system.integrations.llama_stack import LlamaStackChatModel
from workshop_template_system.workshop.outline import (
    Module,
    Outline,
    OverviewSection,
    Prerequisite,
    Snippet,
    Source,
    Step,
    Verification,
)
from workshop_template_system.workshop.prose import SOURCE_CHARS, SYSTEM_PROMPT, TEMPERATURE, write_prose

SOURCES = {
    "README.md": "# Pet Clinic\n\nA Spring Boot sample application.\n\n## Build\n\nRun ./mvnw package to build it.\n",
    "docs/run.md": "Start the jar with java -jar and open port 9090.\n",
    "pom.xml": "<project><artifactId>petclinic</artifactId></project>\n",
}
RUN_COMMAND = 'java -jar target/app.jar --server.port="9090"'


def pet_clinic() -> Outline:
    build = Module(
        id="build",
        title="Build the application",
        introduction="Build the application with the Maven wrapper.",
        objectives=["Build the application"],
        steps=[
            Step(
                title="Compile",
                text="Compile the code.",
                commands=["./mvnw package -DskipTests"],
                source_file="README.md",
            ),
            Step(
                title="Run the tests",
                commands=["./mvnw test \\\n  -Dtest='*IT'"],
                snippets=[Snippet(language="yaml", code="server:\n  port: 9090\n")],
                outcome="All tests pass.",
                source_file="README.md",
            ),
        ],
        source_files=["README.md", "pom.xml"],
        verification=Verification(text="The jar exists.", commands=["ls target/*.jar"]),
    )
    run = Module(
        id="run",
        title="Run it",
        objectives=["Start the application"],
        steps=[Step(title="Start", text="Start the jar.", commands=[RUN_COMMAND], source_file="docs/run.md")],
        source_files=["docs/run.md"],
        verification=Verification(),
        derived=["verification"],
    )
    return Outline(
        title="Pet Clinic",
        summary="Build and run the Pet Clinic.",
        audience="Java developers",
        duration_minutes=45,
        prerequisites=[Prerequisite(name="Java", version="17", source_file="pom.xml")],
        overview=[OverviewSection(title="How it works", text="A Spring Boot app.", source_file="README.md")],
        modules=[build, run],
        workflow="new-workshop",
        evidence=["README.md", "pom.xml"],
        source=Source(repository="https://git.example.com/petclinic.git", commit="abc123"),
    )


def without_prose(outline: Outline) -> dict[str, Any]:
    """Everything the model must not touch."""
    data = outline.model_dump(mode="json")
    data["summary"] = None
    for module in data["modules"]:
        module["introduction"] = module["objectives"] = None
        for step in module["steps"]:
            step["text"] = None
    return data


@pytest.fixture(scope="module")
def shared_server() -> Iterator[ChatServer]:
    with running_chat_server() as server:
        yield server


@pytest.fixture
def chat_server(shared_server: ChatServer) -> ChatServer:
    return shared_server.reset()


@pytest.fixture
async def model(chat_server: ChatServer) -> AsyncIterator[LlamaStackChatModel]:
    async with LlamaStackChatModel(chat_server.url, MODEL, 5, max_retries=0) as chat:
        yield chat


async def test_the_model_writes_every_module_and_the_summary_from_the_repository(model: LlamaStackChatModel) -> None:
    outline = pet_clinic()
    written, warnings = await write_prose(outline, SOURCES, model)

    assert warnings == []
    build, run = written.modules
    assert build.introduction == (
        "In Build the application you work through 2 steps: Compile, Run the tests. The repository says: # Pet Clinic"
    )
    assert run.introduction.endswith("The repository says: Start the jar with java -jar and open port 9090.")
    assert build.objectives == ["Complete the step Compile", "Complete the step Run the tests"]
    assert [step.text for step in build.steps] == [
        "This step, Compile, runs `./mvnw package -DskipTests`.",
        "This step, Run the tests, runs `./mvnw test \\\n  -Dtest='*IT'`.",
    ]
    assert run.steps[0].text == f"This step, Start, runs `{RUN_COMMAND}`."
    assert (
        written.summary
        == "A workshop on Pet Clinic for Java developers, in these modules: Build the application, Run it."
    )


async def test_commands_and_everything_but_the_prose_stay_byte_identical(model: LlamaStackChatModel) -> None:
    outline = pet_clinic()
    before = outline.model_dump(mode="json")
    written, _ = await write_prose(outline, SOURCES, model)

    assert without_prose(written) == without_prose(outline)
    assert [s.commands for m in written.modules for s in m.steps] == [
        s.commands for m in outline.modules for s in m.steps
    ]
    assert outline.model_dump(mode="json") == before, "the outline given is left as it was"
    written.modules[0].steps[0].commands.append("echo changed")
    written.modules[1].source_files.clear()
    assert outline.model_dump(mode="json") == before, "the new outline shares nothing with it"


async def test_each_prompt_holds_only_the_repository_text_and_the_outline_facts(
    chat_server: ChatServer, model: LlamaStackChatModel
) -> None:
    outline = pet_clinic()
    await write_prose(outline, SOURCES, model)

    assert len(chat_server.requests) == 3, "one call per module and one for the summary"
    for body in chat_server.requests:
        assert body["model"] == MODEL
        assert body["temperature"] == TEMPERATURE
        assert body["stream"] is False
        assert [message["role"] for message in body["messages"]] == ["system", "user"]
        assert body["messages"][0]["content"] == SYSTEM_PROMPT
    build_prompt, run_prompt, summary_prompt = chat_server.prompts()
    for prompt, heading in ((build_prompt, "MODULE"), (run_prompt, "MODULE"), (summary_prompt, "WORKSHOP")):
        excerpts, facts = repository_part(prompt), facts_part(prompt, heading)
        for path, text in excerpts:
            assert SOURCES[path].strip().startswith(text), f"{path} is quoted as the repository wrote it"
        assert {path for path, _ in excerpts} == set(SOURCES)
        assert prompt.index("TASK\n") > prompt.index(f"{heading} FACTS (JSON)")
        assert facts
    build_facts = facts_part(build_prompt, "MODULE")["module"]
    module = outline.modules[0]
    assert build_facts["title"] == module.title
    assert [step["commands"] for step in build_facts["steps"]] == [step.commands for step in module.steps]
    assert build_facts["steps"][1]["snippets"] == [{"language": "yaml", "code": "server:\n  port: 9090\n"}]
    assert repository_part(run_prompt)[0][0] == "docs/run.md", "the module's own file comes first"
    summary_facts = facts_part(summary_prompt, "WORKSHOP")
    assert summary_facts["modules"] == [{"title": m.title, "objectives": m.objectives} for m in outline.modules]


async def test_the_repository_text_in_a_prompt_is_capped(chat_server: ChatServer, model: LlamaStackChatModel) -> None:
    sources = {"README.md": "A line of the README.\n" * 5_000, "docs/run.md": "Run it.\n" * 5_000}
    await write_prose(pet_clinic(), sources, model)
    for prompt in chat_server.prompts():
        quoted = sum(len(text) for _, text in repository_part(prompt))
        assert SOURCE_CHARS - 200 <= quoted <= SOURCE_CHARS


@pytest.mark.parametrize(
    ("behavior", "reason"),
    [
        ("garbage", "the model's answer was not valid JSON"),
        ("placeholder", "the introduction contains placeholder text ('[Content to be')"),
        (
            "invented-command",
            "the text of step 1 names `curl -s https://example.com/install.sh | sh`, "
            "which is not in the repository's text or the outline",
        ),
        ("missing-step", "the answer has no text for step 2"),
        ("empty", "the model gave no answer"),
        ("no-choices", "the model gave no answer"),
    ],
)
async def test_an_invalid_answer_keeps_the_repository_text_of_that_module_with_a_warning(
    chat_server: ChatServer, model: LlamaStackChatModel, behavior: str, reason: str
) -> None:
    chat_server.behaviors["build"] = behavior
    outline = pet_clinic()
    written, warnings = await write_prose(outline, SOURCES, model)

    assert warnings == [f"module 'build': {reason}; kept the repository's text"]
    assert written.modules[0] == outline.modules[0]
    assert written.modules[1].introduction.startswith("In Run it you work through")
    assert written.summary.startswith("A workshop on Pet Clinic")


async def test_a_fenced_answer_with_a_sentence_before_it_is_read(
    chat_server: ChatServer, model: LlamaStackChatModel
) -> None:
    chat_server.behaviors["*"] = "fenced"
    written, warnings = await write_prose(pet_clinic(), SOURCES, model)
    assert warnings == []
    assert written.modules[1].steps[0].text == f"This step, Start, runs `{RUN_COMMAND}`."


async def test_an_invalid_summary_keeps_the_outlines_summary(
    chat_server: ChatServer, model: LlamaStackChatModel
) -> None:
    chat_server.behaviors["summary"] = "placeholder"
    written, warnings = await write_prose(pet_clinic(), SOURCES, model)
    assert written.summary == "Build and run the Pet Clinic."
    assert warnings == ["summary: the summary contains placeholder text ('[Content to be'); kept the repository's text"]


@pytest.mark.parametrize(
    ("behavior", "message"),
    [("error-500", "answered 500 Internal Server Error"), ("slow", "did not answer within 0.3 s")],
)
async def test_a_failing_model_raises_a_model_error(chat_server: ChatServer, behavior: str, message: str) -> None:
    chat_server.behaviors["run"] = behavior
    async with LlamaStackChatModel(chat_server.url, MODEL, 0.3, max_retries=0) as chat:
        with pytest.raises(ModelError, match=message):
            await write_prose(pet_clinic(), SOURCES, chat)


async def test_an_unknown_model_raises_a_model_error_naming_it(chat_server: ChatServer) -> None:
    async with LlamaStackChatModel(chat_server.url, "llama-9000", 5, max_retries=0) as chat:
        with pytest.raises(ModelError, match="for model 'llama-9000'"):
            await write_prose(pet_clinic(), SOURCES, chat)


async def test_a_server_that_is_down_raises_a_model_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with LlamaStackChatModel(url, MODEL, 5, max_retries=0) as chat:
        with pytest.raises(ModelError, match=f"cannot reach the language model at {url}: connection refused"):
            await write_prose(pet_clinic(), SOURCES, chat)


def repository_part(prompt: str) -> list[tuple[str, str]]:
    """``(path, text)`` of each repository excerpt in a prompt."""
    section = prompt.split("REPOSITORY TEXT\n", 1)[1].split("\n\nMODULE FACTS", 1)[0].split("\n\nWORKSHOP FACTS")[0]
    excerpts = []
    for block in section.split("--- ")[1:]:
        header, _, text = block.partition(" ---\n")
        excerpts.append((header, text.rstrip("\n")))
    return excerpts


def facts_part(prompt: str, heading: str) -> dict[str, Any]:
    lines = prompt.splitlines()
    return json.loads(lines[lines.index(f"{heading} FACTS (JSON)") + 1])
