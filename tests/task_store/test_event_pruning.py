"""The shared event log (``TASK_STORE_URL``) keeps the events of running tasks and loses those of tasks that ended
long ago: `prune_events` against a real PostgreSQL, and each replica pruning when it starts."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from support import AgentProcess, free_port, rpc
from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.runtime.task_store import AgentTasks, open_engine, open_store, prune_events, task_store

TASKS, EVENTS = "a2a_tasks_harness", "a2a_task_events_harness"
HARNESS_SCRIPT = Path(__file__).parents[1] / "runtime" / "harness_agent.py"


def _harness_spec() -> AgentSpec:
    """The harness agent's spec, from its script (the test process opens the same tables the agents use)."""
    loader = importlib.util.spec_from_file_location("harness_agent", HARNESS_SCRIPT)
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    return module.HARNESS


@pytest.fixture
async def shared_tasks(postgres_url: str) -> AsyncIterator[AgentTasks]:
    """The harness's shared store, opened in the test process as an agent opens it."""
    engine = open_engine(postgres_url)
    tasks = task_store(engine, _harness_spec(), shared=True)
    await open_store(tasks)
    yield tasks
    await engine.dispose()


def _replicas(start_agent: Any, url: str, tmp_path: Path, count: int) -> list[AgentProcess]:
    ports = [free_port() for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        runs = [
            pool.submit(
                start_agent,
                "harness",
                port=port,
                command=[sys.executable, str(HARNESS_SCRIPT), "--port", str(port)],
                WORKSPACE_PATH=str(tmp_path / f"ws{port}"),
                TASK_STORE_URL=url,
            )
            for port in ports
        ]
        return [run.result() for run in runs]


def _count(agent: AgentProcess, n: int, delay: float, *, blocking: bool) -> dict[str, Any]:
    message = {
        "messageId": uuid.uuid4().hex,
        "role": "user",
        "parts": [{"kind": "data", "data": {"skill": "count", "input": {"n": n, "delay": delay}}}],
    }
    params = {"message": message, "configuration": {"blocking": blocking}}
    return rpc(agent.url, {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": params}).json()["result"]


def _get(agent: AgentProcess, task_id: str) -> dict[str, Any]:
    payload = {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": task_id}}
    return rpc(agent.url, payload).json()["result"]


async def _sql(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def _events(url: str, *task_ids: str) -> dict[str, int]:
    """How many events the log holds for each of `task_ids`."""
    query = f"SELECT task_id, count(*) AS n FROM {EVENTS} WHERE task_id = ANY($1) GROUP BY task_id"
    rows = await _sql(url, query, list(task_ids))
    return {task_id: 0 for task_id in task_ids} | {row["task_id"]: row["n"] for row in rows}


async def _working(agent: AgentProcess, task_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _get(agent, task_id)["status"]["state"] != "working":
        assert time.monotonic() < deadline, f"task {task_id} never started"
        await asyncio.sleep(0.1)


async def _resubscribe(agent: AgentProcess, task_id: str) -> list[dict[str, Any]]:
    """Every result of a 0.3 `tasks/resubscribe` (server-sent events) until the task ends."""
    payload = {"jsonrpc": "2.0", "id": 6, "method": "tasks/resubscribe", "params": {"id": task_id}}
    async with httpx.AsyncClient(timeout=60) as http, http.stream("POST", agent.url + "/", json=payload) as response:
        return [json.loads(line[5:])["result"] async for line in response.aiter_lines() if line.startswith("data:")]


@pytest.mark.slow  # two replicas and a 3 s task: ~15-30 s on a busy machine
async def test_only_the_events_of_tasks_that_ended_long_enough_ago_are_pruned(
    start_agent, postgres_url: str, shared_tasks: AgentTasks, tmp_path: Path
) -> None:
    a, b = _replicas(start_agent, postgres_url, tmp_path, 2)
    ended = _count(a, 2, 0.01, blocking=True)
    assert ended["status"]["state"] == "completed"
    running = _count(a, 12, 0.3, blocking=False)["id"]
    await _working(a, running)
    assert all((await _events(postgres_url, ended["id"], running)).values())

    await prune_events(shared_tasks)  # it ended seconds ago: within EVENT_RETENTION
    assert all((await _events(postgres_url, ended["id"], running)).values())

    following = asyncio.create_task(_resubscribe(b, running))  # B follows A's task through the log
    await asyncio.sleep(1)
    pruned = await prune_events(shared_tasks, retention=timedelta(0))
    counts = await _events(postgres_url, ended["id"], running)
    assert counts[ended["id"]] == 0
    assert pruned >= 2  # at least its status updates and its artifact
    assert counts[running] > 0  # a running task keeps its events

    followed = await following
    assert followed[-1]["status"]["state"] == "completed"  # B still saw the task to its end
    assert followed[-1]["final"] is True
    for replica in (a, b):  # the tasks themselves are untouched
        got = _get(replica, ended["id"])
        assert (got["status"], got["artifacts"]) == (ended["status"], ended["artifacts"])
        assert _get(replica, running)["status"]["state"] == "completed"


@pytest.mark.slow  # starts a replica twice: ~15-30 s on a busy machine
async def test_a_replica_prunes_the_log_when_it_starts(start_agent, postgres_url: str, tmp_path: Path) -> None:
    [agent] = _replicas(start_agent, postgres_url, tmp_path, 1)
    old, recent = (_count(agent, 1, 0.01, blocking=True)["id"] for _ in range(2))
    await _sql(postgres_url, f"UPDATE {TASKS} SET last_updated = last_updated - interval '1 day' WHERE id = $1", old)
    assert all((await _events(postgres_url, old, recent)).values())

    agent.stop()
    agent.start()
    deadline = time.monotonic() + 10
    while (await _events(postgres_url, old))[old] and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    counts = await _events(postgres_url, old, recent)
    assert counts[old] == 0  # ended a day ago
    assert counts[recent] > 0  # ended seconds ago: kept
    assert _get(agent, old)["status"]["state"] == "completed"
    assert "Traceback" not in agent.log()
