"""documentation_pipeline as a real agent process: watch, check and unwatch over A2A, and propose_update
with real template_converter and content_creator processes (source_manager and research_validation absent)."""

from __future__ import annotations

import asyncio
import functools
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import TaskState
from watching_repos import RUN_SECTION_EDIT, build_pipeline, bump_java, edit_run_section, head, make_source

from support import DEPLOYMENT_COMMAND, free_port, send, skill_message
from workshop_template_system.workspace import Workspace

SKILLS = {"watch_repository", "list_watches", "unwatch", "check_updates", "propose_update", "workspace_status"}


async def _call(url: str, skill: str, input: dict[str, Any]) -> tuple[TaskState, str, dict[str, Any] | None, list[str]]:
    """The final state, its message, the result (when completed) and the progress messages of one call."""
    events = [event for _, event in await send(url, skill_message(skill, input), streaming=True)]
    final = events[-1]
    status = final.status_update.status if final.HasField("status_update") else final.task.status
    results = [
        get_data_parts(event.artifact_update.artifact.parts)[0]
        for event in events
        if event.HasField("artifact_update") and event.artifact_update.artifact.name == "result"
    ]
    progress = [
        get_message_text(event.status_update.status.message)
        for event in events
        if event.HasField("status_update") and event.status_update.status.state == TaskState.TASK_STATE_WORKING
    ]
    message = get_message_text(status.message) if status.HasField("message") else ""
    return status.state, message, (results[0] if results else None), progress


async def test_watch_check_and_unwatch_over_a2a(start_agent, workspace_path: Path, tmp_path: Path) -> None:
    source = make_source(tmp_path / "sources")
    pipeline_id = build_pipeline(Workspace(workspace_path), source)
    agent = start_agent("documentation_pipeline")
    assert {skill["id"] for skill in httpx.get(agent.url + "/skills").json()} == SKILLS

    watch = {"repository": str(source), "workshop": "greeting-workshop", "pipeline_id": pipeline_id}
    state, _, watched, _ = await _call(agent.url, "watch_repository", watch)
    assert state == TaskState.TASK_STATE_COMPLETED and watched is not None
    assert watched["seen_commit"] == head(source)

    state, reason, _, _ = await _call(agent.url, "watch_repository", {**watch, "workshop": "../escape"})
    assert state == TaskState.TASK_STATE_REJECTED and "workshop: invalid workshop name" in reason
    state, reason, _, _ = await _call(agent.url, "watch_repository", {**watch, "repository": "ext::sh -c id"})
    assert state == TaskState.TASK_STATE_FAILED and "refused repository" in reason

    edit_run_section(source)
    state, _, checked, _ = await _call(agent.url, "check_updates", {})
    assert state == TaskState.TASK_STATE_COMPLETED and checked is not None
    [update] = checked["updates"]
    assert [module["id"] for module in update["affected_modules"]] == ["run"]
    assert (update["priority"], update["commits"][0]["subject"]) == ("high", "Say which port")

    state, _, listed, _ = await _call(agent.url, "list_watches", {})
    assert listed is not None and listed["watches"][0]["last_check"]["affected_modules"] == ["run"]
    state, _, removed, _ = await _call(agent.url, "unwatch", {"workshop": "greeting-workshop"})
    assert state == TaskState.TASK_STATE_COMPLETED and removed is not None and removed["mirror_removed"] is True
    state, reason, _, _ = await _call(agent.url, "check_updates", {"workshop": "greeting-workshop"})
    assert state == TaskState.TASK_STATE_FAILED and "is not watched" in reason


async def test_propose_update_regenerates_then_stops_where_no_branch_can_be_published(
    start_agent, workspace_path: Path, tmp_path: Path
) -> None:
    source = make_source(tmp_path / "sources")
    workspace = Workspace(workspace_path)
    pipeline_id = build_pipeline(workspace, source)
    ports = {name: free_port() for name in ("template_converter", "content_creator", "documentation_pipeline")}
    urls = {f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    started = await asyncio.gather(  # in parallel: each process takes seconds to import and start
        *(asyncio.to_thread(functools.partial(start_agent, name, port=port, **urls)) for name, port in ports.items())
    )
    pipeline = started[-1]
    watch = {"repository": str(source), "workshop": "greeting-workshop", "pipeline_id": pipeline_id}
    _, _, watched, _ = await _call(pipeline.url, "watch_repository", watch)
    assert watched is not None
    seen = watched["seen_commit"]

    state, _, unchanged, _ = await _call(pipeline.url, "propose_update", {"workshop": "greeting-workshop"})
    assert state == TaskState.TASK_STATE_COMPLETED and unchanged is not None
    assert (unchanged["status"], unchanged["branch"], unchanged["steps"]) == ("up-to-date", None, [])

    edit_run_section(source)
    new_head = bump_java(source)
    state, reason, _, progress = await _call(pipeline.url, "propose_update", {"workshop": "greeting-workshop"})

    assert state == TaskState.TASK_STATE_FAILED
    assert reason.startswith(
        "no update proposed for greeting-workshop: source_manager.publish_branch failed: "
        "no address for agent source_manager: set SOURCE_MANAGER_URL"
    )
    assert (
        "steps: template_converter.analyze_repository ok; content_creator.create_workshop ok; "
        "research_validation.validate_workshop failed; source_manager.publish_branch failed"
    ) in reason
    assert f"the last seen commit stays {seen[:12]}" in reason
    assert "asking template_converter to analyze repository" in progress
    assert any(line.startswith("content_creator: building the workshop with Antora") for line in progress)

    [saved] = json.loads((workspace_path / "shared/coordination/watches.json").read_text())["watches"]
    assert saved["seen_commit"] == seen  # not advanced: nothing was published
    proposal = saved["last_proposal"]
    assert (proposal["ok"], proposal["failed_step"], proposal["to"]) == (
        False,
        "source_manager.publish_branch",
        new_head,
    )
    assert [(s["agent"], s["ok"]) for s in proposal["steps"]] == [
        ("template_converter", True),
        ("content_creator", True),
        ("research_validation", False),
        ("source_manager", False),
    ]
    assert "set RESEARCH_VALIDATION_URL" in proposal["steps"][2]["detail"]

    regenerated = proposal["pipeline_id"]
    assert regenerated != pipeline_id
    assert workspace.pipeline_info(regenerated)["commit"] == new_head  # analysed at the new head
    record = json.loads(
        (workspace.pipeline_dir(regenerated) / "agent-artifacts/documentation-pipeline/proposal.json").read_text()
    )
    assert record["status"] == "failed"
    assert [module["id"] for module in record["changes"]["affected_modules"]] == ["build", "run"]
    run_page = next(
        (workspace.pipeline_dir(regenerated) / "final-output/content/modules/ROOT/pages").glob("*-run.adoc")
    )
    assert RUN_SECTION_EDIT in run_page.read_text()


async def test_propose_update_across_five_live_agents_publishes_a_review_branch(
    start_agent, workspace_path: Path, tmp_path: Path
) -> None:
    source = make_source(tmp_path / "sources")
    workspace = Workspace(workspace_path)
    pipeline_id = build_pipeline(workspace, source)
    names = ("template_converter", "content_creator", "research_validation", "source_manager", "documentation_pipeline")
    ports = {name: free_port() for name in names}
    urls = {f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    started = await asyncio.gather(
        *(asyncio.to_thread(functools.partial(start_agent, name, port=port, **urls)) for name, port in ports.items())
    )
    agents = dict(zip(names, started, strict=True))
    state, reason, published, _ = await _call(
        agents["source_manager"].url,
        "publish_workshop",
        {"pipeline_id": pipeline_id, "repository": "greeting-workshop"},
    )
    assert state == TaskState.TASK_STATE_COMPLETED, reason
    assert published is not None and published["version"] == "v1"

    pipeline = agents["documentation_pipeline"]
    watch = {"repository": str(source), "workshop": "greeting-workshop", "pipeline_id": pipeline_id}
    await _call(pipeline.url, "watch_repository", watch)
    edit_run_section(source)
    new_head = bump_java(source)
    state, reason, proposal, _ = await _call(pipeline.url, "propose_update", {"workshop": "greeting-workshop"})

    assert state == TaskState.TASK_STATE_COMPLETED, reason
    assert proposal is not None and proposal["status"] == "proposed"
    assert proposal["branch"].startswith("update/") and proposal["branch"].endswith(new_head[:7])
    assert [(s["agent"], s["skill"], s["ok"]) for s in proposal["steps"]] == [
        ("template_converter", "analyze_repository", True),
        ("content_creator", "create_workshop", True),
        ("research_validation", "validate_workshop", True),
        ("source_manager", "publish_branch", True),
    ]
    assert set(proposal["validation"]) >= {"errors", "warnings"}
    assert [m["id"] for m in proposal["changes"]["affected_modules"]] == ["build", "run"]

    bare = workspace_path / "git" / "workshops" / "greeting-workshop.git"
    checkout = tmp_path / "review"
    subprocess.run(["git", "clone", "-q", "-b", proposal["branch"], str(bare), str(checkout)], check=True)
    branch_run = next((checkout / "content/modules/ROOT/pages").glob("*-run.adoc")).read_text()
    assert RUN_SECTION_EDIT in branch_run
    main_run = subprocess.run(
        [
            "git",
            "-C",
            str(checkout),
            "show",
            "origin/main:"
            + str(next((checkout / "content/modules/ROOT/pages").glob("*-run.adoc")).relative_to(checkout)),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert RUN_SECTION_EDIT not in main_run  # nothing reaches main without a person merging

    state, _, checked, _ = await _call(pipeline.url, "check_updates", {"workshop": "greeting-workshop"})
    assert checked is not None and checked["updates"][0]["up_to_date"] is True


async def test_the_agent_polls_its_watches_on_a_schedule(start_agent, workspace_path: Path, tmp_path: Path) -> None:
    source = make_source(tmp_path / "sources")
    pipeline_id = build_pipeline(Workspace(workspace_path), source)
    port = free_port()
    agent = start_agent(
        "documentation_pipeline",
        port=port,
        command=[
            *DEPLOYMENT_COMMAND,
            "--agent-name",
            "documentation_pipeline",
            "--port",
            str(port),
            "--poll-interval",
            "1",
        ],
    )
    watch = {"repository": str(source), "workshop": "greeting-workshop", "pipeline_id": pipeline_id}
    await _call(agent.url, "watch_repository", watch)
    new_head = edit_run_section(source)
    pending = "update pending for workshop greeting-workshop: 1 new commit on main"
    for _ in range(100):
        if pending in agent.log():
            break
        await asyncio.sleep(0.1)
    assert "checking watched repositories every 1s" in agent.log()
    line = next(line for line in agent.log().splitlines() if pending in line)
    assert f"..{new_head[:7]})" in line and "modules affected: run" in line
