"""Where a workshop to index comes from: a pipeline's final output, a local folder, or a git repository.

Blocking: callers run `read_source` off the event loop.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from workshop_template_system.errors import RepositoryRefused, WorkspaceError
from workshop_template_system.integrations.forge import in_local_forge
from workshop_template_system.integrations.git import clone, repository_source
from workshop_template_system.rag.content import WorkshopContent, read_workshop
from workshop_template_system.settings import Settings
from workshop_template_system.workshop.pipeline_steps import final_output
from workshop_template_system.workspace import Workspace

AGENT_SLUG = "workshop-chat"


def read_source(
    settings: Settings,
    workspace: Workspace,
    *,
    pipeline_id: str | None = None,
    path: str | None = None,
    repository: str | None = None,
    ref: str | None = None,
) -> WorkshopContent:
    """The workshop from whichever source is given: a pipeline, a local folder, or a git repository."""
    if pipeline_id is not None:
        return from_pipeline(workspace, pipeline_id, settings.lock_timeout)
    if path is not None:
        return from_path(path, settings)
    if repository is not None:
        return from_repository(repository, ref, settings, workspace)
    raise WorkspaceError('no workshop source: give {"pipeline_id"}, {"path"} or {"repository", "ref"}')


def from_pipeline(workspace: Workspace, pipeline_id: str, lock_timeout: float) -> WorkshopContent:
    """The workshop a pipeline wrote into ``final-output/``, read under that folder's lock."""
    if not workspace.pipeline_exists(pipeline_id):
        raise WorkspaceError(f"pipeline '{pipeline_id}' does not exist in {workspace.root}")
    folder = final_output(workspace, pipeline_id)
    with workspace.lock("final-output", pipeline_id, agent=AGENT_SLUG, timeout=lock_timeout):
        if not folder.is_dir() or not any(folder.iterdir()):
            raise WorkspaceError(
                f"pipeline '{pipeline_id}' has no workshop in final-output/ yet: run content_creator first"
            )
        return read_workshop(folder)


def from_path(path: str, settings: Settings) -> WorkshopContent:
    """A workshop folder on this machine, when local sources are allowed."""
    if not settings.allow_local_repositories:
        raise RepositoryRefused(
            f"refused local path {path!r}: local sources are off (ALLOW_LOCAL_REPOSITORIES=false); "
            'give {"repository": "<git URL>"} or {"pipeline_id": ...}'
        )
    return read_workshop(Path(path).expanduser())


def from_repository(repository: str, ref: str | None, settings: Settings, workspace: Workspace) -> WorkshopContent:
    """A workshop in a git repository: cloned into a scratch folder that is removed once it is read.

    The local forge's repositories in the workspace are read even when local sources are off."""
    allow_local = settings.allow_local_repositories or in_local_forge(repository, workspace)
    source = repository_source(repository, settings, ref=ref, allow_local=allow_local)
    scratch = Path(tempfile.mkdtemp(prefix="index-", dir=workspace.agent_dir(AGENT_SLUG) / "working"))
    try:
        cloned = clone(
            source,
            scratch / source.name,
            ref=ref,
            timeout=settings.clone_timeout,
            max_files=settings.clone_max_files,
            max_bytes=settings.clone_max_bytes,
        )
        return read_workshop(cloned.path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
