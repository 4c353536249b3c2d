"""The request body limit (`BodySizeLimitMiddleware`) around a small Starlette app served by real uvicorn."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from support import free_port
from workshop_template_system.runtime.limits import DEFAULT_MAX_REQUEST_BYTES, BodySizeLimitMiddleware

LIMIT = 1000
REFUSAL = {"error": f"request body too large: limit is {LIMIT} bytes"}


class Served:
    """The app behind the middleware on 127.0.0.1, and what its routes saw."""

    def __init__(self) -> None:
        self.bodies: list[int] = []
        app = Starlette(
            routes=[
                Route("/echo", self.echo, methods=["POST"]),
                Route("/stream", self.stream, methods=["GET"]),
            ]
        )
        self.port = free_port()
        config = uvicorn.Config(
            BodySizeLimitMiddleware(app, max_bytes=LIMIT), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="limit-app", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def echo(self, request: Request) -> JSONResponse:
        body = await request.body()
        self.bodies.append(len(body))
        return JSONResponse({"length": len(body)})

    async def stream(self, request: Request) -> StreamingResponse:
        async def events() -> AsyncIterator[bytes]:
            for number in range(3):
                yield f"data: {number}\n\n".encode()

        return StreamingResponse(events(), media_type="text/event-stream")


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    app = Served()
    app.thread.start()
    deadline = time.monotonic() + 10
    while not app.server.started:
        assert time.monotonic() < deadline and app.thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield app
    app.server.should_exit = True
    app.thread.join(timeout=10)


def chunks(total: int, size: int = 300) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked transfer encoding)."""
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


def test_the_default_limit_is_one_mebibyte() -> None:
    assert DEFAULT_MAX_REQUEST_BYTES == 1024 * 1024


@pytest.mark.parametrize("size", [0, 1, LIMIT])
def test_bodies_up_to_the_limit_reach_the_app(served: Served, size: int) -> None:
    assert httpx.post(served.url + "/echo", content=b"x" * size).json() == {"length": size}
    assert httpx.post(served.url + "/echo", content=chunks(size)).json() == {"length": size}


def test_a_declared_body_over_the_limit_is_refused_before_the_app_sees_it(served: Served) -> None:
    before = len(served.bodies)
    response = httpx.post(served.url + "/echo", content=b"x" * (LIMIT + 1))
    assert (response.status_code, response.json()) == (413, REFUSAL)
    assert response.headers["content-type"] == "application/json"
    assert len(served.bodies) == before


@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT * 3])
def test_a_chunked_body_over_the_limit_is_counted_and_never_reaches_the_app(served: Served, size: int) -> None:
    before = len(served.bodies)
    response = httpx.post(served.url + "/echo", content=chunks(size))
    assert (response.status_code, response.json()) == (413, REFUSAL)
    assert len(served.bodies) == before


def test_a_client_writing_megabytes_before_reading_gets_the_413(served: Served) -> None:
    """httpx writes the whole body first: the server must read it (within bounds) or the client sees a reset."""
    for content in (b"x" * 5_000_000, chunks(5_000_000, 65536)):
        response = httpx.post(served.url + "/echo", content=content, timeout=30)
        assert (response.status_code, response.json()) == (413, REFUSAL)


def test_an_absurd_content_length_is_answered_at_once(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\nxxxx")
        answer = b"".join(iter(lambda: sock.recv(65536), b"")).decode()  # until the server closes
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 413")
    assert json.loads(body) == REFUSAL


def test_requests_without_a_body_and_streamed_responses_pass_untouched(served: Served) -> None:
    with httpx.stream("GET", served.url + "/stream") as response:
        assert response.status_code == 200
        assert response.read() == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"
    assert httpx.post(served.url + "/nowhere", content=b"x" * (LIMIT + 1)).status_code == 413
    assert httpx.post(served.url + "/nowhere", content=b"x").status_code == 404
