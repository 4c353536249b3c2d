"""documentation_pipeline: watches source repositories and proposes workshop updates."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from workshop_template_system.agents.base import AgentSpec, BackgroundContext, Skill, SkillContext, SkillInput
from workshop_template_system.agents.pipeline_input import PipelineId
from workshop_template_system.watching import (
    check_updates,
    list_watches,
    propose_update,
    run_poller,
    unwatch,
    validate_workshop_name,
    watch_repository,
)

WorkshopName = Annotated[
    str,
    Field(max_length=100, description="the published workshop's repository"),
    AfterValidator(validate_workshop_name),
]


class WatchInput(SkillInput):
    repository: str = Field(min_length=1, max_length=2048, description="https/ssh/git URL, or a local path")
    workshop: WorkshopName
    pipeline_id: PipelineId = Field(description="the pipeline the workshop was written in (its modules.json)")
    branch: str | None = Field(default=None, max_length=255, description="the branch to follow; default branch")


class WorkshopInput(SkillInput):
    workshop: WorkshopName


class CheckInput(SkillInput):
    workshop: WorkshopName | None = Field(default=None, description="one watch; all if absent")


class NoInput(SkillInput):
    pass


async def watch(context: SkillContext, request: WatchInput) -> dict[str, Any]:
    """Mirror the repository and record the watch with the branch's head as the last seen commit."""
    await context.progress(f"mirroring {request.repository} for {request.workshop}", 0.2)
    return await context.run_blocking(
        lambda: watch_repository(
            context.workspace,
            context.settings,
            repository=request.repository,
            workshop=request.workshop,
            pipeline_id=request.pipeline_id,
            branch=request.branch,
        )
    )


async def watches(context: SkillContext, request: NoInput) -> dict[str, Any]:
    """Every watch with its last seen commit, last check and last proposal."""
    return await context.run_blocking(list_watches, context.workspace, context.settings)


async def stop_watching(context: SkillContext, request: WorkshopInput) -> dict[str, Any]:
    """Forget a watch (and the mirror no other watch uses)."""
    return await context.run_blocking(unwatch, context.workspace, context.settings, request.workshop)


async def check(context: SkillContext, request: CheckInput) -> dict[str, Any]:
    """Fetch and report what changed since the last seen commit, for one watch or all."""
    await context.progress(f"fetching {request.workshop or 'every watched repository'}", 0.1)
    results = await context.run_blocking(check_updates, context.workspace, context.settings, request.workshop)
    return results.to_json()


async def propose(context: SkillContext, request: WorkshopInput) -> dict[str, Any]:
    """Regenerate, validate and publish the workshop on a review branch, over A2A."""
    return await propose_update(context.workspace, context.settings, context.peers, request.workshop, context.progress)


_WATCH_EXAMPLE = (
    '{"repository": "https://github.com/spring-guides/gs-rest-service.git", "workshop": "rest-service-workshop", '
    '"pipeline_id": "pipeline-20261127-183000-ab12cd"}'
)
_WORKSHOP_EXAMPLE = '{"workshop": "rest-service-workshop"}'


async def poll_watches(context: BackgroundContext) -> None:
    """With POLL_INTERVAL (or --poll-interval), check every watch on that schedule while the agent runs."""
    await run_poller(context.settings, context.workspace, context.stop)


AGENT = AgentSpec(
    name="documentation_pipeline",
    title="Documentation Pipeline",
    summary="watches source repositories and proposes updates",
    description=(
        "Watches the source repositories of workshops, finds what changed since the last seen commit, maps it to "
        "the affected modules and proposes an update branch for review."
    ),
    skills=(
        Skill(
            id="watch_repository",
            name="Watch repository",
            description=(
                "Mirrors a repository (shared/git-cache/) and records the watch of a published workshop with the "
                "branch's head as the last seen commit (shared/coordination/watches.json). Watching a workshop "
                'again replaces its watch. Input: {"repository", "workshop", "pipeline_id", "branch"?}; the '
                "pipeline is the one whose modules.json maps the workshop's modules to repository files."
            ),
            input_model=WatchInput,
            handler=watch,
            examples=(_WATCH_EXAMPLE,),
            tags=("watch", "git"),
        ),
        Skill(
            id="list_watches",
            name="List watches",
            description="Every watch: repository, branch, pipeline, last seen commit, last check, last proposal.",
            input_model=NoInput,
            handler=watches,
            examples=("list watches",),
            tags=("watch",),
        ),
        Skill(
            id="unwatch",
            name="Unwatch",
            description='Forgets a watch, and its mirror when no other watch uses it. Input: {"workshop"}.',
            input_model=WorkshopInput,
            handler=stop_watching,
            examples=(_WORKSHOP_EXAMPLE,),
            tags=("watch",),
            from_text=lambda rest: {"workshop": rest},
        ),
        Skill(
            id="check_updates",
            name="Check updates",
            description=(
                "Fetches each watched repository (or the one of the given workshop) and reports, since the last "
                "seen commit: the commits (sha, author, date, subject), the changed files (status, renames, "
                "kind, versions changed in build files), the affected modules with the reasons, and a priority "
                '(high, medium, low). Does not advance the last seen commit. Input: {"workshop"?}.'
            ),
            input_model=CheckInput,
            handler=check,
            examples=("check updates", _WORKSHOP_EXAMPLE),
            tags=("watch", "changes"),
            from_text=lambda rest: {"workshop": rest} if rest else {},
        ),
        Skill(
            id="propose_update",
            name="Propose update",
            description=(
                "check_updates for one workshop; when something changed, over A2A: template_converter analyses the "
                "new head into a new pipeline, content_creator regenerates the workshop, research_validation "
                "validates it, and source_manager publishes it on the branch update/<YYYYMMDD>-<short sha> with "
                "a review summary (and a pull request on Gitea). Result: the branch, the pull request, the "
                "changes, the validation summary and each step's outcome. The last seen commit advances only "
                'once the branch is published; nothing reaches main. Input: {"workshop"}.'
            ),
            input_model=WorkshopInput,
            handler=propose,
            examples=(_WORKSHOP_EXAMPLE,),
            tags=("watch", "update", "review"),
            from_text=lambda rest: {"workshop": rest},
        ),
    ),
    background=poll_watches,
)
