"""Agents calling each other over HTTP, with the bearer token; and what happens without it."""

from __future__ import annotations

import httpx
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import TaskState

from support import free_port, send, skill_message

TOKEN = "s3cret-token-for-tests"


async def test_one_agent_calls_another_with_the_bearer_token(start_agent, test_agent_command) -> None:
    chat = start_agent("workshop_chat", A2A_AUTH_TOKEN=TOKEN)
    port = free_port()
    harness = start_agent(
        "harness",
        port=port,
        command=test_agent_command(port),
        A2A_AUTH_TOKEN=TOKEN,
        WORKSHOP_CHAT_URL=chat.url,
    )
    events = await send(
        harness.url,
        skill_message("relay", {"agent": "workshop_chat", "skill": "workspace_status", "input": {}}),
        streaming=True,
        token=TOKEN,
    )
    final = events[-1][1].status_update.status
    assert final.state == TaskState.TASK_STATE_COMPLETED, get_message_text(final.message)
    [result] = [get_data_parts(e.artifact_update.artifact.parts)[0] for _, e in events if e.HasField("artifact_update")]
    assert result["peer"] == "workshop_chat"
    assert "pipelines" in result["peer_result"]
    progress = [get_message_text(e.status_update.status.message) for _, e in events if e.HasField("status_update")]
    assert "workshop_chat: running workspace_status" in progress
    for agent in (chat, harness):
        assert TOKEN not in agent.log()


def test_without_the_token_every_a2a_route_is_refused(start_agent) -> None:
    agent = start_agent("source_manager", A2A_AUTH_TOKEN=TOKEN)
    card = httpx.get(agent.url + "/agent-card").json()
    assert card["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["scheme"] == "bearer"
    assert card["securityRequirements"] == [{"schemes": {"bearer": {}}}]
    for path in ("/.well-known/agent-card.json", "/healthz", "/readyz", "/metrics"):
        assert httpx.get(agent.url + path).status_code == 200, path
    call = {"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {"id": "x"}}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        refused = httpx.post(agent.url + "/", json=call, headers=headers)
        assert refused.status_code == 401
        assert refused.json()["message"] == "this agent requires 'Authorization: Bearer <token>'"
    assert httpx.get(agent.url + "/tasks/x").status_code == 401
    assert httpx.get(agent.url + "/skills").status_code == 401
    allowed = httpx.post(agent.url + "/", json=call, headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200
    assert allowed.json()["error"]["code"] == -32001


async def test_a_peer_that_is_down_fails_the_task_with_a_reason(start_agent, test_agent_command) -> None:
    port = free_port()
    nowhere = f"http://127.0.0.1:{free_port()}"
    harness = start_agent("harness", port=port, command=test_agent_command(port), CONTENT_CREATOR_URL=nowhere)
    events = await send(
        harness.url,
        skill_message("relay", {"agent": "content_creator", "skill": "workspace_status"}),
        streaming=False,
    )
    task = events[-1][1].task
    assert task.status.state == TaskState.TASK_STATE_FAILED
    reason = get_message_text(task.status.message)
    assert reason.startswith(f"calling content_creator.workspace_status at {nowhere} failed")
    no_address = await send(
        harness.url,
        skill_message("relay", {"agent": "source_manager", "skill": "workspace_status"}),
        streaming=False,
    )
    assert get_message_text(no_address[-1][1].task.status.message) == (
        "no address for agent source_manager: set SOURCE_MANAGER_URL"
    )
