"""The six agents, started once for all the security tests: one workspace, wired to each other like `up` does,
with the bearer token, DEBUG logs and local sources refused (as in a container)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from security_support import TOKEN, call_skill, private_links

from support import DEPLOYMENT_COMMAND, AgentProcess, agent_env, free_port_block
from workshop_template_system.settings import AGENT_NAMES, peer_url_variable

AGENT_SETTINGS = {
    "A2A_AUTH_TOKEN": TOKEN,
    "LOG_LEVEL": "DEBUG",
    "ALLOW_LOCAL_REPOSITORIES": "false",
    "ALLOW_PRIVATE_URLS": "false",
    "CLONE_TIMEOUT": "20",
    "PEER_TIMEOUT": "30",
}
INCLUDE = "include::/etc/passwd[]"
"""An AsciiDoc include of a file outside the workshop, written into the texts of the outline below."""
OUTLINE = {
    "title": "Security Fixture",
    "summary": "A one-module workshop for the security tests.",
    "audience": "testers",
    "duration_minutes": 5,
    "prerequisites": [{"name": "git", "source_file": "../../../../etc/passwd"}],
    "modules": [
        {
            "id": "start",
            "title": "Start",
            "introduction": f"Opening text.\n\n{INCLUDE}\n",
            "objectives": ["Run one command"],
            "steps": [
                {
                    "title": "Say hello",
                    "text": f"Run it:\n{INCLUDE}",
                    "commands": ["echo hello", INCLUDE],
                    "outcome": INCLUDE,
                    "source_file": "/etc/passwd",
                }
            ],
            "source_files": ["../../../../etc/passwd", "/etc/shadow"],
            "verification": {"text": INCLUDE, "commands": ["true"]},
        }
    ],
    "workflow": "new-workshop",
    "evidence": ["../../../etc/passwd"],
    "source": {"repository": "git@example.invalid:fixture.git", "ref": "main"},  # not on the web: no links to it
}


@dataclass(frozen=True)
class Deployment:
    """The running agents, their shared workspace, and the folder holding it and their logs."""

    agents: dict[str, AgentProcess]
    folder: Path

    @property
    def workspace(self) -> Path:
        return self.folder / "workspace"

    def url(self, agent: str) -> str:
        return self.agents[agent].url


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """All six agents, started in parallel (starting is mostly imports: one after another would take minutes)."""
    folder = tmp_path_factory.mktemp("security")
    base = free_port_block(len(AGENT_NAMES))  # below the ephemeral range: no outgoing connection takes one
    ports = {name: base + offset for offset, name in enumerate(AGENT_NAMES)}
    peers = {peer_url_variable(name): f"http://127.0.0.1:{port}" for name, port in ports.items()}
    agents = {
        name: AgentProcess(
            [*DEPLOYMENT_COMMAND, "--agent-name", name, "--port", str(port)],
            agent_env(folder / "workspace", port, **AGENT_SETTINGS, **peers),
            port,
            folder / f"{name}.log",
        )
        for name, port in ports.items()
    }
    try:
        with ThreadPoolExecutor(len(agents)) as pool:
            list(pool.map(lambda agent: agent.start(timeout=180), agents.values()))
        yield Deployment(agents, folder)
    finally:
        for agent in agents.values():
            if agent.process is not None and agent.process.poll() is None:
                agent.stop()


class _Counting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the hits are the record."""


@pytest.fixture(scope="session")
def listener() -> Iterator[tuple[int, list[str]]]:
    """A web server on 127.0.0.1 that answers anything and records each path asked for: (port, paths)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, name="security-listener", daemon=True)
    thread.start()
    yield server.server_address[1], _Counting.hits
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def workshop(deployment: Deployment, listener: tuple[int, list[str]]) -> dict[str, Any]:
    """A pipeline with a written (and built) workshop, made by content_creator from an outline full of includes
    and of links to the listener."""
    outline = copy.deepcopy(OUTLINE)
    outline["modules"][0]["steps"][0]["outcome"] = " and ".join(private_links(listener[0]))
    outcome = call_skill(deployment.url("content_creator"), "create_workshop", {"outline": outline}, timeout=120)
    assert outcome.state == "completed" and outcome.result is not None, outcome
    return outcome.result
