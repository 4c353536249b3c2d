"""research_validation as a live agent process: validate_workshop on a pipeline, a repository and a folder;
research_topic through a SearxNG-shaped server on 127.0.0.1, and what it says with no provider."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import TaskState
from validation_samples import JAVA_SERVICE, broken_workshop, write_files

from support import send, skill_message
from workshop_template_system.errors import ConfigurationError, WebError
from workshop_template_system.integrations.web import searxng_search
from workshop_template_system.workshop.analysis import analyze_repository
from workshop_template_system.workshop.pipeline_steps import analysis_path, write_pipeline_workshop
from workshop_template_system.workshop.showroom import render_workshop
from workshop_template_system.workspace import Workspace, atomic_write_json

BUILD_PAGE = "content/modules/ROOT/pages/01-build.adoc"
ADDED = "\n== Notes\n\nThis lab was tested with Java 11.\n\n[source,yaml]\n----\nkey: [unclosed\n----\n"


async def _task(url: str, skill: str, input: dict) -> tuple[int, str, dict | None]:
    [(_, event)] = await send(url, skill_message(skill, input), streaming=False)
    task = event.task
    results = [get_data_parts(a.parts)[0] for a in task.artifacts if a.name == "result"]
    return task.status.state, get_message_text(task.status.message), results[0] if results else None


def _make_pipeline(workspace_path: Path, tmp_path: Path, repository_url: str) -> tuple[str, str]:
    """A pipeline as template_converter and content_creator leave it, with two problems added to a page."""
    workspace = Workspace(workspace_path)
    pipeline_id = str(workspace.init_pipeline()["pipeline_id"])
    analysis = analyze_repository(write_files(tmp_path / "hello-service", JAVA_SERVICE), source=repository_url)
    analysis_path(workspace, pipeline_id).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(analysis_path(workspace, pipeline_id), analysis.model_dump(mode="json"))
    files = render_workshop(analysis.outline, model_note="Written from the repository.")
    files[BUILD_PAGE] += ADDED
    write_pipeline_workshop(workspace, pipeline_id, files, analysis.outline, lock_timeout=10)
    return pipeline_id, files[BUILD_PAGE]


def _git_repository(folder: Path) -> Path:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Workshop"]):
        subprocess.run(["git", *identity, *command], cwd=folder, check=True, capture_output=True)
    return folder


async def test_validate_workshop_in_a_live_agent(start_agent, workspace_path: Path, tmp_path: Path, web) -> None:
    pipeline_id, page = _make_pipeline(workspace_path, tmp_path, web.url("/example/hello-service"))
    final = workspace_path / "pipelines" / pipeline_id / "final-output"
    before = sorted(str(path.relative_to(final)) for path in final.rglob("*"))
    agent = start_agent("research_validation", ALLOW_PRIVATE_URLS="true", SEARCH_PROVIDER="")

    state, _, result = await _task(agent.url, "validate_workshop", {"pipeline_id": pipeline_id})
    assert state == TaskState.TASK_STATE_COMPLETED and result is not None
    assert result["source"] == {"pipeline_id": pipeline_id, "repository": web.url("/example/hello-service")}
    assert result["summary"] == {"errors": 1, "warnings": 1, "info": 0}, result["findings"]
    lines = page.splitlines()
    [yaml, version] = sorted(result["findings"], key=lambda f: f["check"])
    claim = lines.index("This lab was tested with Java 11.") + 1
    assert (version["check"], version["file"], version["line"]) == ("version", BUILD_PAGE, claim)
    assert version["message"] == "the page says Java 11, but pom.xml declares Java 17"
    assert (yaml["check"], yaml["line"]) == ("code-yaml", lines.index("key: [unclosed") + 1)
    assert result["build"]["built"] is True and result["checked"]["links"] >= 1
    saved = workspace_path / "pipelines" / pipeline_id / "agent-artifacts/research-validation/validation.json"
    assert json.loads(saved.read_text())["summary"] == result["summary"]
    assert sorted(str(path.relative_to(final)) for path in final.rglob("*")) == before, "final-output untouched"
    assert list((workspace_path / "agents/research-validation/working").iterdir()) == [], "the copy is removed"

    repository = _git_repository(write_files(tmp_path / "broken-workshop", broken_workshop(web.url(""))))
    state, message, result = await _task(agent.url, "validate_workshop", {"repository": str(repository), "ref": "main"})
    assert state == TaskState.TASK_STATE_COMPLETED, message
    assert result is not None and result["source"]["ref"] == "main" and len(result["source"]["commit"]) == 40
    assert result["summary"] == {"errors": 8, "warnings": 2, "info": 1}  # as the domain test; no Java version known
    assert (repository / ".git").is_dir() and not (repository / ".enhance-site.yml").exists()

    state, message, _ = await _task(agent.url, "validate_workshop", {"pipeline_id": pipeline_id, "path": "/tmp"})
    assert state == TaskState.TASK_STATE_REJECTED and "exactly one of pipeline_id, path or repository" in message
    state, message, _ = await _task(agent.url, "research_topic", {"query": "tekton triggers"})
    assert state == TaskState.TASK_STATE_FAILED
    assert message.startswith("research_topic needs a web-search provider, and none is configured: set SEARCH_PROVIDER")


async def test_research_topic_through_a_searxng_endpoint(start_agent, tmp_path: Path, web) -> None:
    # The provider is on 127.0.0.1 while the guard is on: operator configuration is trusted, content is not.
    agent = start_agent("research_validation", SEARCH_PROVIDER=web.url("/"), ALLOW_LOCAL_REPOSITORIES="false")
    state, message, result = await _task(agent.url, "research_topic", {"query": "tekton triggers"})
    assert state == TaskState.TASK_STATE_COMPLETED, message
    assert result == {
        "query": "tekton triggers",
        "provider": web.url(""),
        "results": [
            {
                "title": f"tekton triggers — result {n}",
                "url": f"https://docs.example.org/{n}",
                "content": "About tekton triggers",
            }
            for n in (1, 2, 3)
        ],
    }
    assert web.hits("/search", "GET") == 1

    folder = write_files(tmp_path / "workshop", broken_workshop(web.url("")))
    state, message, _ = await _task(agent.url, "validate_workshop", {"path": str(folder)})
    assert state == TaskState.TASK_STATE_FAILED and "local paths are not allowed here" in message


async def test_searxng_answers_that_are_not_results_are_errors(web) -> None:
    results = await searxng_search(web.url("/search"), "podman", limit=2, allow_private=False)
    assert [result.url for result in results] == ["https://docs.example.org/1", "https://docs.example.org/2"]
    with pytest.raises(
        WebError, match=r"the search provider at http://127\.0\.0\.1:\d+/html/search did not answer JSON"
    ):
        await searxng_search(web.url("/html"), "podman")
    with pytest.raises(ConfigurationError, match="SEARCH_PROVIDER must be the http"):
        await searxng_search("ftp://search.example.org", "podman")
