"""template_converter: analyses a repository and outlines the workshop to build from it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from pydantic import Field

from workshop_template_system.agents.base import AgentSpec, Skill, SkillContext, SkillInput, SkillResult
from workshop_template_system.agents.pipeline_input import PipelineId
from workshop_template_system.errors import InvalidNameError
from workshop_template_system.integrations.forge import validate_repository_name
from workshop_template_system.integrations.git import repository_source, validate_ref, validate_repository_source
from workshop_template_system.peer_calls import ProgressReporter
from workshop_template_system.pipeline import PipelineDriver, PipelineRun
from workshop_template_system.pipeline.state import load_run
from workshop_template_system.workshop.pipeline_steps import ANALYSIS_AGENT, analyze_clone, clone_into_pipeline
from workshop_template_system.workspace import Workspace


class AnalyzeInput(SkillInput):
    repository: str = Field(min_length=1, max_length=2048, description="https/ssh/git URL, or a local path")
    ref: str | None = Field(default=None, max_length=256, description="branch, tag or commit; default branch if absent")
    pipeline_id: PipelineId | None = Field(default=None, description="an existing pipeline; a new one if absent")


async def analyze_repository(context: SkillContext, request: AnalyzeInput) -> SkillResult:
    """Clone the repository into a pipeline, analyse it, decide the workflow and outline the workshop."""
    settings, workspace = context.settings, context.workspace
    source = await context.run_blocking(lambda: repository_source(request.repository, settings, ref=request.ref))
    info = await context.run_blocking(lambda: workspace.init_pipeline(request.pipeline_id, source=source.display))
    pipeline_id = str(info["pipeline_id"])
    await context.run_blocking(workspace.set_agent_status, pipeline_id, ANALYSIS_AGENT, "cloning", source.display)
    await context.progress(f"cloning {source.display} into pipeline {pipeline_id}", 0.1)
    cloned = await context.run_blocking(
        lambda: clone_into_pipeline(
            workspace,
            pipeline_id,
            source,
            ref=request.ref,
            timeout=settings.clone_timeout,
            max_files=settings.clone_max_files,
            max_bytes=settings.clone_max_bytes,
            lock_timeout=settings.lock_timeout,
        )
    )
    await context.progress(f"analysing {cloned.files} files at {cloned.commit[:12]}", 0.5)
    analysis, path = await context.run_blocking(analyze_clone, workspace, pipeline_id, cloned)
    await context.run_blocking(
        workspace.set_agent_status, pipeline_id, ANALYSIS_AGENT, "completed", f"workflow {analysis.workflow}"
    )
    modules = len(analysis.outline.modules)
    await context.progress(f"{analysis.workflow}: {modules} modules outlined", 1.0)
    return SkillResult({"pipeline_id": pipeline_id, **analysis.model_dump(mode="json")}, files=(path,))


async def convert_repository(context: SkillContext, request: AnalyzeInput) -> dict[str, Any]:
    """Analyse, then have content_creator write the workshop (create or enhance, by workflow) over A2A."""
    analysis = await analyze_repository(context, request)
    pipeline_id = analysis.data["pipeline_id"]
    skill = "create_workshop" if analysis.data["workflow"] == "new-workshop" else "enhance_workshop"
    await context.progress(f"asking content_creator to {skill.replace('_', ' ')}", None)
    workshop = await context.peers.call(
        "content_creator", skill, {"pipeline_id": pipeline_id}, on_progress=context.progress
    )
    return {"pipeline_id": pipeline_id, "analysis": analysis.data, "workshop": workshop}


class RunInput(SkillInput):
    repository: str = Field(min_length=1, max_length=2048, description="https/ssh/git URL, or a local path")
    ref: str | None = Field(default=None, max_length=256, description="branch, tag or commit; default branch if absent")
    name: str | None = Field(default=None, max_length=100, description="workshop name; the repository's if absent")
    approval: Literal["auto", "manual"] = Field(
        default="auto", description="auto: publish when validation found no errors; manual: always wait for approval"
    )


class PipelineInput(SkillInput):
    pipeline_id: PipelineId


class ApproveInput(PipelineInput):
    note: str | None = Field(default=None, max_length=2000)


class RejectInput(PipelineInput):
    reason: str = Field(min_length=1, max_length=2000)


class StatusInput(SkillInput):
    pipeline_id: PipelineId | None = Field(default=None, description="one pipeline; every run if absent")


def _driver(context: SkillContext) -> PipelineDriver:
    async def call(agent: str, skill: str, input: dict[str, Any], progress: ProgressReporter) -> dict[str, Any]:
        if agent == "template_converter":  # this agent's own step runs here, not through an HTTP call to itself
            return (await analyze_repository(replace(context, report=progress), AnalyzeInput(**input))).data
        return await context.peers.call(agent, skill, input, on_progress=progress)

    return PipelineDriver(context.workspace, call, context.progress)


def _outcome(pipeline_id: str, run: PipelineRun) -> dict[str, Any]:
    return {"pipeline_id": pipeline_id, **run.model_dump(mode="json")}


async def run_pipeline(context: SkillContext, request: RunInput) -> dict[str, Any]:
    """The whole pipeline for a repository: analyse, build, validate, approve, publish, index, watch.

    Its input is checked before a pipeline is made (the ref, the name, then the source's address), so a bad
    value fails the task at once with the reason rather than leaving a pipeline to resume."""
    settings = context.settings
    if request.ref is not None:
        validate_ref(request.ref)
    syntax = validate_repository_source(request.repository, allow_local=settings.allow_local_repositories)
    name = request.name or syntax.name.removesuffix(".git")
    try:
        validate_repository_name(name)
    except InvalidNameError as exc:
        raise InvalidNameError(f"{exc}; choose a workshop name with 'name'") from None
    await context.run_blocking(repository_source, request.repository, settings)
    pipeline_id, run = await _driver(context).start(request.repository, request.ref, name, request.approval)
    return _outcome(pipeline_id, run)


async def resume_pipeline(context: SkillContext, request: PipelineInput) -> dict[str, Any]:
    """Go on with a pipeline from the step that did not complete (nothing completed is done again)."""
    return _outcome(request.pipeline_id, await _driver(context).resume(request.pipeline_id))


async def approve_pipeline(context: SkillContext, request: ApproveInput) -> dict[str, Any]:
    """Approve a pipeline waiting at the gate, and go on to publish it."""
    return _outcome(request.pipeline_id, await _driver(context).approve(request.pipeline_id, request.note))


async def reject_pipeline(context: SkillContext, request: RejectInput) -> dict[str, Any]:
    """Reject a pipeline waiting at the gate: it ends without publishing."""
    return _outcome(request.pipeline_id, await _driver(context).reject(request.pipeline_id, request.reason))


async def pipeline_status(context: SkillContext, request: StatusInput) -> dict[str, Any]:
    """One run with its steps and the agents' statuses, or a line for every run."""
    workspace = context.workspace
    if request.pipeline_id is not None:
        run = await context.run_blocking(load_run, workspace, request.pipeline_id)
        agents = await context.run_blocking(workspace.agent_statuses, request.pipeline_id)
        return {**_outcome(request.pipeline_id, run), "agents": agents}
    return {"pipelines": await context.run_blocking(_runs, workspace)}


def _runs(workspace: Workspace) -> list[dict[str, Any]]:
    runs = []
    for pipeline_id in workspace.pipeline_ids():
        info = workspace.pipeline_info(pipeline_id)
        if "run" in info:
            run = PipelineRun.model_validate(info["run"])
            runs.append(
                {
                    "pipeline_id": pipeline_id,
                    "name": run.name,
                    "status": run.status,
                    "step": run.step,
                    "message": run.message,
                    "updated_time": info.get("updated_time"),
                }
            )
    return runs


_REPOSITORY_EXAMPLE = '{"repository": "https://github.com/spring-guides/gs-rest-service.git", "ref": "main"}'

AGENT = AgentSpec(
    name="template_converter",
    title="Template Converter",
    summary="analyses a repository and outlines its workshop",
    description=(
        "Analyses a git repository (languages, frameworks, README steps, examples, existing workshop formats), "
        "decides between a new workshop and enhancing an existing one, and outlines the workshop."
    ),
    skills=(
        Skill(
            id="analyze_repository",
            name="Analyze repository",
            description=(
                "Clones a repository into a pipeline and analyses it: languages, build systems and frameworks, "
                "README steps, docs, examples, tests, prerequisites, existing workshop formats; decides the "
                "workflow (new-workshop or enhance-existing) and outlines the workshop. Input: "
                '{"repository", "ref"?, "pipeline_id"?}. Result: the analysis with its outline and pipeline id.'
            ),
            input_model=AnalyzeInput,
            handler=analyze_repository,
            examples=(_REPOSITORY_EXAMPLE, "analyze repository https://github.com/spring-guides/gs-rest-service.git"),
            tags=("repository", "analysis", "outline"),
            from_text=lambda rest: {"repository": rest},
        ),
        Skill(
            id="convert_repository",
            name="Convert repository",
            description=(
                "analyze_repository, then asks content_creator over A2A to write the workshop (create_workshop "
                "for a new workshop, enhance_workshop for an existing one). Result: both results."
            ),
            input_model=AnalyzeInput,
            handler=convert_repository,
            examples=(_REPOSITORY_EXAMPLE,),
            tags=("repository", "workshop"),
            from_text=lambda rest: {"repository": rest},
        ),
        Skill(
            id="run_pipeline",
            name="Run pipeline",
            description=(
                "The whole pipeline across the agents: analyse the repository, build the workshop (content_creator), "
                "validate it (research_validation), pass the approval gate, publish it (source_manager), have "
                "workshop_chat index it and documentation_pipeline watch the repository. Its state is kept in the "
                "pipeline's pipeline-info.json; a failed step can be resumed. Input: "
                '{"repository", "ref"?, "name"?, "approval"?: "auto"|"manual"}.'
            ),
            input_model=RunInput,
            handler=run_pipeline,
            examples=('{"repository": "https://github.com/spring-guides/gs-rest-service.git", "approval": "manual"}',),
            tags=("pipeline",),
            from_text=lambda rest: {"repository": rest},
        ),
        Skill(
            id="resume_pipeline",
            name="Resume pipeline",
            description='Goes on with a pipeline from the step that failed or was interrupted. Input: {"pipeline_id"}.',
            input_model=PipelineInput,
            handler=resume_pipeline,
            examples=('{"pipeline_id": "pipeline-20261127-183000-ab12cd"}',),
            tags=("pipeline",),
            from_text=lambda rest: {"pipeline_id": rest},
        ),
        Skill(
            id="approve_pipeline",
            name="Approve pipeline",
            description='Approves a pipeline waiting at the gate and publishes it. Input: {"pipeline_id", "note"?}.',
            input_model=ApproveInput,
            handler=approve_pipeline,
            examples=('{"pipeline_id": "pipeline-20261127-183000-ab12cd", "note": "reviewed"}',),
            tags=("pipeline",),
            from_text=lambda rest: {"pipeline_id": rest},
        ),
        Skill(
            id="reject_pipeline",
            name="Reject pipeline",
            description='Rejects a pipeline at the gate; nothing is published. Input: {"pipeline_id", "reason"}.',
            input_model=RejectInput,
            handler=reject_pipeline,
            examples=('{"pipeline_id": "pipeline-20261127-183000-ab12cd", "reason": "module 2 is wrong"}',),
            tags=("pipeline",),
        ),
        Skill(
            id="pipeline_status",
            name="Pipeline status",
            description=(
                "A pipeline's run (each step's status, attempts, summary or error) and the agents' statuses; "
                'without an id, one line per run. Input: {"pipeline_id"?}.'
            ),
            input_model=StatusInput,
            handler=pipeline_status,
            examples=('{"pipeline_id": "pipeline-20261127-183000-ab12cd"}',),
            tags=("pipeline",),
            from_text=lambda rest: {"pipeline_id": rest} if rest else {},
        ),
    ),
    text_skill="analyze_repository",
)
