"""A websocket never passes the bearer-token guard without the token. The agents serve no websocket today (and
uvicorn here has no websocket library), so a real Starlette app with one websocket route stands behind the guard
and Starlette's test client opens the connection in process."""

from __future__ import annotations

import pytest
from security_support import BEARER, TOKEN, WRONG_TOKENS
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from workshop_template_system.runtime.auth import BearerAuthMiddleware


async def _echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())
    await websocket.close()


@pytest.fixture
def client() -> TestClient:
    routes = [WebSocketRoute("/ws", _echo), WebSocketRoute("/healthz", _echo)]
    return TestClient(Starlette(routes=routes, middleware=[Middleware(BearerAuthMiddleware, token=TOKEN)]))


@pytest.mark.parametrize("headers", [{}, {"Authorization": f"Bearer {WRONG_TOKENS[0]}"}, {"Authorization": TOKEN}])
@pytest.mark.parametrize("path", ["/ws", "/healthz"])
def test_a_websocket_without_the_token_is_closed_with_policy_violation(
    client: TestClient, headers: dict[str, str], path: str
) -> None:
    """Also at a public HTTP path: the card, health and metrics are public for HTTP GETs, not for websockets."""
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(path, headers=headers):
        pass
    assert closed.value.code == 1008


def test_a_websocket_with_the_token_reaches_its_route(client: TestClient) -> None:
    with client.websocket_connect("/ws", headers=BEARER) as websocket:
        websocket.send_text("hello")
        assert websocket.receive_text() == "hello"
