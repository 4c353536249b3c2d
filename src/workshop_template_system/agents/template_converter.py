"""template_converter: analyses a repository and outlines the workshop to build from it."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from workshop_template_system.agents.base import AgentSpec, Skill, SkillContext, SkillInput, SkillResult
from workshop_template_system.agents.pipeline_input import PipelineId
from workshop_template_system.integrations.git import validate_repository_source
from workshop_template_system.workshop.pipeline_steps import ANALYSIS_AGENT, analyze_clone, clone_into_pipeline


class AnalyzeInput(SkillInput):
    repository: str = Field(min_length=1, max_length=2048, description="https/ssh/git URL, or a local path")
    ref: str | None = Field(default=None, max_length=256, description="branch, tag or commit; default branch if absent")
    pipeline_id: PipelineId | None = Field(default=None, description="an existing pipeline; a new one if absent")


async def analyze_repository(context: SkillContext, request: AnalyzeInput) -> SkillResult:
    """Clone the repository into a pipeline, analyse it, decide the workflow and outline the workshop."""
    settings, workspace = context.settings, context.workspace
    source = validate_repository_source(request.repository, allow_local=settings.allow_local_repositories)
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
    ),
    text_skill="analyze_repository",
)
