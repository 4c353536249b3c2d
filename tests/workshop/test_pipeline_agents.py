"""Repository to workshop across two live agents: template_converter analyses, content_creator writes over A2A."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from a2a.helpers import get_data_parts, get_message_text
from a2a.types import TaskState
from workshop_samples import NODE_APP, PYTHON_PACKAGE, SHOWROOM_WORKSHOP, SPRING_APP

from support import free_port, send, skill_message, text_message


async def _call(url: str, skill: str, input: dict, *, streaming: bool = False) -> dict:
    return _result(await send(url, skill_message(skill, input), streaming=streaming))


def _result(events) -> dict:
    final = events[-1][1]
    status = final.status_update.status if final.HasField("status_update") else final.task.status
    assert status.state == TaskState.TASK_STATE_COMPLETED, get_message_text(status.message)
    artifacts = [e.artifact_update.artifact for _, e in events if e.HasField("artifact_update")]
    artifacts += [artifact for _, e in events if e.HasField("task") for artifact in e.task.artifacts]
    [result] = [get_data_parts(artifact.parts)[0] for artifact in artifacts if artifact.name == "result"]
    return result


async def test_convert_repository_writes_a_workshop_that_builds(start_agent, make_repo, workspace_path: Path) -> None:
    repo = make_repo("greeting-service", SPRING_APP)
    creator = start_agent("content_creator")
    converter = start_agent("template_converter", CONTENT_CREATOR_URL=creator.url)
    events = await send(converter.url, skill_message("convert_repository", {"repository": str(repo)}), streaming=True)
    result = _result(events)
    progress = [get_message_text(e.status_update.status.message) for _, e in events if e.HasField("status_update")]
    assert any(line.startswith("content_creator: building the workshop with Antora") for line in progress)

    pipeline_id = result["pipeline_id"]
    analysis, workshop = result["analysis"], result["workshop"]
    assert analysis["workflow"] == "new-workshop"
    assert [m["title"] for m in analysis["outline"]["modules"]] == ["Build", "Run", "Deploy to Kubernetes"]
    assert workshop["build"]["built"] is True
    assert workshop["build"]["diagnostics"] == [] and workshop["build"]["findings"] == []
    assert workshop["build"]["ok"] is True
    assert workshop["model"] is None

    pipeline = workspace_path / "pipelines" / pipeline_id
    saved = json.loads((pipeline / "agent-artifacts/template-converter/analysis.json").read_text())
    assert saved["outline"] == analysis["outline"]
    info = json.loads((pipeline / "metadata/pipeline-info.json").read_text())
    assert info["status"] == "content-created"
    statuses = json.loads((pipeline / "metadata/agent-status.json").read_text())
    assert statuses["template-converter"]["status"] == statuses["content-creator"]["status"] == "completed"

    pages = pipeline / "final-output/content/modules/ROOT/pages"
    assert len(list(pages.glob("*.adoc"))) == 3 + 2  # modules, index, conclusion
    execute_blocks = [
        block
        for page in pages.glob("*.adoc")
        for block in re.findall(
            r"\[source,bash,role=execute[^\]]*\]\n(-{4,})\n(.*?)\n\1\n", page.read_text(), re.DOTALL
        )
    ]
    executed = "\n".join(body for _, body in execute_blocks)
    site = pipeline / "agent-artifacts/content-creator/site"
    built = "\n".join(html.unescape(p.read_text()) for p in site.rglob("*.html"))
    for module in analysis["outline"]["modules"]:
        for step in module["steps"]:
            for command in step["commands"]:
                assert command in executed, command  # the README's commands, as execute blocks
                assert command in built, command  # and verbatim on the built pages
    text = "\n".join(p.read_text() for p in (pipeline / "final-output").rglob("*.adoc"))
    for banned in ("TODO", "lorem", "Content to be", "Key benefit"):
        assert banned not in text


async def test_analyze_repository_reads_a_tutorial_in_docs(start_agent, make_repo, workspace_path: Path) -> None:
    repo = make_repo("todo-api", NODE_APP)
    converter = start_agent("template_converter")
    result = _result(await send(converter.url, text_message(str(repo)), streaming=False))
    assert result["workflow"] == "new-workshop"
    assert result["primary_language"] in {"JavaScript", "TypeScript"}
    assert result["outline"]["modules"], "the tutorial pages become modules"
    assert (workspace_path / "pipelines" / result["pipeline_id"] / "workspace-content" / "todo-api").is_dir()


async def test_sources_that_are_not_allowed_are_refused(start_agent, make_repo) -> None:
    repo = make_repo("local", SPRING_APP)
    converter = start_agent("template_converter", ALLOW_LOCAL_REPOSITORIES="false")
    for source, reason in (
        ("ext::sh -c touch% /tmp/pwned", "refused repository"),
        (str(repo), "refused repository"),
    ):
        [(_, event)] = await send(
            converter.url, skill_message("analyze_repository", {"repository": source}), streaming=False
        )
        assert event.task.status.state == TaskState.TASK_STATE_FAILED
        assert reason in get_message_text(event.task.status.message)
    [(_, event)] = await send(converter.url, skill_message("analyze_repository", {"ref": "main"}), streaming=False)
    assert event.task.status.state == TaskState.TASK_STATE_REJECTED
    assert "repository: Field required" in get_message_text(event.task.status.message)
    assert not Path("/tmp/pwned").exists()


async def test_a_python_package_step_by_step_through_both_agents(start_agent, make_repo, workspace_path: Path) -> None:
    repo = make_repo("textstats", PYTHON_PACKAGE)
    converter = start_agent("template_converter")
    creator = start_agent("content_creator")
    analysis = await _call(converter.url, "analyze_repository", {"repository": str(repo)}, streaming=False)
    assert [m["title"] for m in analysis["outline"]["modules"]] == ["Installation", "Usage", "Development"]
    assert {"name": "Python", "version": ">=3.10", "source_file": "pyproject.toml"} in analysis["prerequisites"]
    workshop = _result(
        await send(
            creator.url, skill_message("create_workshop", {"pipeline_id": analysis["pipeline_id"]}), streaming=True
        )
    )
    assert workshop["build"]["ok"] is True, workshop["build"]
    assert workshop["pages"][0].endswith("index.adoc") and workshop["pages"][-1].endswith("conclusion.adoc")
    usage = (workspace_path / "pipelines" / analysis["pipeline_id"] / "final-output" / workshop["pages"][2]).read_text()
    assert "textstats README.md" in usage  # the prompt is gone, the command stays
    assert "words: 42" not in usage.split("[source,bash,role=execute")[1].split("\n\n")[0]  # output is not a command


async def test_with_a_model_the_prose_is_the_models_and_the_commands_the_repositorys(
    start_agent, make_repo, workspace_path: Path
) -> None:
    from support_llm import MODEL, running_chat_server

    repo = make_repo("greeting-service", SPRING_APP)
    converter = start_agent("template_converter")
    with running_chat_server() as llm:
        creator = start_agent("content_creator", LLAMA_STACK_ENDPOINT=llm.url, INFERENCE_MODEL_ID=MODEL)
        analysis = await _call(converter.url, "analyze_repository", {"repository": str(repo)}, streaming=False)
        workshop = _result(
            await send(
                creator.url, skill_message("create_workshop", {"pipeline_id": analysis["pipeline_id"]}), streaming=True
            )
        )
        prompts = llm.prompts()
    assert workshop["model"] == MODEL
    assert workshop["warnings"] == []
    assert workshop["build"]["ok"] is True, workshop["build"]
    assert len(prompts) == len(analysis["outline"]["modules"]) + 1  # one per module, one for the summary
    assert all("Spring Boot service" in prompt for prompt in prompts)  # grounded in the README
    pages = workspace_path / "pipelines" / analysis["pipeline_id"] / "final-output/content/modules/ROOT/pages"
    build_page = next(pages.glob("01-*.adoc")).read_text()
    assert "In Build you work through" in build_page  # the model's introduction
    assert "./mvnw -B package" in build_page  # the repository's command, untouched
    assert f"written by the language model {MODEL}" in (pages / "index.adoc").read_text()


async def test_a_model_that_is_down_leaves_the_repositorys_text(start_agent, make_repo) -> None:
    repo = make_repo("textstats", PYTHON_PACKAGE)
    converter = start_agent("template_converter")
    creator = start_agent(
        "content_creator",
        LLAMA_STACK_ENDPOINT=f"http://127.0.0.1:{free_port()}",
        INFERENCE_MODEL_ID="m",
        LLM_TIMEOUT="5",
    )
    analysis = await _call(converter.url, "analyze_repository", {"repository": str(repo)}, streaming=False)
    workshop = _result(
        await send(
            creator.url, skill_message("create_workshop", {"pipeline_id": analysis["pipeline_id"]}), streaming=False
        )
    )
    assert workshop["model"] is None
    [warning] = workshop["warnings"]
    assert warning.startswith("cannot reach the language model at http://127.0.0.1:")
    assert workshop["build"]["ok"] is True


async def test_a_workshop_from_a_topic_needs_a_model_and_says_whose_commands_they_are(start_agent) -> None:
    from support_llm import MODEL, running_chat_server

    request = {"topic": "Podman basics", "objectives": ["Run a container", "Build an image"]}
    without = start_agent("content_creator")
    [(_, event)] = await send(without.url, skill_message("create_workshop", request), streaming=False)
    assert event.task.status.state == TaskState.TASK_STATE_FAILED
    assert get_message_text(event.task.status.message).startswith(
        "a workshop from a topic alone needs a language model"
    )

    with running_chat_server() as llm:
        creator = start_agent("content_creator", LLAMA_STACK_ENDPOINT=llm.url, INFERENCE_MODEL_ID=MODEL)
        workshop = await _call(creator.url, "create_workshop", request)
        assert workshop["title"] == "Podman basics"
        assert workshop["model"] == MODEL and "review its commands" in workshop["note"]
        assert workshop["build"]["ok"] is True, workshop["build"]
        assert [m["id"] for m in workshop["modules"]] == ["objective-1", "objective-2"]

        llm.behaviors["topic"] = "placeholder"
        [(_, event)] = await send(creator.url, skill_message("create_workshop", request), streaming=False)
    assert event.task.status.state == TaskState.TASK_STATE_FAILED
    assert "contains placeholder text" in get_message_text(event.task.status.message)


async def test_an_existing_showroom_workshop_is_enhanced_not_rewritten(
    start_agent, make_repo, workspace_path: Path
) -> None:
    extra_page = (
        "= Clean up\n\nDelete the project `{user}-cicd` on `{guid}`:\n\n"
        "[source,bash,role=execute]\n----\noc delete project demo\n----\n"
    )
    repo = make_repo(
        "pipelines-workshop", {**SHOWROOM_WORKSHOP, "content/modules/ROOT/pages/module-03.adoc": extra_page}
    )
    creator = start_agent("content_creator")
    converter = start_agent("template_converter", CONTENT_CREATOR_URL=creator.url)
    result = await _call(converter.url, "convert_repository", {"repository": str(repo)}, streaming=True)
    assert result["analysis"]["workflow"] == "enhance-existing"
    workshop = result["workshop"]
    kinds = {change["kind"] for change in workshop["changes"]}
    assert {"nav", "attribute"} <= kinds, workshop["changes"]
    assert workshop["build"]["ok"] is True, workshop["build"]
    final = workspace_path / "pipelines" / result["pipeline_id"] / "final-output"
    for name, text in SHOWROOM_WORKSHOP.items():
        if name.endswith(".adoc") and "/pages/" in name:
            kept = (final / name).read_text()
            lines = iter(kept.splitlines())
            assert all(line in lines for line in text.splitlines()), name  # every author line, in order
    assert "module-03.adoc" in (final / "content/modules/ROOT/nav.adoc").read_text()
    assert "guid:" in (final / "content/antora.yml").read_text()
    source = workspace_path / "pipelines" / result["pipeline_id"] / "workspace-content" / "pipelines-workshop"
    assert "module-03.adoc" not in (source / "content/modules/ROOT/nav.adoc").read_text()  # the clone is untouched
