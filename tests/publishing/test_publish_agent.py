"""source_manager as a real agent process, publishing to the Gitea double over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from a2a.helpers import get_data_parts, get_message_text
from a2a.types import TaskState
from publish_helpers import WORKSHOP, Gitea, MakeWorkshop, clone, history, tree_files, write_pipeline_files

from support import free_port, send, skill_message
from workshop_template_system.workshop.pipeline_steps import final_output
from workshop_template_system.workspace import Workspace


async def _run(url: str, skill: str, input: dict[str, Any]) -> tuple[int, str, dict[str, Any] | None]:
    """The task's final state, its message, and its result (when it completed)."""
    [(_, event)] = await send(url, skill_message(skill, input), streaming=False)
    task = event.task
    results = [get_data_parts(a.parts)[0] for a in task.artifacts if a.name == "result"]
    text = get_message_text(task.status.message) if task.status.HasField("message") else ""
    return task.status.state, text, results[0] if results else None


async def _result(url: str, skill: str, input: dict[str, Any]) -> dict[str, Any]:
    state, text, result = await _run(url, skill, input)
    assert state == TaskState.TASK_STATE_COMPLETED, text
    assert result is not None
    return result


async def test_the_agent_publishes_versions_and_proposes_branches(
    start_agent, gitea: Gitea, workspace: Workspace, make_workshop: MakeWorkshop, repository: str, tmp_path: Path
) -> None:
    pipeline_id = make_workshop()
    agent = start_agent(
        "source_manager",
        GITEA_URL=gitea.url,
        GITEA_TOKEN=gitea.token,
        GITEA_ORGANIZATION=gitea.organization,
        WORKSHOP_CHAT_URL=f"http://127.0.0.1:{free_port()}",  # nobody listens: chat is down
        LOG_LEVEL="DEBUG",
    )

    published = await _result(agent.url, "publish_workshop", {"pipeline_id": pipeline_id, "repository": repository})

    assert published["version"] == "v1" and published["changed"] is True
    assert published["clone_url"] == f"{gitea.url}/{gitea.organization}/{repository}.git"
    assert published["reindex"]["ok"] is False
    assert "workshop_chat did not re-index it" in published["reindex"]["warning"]
    copy = clone(published["clone_url"], tmp_path / "clone", token=gitea.token)
    assert tree_files(copy) == tree_files(final_output(workspace, pipeline_id))
    info = workspace.pipeline_info(pipeline_id)
    assert info["status"] == "published"
    assert info["published"]["commit"] == published["commit"] and info["published"]["version"] == "v1"
    assert workspace.agent_statuses(pipeline_id)["source-manager"]["status"] == "completed"

    write_pipeline_files(workspace, pipeline_id, {**WORKSHOP, "content/modules/ROOT/pages/index.adoc": "= New\n"})
    branch = await _result(
        agent.url,
        "publish_branch",
        {"pipeline_id": pipeline_id, "repository": repository, "branch": "update/20261127-ab12cd3"},
    )
    assert branch["pull_request"]["number"] >= 1 and branch["compare"]["base"] == "main"
    proposed = workspace.pipeline_info(pipeline_id)["proposed"]
    assert (proposed["branch"], proposed["pull_request"]) == ("update/20261127-ab12cd3", branch["pull_request"])
    assert workspace.agent_statuses(pipeline_id)["source-manager"]["status"] == "proposed"
    versions = await _result(agent.url, "list_versions", {"repository": repository})
    assert [v["version"] for v in versions["versions"]] == ["v1"], "a proposal is not a version"
    listed = await _result(agent.url, "list_repositories", {})
    assert repository in [repo["repository"] for repo in listed["repositories"]]
    assert history(clone(published["clone_url"], tmp_path / "main", token=gitea.token)) == [published["commit"]]

    for bad in ("../x", "a/b/c"):
        state, text, _ = await _run(agent.url, "publish_workshop", {"pipeline_id": pipeline_id, "repository": bad})
        assert state == TaskState.TASK_STATE_REJECTED and f"invalid repository name {bad!r}" in text

    log = agent.log()
    assert "publish_workshop" in log
    assert gitea.token not in log, "the token never reaches the log"
    assert gitea.token not in json.dumps(workspace.pipeline_info(pipeline_id))


async def test_a_refused_token_fails_the_task_with_the_reason(
    start_agent, gitea: Gitea, workspace: Workspace, make_workshop: MakeWorkshop, repository: str
) -> None:
    pipeline_id = make_workshop()
    agent = start_agent("source_manager", GITEA_URL=gitea.url, GITEA_TOKEN="not-the-token")

    state, text, _ = await _run(agent.url, "publish_workshop", {"pipeline_id": pipeline_id, "repository": repository})

    assert state == TaskState.TASK_STATE_FAILED
    assert "Gitea 401" in text and "check GITEA_TOKEN" in text
    assert workspace.agent_statuses(pipeline_id)["source-manager"]["status"] == "failed"
    state, text, _ = await _run(agent.url, "sync_repository", {"source": "ext::sh -c id", "repository": repository})
    assert state == TaskState.TASK_STATE_FAILED and "refused repository" in text


async def test_local_git_is_the_default_forge(
    start_agent, workspace: Workspace, make_workshop: MakeWorkshop, repository: str, tmp_path: Path
) -> None:
    pipeline_id = make_workshop()
    agent = start_agent("source_manager")
    published = await _result(agent.url, "publish_workshop", {"pipeline_id": pipeline_id, "repository": repository})
    bare = workspace.root / "git" / "workshops" / f"{repository}.git"
    assert published["clone_url"] == bare.as_uri() and published["web_url"] is None
    assert published["reindex"] == {
        "ok": False,
        "warning": "published, but workshop_chat did not re-index it: no address for agent workshop_chat: "
        "set WORKSHOP_CHAT_URL",
    }
    same = await _result(agent.url, "publish_workshop", {"pipeline_id": pipeline_id, "repository": repository})
    assert (same["changed"], same["commit"], same["version"]) == (False, published["commit"], "v1")
    rolled_input = {"repository": repository, "version": "v1"}
    write_pipeline_files(workspace, pipeline_id, {**WORKSHOP, "extra.adoc": "= Extra\n"})
    await _result(agent.url, "publish_workshop", {"pipeline_id": pipeline_id, "repository": repository})
    rolled = await _result(agent.url, "rollback", rolled_input)
    assert rolled["version"] == "v3"
    copy = clone(published["clone_url"], tmp_path / "clone")
    assert "extra.adoc" not in tree_files(copy) and len(history(copy)) == 3


async def test_a_publish_reindexes_the_workshop_in_a_live_chat(
    start_agent, workspace: Workspace, make_workshop: MakeWorkshop, repository: str
) -> None:
    pipeline_id = make_workshop()
    chat = start_agent("workshop_chat")
    manager = start_agent("source_manager", WORKSHOP_CHAT_URL=chat.url)
    published = await _result(manager.url, "publish_workshop", {"pipeline_id": pipeline_id, "repository": repository})
    assert published["reindex"]["ok"] is True, published["reindex"]
    assert published["reindex"]["result"]["chunks"]["added"] > 0
    listed = await _result(chat.url, "list_workshops", {})
    assert repository in [entry["workshop"] for entry in listed["workshops"]]
