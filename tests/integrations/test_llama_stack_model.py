"""LlamaStackChatModel against a real HTTP server speaking the chat-completions API Llama Stack serves."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import llama_stack_client
import pytest

from support import free_port
from support_llm import MODEL, ChatServer, running_chat_server
from workshop_template_system.errors import ModelError
from workshop_template_system.integrations.llama_stack import (
    EmptyAnswer,
    LlamaStackChatModel,
    model_error,
    model_from_settings,
)
from workshop_template_system.settings import Settings

HELLO = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Say hello."}]


@pytest.fixture(scope="module")
def shared_server() -> Iterator[ChatServer]:
    with running_chat_server() as server:
        yield server


@pytest.fixture
def chat_server(shared_server: ChatServer) -> ChatServer:
    return shared_server.reset()


async def ask(url: str, model: str = MODEL, *, timeout: float = 5.0, retries: int = 0, messages=HELLO) -> str:
    async with LlamaStackChatModel(url, model, timeout, max_retries=retries) as chat:
        return await chat.complete(messages, max_tokens=64, temperature=0.2)


async def test_the_answer_is_the_assistants_message_and_the_request_is_the_documented_one(
    chat_server: ChatServer,
) -> None:
    assert await ask(chat_server.url) == "Hello from the test server."
    assert chat_server.requests == [
        {"model": MODEL, "messages": HELLO, "max_tokens": 64, "temperature": 0.2, "stream": False}
    ]


async def test_an_endpoint_given_with_v1_reaches_the_same_server(chat_server: ChatServer) -> None:
    assert await ask(chat_server.url + "/v1/") == "Hello from the test server."


async def test_a_server_that_is_down_is_a_readable_model_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ModelError) as raised:
        await ask(url)
    assert str(raised.value) == f"cannot reach the language model at {url}: connection refused"
    assert isinstance(raised.value.__cause__, llama_stack_client.APIConnectionError)


async def test_credentials_in_the_endpoint_stay_out_of_messages() -> None:
    port = free_port()
    with pytest.raises(ModelError) as raised:
        await ask(f"http://reader:s3cret@127.0.0.1:{port}")
    assert str(raised.value) == f"cannot reach the language model at http://127.0.0.1:{port}: connection refused"


async def test_an_unknown_model_is_named_with_the_servers_reason(chat_server: ChatServer) -> None:
    with pytest.raises(ModelError) as raised:
        await ask(chat_server.url, "llama-9000")
    message = str(raised.value)
    assert "404 Not Found" in message
    assert "for model 'llama-9000'" in message
    assert "Model 'llama-9000' not found" in message
    assert "INFERENCE_MODEL_ID" in message
    assert "\n" not in message


async def test_a_slow_answer_runs_into_the_timeout(chat_server: ChatServer) -> None:
    chat_server.behaviors["*"] = "slow"
    started = time.monotonic()
    with pytest.raises(ModelError) as raised:
        await ask(chat_server.url, timeout=0.3)
    assert str(raised.value) == f"the language model at {chat_server.url} did not answer within 0.3 s (LLM_TIMEOUT)"
    assert time.monotonic() - started < 3


async def test_a_server_error_carries_the_status_and_the_servers_message(chat_server: ChatServer) -> None:
    chat_server.behaviors["*"] = "error-500"
    with pytest.raises(ModelError) as raised:
        await ask(chat_server.url)
    assert "answered 500 Internal Server Error to POST /v1/chat/completions" in str(raised.value)
    assert "An unexpected error occurred" in str(raised.value)


async def test_a_failure_the_server_calls_temporary_is_retried(chat_server: ChatServer) -> None:
    chat_server.behaviors["*"] = "fail-once"
    assert await ask(chat_server.url, retries=1) == "Hello from the test server."
    assert len(chat_server.requests) == 2


async def test_a_malformed_request_is_refused_with_the_field_the_server_names(chat_server: ChatServer) -> None:
    with pytest.raises(ModelError) as raised:
        await ask(chat_server.url, messages=[{"role": "robot", "content": "beep"}])
    assert "400 Bad Request" in str(raised.value)
    assert "body.messages.0.role: Input should be one of" in str(raised.value)


@pytest.mark.parametrize(("behavior", "reason"), [("empty", "no text"), ("no-choices", "no choices")])
async def test_an_answer_without_text_is_an_empty_answer(chat_server: ChatServer, behavior: str, reason: str) -> None:
    chat_server.behaviors["*"] = behavior
    with pytest.raises(EmptyAnswer, match=f"the model '{MODEL}' at .* answered with {reason}"):
        await ask(chat_server.url)


async def test_prompts_and_answers_are_not_logged(chat_server: ChatServer, caplog: pytest.LogCaptureFixture) -> None:
    secret = [{"role": "user", "content": "the prompt text 7f3a"}]
    with caplog.at_level(logging.DEBUG, logger="workshop_template_system"), caplog.at_level(logging.INFO):
        await ask(chat_server.url, messages=secret)
    assert "7f3a" not in caplog.text
    assert "Hello from the test server" not in caplog.text


def _client_errors() -> list[llama_stack_client.LlamaStackClientError]:
    request = httpx.Request("POST", "http://model.test/v1/chat/completions")
    response = httpx.Response(418, request=request, json={"error": {"message": "short and stout"}})
    made: list[llama_stack_client.LlamaStackClientError] = [
        llama_stack_client.LlamaStackClientError("base"),
        llama_stack_client.APIError("api", request, body=None),
        llama_stack_client.APIConnectionError(request=request),
        llama_stack_client.APITimeoutError(request),
        llama_stack_client.APIResponseValidationError(response, {"unexpected": True}),
    ]
    statuses = [
        kind
        for kind in vars(llama_stack_client).values()
        if isinstance(kind, type) and issubclass(kind, llama_stack_client.APIStatusError)
    ]
    made += [kind("status", response=response, body=response.json()) for kind in statuses]
    return made


def test_every_exception_of_the_client_is_translated() -> None:
    errors = _client_errors()
    kinds = {
        kind
        for kind in vars(llama_stack_client).values()
        if isinstance(kind, type) and issubclass(kind, llama_stack_client.LlamaStackClientError)
    }
    assert kinds <= {type(error) for error in errors}, "a client exception has no case here"
    for error in errors:
        translated = model_error(error, "http://model.test", MODEL, 5)
        assert isinstance(translated, ModelError)
        assert "http://model.test" in str(translated)


def test_a_status_error_shows_openai_style_messages_too() -> None:
    request = httpx.Request("POST", "http://model.test/v1/chat/completions")
    response = httpx.Response(400, request=request, json={"error": {"message": "context window exceeded"}})
    error = llama_stack_client.BadRequestError("x", response=response, body=response.json())
    assert str(model_error(error, "http://model.test", MODEL, 5)).endswith(
        f"answered 400 Bad Request to POST /v1/chat/completions for model '{MODEL}': context window exceeded"
    )


async def test_the_model_comes_from_the_settings_only_when_both_are_set(tmp_path: Path) -> None:
    base = Settings(workspace_path=tmp_path)
    assert model_from_settings(base) is None
    assert model_from_settings(base.with_changes(llama_stack_endpoint="http://stack:8321")) is None
    assert model_from_settings(base.with_changes(inference_model_id=MODEL)) is None
    configured = base.with_changes(llama_stack_endpoint="http://stack:8321", inference_model_id=MODEL, llm_timeout=9.0)
    model = model_from_settings(configured)
    assert model is not None
    assert (model.endpoint, model.model_id, model.timeout) == ("http://stack:8321", MODEL, 9.0)
    await model.aclose()
