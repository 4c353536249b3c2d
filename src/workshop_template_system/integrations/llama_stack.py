"""The language model behind `ChatModel`: chat completions from a Llama Stack server via ``llama-stack-client``.

Llama Stack serves the OpenAI-compatible ``POST /v1/chat/completions``; so does any OpenAI-compatible
server (llama-cpp-python's, vLLM's), which the same client talks to directly. The endpoint is the
server's base URL (``http://host:8321``): the client adds ``/v1/...`` itself, so a trailing ``/v1`` is dropped.

Every failure of the client becomes one `ModelError` with a line a person can act on: the server cannot
be reached, it ran past the timeout, it refused the request (the status and the server's own message),
or it answered with no text (`EmptyAnswer`, which callers may treat as one bad answer rather than an
outage). Prompts and answers are never logged; debug logs carry sizes and timings only.
"""

from __future__ import annotations

import json
import logging
import os
import time
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self
from urllib.parse import urlsplit, urlunsplit

from workshop_template_system.errors import ModelError
from workshop_template_system.settings import Settings

if TYPE_CHECKING:  # the client takes a second or more to import: only a configured model loads it
    import llama_stack_client

log = logging.getLogger(__name__)
_MESSAGE_CHARS = 300  # of the server's error message kept in ours
_CHAIN_DEPTH = 20  # causes followed to find the operating system's reason for a failed connection


class ChatModel(Protocol):
    """A chat model: messages (``{"role": ..., "content": ...}``) in, the assistant's text out.

    Raises `ModelError` when there is no usable answer, `EmptyAnswer` when the answer has no text.
    """

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> str: ...


class EmptyAnswer(ModelError):
    """The model answered, but with no text (an empty message, no choices, or only a refusal)."""


class LlamaStackChatModel:
    """`ChatModel` through ``llama-stack-client``'s ``chat.completions.create``.

    One HTTP client for the model's lifetime: use ``async with`` or call `aclose` when done.
    ``max_retries`` repeats a request after a connection error, a timeout, 408/409/429 or 5xx.
    """

    def __init__(self, endpoint: str, model_id: str, timeout: float, *, max_retries: int = 1) -> None:
        base_url = _base_url(endpoint)
        self.endpoint = _without_credentials(base_url)  # as shown in messages
        self.model_id = model_id
        self.timeout = timeout
        from llama_stack_client import AsyncLlamaStackClient

        self._client = AsyncLlamaStackClient(base_url=base_url, timeout=timeout, max_retries=max_retries)

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> str:
        """The assistant's text for ``messages``; `ModelError` with a readable reason otherwise."""
        import llama_stack_client

        started = time.monotonic()
        try:
            response = await self._client.chat.completions.create(
                model=self.model_id,
                messages=messages,  # type: ignore[arg-type]  # plain dicts of the documented shape
                max_tokens=max_tokens,
                temperature=temperature,
                stream=False,
            )
        except llama_stack_client.LlamaStackClientError as exc:
            raise model_error(exc, self.endpoint, self.model_id, self.timeout) from exc
        text = self._text(response)
        log.debug(
            "model %s answered %d characters to %d messages in %.1f s",
            self.model_id,
            len(text),
            len(messages),
            time.monotonic() - started,
        )
        return text

    def _text(self, response: object) -> str:
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise EmptyAnswer(f"the model '{self.model_id}' at {self.endpoint} answered with no choices")
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        if not isinstance(content, str) or not content.strip():
            raise EmptyAnswer(f"the model '{self.model_id}' at {self.endpoint} answered with no text")
        return content

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()


def model_from_settings(settings: Settings) -> LlamaStackChatModel | None:
    """The configured model, or None without ``LLAMA_STACK_ENDPOINT`` and ``INFERENCE_MODEL_ID``."""
    if not (settings.llama_stack_endpoint and settings.inference_model_id):
        return None
    return LlamaStackChatModel(settings.llama_stack_endpoint, settings.inference_model_id, settings.llm_timeout)


def model_error(
    exc: llama_stack_client.LlamaStackClientError, endpoint: str, model_id: str, timeout: float
) -> ModelError:
    """The one translation of the client's exceptions into ours."""
    import llama_stack_client

    if isinstance(exc, llama_stack_client.APITimeoutError):
        return ModelError(f"the language model at {endpoint} did not answer within {timeout:g} s (LLM_TIMEOUT)")
    if isinstance(exc, llama_stack_client.APIConnectionError):
        return ModelError(f"cannot reach the language model at {endpoint}: {_connection_failure(exc)}")
    if isinstance(exc, llama_stack_client.APIStatusError):
        response = exc.response
        status = f"{response.status_code} {response.reason_phrase}".strip()
        message = _server_message(exc.body) or exc.message
        request = f"{response.request.method} {response.request.url.path}"
        if response.status_code == 404:
            return ModelError(
                f"the server at {endpoint} answered {status} to {request} for model '{model_id}': "
                f"{message.rstrip('.')}; check INFERENCE_MODEL_ID, and that LLAMA_STACK_ENDPOINT is the server's "
                "base URL"
            )
        return ModelError(f"the server at {endpoint} answered {status} to {request} for model '{model_id}': {message}")
    # APIResponseValidationError and anything the client adds later: an answer we cannot read.
    return ModelError(f"the language model at {endpoint} gave an answer that cannot be read: {_one_line(str(exc))}")


def _connection_failure(exc: BaseException) -> str:
    """The operating system's reason deepest in the chain ("connection refused"), else the client's words."""
    reason = str(exc.__cause__ or exc)
    seen: BaseException | None = exc
    for _ in range(_CHAIN_DEPTH):
        if seen is None:
            break
        if isinstance(seen, OSError) and seen.errno:
            reason = os.strerror(seen.errno) if seen.errno > 0 else str(seen.strerror)
        seen = seen.__cause__ or seen.__context__
    return reason[:1].lower() + reason[1:]


def _server_message(body: object) -> str:
    """The human part of an error body: Llama Stack's ``{"error": {"detail": ...}}``, OpenAI's
    ``{"error": {"message": ...}}``, FastAPI's ``{"detail": ...}``, or plain text."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            for key in ("detail", "message"):
                if inner.get(key):
                    return _one_line(_flatten(inner[key]))
        elif isinstance(inner, str) and inner.strip():
            return _one_line(inner)
        return _one_line(json.dumps(body))
    if isinstance(body, str):
        return _one_line(body)
    return ""


def _flatten(detail: object) -> str:
    """Validation errors (``{"errors": [{"loc": [...], "msg": ...}]}`` or a list of them) as ``loc: msg; ...``."""
    if isinstance(detail, dict) and isinstance(detail.get("errors"), list):
        detail = detail["errors"]
    if isinstance(detail, list):
        parts = []
        for error in detail:
            if isinstance(error, dict) and "msg" in error:
                where = ".".join(str(part) for part in error.get("loc", []))
                parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
            else:
                parts.append(str(error))
        return "; ".join(parts)
    return detail if isinstance(detail, str) else json.dumps(detail)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"


def _base_url(endpoint: str) -> str:
    return endpoint.strip().rstrip("/").removesuffix("/v1")


def _without_credentials(url: str) -> str:
    """``http://user:secret@host`` → ``http://host``: a URL fit for a message or a log."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
