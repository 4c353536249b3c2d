"""JSON-RPC ``tasks/get`` (0.3) and ``GetTask`` (1.0) of a finished task answered from memory.

Most of a ``tasks/get`` is the SDK's work around the store read: validating the request, converting the task from
protobuf to 0.3 or 1.0 JSON. For a finished task that answer never changes (see `task_cache`), so the bytes the SDK
answered are kept, with the request's id cut out, and the same request (same method, parameters — ``historyLength``,
tenant, metadata… — and ``A2A-Version``) with any id of the same type gets them back with its id put in. Every
other request, and the first of each kind, goes to the SDK, which fills the map when its answer is a finished task.

A kept answer is served only while `FinishedTasks` still holds the very task entry it was made from, so whatever
drops a task there (a write or delete through this process, eviction) drops its answers too. Requests of an
authenticated user (``scope["user"]``, set by an authentication middleware) always go to the SDK: the store keeps
each user's tasks apart. Pure ASGI, inside the auth middleware, so a refused request is never answered from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from a2a.server.cluster import StoredTask
from a2a.server.context import ServerCallContext
from a2a.types import TaskState
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workshop_template_system.runtime.limits import replay
from workshop_template_system.runtime.task_cache import FinishedTasks, Lru
from workshop_template_system.runtime.task_store import TERMINAL_STATES

METHODS = frozenset({"tasks/get", "GetTask"})
MAX_ANSWERS = 4096
MAX_ANSWER_BYTES = 32 * 1024 * 1024
_ID_MARK = "\x00request-id\x00"
"""Put where the request's id goes, to cut the answer around it."""

type AnswerKey = tuple[tuple[bytes, ...], type, str]


def _v03_name(state: TaskState) -> str:
    """`TASK_STATE_CANCELED` → `canceled`, the 0.3 wire name."""
    return TaskState.Name(state).removeprefix("TASK_STATE_").lower().replace("_", "-")


FINISHED = frozenset({name for state in TERMINAL_STATES for name in (TaskState.Name(state), _v03_name(state))})
"""The terminal states as 1.0 and 0.3 JSON spell them."""


@dataclass(frozen=True)
class Answer:
    """The SDK's answer with the request id cut out, and the task entry it was made from."""

    task_key: tuple[str, str]
    task: StoredTask
    head: bytes
    tail: bytes
    headers: tuple[tuple[bytes, bytes | None], ...]
    """The response headers in order, ``content-length`` with None (it depends on the id)."""

    def response(self, request_id: str | int) -> tuple[list[tuple[bytes, bytes]], bytes]:
        """Headers and body of the answer to a request with `request_id`."""
        body = self.head + _render(request_id) + self.tail
        length = str(len(body)).encode()
        return [(name, length if value is None else value) for name, value in self.headers], body


class TaskAnswers:
    """ASGI middleware: answers a repeated ``tasks/get`` of a finished task on `path` with the SDK's own bytes."""

    def __init__(
        self,
        app: ASGIApp,
        finished: FinishedTasks,
        path: str = "/",
        max_entries: int = MAX_ANSWERS,
        max_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.app = app
        self.finished = finished
        self.path = path
        self.owner = finished.owner(ServerCallContext())  # the owner the SDK resolves for a request with no user
        self.answers: Lru[AnswerKey, Answer] = Lru(max_entries, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path or "user" in scope:
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        if body is None:
            return  # the client went away before its body ended: nobody to answer
        query = _task_query(body, scope)
        if query is None:
            await self.app(scope, replay(body, receive), send)
            return
        key, request_id = query
        answer = self.answers.get(key)
        if answer is not None and self.finished.tasks.get(answer.task_key) is answer.task:
            headers, content = answer.response(request_id)
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return
        generation = self.finished.generation
        response = _Captured()
        await self.app(scope, replay(body, receive), response.around(send))
        if generation == self.finished.generation:
            self._learn(key, request_id, response)

    def _learn(self, key: AnswerKey, request_id: str | int, response: _Captured) -> None:
        """Keep the SDK's answer if it is a finished task that `FinishedTasks` holds."""
        if response.status != 200 or not response.complete:
            return
        body = b"".join(response.chunks)
        try:
            reply = json.loads(body)
            reproduced = _render(reply) == body
        except ValueError:
            return
        result = reply.get("result") if isinstance(reply, dict) else None
        if not isinstance(result, dict) or not _finished(result) or type(reply.get("id")) is not type(request_id):
            return
        if reply["id"] != request_id or not reproduced:  # the id is echoed, and these bytes can be made again
            return
        task_key = (self.owner, result["id"])
        task = self.finished.tasks.get(task_key)
        if task is None:
            return
        reply["id"] = _ID_MARK
        parts = _render(reply).split(_render(_ID_MARK))
        if len(parts) != 2:
            return
        headers = tuple((name, None if name == b"content-length" else value) for name, value in response.headers)
        self.answers.put(key, Answer(task_key, task, parts[0], parts[1], headers), len(body))


@dataclass
class _Captured:
    """What the app sent, as it passes on to the client."""

    status: int = 0
    headers: tuple[tuple[bytes, bytes], ...] = ()
    chunks: list[bytes] = field(default_factory=list)
    complete: bool = False

    def around(self, send: Send) -> Send:
        """`send`, recording what passes."""

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.status, self.headers = message["status"], tuple(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                self.chunks.append(message.get("body", b""))
                self.complete = not message.get("more_body", False)
            await send(message)

        return capture


def _task_query(body: bytes, scope: Scope) -> tuple[AnswerKey, str | int] | None:
    """For a JSON-RPC task read whose id is a string or an integer: what its answer depends on, and its id."""
    if b"tasks/get" not in body and b"GetTask" not in body:
        return None
    try:
        request = json.loads(body)
    except ValueError:
        return None
    if not isinstance(request, dict) or request.get("method") not in METHODS:
        return None
    request_id = request.get("id")
    if type(request_id) not in (str, int):  # not bool, float or null: the SDK may not echo those as they came
        return None
    rest = json.dumps({name: value for name, value in request.items() if name != "id"}, sort_keys=True)
    versions = tuple(value for name, value in scope["headers"] if name == b"a2a-version")
    return (versions, type(request_id), rest), request_id


def _finished(task: dict[str, Any]) -> bool:
    status = task.get("status")
    return isinstance(task.get("id"), str) and isinstance(status, dict) and status.get("state") in FINISHED


def _render(content: Any) -> bytes:
    """JSON exactly as Starlette's `JSONResponse` (which the SDK answers with) renders it."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


async def _body(receive: Receive) -> bytes | None:
    """The whole request body; None if the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
