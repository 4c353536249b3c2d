"""An OpenAI-compatible model server for the chat tests: ``/v1/embeddings`` and ``/v1/chat/completions``.

Embeddings are word counts hashed into `DIMENSION` buckets: deterministic, and close for texts that
share words. Chat answers are made from the prompt the chat index writes: the first sentence of the
first numbered section, cited ``[1]`` (and ``[9]``, a section that does not exist, which must be
dropped); with ``behavior = "error"`` it answers 500. Every request body is kept in `requests`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from support import free_port

EMBEDDING_MODEL = "test-embedder"
CHAT_MODEL = "test-chat"
DIMENSION = 64


@dataclass
class ModelServer:
    url: str
    behavior: str = "grounded"
    requests: list[dict[str, Any]] = field(default_factory=list)


def embedding(text: str) -> list[float]:
    """Hashed word counts: texts that share words point the same way."""
    vector = [0.0] * DIMENSION
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIMENSION] += 1.0
    return vector


@contextmanager
def running_model_server() -> Iterator[ModelServer]:
    port = free_port()
    state = ModelServer(url=f"http://127.0.0.1:{port}")

    async def embeddings(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        state.requests.append(body)
        if body.get("model") != EMBEDDING_MODEL:
            return JSONResponse({"error": {"detail": f"Model '{body.get('model')}' not found."}}, status_code=404)
        texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
        data = [{"object": "embedding", "index": i, "embedding": embedding(text)} for i, text in enumerate(texts)]
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return JSONResponse({"object": "list", "data": data, "model": EMBEDDING_MODEL, "usage": usage})

    async def chat(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        state.requests.append(body)
        if state.behavior == "error":
            return JSONResponse({"error": {"detail": "Internal server error"}}, status_code=500)
        prompt = body["messages"][-1]["content"]
        section = re.search(r"^\[1\] [^\n]*\n\n(.+?)(?:\n|$)", prompt, re.MULTILINE)
        first = re.split(r"(?<=[.:])\s", section.group(1))[0] if section else "The workshop does not cover it."
        answer = f"{first} [1] See also the last section [9]."
        choice = {"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}
        return JSONResponse(
            {"id": "chat-1", "object": "chat.completion", "created": 0, "model": body["model"], "choices": [choice]}
        )

    routes = [
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/v1/chat/completions", chat, methods=["POST"]),
    ]
    config = uvicorn.Config(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"model-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the model server did not start")
        time.sleep(0.02)
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(10)
