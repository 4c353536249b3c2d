"""workshop_chat as deployed: a real agent process indexing, answering (streamed), restarting, and refusing to share."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from a2a.helpers import get_data_parts, get_message_text
from a2a.types import StreamResponse, TaskState
from rag_model_server import CHAT_MODEL, EMBEDDING_MODEL, running_model_server
from rag_support import FIXTURE

from support import rpc, send, skill_message, text_message

ROUTE = "How do I make the app reachable from outside the cluster?"
CHUNKS = 24  # of module 3, troubleshooting, conclusion and the appendix
Events = list[tuple[float, StreamResponse]]


def _result(events: Events) -> dict[str, Any]:
    final = events[-1][1]
    status = final.status_update.status if final.HasField("status_update") else final.task.status
    assert status.state == TaskState.TASK_STATE_COMPLETED, get_message_text(status.message)
    artifacts = [event.artifact_update.artifact for _, event in events if event.HasField("artifact_update")]
    artifacts += [artifact for _, event in events if event.HasField("task") for artifact in event.task.artifacts]
    [result] = [get_data_parts(artifact.parts)[0] for artifact in artifacts if artifact.name == "result"]
    return result


async def _call(url: str, skill: str, input: dict[str, Any]) -> dict[str, Any]:
    return _result(await send(url, skill_message(skill, input), streaming=False))


async def test_index_ask_stream_restart_share_and_remove(start_agent, tmp_path: Path) -> None:
    workshop = shutil.copytree(FIXTURE, tmp_path / "trailhead")
    for page in ("index", "module-01-setup", "module-02-build", "module-04-operate"):  # a smaller workshop is quicker
        (workshop / f"content/modules/ROOT/pages/{page}.adoc").unlink()
    chat = start_agent("workshop_chat")
    indexed = await _call(chat.url, "index_workshop", {"workshop": "trailhead", "source": {"path": str(workshop)}})
    assert (indexed["pages"], indexed["chunks"]) == (4, {"added": CHUNKS, "updated": 0, "removed": 0, "unchanged": 0})
    assert indexed["model"] == "all-MiniLM-L6-v2-onnx-int8"

    answer = await _call(chat.url, "ask", {"question": ROUTE, "workshop": "trailhead"})
    assert (answer["mode"], answer["found"]) == ("extractive", True)
    assert "oc create route edge trailhead --service trailhead" in answer["answer"]
    cited = answer["citations"][0]
    assert (cited["page"], cited["anchor"]) == ("module-03-deploy.adoc", "expose")
    assert cited["url"] == "https://showroom.example.com/trailhead/modules/module-03-deploy.html#expose"

    events = await send(chat.url, text_message("My container was OOMKilled, what now?"), streaming=True)
    streamed = _result(events)
    assert streamed["question"] == "My container was OOMKilled, what now?"
    assert streamed["citations"][0]["anchor"] == "_the_pod_is_oomkilled"
    pieces = [
        (number, event.artifact_update)
        for number, (_, event) in enumerate(events)
        if event.HasField("artifact_update") and event.artifact_update.artifact.name == "answer"
    ]
    assert len(pieces) >= 2 and "".join(get_message_text(u.artifact) for _, u in pieces) == streamed["answer"]
    assert [update.append for _, update in pieces] == [False] + [True] * (len(pieces) - 1)
    assert [update.last_chunk for _, update in pieces] == [False] * (len(pieces) - 1) + [True]
    result = next(
        number
        for number, (_, event) in enumerate(events)
        if event.HasField("artifact_update") and event.artifact_update.artifact.name == "result"
    )
    assert max(number for number, _ in pieces) < result  # the answer streams before the result
    task_id = events[-1][1].status_update.task_id
    stored = rpc(chat.url, {"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {"id": task_id}}).json()
    [answer_artifact] = [item for item in stored["result"]["artifacts"] if item["name"] == "answer"]
    assert "".join(part["text"] for part in answer_artifact["parts"]) == streamed["answer"]

    off_topic = await _call(chat.url, "ask", {"question": "How do I bake sourdough bread?"})
    assert off_topic["found"] is False and off_topic["answer"].startswith("I could not find an answer")

    chat.stop()
    chat = start_agent("workshop_chat")  # same workspace: the index is still there
    listed = await _call(chat.url, "list_workshops", {})
    assert listed["workshops"] == [
        {"workshop": "trailhead", "title": "Trailhead: cloud-native Java on OpenShift", "pages": 4, "chunks": CHUNKS}
    ]
    again = await _call(chat.url, "index_workshop", {"workshop": "trailhead", "source": {"path": str(workshop)}})
    assert again["chunks"] == {"added": 0, "updated": 0, "removed": 0, "unchanged": CHUNKS}

    ready = httpx.get(chat.url + "/readyz").json()
    assert ready["checks"]["vector_store"] == "ok"
    with pytest.raises(RuntimeError) as refused:  # a second process on the same Milvus Lite database
        start_agent("workshop_chat")
    log = str(refused.value)
    assert "agent exited with 1" in log and "Traceback" not in log
    assert "cannot start: another process has the Milvus Lite database" in log
    assert "serves one workshop_chat process only" in log and "set MILVUS_ENDPOINT" in log

    assert (await _call(chat.url, "ask", {"question": ROUTE}))["citations"][0]["anchor"] == "expose"
    removed = await _call(chat.url, "remove_workshop", {"workshop": "trailhead"})
    assert removed == {"workshop": "trailhead", "removed": CHUNKS}
    gone = await _call(chat.url, "ask", {"question": ROUTE, "workshop": "trailhead"})
    assert (gone["found"], gone["answer"]) == (
        False,
        "No workshop is indexed yet: index one with index_workshop first.",
    )


async def test_with_llama_stack_the_model_embeds_and_answers(start_agent, tmp_path: Path) -> None:
    with running_model_server() as server:
        chat = start_agent(
            "workshop_chat",
            LLAMA_STACK_ENDPOINT=server.url,
            INFERENCE_MODEL_ID=CHAT_MODEL,
            EMBEDDING_MODEL_ID=EMBEDDING_MODEL,
        )
        indexed = await _call(chat.url, "index_workshop", {"workshop": "trailhead", "source": {"path": str(FIXTURE)}})
        assert (indexed["model"], indexed["chunks"]["added"]) == (EMBEDDING_MODEL, 46)
        question = "oc login fails with x509: certificate signed by unknown authority"
        answer = await _call(chat.url, "ask", {"question": question})
        assert answer["mode"] == "llm"
        assert answer["answer"].endswith("[1] See also the last section.")
        assert [citation["page"] for citation in answer["citations"]] == ["troubleshooting.adoc"]

        chats = len(server.requests)
        off_topic = await _call(chat.url, "ask", {"question": "How do I bake sourdough bread?"})
        assert (off_topic["found"], off_topic["mode"]) == (False, "extractive")
        assert [body for body in server.requests[chats:] if "messages" in body] == []  # the model is not asked

        server.behavior = "error"
        fallback = await _call(chat.url, "ask", {"question": question})
        assert fallback["mode"] == "extractive" and fallback["found"] is True
        assert "the answer quotes the workshop instead" in fallback["warnings"][0]
    chat.stop()
