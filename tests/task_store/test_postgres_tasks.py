"""Replicas share tasks through a real PostgreSQL (``TASK_STORE_URL``), each agent in its own tables: a task is read,
canceled and followed through any replica."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from a2a.client import ClientConfig, create_client
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import StreamResponse, SubscribeToTaskRequest, TaskState
from postgres_cluster import DATABASE, PostgresCluster
from prometheus_client.parser import text_string_to_metric_families

from support import DEPLOYMENT_COMMAND, AgentProcess, agent_env, free_port, rpc
from workshop_template_system.agents import agent_spec
from workshop_template_system.runtime.task_store import open_engine, open_store, task_store

NOT_FOUND = -32001  # A2A TaskNotFoundError
V1 = {"A2A-Version": "1.0"}


def _start(start_agent: Any, url: str, *agents: tuple[str, Path]) -> list[AgentProcess]:
    """Start agents side by side (each `name`, workspace), all on the task store at `url`; RAG off: not under test."""
    with ThreadPoolExecutor(len(agents)) as pool:
        runs = [
            pool.submit(start_agent, name, WORKSPACE_PATH=str(workspace), TASK_STORE_URL=url, RAG_ENABLED="false")
            for name, workspace in agents
        ]
        return [run.result() for run in runs]


def _message(skill: str) -> dict[str, Any]:
    """A blocking 0.3 `message/send` of one skill call."""
    message = {"messageId": uuid.uuid4().hex, "role": "user", "parts": [{"kind": "data", "data": {"skill": skill}}]}
    return {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {"message": message}}


def _send(agent: AgentProcess, skill: str) -> dict[str, Any]:
    """The final task of one skill call."""
    return rpc(agent.url, _message(skill)).json()["result"]


def _get(agent: AgentProcess, task_id: str) -> dict[str, Any]:
    """The 0.3 `tasks/get` reply (result or error)."""
    return rpc(agent.url, {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": task_id}}).json()


def _listed(agent: AgentProcess) -> set[str]:
    """Ids of the newest tasks the agent lists (1.0 `ListTasks`)."""
    payload = {"jsonrpc": "2.0", "id": 3, "method": "ListTasks", "params": {"pageSize": 100}}
    return {task["id"] for task in httpx.post(agent.url + "/", json=payload, headers=V1).json()["result"]["tasks"]}


async def _stored_ids(url: str, table: str, column: str = "id") -> set[str]:
    """Task ids in one of an agent's tables, read straight from PostgreSQL."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return {row[column] for row in await connection.fetch(f'SELECT "{column}" FROM "{table}"')}
    finally:
        await connection.close()


def test_a_task_sent_to_one_replica_is_read_on_the_other(start_agent, postgres_url: str, tmp_path: Path) -> None:
    a, b = _start(start_agent, postgres_url, ("workshop_chat", tmp_path / "a"), ("workshop_chat", tmp_path / "b"))
    sent = _send(a, "workspace_status")
    assert sent["status"]["state"] == "completed"
    assert sent["artifacts"]

    got = _get(b, sent["id"])["result"]
    assert (got["id"], got["contextId"], got["status"]) == (sent["id"], sent["contextId"], sent["status"])
    assert got["artifacts"] == sent["artifacts"]
    v1 = httpx.post(
        b.url + "/", json={"jsonrpc": "2.0", "id": 4, "method": "GetTask", "params": {"id": sent["id"]}}, headers=V1
    ).json()["result"]
    assert v1["status"]["state"] == "TASK_STATE_COMPLETED"
    rest = httpx.get(f"{b.url}/tasks/{sent['id']}", headers=V1)
    assert rest.status_code == 200
    assert [art["artifactId"] for art in rest.json()["artifacts"]] == [art["artifactId"] for art in sent["artifacts"]]

    back = _send(b, "workspace_status")
    assert _get(a, back["id"])["result"]["status"]["state"] == "completed"
    assert {sent["id"], back["id"]} <= _listed(a) & _listed(b)
    for replica in ("a", "b"):  # shared through the database, not some file of the workspace
        assert not (tmp_path / replica / "agents" / "workshop-chat" / "tasks.db").exists()


async def test_each_agent_kind_keeps_its_own_table(start_agent, postgres_url: str, tmp_path: Path) -> None:
    chat, converter = _start(
        start_agent, postgres_url, ("workshop_chat", tmp_path / "ws"), ("template_converter", tmp_path / "ws")
    )
    chat_task, converter_task = _send(chat, "workspace_status"), _send(converter, "workspace_status")

    assert _get(converter, chat_task["id"])["error"]["code"] == NOT_FOUND
    assert _get(chat, converter_task["id"])["error"]["code"] == NOT_FOUND
    assert converter_task["id"] in _listed(converter)
    assert chat_task["id"] not in _listed(converter)
    assert converter_task["id"] not in _listed(chat)
    chat_rows = await _stored_ids(postgres_url, "a2a_tasks_workshop_chat")
    converter_rows = await _stored_ids(postgres_url, "a2a_tasks_template_converter")
    assert chat_task["id"] in chat_rows - converter_rows
    assert converter_task["id"] in converter_rows - chat_rows
    for kind in ("events", "versions"):  # what replicas of one agent share to cancel and follow its tasks
        chat_rows = await _stored_ids(postgres_url, f"a2a_task_{kind}_workshop_chat", "task_id")
        converter_rows = await _stored_ids(postgres_url, f"a2a_task_{kind}_template_converter", "task_id")
        assert chat_task["id"] in chat_rows - converter_rows
        assert converter_task["id"] in converter_rows - chat_rows


async def test_replicas_starting_together_on_a_new_database_all_open_it(own_postgres: PostgresCluster) -> None:
    engines = [open_engine(own_postgres.url()) for _ in range(4)]  # four replicas' own pools
    try:
        for name in ("workshop_chat", "content_creator"):
            stores = [task_store(engine, agent_spec(name), shared=True) for engine in engines]
            await asyncio.gather(*(open_store(store) for store in stores))  # all race to create the same tables
    finally:
        for engine in engines:
            await engine.dispose()
    connection = await asyncpg.connect(own_postgres.url().replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        tables = {row["tablename"] for row in await connection.fetch("SELECT tablename FROM pg_tables")}
    finally:
        await connection.close()
    for name in ("workshop_chat", "content_creator"):
        assert {f"a2a_tasks_{name}", f"a2a_task_events_{name}", f"a2a_task_versions_{name}"} <= tables


def test_readiness_follows_the_database(own_postgres: PostgresCluster, start_agent, tmp_path: Path) -> None:
    [agent] = _start(start_agent, own_postgres.url(), ("template_converter", tmp_path / "ws"))
    ready = httpx.get(agent.url + "/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["task_store"] == "ok"

    own_postgres.stop()
    down = httpx.get(agent.url + "/readyz")
    assert down.status_code == 503
    checks = down.json()["checks"]
    assert checks["workspace"] == "ok"
    assert f"127.0.0.1', {own_postgres.port}" in checks["task_store"]  # names the database it cannot reach
    refused = rpc(agent.url, _message("workspace_status"))
    assert refused.status_code == 200
    message = refused.json()["error"]["message"]
    reason = re.escape(f"Connect call failed ('127.0.0.1', {own_postgres.port})")
    assert re.fullmatch(rf"the task store cannot (read|save) task [0-9a-f-]{{36}}: \[Errno 111\] {reason}", message), (
        message
    )

    own_postgres.start()  # the pool reconnects by itself: ready again, tasks stored again
    assert httpx.get(agent.url + "/readyz").status_code == 200
    again = _send(agent, "workspace_status")
    assert _get(agent, again["id"])["result"]["status"]["state"] == "completed"
    assert own_postgres.password not in agent.log()


async def _set_read_only(url: str, read_only: bool) -> None:
    """Make the database read-only (as a hot standby is) or writable, and close the agents' connections to it."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await connection.execute("SET default_transaction_read_only = off")  # this session may alter the database
        await connection.execute(
            f"ALTER DATABASE {DATABASE} SET default_transaction_read_only = {'on' if read_only else 'off'}"
        )
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            DATABASE,
        )
    finally:
        await connection.close()


def test_a_task_the_database_refuses_to_save_gets_its_reason_without_sql(
    own_postgres: PostgresCluster, start_agent, tmp_path: Path
) -> None:
    [agent] = _start(start_agent, own_postgres.url(), ("template_converter", tmp_path / "ws"))
    before = _send(agent, "workspace_status")

    asyncio.run(_set_read_only(own_postgres.url(), True))
    private = {"pipeline_id": "private-pipeline"}
    payload = _message("workspace_status")
    payload["params"]["message"]["parts"][0]["data"]["input"] = private
    error = rpc(agent.url, payload).json()["error"]
    assert error["code"] == -32603
    assert re.fullmatch(
        r"the task store cannot save task [0-9a-f-]{36}: cannot execute INSERT in a read-only transaction",
        error["message"],
    ), error
    assert "a2a_tasks" not in error["message"] and "private-pipeline" not in error["message"]  # no SQL, no request
    assert _get(agent, before["id"])["result"]["status"]["state"] == "completed"  # reads still work

    asyncio.run(_set_read_only(own_postgres.url(), False))
    again = _send(agent, "workspace_status")
    assert _get(agent, again["id"])["result"]["status"]["state"] == "completed"


def _serve_with(url: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    """Run the deployment command on the task store at `url` until it exits."""
    port = free_port()
    return subprocess.run(
        [*DEPLOYMENT_COMMAND, "--agent-name", "workshop_chat", "--port", str(port)],
        env=agent_env(workspace, port, TASK_STORE_URL=url, RAG_ENABLED="false"),
        capture_output=True,
        text=True,
        timeout=120,
    )


WRONG_PASSWORD = "not-the-password"
BAD_URLS: dict[str, tuple[Callable[[PostgresCluster], str], str]] = {
    "wrong password": (lambda cluster: cluster.url(password=WRONG_PASSWORD), "password authentication failed for user"),
    "nothing listening": (lambda cluster: cluster.url(port=free_port()), "Connect call failed"),
}


@pytest.mark.parametrize("case", BAD_URLS)
def test_a_bad_task_store_url_stops_the_agent_saying_why(
    own_postgres: PostgresCluster, tmp_path: Path, case: str
) -> None:
    bad_url, reason = BAD_URLS[case]
    done = _serve_with(bad_url(own_postgres), tmp_path / "ws")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert reason in output
    assert own_postgres.password not in output
    assert WRONG_PASSWORD not in output


def test_a_bad_task_store_url_is_one_readable_line(own_postgres: PostgresCluster, tmp_path: Path) -> None:
    done = _serve_with(own_postgres.url(password=WRONG_PASSWORD), tmp_path / "ws")
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"error: task store postgresql+asyncpg://wts:***@127.0.0.1:{own_postgres.port}/wts_tasks cannot be opened: "
        'password authentication failed for user "wts"'
    )


def _replicas(start_agent: Any, command: Callable[[int], list[str]], url: str, tmp_path: Path) -> list[AgentProcess]:
    """Two replicas of the harness agent (tests/runtime/harness_agent.py) on the task store at `url`."""
    ports = free_port(), free_port()
    with ThreadPoolExecutor(2) as pool:
        runs = [
            pool.submit(
                start_agent,
                "harness",
                port=port,
                command=command(port),
                WORKSPACE_PATH=str(tmp_path / f"ws{port}"),
                TASK_STORE_URL=url,
            )
            for port in ports
        ]
        return [run.result() for run in runs]


def _start_count(agent: AgentProcess, n: int, delay: float) -> str:
    """Start the harness's `count` skill without waiting for it; the task's id."""
    message = _message("count")
    message["params"]["message"]["parts"][0]["data"]["input"] = {"n": n, "delay": delay}
    message["params"]["configuration"] = {"blocking": False}
    return rpc(agent.url, message).json()["result"]["id"]


def _wait_for_progress(agent: AgentProcess, task_id: str, steps: int, timeout: float = 30) -> dict[str, Any]:
    """The task as the agent reads it once it is working and has counted `steps` steps."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = _get(agent, task_id)["result"]
        if task["status"]["state"] == "working" and len(_counted(task)) >= steps:
            return task
        time.sleep(0.1)
    raise AssertionError(f"task {task_id} did not count {steps} steps within {timeout}s: {task}")


def _count_tasks(agent: AgentProcess) -> dict[tuple[str, str], float]:
    """From the agent's /metrics: `count` tasks running now ("running", "") and ended by state ("ended", state)."""
    found: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(httpx.get(agent.url + "/metrics").text):
        for sample in family.samples:
            if sample.labels.get("skill") != "count":
                continue
            if sample.name == "a2a_tasks_running":
                found["running", ""] = sample.value
            elif sample.name == "a2a_tasks_total":
                found["ended", sample.labels["state"]] = sample.value
    return found


def _counted(task: dict[str, Any]) -> list[str]:
    """The progress texts of a task (its history and status) or of a status update, in order."""
    messages = [*task.get("history", []), task["status"].get("message", {})]
    texts = [part.get("text", "") for message in messages for part in message.get("parts", [])]
    return [text for text in texts if text.startswith("counted ")]


def test_cancel_on_another_replica_stops_the_task(
    start_agent, test_agent_command, postgres_url: str, tmp_path: Path
) -> None:
    a, b = _replicas(start_agent, test_agent_command, postgres_url, tmp_path)
    started = time.monotonic()
    task_id = _start_count(a, n=24, delay=0.25)  # 6 s if nothing stops it
    _wait_for_progress(b, task_id, 2)  # B reads the running task from the database
    assert _count_tasks(a)["running", ""] == 1

    canceled = rpc(b.url, {"jsonrpc": "2.0", "id": 5, "method": "tasks/cancel", "params": {"id": task_id}}).json()
    assert canceled["result"]["status"]["state"] == "canceled"
    canceled_at = time.monotonic()
    while _count_tasks(a)["running", ""] and time.monotonic() - canceled_at < 4:
        time.sleep(0.05)
    assert _count_tasks(a) == {("running", ""): 0, ("ended", "canceled"): 1}  # A's skill itself ended, canceled
    assert time.monotonic() - started < 5  # at its next progress report (every 0.25 s), before the count's end
    assert "skill count canceled" in a.log()

    time.sleep(max(0.0, started + 6.5 - time.monotonic()))  # past the end the count would have reached
    assert _count_tasks(a) == {("running", ""): 0, ("ended", "canceled"): 1}  # never completed
    for replica in (a, b):
        task = _get(replica, task_id)["result"]
        assert task["status"]["state"] == "canceled"
        assert 2 <= len(_counted(task)) < 24  # it had counted some, and stopped before the end
    assert _get(a, task_id) == _get(b, task_id)
    assert "skill count completed" not in a.log()
    assert "Traceback" not in a.log() + b.log()


async def _subscribe_v1(agent: AgentProcess, task_id: str) -> list[tuple[float, StreamResponse]]:
    """Every event of a 1.0 `SubscribeToTask` through the SDK's client, each with the time it arrived."""
    async with httpx.AsyncClient(timeout=60) as http:
        client = await create_client(agent.url, client_config=ClientConfig(streaming=True, httpx_client=http))
        return [(time.monotonic(), event) async for event in client.subscribe(SubscribeToTaskRequest(id=task_id))]


async def _resubscribe_v03(agent: AgentProcess, task_id: str) -> list[dict[str, Any]]:
    """Every result of a 0.3 `tasks/resubscribe` (server-sent events), as JSON."""
    payload = {"jsonrpc": "2.0", "id": 6, "method": "tasks/resubscribe", "params": {"id": task_id}}
    async with httpx.AsyncClient(timeout=60) as http, http.stream("POST", agent.url + "/", json=payload) as response:
        assert response.status_code == 200
        return [json.loads(line[5:])["result"] async for line in response.aiter_lines() if line.startswith("data:")]


async def test_a_subscriber_on_another_replica_follows_the_task(
    start_agent, test_agent_command, postgres_url: str, tmp_path: Path
) -> None:
    a, b = _replicas(start_agent, test_agent_command, postgres_url, tmp_path)
    task_id = _start_count(a, n=8, delay=0.4)
    await asyncio.to_thread(_wait_for_progress, b, task_id, 0)
    v1, v03 = await asyncio.gather(_subscribe_v1(b, task_id), _resubscribe_v03(b, task_id))

    first, *updates = [event for _, event in v1]
    assert first.task.id == task_id  # the snapshot B read, then A's events as A makes them
    assert first.task.status.state == TaskState.TASK_STATE_WORKING
    progress = [(arrived, event.status_update) for arrived, event in v1[1:] if event.status_update.status.message.parts]
    texts = [get_message_text(update.status.message) for _, update in progress]
    counted = [text for text in texts if text.startswith("counted ")]
    assert counted == [f"counted {step} of 8" for step in range(9 - len(counted), 9)]
    assert len(counted) >= 4  # B subscribed early and saw most of the count live
    assert progress[-1][0] - progress[0][0] > 1  # streamed as A counted, not replayed at the end
    [result] = [
        get_data_parts(event.artifact_update.artifact.parts)[0]
        for event in updates
        if event.HasField("artifact_update")
    ]
    assert result == {"counted": 8}
    assert updates[-1].status_update.status.state == TaskState.TASK_STATE_COMPLETED

    assert v03[0]["id"] == task_id
    assert v03[0]["status"]["state"] == "working"
    v03_counted = [text for event in v03[1:] if event.get("kind") == "status-update" for text in _counted(event)]
    assert v03_counted[-1] == "counted 8 of 8"
    assert v03[-1]["status"]["state"] == "completed"
    assert v03[-1]["final"] is True
    assert _get(b, task_id)["result"]["status"]["state"] == "completed"
