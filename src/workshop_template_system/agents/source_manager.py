"""source_manager: publishes workshops to a git forge and manages their versions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from workshop_template_system.agents.base import AgentSpec, Skill, SkillContext, SkillInput
from workshop_template_system.agents.pipeline_input import PipelineId
from workshop_template_system.errors import PeerError, WorkshopSystemError, WorkspaceError
from workshop_template_system.integrations.forge import (
    open_forge,
    validate_organization,
    validate_ref_name,
    validate_repository_name,
)
from workshop_template_system.integrations.git import repository_source
from workshop_template_system.workshop.publishing import PUBLISHER, Publisher, validate_version

Repository = Annotated[str, Field(max_length=100), AfterValidator(validate_repository_name)]
Organization = Annotated[str, Field(max_length=40), AfterValidator(validate_organization)]
Version = Annotated[str, Field(max_length=128), AfterValidator(validate_version)]
Branch = Annotated[str, Field(max_length=128), AfterValidator(lambda value: validate_ref_name(value, "branch"))]
Message = Annotated[str, Field(min_length=1, max_length=10_000)]
Title = Annotated[str, Field(min_length=1, max_length=1_000)]
Body = Annotated[str, Field(min_length=1, max_length=65_000)]


class RepositoryInput(SkillInput):
    repository: Repository
    organization: Organization | None = Field(default=None, description="GITEA_ORGANIZATION (or 'workshops')")


class PublishInput(RepositoryInput):
    pipeline_id: PipelineId
    message: Message | None = Field(default=None, description="the commit message")
    version: Version | None = Field(default=None, description="the tag; the next v<N> when absent")


class BranchInput(RepositoryInput):
    pipeline_id: PipelineId
    branch: Branch = Field(description="a new branch, e.g. update/20261127-ab12cd3")
    message: Message | None = Field(default=None, description="the commit message")
    title: Title | None = Field(default=None, description="the pull request's title")
    body: Body | None = Field(default=None, description="the pull request's description")


class RollbackInput(RepositoryInput):
    version: Version


class SyncInput(RepositoryInput):
    source: str = Field(min_length=1, max_length=2048, description="the upstream repository (URL or local path)")


class OrganizationInput(SkillInput):
    organization: Organization | None = None


@contextmanager
def _publisher(context: SkillContext) -> Iterator[Publisher]:
    forge = open_forge(context.settings, context.workspace)
    try:
        yield Publisher(forge, context.workspace, context.settings.lock_timeout, context.settings.clone_timeout)
    finally:
        forge.close()


async def publish_workshop(context: SkillContext, request: PublishInput) -> dict[str, Any]:
    """Commit the pipeline's final-output/ on main, tag it, push; then ask workshop_chat to re-index it."""
    workspace, pipeline_id = context.workspace, request.pipeline_id
    await context.run_blocking(workspace.set_agent_status, pipeline_id, PUBLISHER, "publishing", request.repository)
    try:
        with _publisher(context) as publisher:
            await context.progress(f"publishing pipeline {pipeline_id} to {publisher.forge.kind} {request.repository}")
            result = await context.run_blocking(
                lambda: publisher.publish(
                    pipeline_id,
                    request.repository,
                    organization=request.organization,
                    message=request.message,
                    version=request.version,
                )
            )
            await context.run_blocking(publisher.record, pipeline_id, result)
    except WorkshopSystemError as exc:
        with suppress(WorkspaceError):  # the publish's own reason matters more than a failed status note
            await context.run_blocking(workspace.set_agent_status, pipeline_id, PUBLISHER, "failed", str(exc))
        raise
    await context.progress(result["note"], 0.8)
    return {**result, "reindex": await _reindex(context, result)}


async def _reindex(context: SkillContext, result: dict[str, Any]) -> dict[str, Any]:
    """workshop_chat re-indexes the published version; its failure is a warning, never a failed publish."""
    source = {"repository": result["clone_url"], "ref": result["version"] or result["commit"]}
    try:
        answer = await context.peers.call(
            "workshop_chat", "index_workshop", {"workshop": result["repository"], "source": source}
        )
    except PeerError as exc:
        return {"ok": False, "warning": f"published, but workshop_chat did not re-index it: {exc}"}
    return {"ok": True, "result": answer}


async def publish_branch(context: SkillContext, request: BranchInput) -> dict[str, Any]:
    """Commit final-output/ on a new branch from main, push it and open a pull request; main is untouched."""
    with _publisher(context) as publisher:
        await context.progress(f"pushing pipeline {request.pipeline_id} to branch {request.branch}")
        result = await context.run_blocking(
            lambda: publisher.publish_branch(
                request.pipeline_id,
                request.repository,
                request.branch,
                organization=request.organization,
                message=request.message,
                title=request.title,
                body=request.body,
            )
        )
        await context.run_blocking(publisher.record_branch, request.pipeline_id, result)
    return result


async def rollback(context: SkillContext, request: RollbackInput) -> dict[str, Any]:
    """A new commit on main with the tree of an earlier version, tagged with the next version."""
    with _publisher(context) as publisher:
        return await context.run_blocking(
            lambda: publisher.rollback(request.repository, request.version, organization=request.organization)
        )


async def list_versions(context: SkillContext, request: RepositoryInput) -> dict[str, Any]:
    """The repository's versions (tags) with commit and date, newest first."""
    with _publisher(context) as publisher:
        return await context.run_blocking(
            lambda: publisher.versions(request.repository, organization=request.organization)
        )


async def list_repositories(context: SkillContext, request: OrganizationInput) -> dict[str, Any]:
    """The organization's repositories."""
    with _publisher(context) as publisher:
        return await context.run_blocking(publisher.repositories, request.organization)


async def sync_repository(context: SkillContext, request: SyncInput) -> dict[str, Any]:
    """Mirror an upstream repository's branches and tags into the forge (workflow 3)."""
    source = await context.run_blocking(repository_source, request.source, context.settings)
    with _publisher(context) as publisher:
        await context.progress(f"mirroring {source.display} into {request.repository}")
        return await context.run_blocking(
            lambda: publisher.sync(source, request.repository, organization=request.organization)
        )


_PUBLISH_EXAMPLE = '{"pipeline_id": "pipeline-20261127-183000-ab12cd", "repository": "greeting-service-workshop"}'

AGENT = AgentSpec(
    name="source_manager",
    title="Source Manager",
    summary="publishes workshops to Gitea or local git, with versions",
    description=(
        "Publishes workshops to a git forge (Gitea, or local bare repositories by default), tags versions, "
        "lists them and rolls back."
    ),
    skills=(
        Skill(
            id="publish_workshop",
            name="Publish workshop",
            description=(
                "Commits the pipeline's final-output/ on main of the repository (created when missing) on top of "
                "its history, tags it (v1, v2, ... or the given version) and pushes; nothing changed means no "
                "commit and no tag. Then asks workshop_chat to re-index it (a warning when it cannot). Input: "
                '{"pipeline_id", "repository", "organization"?, "message"?, "version"?}. Result: {clone_url, '
                "web_url, commit, version, changed, repository, organization, reindex, ...}."
            ),
            input_model=PublishInput,
            handler=publish_workshop,
            examples=(_PUBLISH_EXAMPLE,),
            tags=("publish", "git", "gitea", "version"),
        ),
        Skill(
            id="publish_branch",
            name="Publish branch",
            description=(
                "Commits the pipeline's final-output/ on a new branch from main, pushes it and opens a pull "
                "request on Gitea (none on local git); main is never touched. Input: {"
                '"pipeline_id", "repository", "branch", "organization"?, "message"?, "title"?, "body"?}. '
                "Result: {branch, commit, changed, compare: {base, base_commit, head, files}, pull_request}."
            ),
            input_model=BranchInput,
            handler=publish_branch,
            examples=(
                '{"pipeline_id": "pipeline-20261127-183000-ab12cd", "repository": "greeting-service-workshop", '
                '"branch": "update/20261127-ab12cd3"}',
            ),
            tags=("publish", "branch", "pull-request"),
        ),
        Skill(
            id="list_repositories",
            name="List repositories",
            description='The organization\'s repositories. Input: {"organization"?}.',
            input_model=OrganizationInput,
            handler=list_repositories,
            examples=("list repositories", '{"organization": "workshops"}'),
            tags=("repository",),
            from_text=lambda rest: {"organization": rest} if rest else {},
        ),
        Skill(
            id="list_versions",
            name="List versions",
            description=(
                'A repository\'s versions (tags) with commit and date, newest first. Input: {"repository", '
                '"organization"?}.'
            ),
            input_model=RepositoryInput,
            handler=list_versions,
            examples=('{"repository": "greeting-service-workshop"}', "list versions greeting-service-workshop"),
            tags=("version",),
            from_text=lambda rest: {"repository": rest},
        ),
        Skill(
            id="rollback",
            name="Roll back",
            description=(
                "Makes a new commit on main whose tree equals the given version and tags it with the next "
                'version; history is kept. Input: {"repository", "version", "organization"?}.'
            ),
            input_model=RollbackInput,
            handler=rollback,
            examples=('{"repository": "greeting-service-workshop", "version": "v1"}',),
            tags=("version", "rollback"),
        ),
        Skill(
            id="sync_repository",
            name="Sync repository",
            description=(
                "Mirrors an upstream repository's branches and tags into the forge (fast-forward only, nothing "
                'deleted), for improving an existing workshop. Input: {"source", "repository", "organization"?}.'
            ),
            input_model=SyncInput,
            handler=sync_repository,
            examples=('{"source": "https://github.com/rhpds/showroom_template_nookbag.git", "repository": "nookbag"}',),
            tags=("mirror", "git"),
        ),
    ),
)
