"""The token never reaches a log, at DEBUG, on any agent: neither the right token on calls that work and on calls
between agents, nor a wrong one (often the right one mistyped). tests/runtime/test_secrets.py checks one agent's
answers and log after one refused call, and tests/runtime/test_peers.py the token agents send each other; this
sends calls with the token, wrong tokens and tokens without the scheme to all six."""

from __future__ import annotations

import httpx
from security_support import BEARER, TOKEN, WRONG_TOKENS, call_skill

from workshop_template_system.settings import AGENT_NAMES


def test_neither_the_token_nor_wrong_tokens_are_logged_at_debug(deployment) -> None:
    for name in AGENT_NAMES:
        url = deployment.url(name)
        assert call_skill(url, "workspace_status", {}).state == "completed"
        with httpx.Client(base_url=url, timeout=30) as client:
            assert client.get("/openapi.json", headers=BEARER).status_code == 200
            for wrong in WRONG_TOKENS:
                for headers in ({"Authorization": f"Bearer {wrong}"}, {"Authorization": wrong}):
                    assert client.post("/", json={}, headers=headers).status_code == 401
                    assert client.get("/skills", headers=headers).status_code == 401
    for name, agent in deployment.agents.items():
        log = agent.log()
        assert '"level": "debug"' in log, f"{name} logs at DEBUG"
        for secret in (TOKEN, *WRONG_TOKENS):
            assert secret not in log, f"{name}'s log holds {secret!r}"
