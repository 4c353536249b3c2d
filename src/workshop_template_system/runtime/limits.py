"""A limit on the size of request bodies: a larger body is answered 413 before it reaches the routes.

A body with a ``Content-Length`` over the limit is refused at once. Otherwise the body (at most the limit)
is read here and handed on whole, so the routes never see a partial body or an error of ours (the A2A
routes would log it as their own failure); a REST body that is not UTF-8 is answered 400 here. Pure
ASGI: responses, SSE streams included, pass through untouched.

A refused body that the client is still sending is read and thrown away up to `DRAIN_FACTOR` times the
limit, so that a client which writes its whole body before it reads (most HTTP libraries) gets the 413
rather than a reset connection; past that the connection is closed.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
DRAIN_FACTOR = 8


class BodySizeLimitMiddleware:
    """Answers 413 ``{"error": "request body too large: limit is N bytes"}`` to a body over `max_bytes`,
    and 400 to a REST call whose body is not UTF-8 (the SDK's REST binding would answer 500)."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(dict(scope["headers"]).get(b"content-length"))
        if declared is not None and declared > self.max_bytes:
            if declared <= self.max_bytes * DRAIN_FACTOR:
                await _read(receive, declared)
            await _answer(send, 413, f"request body too large: limit is {self.max_bytes} bytes")
            return
        chunks, size, finished = await _read(receive, self.max_bytes)
        body = b"".join(chunks)
        if size > self.max_bytes:
            if not finished:
                await _read(receive, self.max_bytes * DRAIN_FACTOR)
            await _answer(send, 413, f"request body too large: limit is {self.max_bytes} bytes")
        elif not finished:
            return  # the client went away before its body ended: nobody to answer
        elif scope["path"] != "/" and not _is_utf8(body):
            await _answer(send, 400, "the request body is not valid UTF-8")
        else:
            await self.app(scope, replay(body, receive), send)


async def _answer(send: Send, status: int, error: str) -> None:
    body = json.dumps({"error": error}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


async def _read(receive: Receive, limit: int) -> tuple[list[bytes], int, bool]:
    """The body's chunks until it ends or passes `limit`; their total size; whether the body ended."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return chunks, size, False
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body", False):
            return chunks, size, True
    return chunks, size, False


def replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, as one message; then the server's own messages (a disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def next_message() -> Message:
        return pending.pop() if pending else await receive()

    return next_message


def _content_length(value: bytes | None) -> int | None:
    """The declared body size; None when absent or not a number (the server refuses those itself)."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
