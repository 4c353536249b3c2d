"""The web application of one agent: A2A routes, card, health, metrics, and the lifespan that owns its resources."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager, suppress

from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import (
    add_a2a_routes_to_fastapi,
    create_jsonrpc_routes,
    create_rest_routes,
)
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workshop_template_system import __version__
from workshop_template_system.agents.base import AgentSpec, BackgroundContext
from workshop_template_system.errors import WorkshopSystemError
from workshop_template_system.runtime.auth import BearerAuthMiddleware
from workshop_template_system.runtime.background import Background
from workshop_template_system.runtime.card import build_card, card_routes
from workshop_template_system.runtime.executor import SkillExecutor
from workshop_template_system.runtime.health import Readiness, healthz
from workshop_template_system.runtime.limits import BodySizeLimitMiddleware
from workshop_template_system.runtime.metrics import Metrics, MetricsMiddleware
from workshop_template_system.runtime.pages import add_page
from workshop_template_system.runtime.peers import PeerClient
from workshop_template_system.runtime.task_answers import TaskAnswers
from workshop_template_system.runtime.task_cache import FinishedTasks, cached_store
from workshop_template_system.runtime.task_progress import CoalescedProgressStore
from workshop_template_system.runtime.task_store import (
    fail_interrupted,
    open_store,
    open_task_engine,
    ping,
    prune_periodically,
    task_store,
)
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
        "/chat",
    }
)


def create_app(spec: AgentSpec, settings: Settings, url: str) -> FastAPI:
    """Build the agent's app; resources (task store, HTTP client) open and close in its lifespan."""
    workspace = Workspace(settings.workspace_path)
    workspace.ensure()
    engine = open_task_engine(settings, spec, workspace)
    tasks = task_store(engine, spec, shared=settings.task_store_url is not None)
    finished = FinishedTasks(tasks.table.owner_resolver)
    progress = None if tasks.events is not None else CoalescedProgressStore(tasks.store, tasks.table.owner_resolver)
    http = PeerClient.http_client(settings)
    metrics = Metrics(spec.name)
    executor = SkillExecutor(spec, settings, workspace, PeerClient(settings, http), metrics)
    card = build_card(spec, settings, url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context = BackgroundContext(settings, workspace, executor.peers, asyncio.Event())
        async with AsyncExitStack() as resources:
            resources.push_async_callback(engine.dispose)
            resources.push_async_callback(http.aclose)
            try:
                await open_store(tasks)
                if not settings.task_store_url and (interrupted := await fail_interrupted(tasks.table)):
                    logger.warning("%d tasks left unfinished by an earlier run are now failed", interrupted)
                if tasks.events is not None:
                    pruning = asyncio.create_task(prune_periodically(tasks), name=f"{spec.name}-prune-task-events")
                    resources.push_async_callback(_cancel, pruning)
                if spec.lifespan is not None:
                    readiness.checks.update(await resources.enter_async_context(spec.lifespan(context)))
            except WorkshopSystemError as exc:
                app.state.startup_error = exc  # the server reports it as one line, not a traceback
                raise
            background = Background(spec, context)
            logger.info("%s ready at %s (workspace %s)", spec.name, url, workspace.root)
            try:
                yield
            finally:
                await background.stop(settings.shutdown_grace)
                await executor.fail_running(settings.shutdown_grace)
                await asyncio.sleep(0.2)  # let the task store write the final states just enqueued
                if progress is not None:
                    await progress.flush()
        logger.info("%s stopped", spec.name)

    app = FastAPI(title=f"{spec.title} agent", version=__version__, description=spec.description, lifespan=lifespan)
    app.state.agent_name = spec.name
    app.state.startup_error = None
    store = cached_store(progress or tasks.store, finished)
    handler = DefaultRequestHandler(executor, store, card, event_stream=tasks.events)
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
    if spec.page is not None:
        add_page(app, spec.page)
    app.add_middleware(TaskAnswers, finished=finished)  # innermost: behind the token check
    if settings.a2a_auth_token is not None:
        app.add_middleware(BearerAuthMiddleware, token=settings.a2a_auth_token.reveal())
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics, routes=OWN_ROUTES)  # counts 401s and 413s too
    app.add_middleware(StartupErrorMiddleware)
    return app


async def _cancel(task: asyncio.Task[None]) -> None:
    """Stop a background task of the lifespan and wait until it has."""
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


class StartupErrorMiddleware:
    """Reports a startup that failed on one of our errors as its one-line message, not a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_message(message: Message) -> None:
            error = scope["app"].state.startup_error
            if message["type"] == "lifespan.startup.failed" and error is not None:
                message = {**message, "message": f"cannot start: {error}"}
            await send(message)

        await self.app(scope, receive, send_message)


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
