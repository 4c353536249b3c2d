"""workshop_chat killed in the middle of indexing: after a restart the index opens, every acknowledged workshop is
whole, the killed task says why it failed, and indexing again finishes the job."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path
from typing import Any

import httpx
from rag_support import FIXTURE

from support import rpc

SMALL_PAGES = ("index", "module-01-setup", "module-02-build", "module-04-operate")


def _send(url: str, skill: str, input: dict[str, Any], *, blocking: bool) -> dict[str, Any]:
    message = {"messageId": f"m{time.monotonic_ns()}", "role": "user", "parts": [{"kind": "data", "data": {
        "skill": skill, "input": input}}]}  # fmt: skip
    params = {"message": message, "configuration": {"blocking": blocking}}
    return rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": params}, timeout=120).json()[
        "result"
    ]


def _get(url: str, task_id: str) -> dict[str, Any]:
    return rpc(url, {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": task_id}}).json()["result"]


def _result(task: dict[str, Any]) -> dict[str, Any]:
    assert task["status"]["state"] == "completed", task["status"]
    [result] = [a["parts"][0]["data"] for a in task["artifacts"] if a["name"] == "result"]
    return result


def _workshops(url: str) -> dict[str, dict[str, Any]]:
    listed = _result(_send(url, "list_workshops", {}, blocking=True))["workshops"]
    return {item["workshop"]: item for item in listed}


def test_a_chat_killed_while_indexing_keeps_what_it_acknowledged(start_agent, tmp_path: Path) -> None:
    small = shutil.copytree(FIXTURE, tmp_path / "small")
    for page in SMALL_PAGES:
        (small / f"content/modules/ROOT/pages/{page}.adoc").unlink()
    chat = start_agent("workshop_chat")
    acknowledged = _result(_send(chat.url, "index_workshop", {"workshop": "small", "source": {"path": str(small)}},
                                 blocking=True))  # fmt: skip
    chunks = acknowledged["chunks"]["added"]

    running = _send(chat.url, "index_workshop", {"workshop": "full", "source": {"path": str(FIXTURE)}}, blocking=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = _get(chat.url, running["id"])["status"]
        if "indexing" in str(status.get("message", "")):
            break
        time.sleep(0.01)
    chat.stop(signal.SIGKILL)  # in the middle of embedding and writing the second workshop

    chat.start()
    assert httpx.get(chat.url + "/readyz").json()["checks"]["vector_store"] == "ok"
    killed = _get(chat.url, running["id"])["status"]
    assert killed["state"] == "failed"
    assert killed["message"]["parts"][0]["text"] == "the agent stopped (killed or crashed) before the task finished"
    listed = {
        item["workshop"]: item for item in _result(_send(chat.url, "list_workshops", {}, blocking=True))["workshops"]
    }
    assert listed["small"]["chunks"] == chunks  # every acknowledged chunk is there

    again = _result(_send(chat.url, "index_workshop", {"workshop": "full", "source": {"path": str(FIXTURE)}},
                          blocking=True))  # fmt: skip
    stored = again["chunks"]["added"] + again["chunks"]["unchanged"] + again["chunks"]["updated"]
    assert stored == 46  # the whole workshop, whatever the killed run had written
    listed = {
        item["workshop"]: item for item in _result(_send(chat.url, "list_workshops", {}, blocking=True))["workshops"]
    }
    assert (listed["small"]["chunks"], listed["full"]["chunks"]) == (chunks, 46)
    answer = _result(_send(chat.url, "ask", {"question": "How do I make the app reachable from outside the cluster?",
                                             "workshop": "full"}, blocking=True))  # fmt: skip
    assert answer["citations"][0]["anchor"] == "expose"
