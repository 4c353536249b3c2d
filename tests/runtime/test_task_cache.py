"""Finished tasks are read from memory: the same answers as from the store, every parameter honoured, unknown tasks
still not found, running tasks always read fresh, the token still required, and the memory bounded."""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.server.cluster import StoredTask, TaskVersion
from a2a.server.context import ServerCallContext
from a2a.server.owner_resolver import resolve_user_scope
from a2a.types import Task, TaskState, TaskStatus

from support import AgentProcess, agent_env, free_port, rpc
from workshop_template_system.runtime.task_cache import FinishedTasks, Lru

NOT_FOUND = -32001  # A2A TaskNotFoundError
V1 = {"A2A-Version": "1.0"}


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    """One harness agent (tests/runtime/harness_agent.py) for the module's tests: starting one takes seconds."""
    folder = tmp_path_factory.mktemp("task-cache")
    port = free_port()
    command = [sys.executable, str(Path(__file__).parent / "harness_agent.py"), "--port", str(port)]
    agent = AgentProcess(command, agent_env(folder / "workspace", port), port, folder / "agent.log").start()
    yield agent
    agent.stop()


def _count(agent: AgentProcess, n: int, delay: float, *, blocking: bool = True, **headers: str) -> dict[str, Any]:
    """The task of the harness's `count` skill: its final state, or its first one when not `blocking`."""
    message = {
        "messageId": uuid.uuid4().hex,
        "role": "user",
        "parts": [{"kind": "data", "data": {"skill": "count", "input": {"n": n, "delay": delay}}}],
    }
    params = {"message": message, "configuration": {"blocking": blocking}}
    payload = {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": params}
    return rpc(agent.url, payload, headers=headers).json()["result"]


def _get(agent: AgentProcess, request_id: Any, method: str, params: dict[str, Any], **headers: str) -> httpx.Response:
    payload = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
    response = rpc(agent.url, payload, headers=headers)
    assert response.status_code == 200
    return response


def _with_id(body: bytes, request_id: Any) -> bytes:
    """`body` as the SDK renders it (Starlette's compact JSON) with another request id."""
    reply = json.loads(body)
    reply["id"] = request_id
    return json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode()


VARIANTS = [
    ("tasks/get", {}, {}),
    ("tasks/get", {"historyLength": 0}, {}),
    ("tasks/get", {"historyLength": 1}, {}),
    ("tasks/get", {"historyLength": 2}, {}),
    ("tasks/get", {"historyLength": 1000}, {}),
    ("tasks/get", {"metadata": {"any": "thing"}}, {}),
    ("GetTask", {}, V1),
    ("GetTask", {"historyLength": 0}, V1),
    ("GetTask", {"historyLength": 2}, V1),
    ("GetTask", {"tenant": "t1", "historyLength": 1}, V1),
]


def test_a_finished_task_reads_the_same_from_memory_as_from_the_store(harness: AgentProcess) -> None:
    agent = harness
    task = _count(agent, 3, 0.01)
    assert task["status"]["state"] == "completed"
    full = len(task["history"])
    assert full >= 3  # the request and the progress messages

    first: dict[tuple[str, str], bytes] = {}
    for method, params, headers in VARIANTS:
        label = (method, json.dumps(params))
        first[label] = _get(agent, 7, method, {"id": task["id"], **params}, **headers).content
        for request_id in (8, "eight", "ünïcode-id", 2**40):  # then from memory, with each caller's id
            again = _get(agent, request_id, method, {"id": task["id"], **params}, **headers)
            assert again.content == _with_id(first[label], request_id), label
            assert again.headers["content-type"] == "application/json"
            assert int(again.headers["content-length"]) == len(again.content)

    def history(method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return json.loads(first[method, json.dumps(params)])["result"].get("history", [])

    assert len(history("tasks/get", {})) == full
    assert len(history("tasks/get", {"historyLength": 0})) == full  # the SDK's 0.3 adapter reads 0 as "not given"
    assert history("tasks/get", {"historyLength": 1}) == task["history"][-1:]
    assert history("tasks/get", {"historyLength": 2}) == task["history"][-2:]
    assert len(history("tasks/get", {"historyLength": 1000})) == full
    assert json.loads(first["tasks/get", "{}"])["result"]["status"]["state"] == "completed"
    assert json.loads(first["GetTask", "{}"])["result"]["status"]["state"] == "TASK_STATE_COMPLETED"
    assert len(history("GetTask", {"historyLength": 2})) == 2
    assert history("GetTask", {"historyLength": 0}) == []
    rest = httpx.get(f"{agent.url}/tasks/{task['id']}", params={"historyLength": 1}, headers=V1)
    assert rest.status_code == 200
    assert len(rest.json()["history"]) == 1
    bad = _get(agent, 9, "tasks/get", {"id": task["id"], "historyLength": -1})  # the SDK's own refusal, every time
    assert bad.json()["error"] == _get(agent, 10, "tasks/get", {"id": task["id"], "historyLength": -1}).json()["error"]
    assert "Traceback" not in agent.log()


@pytest.mark.slow  # restarts the agent: ~10-25 s on a busy machine
def test_a_finished_task_from_memory_is_what_a_new_process_reads_from_the_store(harness: AgentProcess) -> None:
    task = _count(harness, 2, 0.01)
    warm = {}
    for method, params, headers in VARIANTS:
        for request_id in (1, 2):  # the second from memory
            reply = _get(harness, request_id, method, {"id": task["id"], **params}, **headers)
        warm[method, json.dumps(params)] = reply
    harness.stop()  # a new process has nothing in memory: its first answers come from the store
    harness.start()
    for method, params, headers in VARIANTS:
        cold = _get(harness, 2, method, {"id": task["id"], **params}, **headers)
        # The same JSON; not always the same bytes: protobuf orders a data part's keys differently in each process.
        assert cold.json() == warm[method, json.dumps(params)].json(), (method, params)
    assert "Traceback" not in harness.log()


def test_an_unknown_task_is_still_not_found(harness: AgentProcess) -> None:
    agent = harness
    missing = str(uuid.uuid4())
    for request_id in (1, 2):
        reply = _get(agent, request_id, "tasks/get", {"id": missing}).json()
        assert reply["id"] == request_id
        assert reply["error"]["code"] == NOT_FOUND
        assert _get(agent, request_id, "GetTask", {"id": missing}, **V1).json()["error"]["code"] == NOT_FOUND
    assert httpx.get(f"{agent.url}/tasks/{missing}", headers=V1).status_code == 404
    assert _get(agent, 3, "tasks/get", {}).json()["error"]["code"] == -32600  # no id: the SDK's invalid request


def test_a_running_task_is_read_fresh_until_it_ends(harness: AgentProcess) -> None:
    agent = harness
    task_id = _count(agent, 12, 0.15, blocking=False)["id"]
    seen: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        task = _get(agent, 1, "tasks/get", {"id": task_id}).json()["result"]
        if task["status"]["state"] == "completed":
            break
        texts = [part.get("text", "") for part in task["status"].get("message", {}).get("parts", [])]
        seen += [int(text.split()[1]) for text in texts if text.startswith("counted ")]
        time.sleep(0.05)
    assert task["status"]["state"] == "completed"
    assert seen == sorted(seen)
    assert len(set(seen)) >= 4  # each read saw the count move on: none was served from an earlier read
    assert task["artifacts"]  # the final read is the finished task, then kept
    again = _get(agent, 2, "tasks/get", {"id": task_id}).json()["result"]
    assert again == task

    running = _count(agent, 50, 0.1, blocking=False)["id"]
    assert _get(agent, 3, "tasks/get", {"id": running}).json()["result"]["status"]["state"] in ("submitted", "working")
    canceled = _get(agent, 4, "tasks/cancel", {"id": running}).json()["result"]
    assert canceled["status"]["state"] == "canceled"
    for request_id in (5, 6):
        assert _get(agent, request_id, "tasks/get", {"id": running}).json()["result"]["status"]["state"] == "canceled"


def test_a_finished_task_still_needs_the_token(start_agent, test_agent_command) -> None:
    port = free_port()
    agent = start_agent("harness", port=port, command=test_agent_command(port), A2A_AUTH_TOKEN="s3cret-token")
    auth = {"Authorization": "Bearer s3cret-token"}
    task = _count(agent, 1, 0.01, **auth)
    payload = {"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {"id": task["id"]}}
    for _ in range(2):
        assert rpc(agent.url, payload, headers=auth).json()["result"]["status"]["state"] == "completed"
    assert rpc(agent.url, payload).status_code == 401
    assert rpc(agent.url, payload, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_answers_from_memory_are_counted_in_the_metrics(harness: AgentProcess) -> None:
    agent = harness
    task = _count(agent, 1, 0.01)

    def served() -> float:
        text = httpx.get(agent.url + "/metrics").text
        prefix = 'http_requests_total{method="POST",route="/"'
        return float(next(line for line in text.splitlines() if line.startswith(prefix)).rsplit(" ", 1)[1])

    before = served()
    for request_id in range(5):
        _get(agent, request_id, "tasks/get", {"id": task["id"]})
    assert served() == before + 5


def _finished_task(task_id: str, history: int = 0) -> StoredTask:
    task = Task(id=task_id, context_id="c", status=TaskStatus(state=TaskState.TASK_STATE_COMPLETED))
    for _ in range(history):
        task.history.add().message_id = "m" * 100
    return StoredTask(task, TaskVersion(1))


def test_the_lru_is_bounded_by_entries_and_bytes() -> None:
    lru: Lru[str, str] = Lru(max_entries=3, max_bytes=100)
    for key in "abc":
        lru.put(key, key.upper(), 10)
    assert lru.get("a") == "A"  # now the most recent: b is the oldest
    lru.put("d", "D", 10)
    assert ("b" in lru, len(lru), lru.bytes) == (False, 3, 30)
    lru.put("e", "E", 80)  # 110 bytes: the oldest (c) goes
    assert [key for key in "acde" if key in lru] == ["a", "d", "e"]
    assert lru.bytes == 100
    lru.put("huge", "H", 101)  # larger than the whole budget: not kept, nothing else lost
    assert ("huge" in lru, len(lru), lru.bytes) == (False, 3, 100)
    lru.put("d", "D2", 5)  # replacing an entry counts its new size only
    assert (lru.get("d"), lru.bytes) == ("D2", 95)


def test_finished_tasks_keeps_only_finished_tasks_within_its_bounds() -> None:
    finished = FinishedTasks(resolve_user_scope, max_entries=4, max_bytes=10_000)
    context = ServerCallContext()
    for number in range(10):
        key = finished.key(f"t{number}", context)
        finished.keep(key, _finished_task(f"t{number}"), finished.generation)
    assert len(finished.tasks) == 4
    assert [number for number in range(10) if finished.get(finished.key(f"t{number}", context))] == [6, 7, 8, 9]

    working = _finished_task("w")
    working.task.status.state = TaskState.TASK_STATE_WORKING
    finished.keep(finished.key("w", context), working, finished.generation)
    assert finished.get(finished.key("w", context)) is None  # a running task is never kept

    big = _finished_task("big", history=200)  # ~20 kB: over the byte budget
    finished.keep(finished.key("big", context), big, finished.generation)
    assert finished.get(finished.key("big", context)) is None
    assert finished.tasks.bytes <= 10_000

    key = finished.key("late", context)
    before = finished.generation
    finished.forget(finished.key("w", context), working.task)  # progress written while "late" was being read
    assert finished.generation == before
    finished.forget(finished.key("t9", context), _finished_task("t9").task)  # a task finishing meanwhile
    finished.keep(key, _finished_task("late"), before)
    assert finished.get(key) is None  # the read may be stale: not kept
    assert finished.get(finished.key("t9", context)) is None

    copy = finished.get(finished.key("t8", context))
    assert copy is not None
    copy.task.ClearField("status")  # what a caller does to its copy does not reach the kept task
    assert finished.get(finished.key("t8", context)).task.status.state == TaskState.TASK_STATE_COMPLETED


def test_finished_tasks_are_kept_per_owner() -> None:
    finished = FinishedTasks(lambda context: context.state["owner"])
    mine = ServerCallContext(state={"owner": "alice"})
    other = ServerCallContext(state={"owner": "mallory"})
    finished.keep(finished.key("t", mine), _finished_task("t"), finished.generation)
    assert finished.get(finished.key("t", mine)) is not None
    assert finished.get(finished.key("t", other)) is None
