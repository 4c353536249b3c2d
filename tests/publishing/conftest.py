"""Fixtures of the publishing tests: the Gitea double (or a real Gitea), a workspace, and both forges."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from publish_helpers import WORKSHOP, Gitea, MakeWorkshop, write_pipeline_files

from support_gitea import GiteaDouble, RealGitea
from workshop_template_system.integrations.forge import GitForge
from workshop_template_system.integrations.gitea import GiteaForge
from workshop_template_system.integrations.local_git import LocalGitForge
from workshop_template_system.settings import Secret
from workshop_template_system.workshop.publishing import Publisher
from workshop_template_system.workspace import Workspace

# Read at import, before the autouse fixture cleans the environment of every test.
_REAL_GITEA = (os.environ.get("GITEA_TEST_URL"), os.environ.get("GITEA_TEST_TOKEN"))
_REAL_ORGANIZATION = os.environ.get("GITEA_TEST_ORGANIZATION") or "workshops"


@pytest.fixture(scope="session")
def gitea(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gitea]:
    """The Gitea double on 127.0.0.1, or the real Gitea named by GITEA_TEST_URL and GITEA_TEST_TOKEN."""
    url, token = _REAL_GITEA
    if url and token:
        yield RealGitea(url.rstrip("/"), token, _REAL_ORGANIZATION)
        return
    double = GiteaDouble(tmp_path_factory.mktemp("gitea"), token=f"gtk_{secrets.token_hex(20)}").start()
    yield double
    double.stop()


@pytest.fixture
def workspace(workspace_path: Path) -> Workspace:
    workspace = Workspace(workspace_path)
    workspace.ensure()
    return workspace


@pytest.fixture(params=["local", "gitea"])
def forge(request: pytest.FixtureRequest, gitea: Gitea, workspace: Workspace) -> Iterator[GitForge]:
    """Each test runs against local bare repositories and against Gitea."""
    if request.param == "local":
        chosen: GitForge = LocalGitForge(workspace.root / "git", organization="workshops")
    else:
        chosen = GiteaForge(gitea.url, Secret(gitea.token), organization=gitea.organization, timeout=30)
    yield chosen
    chosen.close()


@pytest.fixture
def publisher(forge: GitForge, workspace: Workspace) -> Publisher:
    return Publisher(forge, workspace, lock_timeout=30, git_timeout=60)


@pytest.fixture
def repository() -> str:
    """A fresh repository name (a real Gitea keeps what earlier runs made)."""
    return f"workshop-{secrets.token_hex(4)}"


@pytest.fixture
def make_workshop(workspace: Workspace) -> MakeWorkshop:
    """A pipeline whose final-output/ holds a small workshop (a .git made for Antora included)."""

    def make(files: dict[str, str | bytes] | None = None, *, title: str = "Container Basics") -> str:
        pipeline_id = str(workspace.init_pipeline(None, title=title)["pipeline_id"])
        write_pipeline_files(workspace, pipeline_id, WORKSHOP if files is None else files)
        return pipeline_id

    return make
