"""The web application of one agent: A2A routes, card, health, metrics, and the lifespan that owns its resources."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import (
    add_a2a_routes_to_fastapi,
    create_jsonrpc_routes,
    create_rest_routes,
)
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse

from workshop_template_system import __version__
from workshop_template_system.agents.base import AgentSpec, BackgroundContext
from workshop_template_system.runtime.auth import BearerAuthMiddleware
from workshop_template_system.runtime.background import Background
from workshop_template_system.runtime.card import build_card, card_routes
from workshop_template_system.runtime.executor import SkillExecutor
from workshop_template_system.runtime.health import Readiness, healthz
from workshop_template_system.runtime.metrics import Metrics, MetricsMiddleware
from workshop_template_system.runtime.peers import PeerClient
from workshop_template_system.runtime.task_store import open_engine, ping, task_store, task_store_url
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace

logger = logging.getLogger(__name__)
CARD_PATHS = ("/.well-known/agent-card.json", "/agent-card")
OWN_ROUTES = frozenset(
    {
        *CARD_PATHS,
        "/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/skills",
        "/message:send",
        "/message:stream",
        "/tasks",
    }
)


def create_app(spec: AgentSpec, settings: Settings, url: str) -> FastAPI:
    """Build the agent's app; resources (task store, HTTP client) open and close in its lifespan."""
    workspace = Workspace(settings.workspace_path)
    workspace.ensure()
    engine = open_engine(task_store_url(settings, spec, workspace))
    store = task_store(engine, spec)
    http = PeerClient.http_client(settings)
    metrics = Metrics(spec.name)
    executor = SkillExecutor(spec, settings, workspace, PeerClient(settings, http), metrics)
    card = build_card(spec, settings, url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await store.initialize()
        background = Background(spec, BackgroundContext(settings, workspace, executor.peers, asyncio.Event()))
        logger.info("%s ready at %s (workspace %s)", spec.name, url, workspace.root)
        try:
            yield
        finally:
            await background.stop(settings.shutdown_grace)
            await executor.fail_running(settings.shutdown_grace)
            await asyncio.sleep(0.2)  # let the task store write the final states just enqueued
            await http.aclose()
            await engine.dispose()
            logger.info("%s stopped", spec.name)

    app = FastAPI(title=f"{spec.title} agent", version=__version__, description=spec.description, lifespan=lifespan)
    app.state.agent_name = spec.name
    handler = DefaultRequestHandler(executor, store, card)
    add_a2a_routes_to_fastapi(
        app,
        agent_card_routes=card_routes(card, CARD_PATHS),
        jsonrpc_routes=create_jsonrpc_routes(handler, rpc_url="/", enable_v0_3_compat=True),
        rest_routes=create_rest_routes(handler),
    )
    readiness = Readiness(
        {
            "workspace": lambda: asyncio.to_thread(workspace.check_writable),
            "task_store": lambda: ping(engine),
        }
    )
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["Operations"])
    app.add_api_route("/readyz", readiness.endpoint, methods=["GET"], tags=["Operations"])
    app.add_api_route("/metrics", metrics.endpoint, methods=["GET"], tags=["Operations"])
    app.add_api_route("/skills", _skills_endpoint(spec), methods=["GET"], tags=["Skills"])
    if settings.a2a_auth_token is not None:
        app.add_middleware(BearerAuthMiddleware, token=settings.a2a_auth_token.reveal())
    app.add_middleware(MetricsMiddleware, metrics=metrics, routes=OWN_ROUTES)  # outermost: counts 401s too
    return app


def _skills_endpoint(spec: AgentSpec) -> Callable[[Request], Awaitable[JSONResponse]]:
    schemas = [
        {
            "id": skill.id,
            "description": skill.description,
            "input_schema": skill.input_model.model_json_schema(),
        }
        for skill in spec.skills
    ]

    async def skills(request: Request) -> JSONResponse:
        """Each skill with the JSON schema of its input, for people and programs building calls."""
        return JSONResponse(schemas)

    return skills
