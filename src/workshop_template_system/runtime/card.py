"""The agent card: who the agent is, where it listens, what skills it has, how to authenticate."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Sequence

from a2a.server.request_handlers.response_helpers import agent_card_to_dict
from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentProvider,
    AgentSkill,
    HTTPAuthSecurityScheme,
    SecurityRequirement,
    SecurityScheme,
    StringList,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workshop_template_system import __version__
from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.settings import Settings

INPUT_MODES = ["application/json", "text/plain"]
OUTPUT_MODES = ["application/json", "text/plain"]
_ANY_ADDRESS = {"0.0.0.0", "::", ""}  # noqa: S104 — recognised, never advertised


def public_url(settings: Settings, host: str, port: int) -> str:
    """``AGENT_PUBLIC_URL``, else ``http://<host>:<port>/`` with the machine's name for a wildcard host."""
    if settings.agent_public_url:
        return settings.agent_public_url.rstrip("/") + "/"
    name = socket.gethostname() if host in _ANY_ADDRESS else host
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}/"


def build_card(spec: AgentSpec, settings: Settings, url: str) -> AgentCard:
    """The A2A card for `spec`, served at ``/agent-card`` and ``/.well-known/agent-card.json``."""
    card = AgentCard(
        name=spec.name,
        description=spec.description,
        version=__version__,
        provider=AgentProvider(organization="Workshop Template System", url=url),
        supported_interfaces=[
            AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="1.0"),
            AgentInterface(url=url, protocol_binding="HTTP+JSON", protocol_version="1.0"),
            # The 0.3 method names are switched on too; this entry also gives the card its 0.3 fields (url, ...).
            AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="0.3"),
        ],
        capabilities=AgentCapabilities(streaming=True, push_notifications=False),
        default_input_modes=INPUT_MODES,
        default_output_modes=OUTPUT_MODES,
        skills=[
            AgentSkill(
                id=skill.id,
                name=skill.name,
                description=skill.description,
                tags=list(skill.tags),
                examples=list(skill.examples),
                input_modes=INPUT_MODES if skill.from_text else ["application/json"],
                output_modes=["application/json"],
            )
            for skill in spec.skills
        ],
    )
    if settings.a2a_auth_token is not None:
        card.security_schemes["bearer"].CopyFrom(
            SecurityScheme(
                http_auth_security_scheme=HTTPAuthSecurityScheme(
                    scheme="bearer", description="the deployment's shared A2A_AUTH_TOKEN"
                )
            )
        )
        card.security_requirements.append(SecurityRequirement(schemes={"bearer": StringList()}))
    return card


def card_routes(card: AgentCard, paths: Sequence[str]) -> list[Route]:
    """``GET`` routes serving the card, serialised once (the SDK's own route re-serialises it per request)."""
    body = json.dumps(agent_card_to_dict(card), separators=(",", ":")).encode()
    etag = f'W/"{hashlib.sha256(body).hexdigest()}"'

    async def agent_card(request: Request) -> Response:
        """The A2A agent card of this agent."""
        candidates = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
        if etag.removeprefix("W/") in candidates or "*" in candidates:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    return [Route(path, agent_card, methods=["GET"]) for path in paths]
