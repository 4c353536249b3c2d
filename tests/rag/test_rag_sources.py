"""Where index_workshop reads a workshop: a pipeline's final output, a git repository, a local folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rag_support import FIXTURE

from workshop_template_system.errors import RepositoryRefused, WorkspaceError
from workshop_template_system.integrations.antora import ensure_git_repository
from workshop_template_system.rag.sources import from_path, from_pipeline, from_repository
from workshop_template_system.settings import Settings
from workshop_template_system.workshop.pipeline_steps import final_output
from workshop_template_system.workspace import Workspace

PAGES = 8


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    workspace = Workspace(tmp_path / "workspace")
    workspace.ensure()
    return workspace


def test_a_pipelines_final_output(workspace: Workspace) -> None:
    pipeline_id = str(workspace.init_pipeline()["pipeline_id"])
    with pytest.raises(WorkspaceError, match="has no workshop in final-output/ yet"):
        from_pipeline(workspace, pipeline_id, lock_timeout=5)
    output = final_output(workspace, pipeline_id)
    output.rmdir()
    shutil.copytree(FIXTURE, output)
    assert len(from_pipeline(workspace, pipeline_id, lock_timeout=5).pages) == PAGES
    with pytest.raises(WorkspaceError, match="pipeline 'pipeline-nope' does not exist"):
        from_pipeline(workspace, "pipeline-nope", lock_timeout=5)


def test_a_git_repository_is_cloned_read_and_removed(workspace: Workspace, tmp_path: Path) -> None:
    repository = shutil.copytree(FIXTURE, tmp_path / "repository")
    ensure_git_repository(repository)
    settings = Settings(workspace_path=workspace.root)
    content = from_repository(str(repository), None, settings, workspace)
    assert (content.title, len(content.pages)) == ("Trailhead: cloud-native Java on OpenShift", PAGES)
    assert list((workspace.agent_dir("workshop-chat") / "working").iterdir()) == []
    refused = settings.with_changes(allow_local_repositories=False)
    with pytest.raises(RepositoryRefused):
        from_repository(str(repository), None, refused, workspace)
    for outside in ("/etc", f"file://{workspace.root}/git/../..", "relative/git/x.git"):
        with pytest.raises(RepositoryRefused):
            from_repository(outside, None, refused, workspace)

    published = workspace.root / "git" / "workshops" / "trailhead.git"  # where the local forge publishes
    subprocess.run(["git", "clone", "-q", "--bare", str(repository), str(published)], check=True)
    content = from_repository(f"file://{published}", None, refused, workspace)  # ours, even with local sources off
    assert len(content.pages) == PAGES


def test_a_local_folder_only_when_local_sources_are_allowed(workspace: Workspace) -> None:
    settings = Settings(workspace_path=workspace.root)
    assert len(from_path(str(FIXTURE), settings).pages) == PAGES
    with pytest.raises(RepositoryRefused, match="ALLOW_LOCAL_REPOSITORIES=false"):
        from_path(str(FIXTURE), settings.with_changes(allow_local_repositories=False))
