"""Fixtures: a clean environment, and real agent processes on 127.0.0.1 that are always stopped."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support import DEPLOYMENT_COMMAND, AgentProcess, agent_env, free_port

_OUR_PREFIXES = (
    "AGENT_", "A2A_", "WORKSPACE_", "TASK_STORE", "LOCK_", "PEER_", "SHUTDOWN_", "LOG_LEVEL", "MILVUS_", "RAG_",
    "EMBEDDING_", "LLAMA_STACK", "INFERENCE_", "LLM_", "GITEA_", "ALLOW_", "SEARCH_", "POLL_", "CLONE_",
)  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run the slow tiers (@pytest.mark.slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or os.environ.get("RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow tier: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting leaks in from the developer's shell."""
    for key in list(os.environ):
        if key.startswith(_OUR_PREFIXES) or key.endswith("_URL"):
            monkeypatch.delenv(key)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


AgentStarter = Callable[..., AgentProcess]


@pytest.fixture
def start_agent(tmp_path: Path, workspace_path: Path) -> Iterator[AgentStarter]:
    """Start an agent with the exact deployment command (or `command`); stopped after the test."""
    started: list[AgentProcess] = []

    def start(name: str, *, port: int | None = None, command: list[str] | None = None, **env: str) -> AgentProcess:
        port = port or free_port()
        argv = command or [*DEPLOYMENT_COMMAND, "--agent-name", name, "--port", str(port)]
        agent = AgentProcess(argv, agent_env(workspace_path, port, **env), port, tmp_path / f"{name}-{port}.log")
        started.append(agent)
        return agent.start()

    yield start
    for agent in started:
        if agent.process is not None and agent.process.poll() is None:
            agent.stop()


@pytest.fixture
def test_agent_command() -> Callable[[int], list[str]]:
    """The command that serves the runtime's test agent (slow, cancellable and relaying skills)."""
    script = Path(__file__).parent / "runtime" / "harness_agent.py"
    return lambda port: [sys.executable, str(script), "--port", str(port)]
