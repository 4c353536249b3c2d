"""Prometheus metrics: HTTP requests, tasks by skill and state, task durations."""

from __future__ import annotations

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metrics:
    """One registry per app, so several apps in one test process do not collide."""

    def __init__(self, agent: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"agent": agent}
        self.requests = Counter(
            "http_requests",
            "HTTP requests served, by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        ).labels
        self.request_seconds = Histogram(
            "http_request_duration_seconds", "Time to first response byte", ["route"], registry=self.registry
        ).labels
        self.tasks = Counter(
            "a2a_tasks",
            "Tasks that ended, by skill and final state",
            ["skill", "state"],
            registry=self.registry,
        ).labels
        self.task_seconds = Histogram(
            "a2a_task_duration_seconds",
            "Task run time by skill",
            ["skill"],
            buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
            registry=self.registry,
        ).labels
        self.running = Gauge("a2a_tasks_running", "Tasks running now", ["skill"], registry=self.registry).labels
        Gauge("agent_info", "The agent this process serves", list(labels), registry=self.registry).labels(**labels).set(
            1
        )

    async def endpoint(self, request: Request) -> Response:
        """``GET /metrics`` in the Prometheus text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts every HTTP request by method, route template and status (pure ASGI: streaming untouched)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        route = path if path in self.routes else ("/tasks/{id}" if path.startswith("/tasks/") else "other")
        started = time.perf_counter()
        status = 500

        async def send_and_count(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self.metrics.request_seconds(route).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            self.metrics.requests(scope["method"], route, str(status)).inc()
