"""Fixtures for the workspace tests: a fresh workspace and worker processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workshop_template_system.workspace import Workspace

WORKER = Path(__file__).with_name("lock_worker.py")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """An empty workspace with its top-level layout."""
    space = Workspace(tmp_path / "ws")
    space.ensure()
    return space


@pytest.fixture
def pipeline(workspace: Workspace) -> str:
    """An initialised pipeline of that workspace."""
    workspace.init_pipeline("pipeline-1")
    return "pipeline-1"


def worker(*args: object) -> list[str]:
    """The command line that runs ``lock_worker.py`` with ``args``."""
    return [sys.executable, str(WORKER), *map(str, args)]


@pytest.fixture
def worker_command() -> Callable[..., list[str]]:
    """`worker`, for tests that start their own worker processes."""
    return worker


@pytest.fixture
def holder_process(workspace: Workspace, pipeline: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the ``counter`` lock of the pipeline (as agent ``holder``) until killed."""
    process = subprocess.Popen(
        worker("hold", workspace.root, pipeline, "counter", "holder"),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "locked"
        yield process
    finally:
        process.kill()
        process.wait()
