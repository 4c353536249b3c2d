"""The pipeline as authors run it: six live agents, the `pipeline` command, a workshop participants can ask."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from a2a.helpers import get_data_parts
from a2a.types import TaskState
from pipeline_support import make_source, pipeline_cli, pipeline_id_of, run_state

from support import CONSOLE_SCRIPT, free_port, free_port_block, send, skill_message
from workshop_template_system.integrations.antora import build_site
from workshop_template_system.settings import AGENT_NAMES, peer_url_variable

QUESTION = "How do I deploy the service to Kubernetes?"


def _cli_env(workspace: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.endswith("_URL")}
    return env | {"WORKSPACE_PATH": str(workspace)}


def _start_up(workspace: Path) -> subprocess.Popen[str]:
    base = free_port_block(len(AGENT_NAMES))
    up = subprocess.Popen(
        [CONSOLE_SCRIPT, "up", "--base-port", str(base), "--workspace", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_cli_env(workspace),
    )
    for _ in range(len(AGENT_NAMES) + 2):
        line = up.stdout.readline()
        assert not line.startswith("error"), line + up.stdout.read()
    assert line == "all agents ready; press Ctrl-C to stop them\n"
    return up


async def _ask(url: str, question: str) -> dict:
    events = await send(url, skill_message("ask", {"question": question}), streaming=False)
    task = events[-1][1].task
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    [result] = [get_data_parts(artifact.parts)[0] for artifact in task.artifacts if artifact.name == "result"]
    return result


async def test_one_command_turns_a_repository_into_a_published_workshop_participants_can_ask(tmp_path: Path) -> None:
    source = make_source(tmp_path)
    workspace = tmp_path / "workspace"
    up = _start_up(workspace)
    try:
        done = pipeline_cli("run", str(source), "--name", "greeting-workshop", env=_cli_env(workspace))
        assert done.returncode == 0, done.stdout + done.stderr
        pipeline_id = pipeline_id_of(done.stdout)
        assert "completed: workshop 'greeting-workshop' published as v1" in done.stdout
        progress = done.stderr.splitlines()  # not a terminal: one plain line per progress message
        assert any(re.match(r"\[ *\d+%\] build: content_creator", line) for line in progress), done.stderr
        assert any("validate: research_validation" in line for line in progress)

        run = run_state(workspace, pipeline_id)
        assert run["status"] == "completed"
        assert {name: step["status"] for name, step in run["steps"].items()} == {
            "analyze": "completed",
            "build": "completed",
            "validate": "completed",
            "approve": "completed",
            "publish": "completed",
            "index": "skipped",  # source_manager had workshop_chat index the published version
            "watch": "completed",
        }
        assert run["steps"]["validate"]["summary"]["errors"] == 0
        assert run["steps"]["approve"]["summary"]["by"] == "auto"
        published = run["steps"]["publish"]["summary"]
        assert (published["version"], published["indexed"]) == ("v1", True)

        status = pipeline_cli("--json", "status", pipeline_id, env=_cli_env(workspace))
        assert json.loads(status.stdout)["agents"]["source-manager"]["status"] == "completed"
        listing = pipeline_cli("status", env=_cli_env(workspace))
        assert re.search(rf"{pipeline_id}\s+greeting-workshop\s+completed", listing.stdout), listing.stdout

        clone = tmp_path / "published"
        subprocess.run(["git", "clone", "-q", "--branch", "v1", published["clone_url"], str(clone)], check=True)
        site = build_site(clone, output_dir=tmp_path / "site")
        assert site.ok, site.diagnostics
        assert list((tmp_path / "site").rglob("*.html"))

        urls = dict(line.split("=", 1) for line in (workspace / "agents/urls.env").read_text().split() if "=" in line)
        answer = await _ask(urls[peer_url_variable("workshop_chat")], QUESTION)
        assert answer["found"] is True and "kubectl apply -f k8s/deployment.yaml" in answer["answer"]
        cited = answer["citations"][0]
        page = clone / "content/modules/ROOT/pages" / cited["page"]
        assert "kubectl apply -f k8s/deployment.yaml" in page.read_text()

        again = pipeline_cli("resume", pipeline_id, env=_cli_env(workspace))
        assert again.returncode == 0 and "completed" in again.stdout  # nothing left to do, nothing done twice
        assert run_state(workspace, pipeline_id)["steps"]["publish"]["attempts"] == 1
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)


async def test_a_killed_agent_fails_its_step_and_the_run_resumes_after_restart(start_agent, tmp_path: Path) -> None:
    source = make_source(tmp_path)
    workspace = tmp_path / "workspace"
    ports = {name: free_port() for name in AGENT_NAMES}
    wiring = {peer_url_variable(name): f"http://127.0.0.1:{port}" for name, port in ports.items()}
    agents = {name: start_agent(name, port=ports[name], **wiring) for name in AGENT_NAMES}
    driver = peer_url_variable("template_converter")
    env = _cli_env(workspace) | {driver: wiring[driver]}

    running = subprocess.Popen(
        [CONSOLE_SCRIPT, "pipeline", "run", str(source), "--approval", "manual"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pipeline_id = _wait_for_build(workspace)
    agents["content_creator"].stop(signal.SIGKILL)  # in the middle of writing and building the workshop
    out, err = running.communicate(timeout=120)
    assert running.returncode == 1, out + err
    assert "stopped at build" in err and f"pipeline resume {pipeline_id}" in err
    failed = run_state(workspace, pipeline_id)
    assert (failed["status"], failed["step"], failed["steps"]["build"]["status"]) == ("failed", "build", "failed")

    start_agent("content_creator", port=ports["content_creator"], **wiring)
    resumed = pipeline_cli("resume", pipeline_id, env=env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "awaiting approval" in resumed.stdout and f"pipeline approve {pipeline_id}" in resumed.stdout
    approved = pipeline_cli("approve", pipeline_id, "--note", "read it through", env=env)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    run = run_state(workspace, pipeline_id)
    assert run["status"] == "completed"
    attempts = {name: step["attempts"] for name, step in run["steps"].items()}
    assert attempts == {"analyze": 1, "build": 2, "validate": 1, "approve": 0, "publish": 1, "index": 0, "watch": 1}
    assert run["decision"]["note"] == "read it through"
    rejected = pipeline_cli("reject", pipeline_id, "--reason", "too late", env=env)
    assert rejected.returncode == 1 and "is not waiting for approval (it is completed)" in rejected.stderr


def _wait_for_build(workspace: Path, timeout: float = 180) -> str:
    """The pipeline's id, once content_creator is writing its workshop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for info in (workspace / "pipelines").glob("*/metadata/agent-status.json"):
            statuses = json.loads(info.read_text() or "{}")
            if statuses.get("content-creator", {}).get("status") == "writing":
                return info.parent.parent.name
        time.sleep(0.02)
    raise AssertionError("content_creator never started writing")
