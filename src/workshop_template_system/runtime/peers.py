"""Calling another agent's skill by name over A2A, with timeouts, retries and the bearer token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from a2a.client import A2ACardResolver, A2AClientError, Client, ClientConfig, ClientFactory
from a2a.helpers import get_data_parts, get_message_text, new_data_part, new_message
from a2a.types import AgentCard, Artifact, Role, SendMessageRequest, TaskState, TaskStatus

from workshop_template_system.errors import PeerError, PeerUnreachable
from workshop_template_system.peer_calls import ProgressReporter
from workshop_template_system.settings import Settings, peer_url_variable

logger = logging.getLogger(__name__)

CONNECT_ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5


class PeerRejected(PeerError):
    """The other agent rejected the task: the input it was given is not valid (the caller's mistake, not a failure)."""


class PeerClient:
    """The agents' client for each other: ``await peers.call("content_creator", "create_workshop", {...})``."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.urls = settings.peer_urls
        self.http = http
        self.timeout = settings.peer_timeout
        self._clients: dict[str, Client] = {}

    @classmethod
    def http_client(cls, settings: Settings) -> httpx.AsyncClient:
        """The HTTP client peers share: bearer token when set, a connect timeout, a long read timeout."""
        headers = {}
        if settings.a2a_auth_token is not None:
            headers["Authorization"] = f"Bearer {settings.a2a_auth_token.reveal()}"
        timeout = httpx.Timeout(settings.peer_timeout, connect=5.0)
        return httpx.AsyncClient(headers=headers, timeout=timeout)

    async def call(
        self,
        agent: str,
        skill: str,
        input: Mapping[str, Any],
        on_progress: ProgressReporter | None = None,
    ) -> dict[str, Any]:
        """Run `skill` on `agent` and return its JSON result; `PeerError` with the reason otherwise."""
        request = SendMessageRequest(
            message=new_message([new_data_part({"skill": skill, "input": dict(input)})], role=Role.ROLE_USER)
        )
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                client = await self._client(agent)
                return await self._follow(agent, skill, client, request, on_progress)
            except A2AClientError as exc:
                failure = f"calling {agent}.{skill} at {self.urls.get(agent)} failed: {self._reason(exc)}"
                if not _never_connected(exc):
                    raise PeerError(failure) from exc
                if attempt == CONNECT_ATTEMPTS:
                    raise PeerUnreachable(failure) from exc
                self._clients.pop(agent, None)
                delay = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
                logger.warning("%s unreachable (attempt %d), retrying in %.1fs", agent, attempt, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _reason(self, exc: A2AClientError) -> str:
        """The client's message, with what lies under it when that says more (a timeout's message is empty)."""
        text, cause = str(exc).strip().rstrip(":"), exc.__cause__
        if isinstance(cause, httpx.TimeoutException):
            return f"{text}: no answer within {self.timeout:g}s (PEER_TIMEOUT)"
        if cause is not None and str(cause) and str(cause) not in text:
            return f"{text}: {cause}"
        return text

    async def _client(self, agent: str) -> Client:
        if agent in self._clients:
            return self._clients[agent]
        url = self.urls.get(agent)
        if url is None:
            raise PeerError(f"no address for agent {agent}: set {peer_url_variable(agent)}")
        card = await A2ACardResolver(self.http, url).get_agent_card()
        if card.name != agent:
            raise PeerError(f"{peer_url_variable(agent)}={url} serves agent {card.name!r}, not {agent!r}")
        client = ClientFactory(ClientConfig(streaming=True, httpx_client=self.http)).create(_at_url(card, url))
        self._clients[agent] = client
        return client

    @staticmethod
    async def _follow(
        agent: str,
        skill: str,
        client: Client,
        request: SendMessageRequest,
        on_progress: ProgressReporter | None,
    ) -> dict[str, Any]:
        result: dict[str, Any] | None = None
        status = TaskStatus()
        async for event in client.send_message(request):
            if event.HasField("task"):
                status = event.task.status
                result = _result_of(event.task.artifacts) or result
            elif event.HasField("status_update"):
                status = event.status_update.status
                if status.state == TaskState.TASK_STATE_WORKING and on_progress and status.HasField("message"):
                    metadata = event.status_update.metadata
                    progress = metadata["progress"] if "progress" in metadata.fields else None
                    await on_progress(f"{agent}: {get_message_text(status.message)}", progress)
            elif event.HasField("artifact_update"):
                result = _result_of([event.artifact_update.artifact]) or result
        if status.state != TaskState.TASK_STATE_COMPLETED:
            reason = get_message_text(status.message) if status.HasField("message") else "no reason given"
            state = TaskState.Name(status.state).removeprefix("TASK_STATE_").lower()
            kind = PeerRejected if status.state == TaskState.TASK_STATE_REJECTED else PeerError
            raise kind(f"{agent}.{skill} {state}: {reason}")
        if result is None:
            raise PeerError(f"{agent}.{skill} completed without a result")
        return result


def _result_of(artifacts: Iterable[Artifact]) -> dict[str, Any] | None:
    for artifact in artifacts:
        if artifact.name == "result":
            return _whole_numbers(get_data_parts(artifact.parts)[0])
    return None


def _whole_numbers(value: Any) -> Any:
    """The result as the peer made it: a data part (protobuf Struct) carries every number as a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def _at_url(card: AgentCard, url: str) -> AgentCard:
    """The peer's card, pointed at the address we were configured with (not the one it advertises)."""
    local = AgentCard()
    local.CopyFrom(card)
    for interface in local.supported_interfaces:
        interface.url = url + "/"
    return local


def _never_connected(exc: BaseException) -> bool:
    cause = exc.__cause__
    return isinstance(cause, httpx.ConnectError)
