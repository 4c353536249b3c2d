"""One real agent per test module, shared by its many small requests, and a task stored before they start."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hardening_support import send_status

from support import DEPLOYMENT_COMMAND, AgentProcess, agent_env, free_port


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    """template_converter, started with the deployment command on its own workspace (one per module:
    starting one per request would take most of the time)."""
    folder = tmp_path_factory.mktemp("hardening")
    port = free_port()
    argv = [*DEPLOYMENT_COMMAND, "--agent-name", "template_converter", "--port", str(port)]
    process = AgentProcess(argv, agent_env(folder / "workspace", port), port, folder / "agent.log").start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def stored_task(agent: AgentProcess) -> dict[str, Any]:
    """A finished task, stored before any bad request arrives: it must still be readable afterwards."""
    return send_status(agent.url, "stored-before")
