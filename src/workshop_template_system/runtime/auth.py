"""Bearer-token protection of the A2A routes (``A2A_AUTH_TOKEN``)."""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIC_PATHS = frozenset({"/agent-card", "/.well-known/agent-card.json", "/healthz", "/readyz", "/metrics"})


class BearerAuthMiddleware:
    """Refuses every route but the public ones without ``Authorization: Bearer <token>``: 401 for HTTP, and a
    websocket is closed before it is accepted (code 1008, policy violation; the server answers the upgrade 403).
    Other scopes (lifespan) carry no request and pass."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or _public(scope):
            await self.app(scope, receive, send)
            return
        supplied = dict(scope["headers"]).get(b"authorization", b"")
        if hmac.compare_digest(supplied, self.expected):
            await self.app(scope, receive, send)
            return
        await _refuse(scope, send)


async def _refuse(scope: Scope, send: Send) -> None:
    """401 with the Bearer challenge; a websocket is closed unaccepted with 1008 (policy violation)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"error": "unauthorized", "message": "this agent requires 'Authorization: Bearer <token>'"})
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="a2a"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


def _public(scope: Scope) -> bool:
    """The card, health and metrics, and GETs of the agent's page and its files (`pages.add_page` lists them):
    a page holds no data, and its calls to the agent carry the token. No websocket is public."""
    if scope["type"] != "http":
        return False
    if scope["path"] in PUBLIC_PATHS:
        return True
    return scope["method"] == "GET" and scope["path"] in getattr(scope["app"].state, "page_paths", frozenset())
