"""Every agent, started with the exact deployment command, serves its card and A2A tasks."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from a2a.compat.v0_3.types import AgentCard as LegacyAgentCard
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import AgentCard, TaskState
from google.protobuf import json_format

from support import CONSOLE_SCRIPT, MODULE_COMMAND, rpc, send, skill_message, text_message
from workshop_template_system.settings import AGENT_NAMES


def _card(url: str, path: str) -> AgentCard:
    response = httpx.get(url + path)
    assert response.status_code == 200
    legacy = LegacyAgentCard.model_validate(response.json())  # the 0.3 shape, for older clients
    assert legacy.url == url + "/"
    return json_format.ParseDict(response.json(), AgentCard(), ignore_unknown_fields=True)


@pytest.mark.parametrize("name", AGENT_NAMES)
def test_agent_serves_its_card_health_and_metrics(start_agent, name: str) -> None:
    agent = start_agent(name)
    for path in ("/agent-card", "/.well-known/agent-card.json"):
        card = _card(agent.url, path)
        assert card.name == name
        assert card.capabilities.streaming
        assert [i.url for i in card.supported_interfaces] == [agent.url + "/"] * 3
        assert "workspace_status" in [skill.id for skill in card.skills]
        assert all(skill.description and skill.examples and skill.input_modes for skill in card.skills)
    assert httpx.get(agent.url + "/healthz").json() == {"status": "ok", "agent": name}
    ready = httpx.get(agent.url + "/readyz")
    assert ready.status_code == 200, ready.text
    own = {"vector_store": "ok"} if name == "workshop_chat" else {}  # what the agent opened at startup
    assert ready.json()["checks"] == {"workspace": "ok", "task_store": "ok", **own}
    metrics = httpx.get(agent.url + "/metrics").text
    assert f'agent_info{{agent="{name}"}} 1.0' in metrics
    assert 'http_requests_total{method="GET",route="/readyz",status="200"} 1.0' in metrics


def test_dashed_name_and_both_module_commands(start_agent, workspace_path: Path) -> None:
    agent = start_agent("content-creator")
    assert _card(agent.url, "/agent-card").name == "content_creator"
    agent.stop()
    for command in (MODULE_COMMAND, [CONSOLE_SCRIPT]):
        again = start_agent(
            "x",
            port=agent.port,
            command=[*command, "--agent-name", "content-creator", "--port", str(agent.port)],
        )
        assert _card(again.url, "/agent-card").name == "content_creator"
        again.stop()


async def test_blocking_send_runs_the_skill_on_the_real_workspace(start_agent, workspace_path: Path) -> None:
    agent = start_agent("source_manager")
    subprocess.run(
        [CONSOLE_SCRIPT, "workspace", "--workspace", str(workspace_path), "init", "pipeline-7"],
        check=True,
        capture_output=True,
    )
    events = await send(agent.url, skill_message("workspace_status", {"pipeline_id": "pipeline-7"}), streaming=False)
    [(_, event)] = events
    task = event.task
    assert task.status.state == TaskState.TASK_STATE_COMPLETED
    [artifact] = task.artifacts
    result = get_data_parts(artifact.parts)[0]
    assert [pipeline["pipeline_id"] for pipeline in result["pipelines"]] == ["pipeline-7"]
    assert result["pipelines"][0]["status"] == "initializing"


async def test_streaming_send_reports_states_in_order(start_agent) -> None:
    agent = start_agent("workshop_chat")
    events = await send(agent.url, text_message("workspace status"), streaming=True)
    kinds = [event.WhichOneof("payload") for _, event in events]
    assert kinds[0] == "task"
    states = [e.status_update.status.state for _, e in events if e.HasField("status_update")]
    assert states[0] == TaskState.TASK_STATE_WORKING
    assert states[-1] == TaskState.TASK_STATE_COMPLETED
    assert "artifact_update" in kinds


async def test_bad_calls_are_rejected_with_the_reason(start_agent) -> None:
    agent = start_agent("source_manager")
    cases = [
        (skill_message("no_such_skill"), "unknown skill 'no_such_skill'; valid skills: publish_workshop, "),
        (
            skill_message("workspace_status", {"pipeline_id": "../etc"}),
            "pipeline_id: invalid pipeline id '../etc'",
        ),
        (skill_message("workspace_status", {"colour": "red"}), "colour: Extra inputs are not permitted"),
        (text_message("make me a sandwich"), "could not tell which skill"),
        (text_message("   "), "the message is empty"),
    ]
    for request, expected in cases:
        [(_, event)] = await send(agent.url, request, streaming=False)
        assert event.task.status.state == TaskState.TASK_STATE_REJECTED
        assert expected in get_message_text(event.task.status.message)


def test_raw_json_rpc_errors(start_agent) -> None:
    agent = start_agent("research_validation")
    assert rpc(agent.url, b"{not json").json()["error"]["code"] == -32700
    unknown_method = rpc(agent.url, {"jsonrpc": "2.0", "id": 1, "method": "tasks/explode", "params": {}})
    assert unknown_method.status_code == 200
    assert unknown_method.json()["error"]["code"] == -32601
    missing = rpc(agent.url, {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": "nope"}})
    assert missing.json()["error"]["code"] == -32001  # TaskNotFoundError
    v1 = httpx.post(
        agent.url + "/",
        json={"jsonrpc": "2.0", "id": 3, "method": "GetTask", "params": {"id": "nope"}},
        headers={"A2A-Version": "1.0"},
    )
    assert v1.json()["error"]["code"] == -32001
    rest = httpx.get(agent.url + "/tasks/nope", headers={"A2A-Version": "1.0"})
    assert rest.status_code == 404
    assert "Traceback" not in agent.log()


def test_task_survives_a_restart(start_agent, workspace_path: Path) -> None:
    agent = start_agent("documentation_pipeline")
    sent = rpc(
        agent.url,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "message/send",
            "params": {
                "message": {
                    "messageId": "m-restart",
                    "role": "user",
                    "parts": [{"kind": "data", "data": {"skill": "workspace_status"}}],
                }
            },
        },
    ).json()["result"]
    assert sent["status"]["state"] == "completed"
    assert agent.stop(signal.SIGTERM) in (
        0,
        -signal.SIGTERM,
    )  # uvicorn re-raises the signal after a clean stop
    assert "documentation_pipeline stopped" in agent.log()
    agent.start()
    again = rpc(agent.url, {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": sent["id"]}}).json()
    assert again["result"]["id"] == sent["id"]
    assert again["result"]["status"]["state"] == "completed"
    assert again["result"]["artifacts"] == sent["artifacts"]
    assert (workspace_path / "agents" / "documentation-pipeline" / "tasks.db").is_file()


def test_card_is_cacheable(start_agent) -> None:
    agent = start_agent("workshop_chat")
    first = httpx.get(agent.url + "/agent-card")
    again = httpx.get(agent.url + "/.well-known/agent-card.json", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert first.json()["name"] == "workshop_chat"
    assert first.json()["url"] == agent.url + "/"  # the 0.3 field, for older clients
