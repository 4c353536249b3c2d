"""A chat-completions server for tests: the OpenAI-compatible API that Llama Stack serves, on 127.0.0.1.

It runs the real uvicorn in a thread and serves what ``llama-stack-client`` calls:

- ``POST /v1/chat/completions`` with ``model``, ``messages``, ``max_tokens``, ``temperature`` and
  ``stream`` false; the answer is a ``chat.completion`` object (``choices[0].message.content``,
  ``finish_reason`` ``stop``, or ``length`` when ``max_tokens`` cut it, ``usage``).
- Errors as Llama Stack writes them, ``{"error": {"detail": ...}}``: 404 for a model it does not
  serve (Llama Stack's ModelNotFoundError text), 400 with pydantic-style ``errors`` for a malformed
  request (not JSON, no model, bad messages, a bad ``max_tokens`` or ``temperature``, ``stream`` true).

Answers are made from the prompt: the facts JSON line that `workshop.prose` writes is parsed and
quoted (titles, commands, the first line of the repository text), so tests can see that an answer
reached the outline and stayed grounded. Every request body is recorded in `ChatServer.requests`.
`ChatServer.behaviors` picks another answer per module id (``"summary"`` for the summary call, ``"*"``
for every call): see `BEHAVIORS`.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from support import free_port

MODEL = "test-model"
BEHAVIORS = {
    "grounded": "a valid answer quoting the facts and the repository text",
    "fenced": "the grounded answer in a ```json fence, with a sentence before it",
    "garbage": "a sentence, not JSON",
    "placeholder": "valid JSON whose introduction is '[Content to be developed]'",
    "invented-command": "valid JSON whose first step names a command that is not in the prompt",
    "missing-step": "valid JSON without the last step",
    "empty": "an empty message",
    "no-choices": "a 200 answer without choices",
    "slow": "the grounded answer after `ChatServer.delay` seconds",
    "error-500": "500 with Llama Stack's internal error body",
    "fail-once": "503 the first time for this module, then the grounded answer",
}
_ROLES = {"system", "user", "assistant", "tool", "developer"}


@dataclass
class ChatServer:
    """The running server: its URL, the models it serves, how it answers, and what it received."""

    url: str
    models: set[str] = field(default_factory=lambda: {MODEL})
    behaviors: dict[str, str] = field(default_factory=dict)
    delay: float = 5.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    _failed: set[str] = field(default_factory=set)

    def reset(self) -> ChatServer:
        """Back to serving `MODEL` with grounded answers and no requests, for the next test."""
        self.models, self.behaviors, self.delay = {MODEL}, {}, 5.0
        self.requests.clear()
        self._failed.clear()
        return self

    def prompts(self) -> list[str]:
        """The user message of every request received."""
        return [m["content"] for body in self.requests for m in body["messages"] if m["role"] == "user"]


@contextmanager
def running_chat_server(**options: Any) -> Iterator[ChatServer]:
    """Start the server on a free port; stopped when the block ends (tests share one: see `ChatServer.reset`)."""
    port = free_port()
    state = ChatServer(url=f"http://127.0.0.1:{port}", **options)
    routes = [Route("/v1/chat/completions", _handler(state), methods=["POST"])]
    config = uvicorn.Config(Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"chat-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the chat server did not start")
        time.sleep(0.02)
    try:
        yield state
    finally:
        state.stopping.set()
        server.should_exit = True
        thread.join(10)


def _handler(state: ChatServer) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def chat_completions(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _invalid(["body"], "JSON decode error", "json_invalid")
        if problem := _problem(body):
            return _invalid(*problem)
        state.requests.append(body)
        if body["model"] not in state.models:
            detail = f"Model '{body['model']}' not found. Use 'client.models.list()' to list available Models."
            return JSONResponse({"error": {"detail": detail}}, status_code=404)
        prompt = "\n".join(_text(m["content"]) for m in body["messages"] if m["role"] == "user")
        key, facts = _facts(prompt)
        behavior = state.behaviors.get(key, state.behaviors.get("*", "grounded"))
        if behavior == "error-500":
            detail = "Internal server error: An unexpected error occurred."
            return JSONResponse({"error": {"detail": detail}}, status_code=500)
        if behavior == "fail-once" and key not in state._failed:
            state._failed.add(key)
            return JSONResponse({"error": {"detail": "Service unavailable, try again"}}, status_code=503)
        if behavior == "slow":
            started = time.monotonic()
            while time.monotonic() - started < state.delay and not state.stopping.is_set():
                await asyncio.sleep(0.02)
        if behavior == "no-choices":
            return JSONResponse({"id": "chatcmpl-0", "object": "chat.completion", "model": body["model"]})
        return JSONResponse(_completion(body, _answer(behavior, key, facts, prompt)))

    return chat_completions


def _problem(body: object) -> tuple[list[Any], str, str] | None:
    """What makes a request malformed, as (location, message, type); None when it is well formed."""
    if not isinstance(body, dict):
        return ["body"], "Input should be a valid dictionary", "dict_type"
    if not isinstance(body.get("model"), str):
        return ["body", "model"], "Field required", "missing"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return ["body", "messages"], "List should have at least 1 item after validation", "too_short"
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            return ["body", "messages", index, "role"], f"Input should be one of {sorted(_ROLES)}", "literal_error"
        if not isinstance(message.get("content"), str | list):
            return ["body", "messages", index, "content"], "Field required", "missing"
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        return ["body", "max_tokens"], "Input should be greater than or equal to 1", "greater_than_equal"
    temperature = body.get("temperature")
    if temperature is not None and (not isinstance(temperature, int | float) or not 0 <= temperature <= 2):
        return ["body", "temperature"], "Input should be between 0 and 2", "less_than_equal"
    if body.get("stream"):
        return ["body", "stream"], "streaming is not served by this test server", "literal_error"
    return None


def _invalid(loc: list[Any], msg: str, kind: str) -> JSONResponse:
    detail = {"errors": [{"loc": loc, "msg": msg, "type": kind}]}
    return JSONResponse({"error": {"detail": detail}}, status_code=400)


def _text(content: str | list[Any]) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _facts(prompt: str) -> tuple[str, dict[str, Any]]:
    """Which call this is (a module id or ``summary``) and its facts, from the line after the heading."""
    lines = prompt.splitlines()
    for heading, key in (
        ("MODULE FACTS (JSON)", "module"),
        ("WORKSHOP FACTS (JSON)", "summary"),
        ("TOPIC FACTS (JSON)", "topic"),
    ):
        if heading in lines:
            facts = json.loads(lines[lines.index(heading) + 1])
            return (facts["module"]["id"] if key == "module" else key), facts
    return "", {}


def first_repository_line(prompt: str) -> str:
    """The first line of repository text in a prompt (after the ``--- path ---`` header)."""
    lines = prompt.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("--- ") and line.endswith(" ---"):
            return next((text.strip() for text in lines[index + 1 :] if text.strip()), "")
    return ""


def grounded_module(facts: dict[str, Any], prompt: str) -> dict[str, Any]:
    """The answer the server gives for a module: each sentence quotes the facts or the repository."""
    module = facts["module"]
    steps = module["steps"]
    titles = ", ".join(step["title"] for step in steps) or "reading"
    quote = first_repository_line(prompt)
    introduction = f"In {module['title']} you work through {len(steps)} steps: {titles}."
    if quote:
        introduction += f" The repository says: {quote}"
    objectives = [f"Complete the step {step['title']}" for step in steps[:3]] or [f"Explain {module['title']}"]
    texts = [
        {
            "index": step["index"],
            "text": f"This step, {step['title']}, runs `{step['commands'][0]}`."
            if step["commands"]
            else f"This step, {step['title']}, explains the repository's text.",
        }
        for step in steps
    ]
    return {"introduction": introduction, "objectives": objectives, "steps": texts}


def topic_outline(facts: dict[str, Any]) -> dict[str, Any]:
    """An outline answer built from the topic and objectives in the prompt: one module per objective."""
    modules = [
        {
            "id": f"objective-{number}",
            "title": objective,
            "introduction": f"This module covers: {objective}.",
            "objectives": [objective],
            "steps": [
                {
                    "title": f"Work on {objective.lower()}",
                    "text": f"Run the command for {objective.lower()}.",
                    "commands": [f"echo 'objective {number}: {objective}'"],
                }
            ],
            "verification": {"text": "The command prints the objective.", "commands": [f"echo 'check {number}'"]},
        }
        for number, objective in enumerate(facts["objectives"], 1)
    ]
    return {
        "title": facts["topic"],
        "summary": f"A workshop about {facts['topic']}.",
        "audience": "developers",
        "modules": modules,
    }


def grounded_summary(facts: dict[str, Any]) -> dict[str, Any]:
    titles = ", ".join(module["title"] for module in facts["modules"])
    return {"summary": f"A workshop on {facts['title']} for {facts['audience']}, in these modules: {titles}."}


def _answer(behavior: str, key: str, facts: dict[str, Any], prompt: str) -> str:
    if behavior == "garbage":
        return "I would be happy to help with your workshop!"
    if behavior == "empty":
        return ""
    if not facts:
        return "Hello from the test server."
    if key == "topic":
        data = topic_outline(facts)
        if behavior == "placeholder":
            data["modules"][0]["introduction"] = "[Content to be developed]"
        return json.dumps(data)
    data = grounded_summary(facts) if key == "summary" else grounded_module(facts, prompt)
    match behavior:
        case "fenced":
            return "Here is the JSON you asked for:\n```json\n" + json.dumps(data, indent=2) + "\n```\n"
        case "placeholder":
            data["introduction" if key != "summary" else "summary"] = "[Content to be developed]"
        case "invented-command" if data.get("steps"):
            data["steps"][0]["text"] = "First run `curl -s https://example.com/install.sh | sh` as root."
        case "missing-step" if data.get("steps"):
            data["steps"].pop()
    return json.dumps(data)


def _completion(body: dict[str, Any], text: str) -> dict[str, Any]:
    """A ``chat.completion`` object; about four characters make a token, as with English text."""
    finish = "stop"
    if body.get("max_tokens") and len(text) > 4 * body["max_tokens"]:
        text, finish = text[: 4 * body["max_tokens"]], "length"
    prompt_tokens = sum(len(_text(message["content"])) for message in body["messages"]) // 4
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish, "logprobs": None}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(text) // 4,
            "total_tokens": prompt_tokens + len(text) // 4,
        },
    }
