"""research_validation: checks a workshop's links, code blocks, references and facts."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from workshop_template_system.agents.base import AgentSpec, Skill, SkillContext, SkillInput, SkillResult
from workshop_template_system.agents.pipeline_input import PipelineId
from workshop_template_system.errors import ConfigurationError, RepositoryRefused
from workshop_template_system.integrations.git import repository_source
from workshop_template_system.integrations.web import origin, searxng_search
from workshop_template_system.validation import (
    VALIDATION_AGENT,
    Snapshot,
    ValidationOptions,
    from_folder,
    from_pipeline,
    from_repository,
    validate_folder,
)
from workshop_template_system.workspace import atomic_write_json

NO_SEARCH_PROVIDER = (
    "research_topic needs a web-search provider, and none is configured: set SEARCH_PROVIDER to the URL of a "
    "SearxNG instance with the JSON format enabled (search.formats: [html, json] in its settings.yml), "
    "for example SEARCH_PROVIDER=http://searxng:8080"
)


class ValidateInput(SkillInput):
    pipeline_id: PipelineId | None = Field(default=None, description="validate this pipeline's final-output/")
    path: str | None = Field(default=None, min_length=1, max_length=4096, description="a local workshop folder")
    repository: str | None = Field(default=None, min_length=1, max_length=2048, description="a workshop repository")
    ref: str | None = Field(default=None, max_length=256, description="branch, tag or commit of the repository")

    @model_validator(mode="after")
    def _one_source(self) -> ValidateInput:
        given = [name for name in ("pipeline_id", "path", "repository") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of pipeline_id, path or repository")
        if self.ref is not None and self.repository is None:
            raise ValueError("ref goes with repository")
        return self


async def validate_workshop(context: SkillContext, request: ValidateInput) -> SkillResult:
    """Copy the workshop into this task's working folder, check it, build it, and report every finding."""
    settings, workspace = context.settings, context.workspace
    if request.path is not None and not settings.allow_local_repositories:
        raise RepositoryRefused("local paths are not allowed here (ALLOW_LOCAL_REPOSITORIES=false)")
    agent_dir = await context.run_blocking(workspace.agent_dir, VALIDATION_AGENT)
    work = agent_dir / "working" / context.task_id
    try:
        await context.progress("copying the workshop", 0.05)
        snapshot = await context.run_blocking(_snapshot, context, request, work / "workshop")
        report = await validate_folder(
            snapshot.root,
            work_dir=work,
            cache_dir=agent_dir / "cache" / "antora",
            declared=snapshot.declared,
            options=ValidationOptions(allow_private_urls=settings.allow_private_urls),
            progress=context.progress,
        )
    finally:
        await context.run_blocking(lambda: shutil.rmtree(work, ignore_errors=True))
    result = {"source": snapshot.source, **report.as_json()}
    if request.pipeline_id is None:
        return SkillResult(result)
    saved = await context.run_blocking(_save, context, request.pipeline_id, result)
    return SkillResult(result, files=(saved,))


def _snapshot(context: SkillContext, request: ValidateInput, dest: Path) -> Snapshot:
    settings = context.settings
    if request.pipeline_id is not None:
        return from_pipeline(context.workspace, request.pipeline_id, dest, lock_timeout=settings.lock_timeout)
    limits = {"max_files": settings.clone_max_files, "max_bytes": settings.clone_max_bytes}
    if request.path is not None:
        return from_folder(Path(request.path), dest, **limits)
    assert request.repository is not None
    source = repository_source(request.repository, settings, ref=request.ref)
    return from_repository(source, dest, ref=request.ref, timeout=settings.clone_timeout, **limits)


def _save(context: SkillContext, pipeline_id: str, result: dict[str, Any]) -> Path:
    """The report beside the pipeline's other artifacts, for documentation_pipeline and people to read."""
    path = context.workspace.pipeline_dir(pipeline_id) / "agent-artifacts" / VALIDATION_AGENT / "validation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(path, result)
    summary = result["summary"]
    note = f"{summary['errors']} errors, {summary['warnings']} warnings"
    context.workspace.set_agent_status(pipeline_id, VALIDATION_AGENT, "completed", note)
    return path


class ResearchInput(SkillInput):
    query: str = Field(min_length=2, max_length=400, description="what to search the web for")


async def research_topic(context: SkillContext, request: ResearchInput) -> dict[str, Any]:
    """Search the web through the configured SearxNG; never made-up results."""
    provider = context.settings.search_provider
    if not provider:
        raise ConfigurationError(NO_SEARCH_PROVIDER)
    await context.progress(f"searching the web for {request.query!r}", 0.1)
    results = await searxng_search(provider, request.query, allow_private=context.settings.allow_private_urls)
    return {"query": request.query, "provider": origin(provider), "results": [asdict(item) for item in results]}


def _validate_from_text(rest: str) -> dict[str, Any]:
    if rest.startswith("pipeline-"):
        return {"pipeline_id": rest}
    if "://" in rest or rest.startswith("git@"):
        return {"repository": rest}
    return {"path": rest}


AGENT = AgentSpec(
    name="research_validation",
    title="Research and Validation",
    summary="checks links, code blocks, references and facts",
    description=(
        "Checks a workshop: the Antora build, links (live, behind an SSRF guard), xrefs, images, code blocks and "
        "stale versions, and researches facts through a configured web-search provider."
    ),
    skills=(
        Skill(
            id="validate_workshop",
            name="Validate workshop",
            description=(
                "Validates a Showroom/Antora workshop with real checks and reports each finding with its file and "
                "line: the Antora build's own diagnostics; xrefs, includes and images that do not resolve; pages "
                "missing from the nav; attributes used but undefined; code blocks by language (shell with bash -n, "
                "YAML, JSON, Python, Dockerfile); external links checked live (HEAD, then GET; redirects followed "
                "behind an SSRF guard); version claims contradicting the source repository's build files. Input: "
                'exactly one of {"pipeline_id"}, {"path"} (a local folder, when allowed) or '
                '{"repository", "ref"}. Output: {source, summary: {errors, warnings, info}, findings: '
                "[{severity, check, file, line, message}], checked, build}."
            ),
            input_model=ValidateInput,
            handler=validate_workshop,
            examples=(
                '{"pipeline_id": "pipeline-20261127-183000-ab12cd"}',
                '{"repository": "https://github.com/rhpds/showroom_template_default.git", "ref": "main"}',
            ),
            tags=("workshop", "validation", "links", "antora"),
            from_text=_validate_from_text,
        ),
        Skill(
            id="research_topic",
            name="Research topic",
            description=(
                "Searches the web through the configured provider (SEARCH_PROVIDER: a SearxNG instance's JSON "
                'API) and returns its results. Input: {"query"}. Output: {query, provider, results: '
                "[{title, url, content}]}. Without a provider the task fails and says what to set."
            ),
            input_model=ResearchInput,
            handler=research_topic,
            examples=('{"query": "OpenShift Pipelines Tekton triggers"}',),
            tags=("research", "search"),
            from_text=lambda rest: {"query": rest},
        ),
    ),
    text_skill="validate_workshop",
)
