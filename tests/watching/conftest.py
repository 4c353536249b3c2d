"""Fixtures of the watching tests: a workspace, settings, and a source repository with its workshop."""

from __future__ import annotations

from pathlib import Path

import pytest
from watching_repos import build_pipeline, make_source

from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace


@pytest.fixture
def workspace(workspace_path: Path) -> Workspace:
    space = Workspace(workspace_path)
    space.ensure()
    return space


@pytest.fixture
def settings(workspace_path: Path) -> Settings:
    return Settings(workspace_path=workspace_path, lock_timeout=5.0, clone_timeout=60.0)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The Spring sample repository (README sections Build, Run, Deploy to Kubernetes; pom.xml with Java 17)."""
    return make_source(tmp_path / "sources")


@pytest.fixture
def pipeline_id(workspace: Workspace, source: Path) -> str:
    """The workshop written from `source`: modules build, run, deploy-to-kubernetes."""
    return build_pipeline(workspace, source)
