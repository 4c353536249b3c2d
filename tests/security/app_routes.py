"""Every route an agent serves and every JSON-RPC method it answers, read from the app itself.

The live agent's ``/openapi.json`` lists the routes in its schema and the 1.0 JSON-RPC methods; the same app built
in this process (`create_app`, the factory the agent runs) also lists the routes left out of the schema (the
documentation pages, the page files, the REST binding under ``/{tenant}``) and the 0.3 methods of its dispatcher.
A route or method added later is in these lists without any change to the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import httpx
from starlette.routing import BaseRoute, Mount, Route

from workshop_template_system.agents import agent_spec
from workshop_template_system.runtime.app import create_app
from workshop_template_system.settings import Settings

PUBLIC_PATHS = frozenset({"/agent-card", "/.well-known/agent-card.json", "/healthz", "/readyz", "/metrics"})
"""What the README says anyone may read: the card, health and metrics (and the agent's page, `page_files`)."""
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class Served:
    """What one agent serves: (path template, method) pairs, and JSON-RPC methods by protocol version."""

    routes: frozenset[tuple[str, str]]
    rpc_1_0: frozenset[str]
    rpc_0_3: frozenset[str]
    page: str | None


def served(agent: str, url: str, headers: dict[str, str], scratch: Path) -> Served:
    """The routes and methods of `agent`, live at `url` (read with `headers`) and as its app declares them."""
    schema = httpx.get(url + "/openapi.json", headers=headers, timeout=30).json()
    live = {(path, method.upper()) for path, item in schema["paths"].items() for method in item}
    live_rpc = set(schema["components"]["schemas"]["A2ARequest"]["properties"]["method"]["enum"])
    spec = agent_spec(agent)
    app = create_app(spec, Settings.from_env({"WORKSPACE_PATH": str(scratch)}), url + "/")
    declared = set(_walk(app.routes, ""))
    missing = live - declared
    assert not missing, f"the live agent serves routes its app does not declare: {sorted(missing)}"
    dispatcher = next(route.endpoint.__self__ for route in app.routes if getattr(route, "path", None) == "/")
    compat = getattr(dispatcher, "_v03_adapter", None)
    return Served(
        routes=frozenset(declared),
        rpc_1_0=frozenset(live_rpc | set(dispatcher.METHOD_TO_MODEL)),
        rpc_0_3=frozenset(compat.METHOD_TO_MODEL if compat is not None else ()),
        page=spec.page,
    )


def _walk(routes: Iterable[BaseRoute], prefix: str) -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            for method in route.methods or ():
                yield prefix + route.path, method
        else:  # the bearer middleware lets every non-HTTP scope (websockets) through: no such route may exist
            raise AssertionError(f"{type(route).__name__} {getattr(route, 'path', '?')} is not an HTTP route")


def concrete(template: str) -> str:
    """A request path for a route template: each parameter filled with a made-up value."""
    return _PARAMETER.sub(lambda match: f"sample-{match.group(1)}", template)


def page_files(page: str) -> list[str]:
    """The paths of an agent's page that anyone may GET: the page, its folder address, its files."""
    folder = resources.files("workshop_template_system") / "pages" / page
    files = [entry.name for entry in folder.iterdir() if entry.is_file() and entry.name != "index.html"]
    return [f"/{page}", f"/{page}/", *(f"/{page}/{name}" for name in files)]
