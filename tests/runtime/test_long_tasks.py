"""Long skills on the real runtime: progress streams before completion, cancel stops them, SIGTERM fails them."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import pytest
from a2a.client import ClientConfig, create_client
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import CancelTaskRequest, GetTaskRequest, TaskState

from support import free_port, send, skill_message, text_message


async def test_progress_arrives_before_completion(start_agent, test_agent_command) -> None:
    port = free_port()
    agent = start_agent("harness", port=port, command=test_agent_command(port))
    started = time.monotonic()
    events = await send(agent.url, skill_message("count", {"n": 5, "delay": 0.2}), streaming=True)
    progress = [
        (arrived, event.status_update)
        for arrived, event in events
        if event.HasField("status_update") and event.status_update.metadata.fields.get("progress")
    ]
    assert [get_message_text(update.status.message) for _, update in progress] == [
        f"counted {step} of 5" for step in range(1, 6)
    ]
    assert [update.metadata["progress"] for _, update in progress] == [0.2, 0.4, 0.6, 0.8, 1.0]
    finished = events[-1][0]
    assert progress[0][0] - started < finished - started - 0.6  # the first step came ~0.8 s before the end
    assert events[-1][1].status_update.status.state == TaskState.TASK_STATE_COMPLETED
    [result] = [get_data_parts(e.artifact_update.artifact.parts)[0] for _, e in events if e.HasField("artifact_update")]
    assert result == {"counted": 5}


async def test_cancel_stops_a_running_task(start_agent, test_agent_command) -> None:
    port = free_port()
    agent = start_agent("harness", port=port, command=test_agent_command(port))
    async with httpx.AsyncClient(timeout=30) as http:
        client = await create_client(agent.url, client_config=ClientConfig(streaming=True, httpx_client=http))
        stream = client.send_message(text_message("count 100"))
        first = await anext(stream)
        task_id = first.task.id
        await anext(stream)  # working: the skill is running
        canceled = await client.cancel_task(CancelTaskRequest(id=task_id))
        assert canceled.status.state == TaskState.TASK_STATE_CANCELED
        await asyncio.sleep(0.5)
        task = await client.get_task(GetTaskRequest(id=task_id))
        assert task.status.state == TaskState.TASK_STATE_CANCELED
        assert "counted 100 of 100" not in str(task)
        await stream.aclose()
    assert "skill count canceled" in agent.log()


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "send"])
async def test_a_task_outlives_the_client_that_hangs_up(start_agent, test_agent_command, streaming: bool) -> None:
    port = free_port()
    agent = start_agent("harness", port=port, command=test_agent_command(port))
    async with httpx.AsyncClient(timeout=30) as http:
        client = await create_client(agent.url, client_config=ClientConfig(streaming=True, httpx_client=http))
        if streaming:
            stream = client.send_message(text_message("count 8"))
            task_id = (await anext(stream)).task.id
            await stream.aclose()  # the client hangs up mid-stream
        else:
            request = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "message/send",
                "params": {
                    "message": {
                        "kind": "message",
                        "role": "user",
                        "messageId": "m1",
                        "parts": [{"kind": "text", "text": "count 8"}],
                    },
                    "configuration": {"blocking": True},
                },
            }
            async with httpx.AsyncClient() as impatient:
                with pytest.raises(httpx.ReadTimeout):
                    await impatient.post(agent.url + "/", json=request, timeout=0.5)  # gives up before the answer
            await asyncio.sleep(0.3)
            listed = httpx.post(
                agent.url + "/",
                json={"jsonrpc": "2.0", "id": 2, "method": "ListTasks", "params": {}},
                headers={"A2A-Version": "1.0"},
            ).json()
            task_id = listed["result"]["tasks"][0]["id"]
        deadline = time.monotonic() + 20
        while (
            task := await client.get_task(GetTaskRequest(id=task_id))
        ).status.state != TaskState.TASK_STATE_COMPLETED:
            assert time.monotonic() < deadline and task.status.state == TaskState.TASK_STATE_WORKING, task
            await asyncio.sleep(0.2)
    assert "counted 8 of 8" in str(task)


@pytest.mark.parametrize(
    ("sig", "reason"),
    [
        (signal.SIGTERM, "the agent shut down before the task finished"),
        (signal.SIGKILL, "the agent stopped (killed or crashed) before the task finished"),
    ],
)
async def test_a_stopped_agent_fails_its_running_tasks_with_a_reason(
    start_agent, test_agent_command, sig: signal.Signals, reason: str
) -> None:
    port = free_port()
    agent = start_agent("harness", port=port, command=test_agent_command(port), SHUTDOWN_GRACE="1")
    sent = httpx.post(
        agent.url + "/",
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "message/send",
            "params": {
                "message": {
                    "messageId": "m1",
                    "role": "user",
                    "parts": [{"kind": "text", "text": "count 200"}],
                },
                "configuration": {"blocking": False},
            },
        },
    ).json()
    task_id = sent["result"]["id"]
    await asyncio.sleep(0.5)
    agent.stop(sig)
    agent.start()
    task = httpx.post(
        agent.url + "/", json={"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": task_id}}
    ).json()["result"]
    assert task["status"]["state"] == "failed"
    assert task["status"]["message"]["parts"][0]["text"] == reason
