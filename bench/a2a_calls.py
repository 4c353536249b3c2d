"""Skill calls to an agent over A2A JSON-RPC (``message/send``, which answers once the task has ended).

One keep-alive `http.client` connection per caller, the request built per call with a fresh
message id: the client costs little next to the agent it measures. The agents are started with the
deployment command (`runtime_http.agent_command`) in an environment without the caller's settings.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from typing import Any

from servers import HOST

TIMEOUT = 600.0


class SkillError(RuntimeError):
    """The call did not end in a completed task."""


def send_body(skill: str, data: dict[str, Any]) -> bytes:
    """A ``message/send`` request of a data part ``{"skill", "input"}``."""
    message = {
        "kind": "message",
        "messageId": uuid.uuid4().hex,
        "role": "user",
        "parts": [{"kind": "data", "data": {"skill": skill, "input": data}}],
    }
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {"message": message}}).encode()


class Caller:
    """One client of one agent: calls a skill and returns the seconds it took and the skill's result."""

    def __init__(self, port: int, timeout: float = TIMEOUT) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def call(self, skill: str, data: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        """``message/send``; the wall seconds until the whole answer was read, and the ``result`` artifact's data."""
        body = send_body(skill, data)
        started = time.perf_counter()
        self.connection.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        response = self.connection.getresponse()
        raw = response.read()
        seconds = time.perf_counter() - started
        return seconds, _result(skill, response.status, raw)

    def close(self) -> None:
        self.connection.close()


def _result(skill: str, status: int, raw: bytes) -> dict[str, Any]:
    task = json.loads(raw).get("result", {}) if status == 200 else {}
    state = task.get("status", {}).get("state")
    if state != "completed":
        raise SkillError(f"{skill} ended {state or f'with HTTP {status}'}: {raw[:600]!r}")
    for artifact in task.get("artifacts", []):
        if artifact.get("name") == "result":
            return artifact["parts"][0]["data"]
    raise SkillError(f"{skill} completed without a result artifact: {raw[:600]!r}")
