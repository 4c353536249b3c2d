"""What the security tests share: the token, skill calls over raw JSON-RPC, and traces of hostile values on disk."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

TOKEN = "sec-token-4f9d2b7e61c3"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
WRONG_TOKENS = ("wrong-token-7d41c2", TOKEN[:-1], TOKEN + "0", TOKEN.upper())
"""Refused tokens: unrelated, one character short, one too many, another case. None may be logged either."""
MARKER = f"wts-sec-{uuid.uuid4().hex[:10]}"
"""Put in every hostile path-like value: a file or folder named with it anywhere means a value escaped."""


@dataclass(frozen=True)
class Outcome:
    """How an agent ended a skill call: the task's state (0.3 names) and the reason it gives."""

    state: str
    reason: str
    result: dict[str, Any] | None = None

    def refused(self, because: str) -> bool:
        """Rejected or failed, with a readable reason that says `because` (case-insensitive)."""
        return (
            self.state in ("rejected", "failed")
            and because.lower() in self.reason.lower()
            and "internal error" not in self.reason
            and "Traceback" not in self.reason
        )


def call_skill(url: str, skill: str, input: dict[str, Any], *, timeout: float = 60) -> Outcome:
    """``message/send`` of ``{"skill", "input"}`` with the token; the final state and its message."""
    message = {
        "messageId": uuid.uuid4().hex,
        "role": "user",
        "parts": [{"kind": "data", "data": {"skill": skill, "input": input}}],
    }
    payload = {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {"message": message}}
    answer = httpx.post(url + "/", json=payload, headers=BEARER, timeout=timeout).json()
    assert "result" in answer, answer
    status = answer["result"]["status"]
    parts = (status.get("message") or {}).get("parts") or [{}]
    results = [
        part["data"]
        for artifact in answer["result"].get("artifacts") or []
        if artifact.get("name") == "result"
        for part in artifact["parts"]
        if part.get("kind") == "data"
    ]
    return Outcome(status["state"], str(parts[0].get("text", "")), results[0] if results else None)


def call_all(calls: list[tuple[str, str, dict[str, Any]]], workers: int = 8) -> list[Outcome]:
    """Every ``(url, skill, input)`` call's outcome, in order; `workers` at a time (the agents run tasks at once)."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda call: call_skill(*call), calls))


def private_links(port: int) -> list[str]:
    """A server's address on this machine written the ways an SSRF guard must see through: by name, as one number,
    unspecified. (An IPv6 literal cannot be written as a link in an outline: the writer escapes its ``]``.)"""
    return [f"http://{host}:{port}/{MARKER}" for host in ("127.0.0.1", "localhost", "2130706433", "0.0.0.0")]


def traces(marker: str, *folders: Path) -> list[Path]:
    """Every file or folder named with `marker` under `folders` (recursively), in /tmp, the home and working folder."""
    found = [path for folder in folders for path in folder.rglob(f"*{marker}*")]
    for place in (Path("/tmp"), Path.home(), Path.cwd()):
        found += place.glob(f"*{marker}*")
    return found
