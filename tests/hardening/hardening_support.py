"""What the hardening tests share: a well-formed call, readable errors, and whether the body limit is served."""

from __future__ import annotations

import json
from typing import Any

import httpx


def send_status(url: str, message_id: str) -> dict[str, Any]:
    """A well-formed workspace_status call over JSON-RPC: the finished task."""
    payload = {
        "jsonrpc": "2.0",
        "id": message_id,
        "method": "message/send",
        "params": {
            "message": {
                "messageId": message_id,
                "role": "user",
                "parts": [{"kind": "data", "data": {"skill": "workspace_status", "input": {}}}],
            }
        },
    }
    task = httpx.post(url + "/", json=payload, timeout=60).json()["result"]
    assert task["status"]["state"] == "completed", task
    return task


def error_message(response: httpx.Response) -> str:
    """The message a person reads in an error answer: JSON-RPC ``error.message``, the REST binding's
    ``error.message``, our ``error`` string, or FastAPI's ``detail``; AssertionError when there is none."""
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    error = body.get("error", body.get("detail"))
    message = error.get("message") if isinstance(error, dict) else error
    assert isinstance(message, str) and message.strip(), body
    assert "Traceback" not in message, message
    return message
