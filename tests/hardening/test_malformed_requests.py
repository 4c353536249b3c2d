"""Malformed requests against a real agent: never a 5xx, always a readable error, nothing stored lost.

The corpus is hand-written: broken JSON and UTF-8, every field of a message with the wrong type, batches,
unknown methods, deep nesting, huge bodies and wrong content types, on the JSON-RPC endpoint (``POST /``),
the A2A REST binding and our own routes. The last test checks the agent afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hardening_support import error_message, send_status

from support import AgentProcess

V1 = {"A2A-Version": "1.0"}
JSON = {"content-type": "application/json"}
REFUSED_TOO_LARGE = "request body too large: limit is 1048576 bytes"


def rpc(method: Any, params: Any = None, **fields: Any) -> bytes:
    payload: dict[str, Any] = {"jsonrpc": "2.0", "id": 7, "method": method, **fields}
    if params is not None:
        payload["params"] = params
    return json.dumps(payload).encode()


def send(message: Any) -> bytes:
    return rpc("message/send", {"message": message})


def message(parts: Any, role: Any = "user", **fields: Any) -> dict[str, Any]:
    return {"messageId": "hardening-1", "role": role, "parts": parts, **fields}


STATUS = [{"kind": "data", "data": {"skill": "workspace_status", "input": {}}}]
DEEP_ARRAY = ("[" * 10_000 + "]" * 10_000).encode()


@dataclass(frozen=True)
class Bad:
    """A request that must be answered with an error: `code` is the JSON-RPC code when it is known."""

    body: bytes
    code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


RPC_CORPUS = {
    "invalid JSON": Bad(b'{"jsonrpc": "2.0", "id": 1, "method": ', -32700),
    "empty body": Bad(b"", -32700),
    "invalid UTF-8": Bad(send(message([{"kind": "text", "text": "AAAA"}])).replace(b"AAAA", b"\xff\xfe\xc3")),
    "lone surrogate escapes": Bad(send(message([{"kind": "text", "text": "x"}])).replace(b'"x"', b'"\\ud800"')),
    "JSON null": Bad(b"null", -32600),
    "JSON number": Bad(b"42", -32600),
    "JSON string": Bad(b'"message/send"', -32600),
    "empty batch": Bad(b"[]", -32600),
    "batch": Bad(b"[" + send(message(STATUS)) + b"," + send(message(STATUS)) + b"]", -32600),
    "params a list": Bad(rpc("message/send", [message(STATUS)]), -32600),
    "params a string": Bad(rpc("message/send", "workspace status"), -32600),
    "message a string": Bad(send("workspace status"), -32600),
    "message missing": Bad(rpc("message/send", {}), -32600),
    "parts not a list": Bad(send(message("workspace status")), -32600),
    "parts an object": Bad(send(message({"kind": "text", "text": "x"})), -32600),
    "part not an object": Bad(send(message(["workspace status"])), -32600),
    "part without kind": Bad(send(message([{"text": 5}])), -32600),
    "text part not a string": Bad(send(message([{"kind": "text", "text": {"a": 1}}])), -32600),
    "data part a string": Bad(send(message([{"kind": "data", "data": "x"}])), -32600),
    "data part a list": Bad(send(message([{"kind": "data", "data": [1, 2]}])), -32600),
    "data part null": Bad(send(message([{"kind": "data", "data": None}])), -32600),
    "role unknown": Bad(send(message(STATUS, role="boss")), -32600),
    "messageId a number": Bad(send(message(STATUS, messageId=5)), -32600),
    "metadata a list": Bad(send(message(STATUS, metadata=[1])), -32600),
    "id an object": Bad(rpc("tasks/get", {"id": "x"}, id={"a": 1}), -32600),
    "id NaN": Bad(b'{"jsonrpc": "2.0", "id": NaN, "method": "tasks/get", "params": {"id": "x"}}', -32600),
    "id a 5000-digit number": Bad(b'{"jsonrpc": "2.0", "id": 1' + b"0" * 5000 + b', "method": "tasks/get"}'),
    "method a number": Bad(rpc(5), -32600),
    "method missing": Bad(b'{"jsonrpc": "2.0", "id": 1, "params": {}}', -32600),
    "unknown method": Bad(rpc("tasks/destroy", {"id": "x"}), -32601),
    "jsonrpc missing": Bad(b'{"id": 1, "method": "tasks/get", "params": {"id": "x"}}', -32600),
    "jsonrpc 1.0": Bad(b'{"jsonrpc": "1.0", "id": 1, "method": "tasks/get", "params": {"id": "x"}}', -32600),
    "1.0 method without A2A-Version": Bad(rpc("GetTask", {"id": "x"}), -32009),
    "tasks/get id a number": Bad(rpc("tasks/get", {"id": 5}), -32600),
    "tasks/get unknown task": Bad(rpc("tasks/get", {"id": "no-such-task"}), -32001),
    "tasks/get historyLength a string": Bad(rpc("tasks/get", {"id": "x", "historyLength": "all"}), -32600),
    "tasks/cancel params a list": Bad(rpc("tasks/cancel", []), -32600),
    "tasks/cancel unknown task": Bad(rpc("tasks/cancel", {"id": "no-such-task"}), -32001),
    "GetTask with a number id": Bad(rpc("GetTask", {"id": 5}), -32602, V1),
    "ListTasks with pageSize a string": Bad(rpc("ListTasks", {"pageSize": "many"}), -32602, V1),
    "deep nesting (10,000 levels)": Bad(DEEP_ARRAY),
    "deep nesting in params": Bad(send("DEEP").replace(b'"DEEP"', DEEP_ARRAY)),
    "empty text part (0.3)": Bad(send(message([{"kind": "text", "text": ""}]))),
    "message from the agent role (0.3)": Bad(send(message(STATUS, role="agent"))),
    "empty text part (1.0)": Bad(rpc("SendMessage", {"message": message([{"text": ""}], role="ROLE_USER")}), None, V1),
}


@pytest.mark.parametrize("case", RPC_CORPUS.values(), ids=RPC_CORPUS.keys())
def test_jsonrpc_answers_a_readable_error(agent: AgentProcess, stored_task: dict[str, Any], case: Bad) -> None:
    response = httpx.post(agent.url + "/", content=case.body, headers={**JSON, **case.headers}, timeout=60)
    assert response.status_code == 200, response.text[:300]
    error = json.loads(response.content)["error"]
    assert isinstance(error["code"], int)
    error_message(response)
    if case.code is not None:
        assert error["code"] == case.code, error


# Requests that are odd but well-formed: an answer (a task in some final state) or a readable error, never a 5xx.
ODD_CORPUS = {
    "NUL in a text part": (send(message([{"kind": "text", "text": "workspace status\u0000"}])), JSON),
    "5,000 levels of nesting in skill input": (
        send(message([{"kind": "data", "data": {"skill": "workspace_status", "input": {"a": "DEEP"}}}])).replace(
            b'"DEEP"', b'{"a":' * 5000 + b"1" + b"}" * 5000
        ),
        JSON,
    ),
    "text/plain content type": (send(message(STATUS)), {"content-type": "text/plain"}),
    "form content type": (send(message(STATUS)), {"content-type": "application/x-www-form-urlencoded"}),
    "no content type": (send(message(STATUS)), {}),
    "unknown skill": (send(message([{"kind": "data", "data": {"skill": "rm -rf /", "input": {}}}])), JSON),
    "skill a number": (send(message([{"kind": "data", "data": {"skill": 5}}])), JSON),
    "input a string": (send(message([{"kind": "data", "data": {"skill": "workspace_status", "input": "x"}}])), JSON),
    "unknown text": (send(message([{"kind": "text", "text": "\u202e\u0000🙂 ../../etc/passwd"}])), JSON),
}


@pytest.mark.parametrize(("body", "headers"), ODD_CORPUS.values(), ids=ODD_CORPUS.keys())
def test_odd_but_wellformed_requests_are_answered(
    agent: AgentProcess, stored_task: dict[str, Any], body: bytes, headers: dict[str, str]
) -> None:
    response = httpx.post(agent.url + "/", content=body, headers=headers, timeout=60)
    assert response.status_code == 200, response.text[:300]
    answer = json.loads(response.content)
    if "error" in answer:
        error_message(response)
        return
    task = answer["result"]
    assert task["status"]["state"] in ("completed", "rejected", "failed"), task["status"]
    if task["status"]["state"] != "completed":
        reason = task["status"]["message"]["parts"][0]["text"]
        assert reason.strip() and "internal error" not in reason, reason


# Skill inputs that must be refused by validation, never reach git or the file system, and never crash a skill.
BAD_SKILL_INPUTS = {
    "repository a number": {"repository": 5},
    "repository a remote helper": {"repository": "ext::sh -c touch% /tmp/hardening-pwned"},
    "repository an option": {"repository": "--upload-pack=touch /tmp/hardening-pwned"},
    "repository an unbalanced IPv6 host": {"repository": "https://[example.com/org/repo"},
    "repository a NUL in a file URL": {"repository": "file:///tmp/%00repo"},
    "repository a 5000-character path": {"repository": "a" * 5000},
    "repository ftp": {"repository": "ftp://example.com/repo.git"},
    "pipeline id with ..": {"repository": "https://example.invalid/r.git", "pipeline_id": "../../etc"},
    "pipeline id with a slash": {"repository": "https://example.invalid/r.git", "pipeline_id": "a/b"},
    "ref an option": {"repository": "https://example.invalid/r.git", "ref": "--upload-pack=x"},
    "unknown field": {"repository": "https://example.invalid/r.git", "rm": True},
}


@pytest.mark.parametrize("data", BAD_SKILL_INPUTS.values(), ids=BAD_SKILL_INPUTS.keys())
def test_bad_skill_input_is_refused_with_a_reason(
    agent: AgentProcess, stored_task: dict[str, Any], data: dict[str, Any]
) -> None:
    body = send(message([{"kind": "data", "data": {"skill": "analyze_repository", "input": data}}]))
    task = httpx.post(agent.url + "/", content=body, headers=JSON, timeout=60).json()["result"]
    assert task["status"]["state"] in ("rejected", "failed"), task["status"]
    reason = task["status"]["message"]["parts"][0]["text"]
    assert reason.strip() and "internal error" not in reason and "Traceback" not in reason, reason


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/", send(message([{"kind": "text", "text": "x" * 5_000_000}])), JSON),
        ("/message:send", json.dumps({"message": message([{"text": "x" * 5_000_000}], "ROLE_USER")}).encode(), V1),
        ("/skills", b"x" * 5_000_000, JSON),
    ],
    ids=["jsonrpc", "rest", "own route"],
)
def test_a_5_mb_body_is_refused_with_413(
    agent: AgentProcess, stored_task: dict[str, Any], path: str, body: bytes, headers: dict[str, str]
) -> None:
    response = httpx.post(agent.url + path, content=body, headers={**JSON, **headers}, timeout=60)
    assert (response.status_code, response.json()) == (413, {"error": REFUSED_TOO_LARGE})


REST_CORPUS: dict[str, tuple[str, str, bytes | None, dict[str, str]]] = {
    "send: invalid JSON": ("POST", "/message:send", b"{bad", V1),
    "send: empty body": ("POST", "/message:send", b"", V1),
    "send: a list": ("POST", "/message:send", b"[]", V1),
    "send: null": ("POST", "/message:send", b"null", V1),
    "send: message a string": ("POST", "/message:send", b'{"message": "x"}', V1),
    "send: parts a string": ("POST", "/message:send", b'{"message": {"parts": "x"}}', V1),
    "send: no parts": (
        "POST",
        "/message:send",
        b'{"message": {"messageId": "m", "role": "ROLE_USER", "parts": []}}',
        V1,
    ),
    "send: role unknown": ("POST", "/message:send", json.dumps({"message": message(STATUS, "ROLE_BOSS")}).encode(), V1),
    "send: configuration a number": ("POST", "/message:send", b'{"configuration": 5}', V1),
    "send: deep nesting": ("POST", "/message:send", DEEP_ARRAY, V1),
    "send: without A2A-Version": ("POST", "/message:send", json.dumps({"message": message(STATUS)}).encode(), {}),
    "stream: invalid JSON": ("POST", "/message:stream", b"{bad", V1),
    "stream: message a string": ("POST", "/message:stream", b'{"message": "x"}', V1),
    "get: unknown task": ("GET", "/tasks/no-such-task", None, V1),
    "get: NUL id": ("GET", "/tasks/%00", None, V1),
    "get: invalid UTF-8 id": ("GET", "/tasks/%ff%fe", None, V1),
    "get: 10,000-character id": ("GET", "/tasks/" + "a" * 10_000, None, V1),
    "get: historyLength a word": ("GET", "/tasks/no-such-task?historyLength=all", None, V1),
    "get: historyLength negative": ("GET", "/tasks/no-such-task?historyLength=-5", None, V1),
    "list: pageSize a word": ("GET", "/tasks?pageSize=many", None, V1),
    "list: pageSize negative": ("GET", "/tasks?pageSize=-1", None, V1),
    "list: pageSize too big": ("GET", "/tasks?pageSize=99999999999999999999", None, V1),
    "list: invalid pageToken": ("GET", "/tasks?pageToken=%ff", None, V1),
    "list: invalid timestamp": ("GET", "/tasks?statusTimestampAfter=yesterday", None, V1),
    "cancel: unknown task": ("POST", "/tasks/no-such-task:cancel", b"{bad", V1),
    "subscribe: unknown task": ("GET", "/tasks/no-such-task:subscribe", None, V1),
    "push config: invalid JSON": ("POST", "/tasks/no-such-task/pushNotificationConfigs", b"{bad", V1),
    "push config: url a number": ("POST", "/tasks/no-such-task/pushNotificationConfigs", b'{"url": 5}', V1),
    "push config: list": ("GET", "/tasks/no-such-task/pushNotificationConfigs", None, V1),
    "extended card": ("GET", "/extendedAgentCard", None, V1),
    "POST /healthz": ("POST", "/healthz", b"x", {}),
    "POST /readyz": ("POST", "/readyz", b"x", {}),
    "POST /skills": ("POST", "/skills", b"{}", {}),
    "DELETE /metrics": ("DELETE", "/metrics", None, {}),
    "PUT /agent-card": ("PUT", "/agent-card", b"{}", {}),
    "PUT /": ("PUT", "/", b"{}", {}),
    "GET /tasks/": ("GET", "/tasks/", None, V1),
}
# Each answered 500 once: a2a-sdk's REST binding on bytes that are not UTF-8, our executor on such messages.
REST_FIXED_500 = {
    "send: invalid UTF-8": ("POST", "/message:send", b'{"message": "\xff\xfe"}', V1),
    "stream: invalid UTF-8": ("POST", "/message:stream", b"\xff", V1),
    "push config: invalid UTF-8": ("POST", "/tasks/x/pushNotificationConfigs", b"W\x05\xef9", V1),
    "send: empty text part": (
        "POST",
        "/message:send",
        json.dumps({"message": message([{"text": ""}], "ROLE_USER")}).encode(),
        V1,
    ),
    "send: agent role": ("POST", "/message:send", json.dumps({"message": message(STATUS, "ROLE_AGENT")}).encode(), V1),
}


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"),
    [pytest.param(*case, id=name) for name, case in {**REST_CORPUS, **REST_FIXED_500}.items()],
)
def test_rest_and_own_routes_answer_a_readable_4xx(
    agent: AgentProcess,
    stored_task: dict[str, Any],
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
) -> None:
    response = httpx.request(method, agent.url + path, content=body, headers={**JSON, **headers}, timeout=60)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    error_message(response)


def test_afterwards_the_agent_is_healthy_and_nothing_stored_is_lost(
    agent: AgentProcess, stored_task: dict[str, Any]
) -> None:
    assert httpx.get(agent.url + "/healthz").status_code == 200
    assert httpx.get(agent.url + "/readyz").json()["ready"] is True
    again = httpx.post(agent.url + "/", content=rpc("tasks/get", {"id": stored_task["id"]}), headers=JSON).json()
    assert again["result"]["status"]["state"] == "completed"
    assert again["result"]["artifacts"] == stored_task["artifacts"]
    rest = httpx.get(f"{agent.url}/tasks/{stored_task['id']}", headers=V1).json()
    assert rest["status"]["state"] == "TASK_STATE_COMPLETED"
    send_status(agent.url, "stored-after")
    for line in agent.log().splitlines():
        if line.startswith("{"):
            assert json.loads(line)["level"] != "critical", line
        else:
            assert line.startswith("WARNING:a2a.utils.proto_utils:"), line  # the SDK's card check, before logging
