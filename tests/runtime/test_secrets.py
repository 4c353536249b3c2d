"""Secrets stay secret: no token in the card, the skills' schemas, the metrics, the OpenAPI document, task messages
or the logs (at DEBUG), even when the calls that use them fail."""

from __future__ import annotations

import httpx
from a2a.helpers import get_message_text
from a2a.types import TaskState

from support import free_port, send, skill_message

A2A_TOKEN = "a2a-token-7f3a9c"
GITEA_TOKEN = "gitea-token-51be02"
MILVUS_TOKEN = "root:milvus-pass-88d1"


async def test_no_secret_is_shown_anywhere(start_agent) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    agent = start_agent(
        "source_manager",
        A2A_AUTH_TOKEN=A2A_TOKEN,
        GITEA_URL=nowhere,
        GITEA_TOKEN=GITEA_TOKEN,
        MILVUS_TOKEN=MILVUS_TOKEN,
        LOG_LEVEL="DEBUG",
    )
    headers = {"Authorization": f"Bearer {A2A_TOKEN}"}
    events = await send(agent.url, skill_message("list_repositories", {}), streaming=False, token=A2A_TOKEN)
    task = events[-1][1].task
    assert task.status.state == TaskState.TASK_STATE_FAILED  # Gitea is not there: the call that used the token failed
    shown = [get_message_text(task.status.message)]
    for path in ("/agent-card", "/skills", "/metrics", "/openapi.json", "/readyz"):
        shown.append(httpx.get(agent.url + path, headers=headers).text)
    refused = httpx.post(agent.url + "/", json={}, headers={"Authorization": "Bearer wrong-token"})
    shown.append(refused.text)
    agent.stop()
    shown.append(agent.log())
    for text in shown:
        for secret in (A2A_TOKEN, GITEA_TOKEN, MILVUS_TOKEN, "milvus-pass"):
            assert secret not in text
    assert "gitea" in shown[0].lower()  # the failure names what failed, without the token
