"""content_creator: writes complete Showroom/Antora workshops."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from workshop_template_system.agents.base import AgentSpec, Skill, SkillContext, SkillInput, SkillResult
from workshop_template_system.agents.pipeline_input import PipelineId
from workshop_template_system.errors import ConfigurationError, ModelError
from workshop_template_system.integrations.llama_stack import model_from_settings
from workshop_template_system.workshop.outline import Outline
from workshop_template_system.workshop.pipeline_steps import (
    WORKSHOP_AGENT,
    build_pipeline_workshop,
    clone_root,
    enhance_pipeline_workshop,
    final_output,
    load_outline,
    write_pipeline_workshop,
)
from workshop_template_system.workshop.prose import read_sources, write_prose
from workshop_template_system.workshop.showroom import render_workshop
from workshop_template_system.workshop.topic_outline import outline_from_topic

NO_MODEL_NOTE = "These pages were written without a language model, from the repository's own text and files."
TOPIC_NOTE = (
    "This workshop was designed and written by the language model {model} from a topic and learning objectives; "
    "review its commands before you run them with learners."
)
MODEL_NOTE = (
    "The introductions, objectives and step explanations were written by the language model {model} from the "
    "repository's own text; every command is the repository's own."
)


class CreateInput(SkillInput):
    pipeline_id: PipelineId | None = Field(default=None, description="write from this pipeline's analysis")
    outline: Outline | None = Field(default=None, description="write from this outline (a new pipeline if no id)")
    topic: str | None = Field(default=None, min_length=3, max_length=300, description="original content (a model)")
    objectives: list[Annotated[str, Field(min_length=3, max_length=300)]] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _one_source(self) -> CreateInput:
        if self.outline is not None and self.topic is not None:
            raise ValueError("give an outline or a topic, not both")
        if self.pipeline_id is None and self.outline is None and self.topic is None:
            raise ValueError("give a pipeline_id (with an analysis from template_converter), an outline, or a topic")
        if self.topic is not None and not self.objectives:
            raise ValueError("a topic needs its learning objectives")
        return self


async def create_workshop(context: SkillContext, request: CreateInput) -> SkillResult:
    """Write the complete Showroom workshop into the pipeline's final-output/, then build and check it."""
    workspace, settings = context.workspace, context.settings
    info = await context.run_blocking(lambda: workspace.init_pipeline(request.pipeline_id))
    pipeline_id = str(info["pipeline_id"])
    if request.topic is not None:
        outline, model_id, warnings = await _from_topic(context, request.topic, request.objectives)
        note = TOPIC_NOTE.format(model=model_id)
    else:
        outline = request.outline or await context.run_blocking(load_outline, workspace, pipeline_id)
        outline, model_id, warnings = await _prose(context, pipeline_id, outline)
        note = MODEL_NOTE.format(model=model_id) if model_id else NO_MODEL_NOTE
    await context.run_blocking(workspace.set_agent_status, pipeline_id, WORKSHOP_AGENT, "writing", outline.title)
    await context.progress(f"writing {len(outline.modules)} module pages for '{outline.title}'", 0.4)
    files = render_workshop(outline, model_note=note)
    written = await context.run_blocking(
        lambda: write_pipeline_workshop(workspace, pipeline_id, files, outline, lock_timeout=settings.lock_timeout)
    )
    await context.progress("building the workshop with Antora", 0.6)
    build = await context.run_blocking(build_pipeline_workshop, workspace, pipeline_id)
    status = "completed" if build["ok"] else "needs-review"
    await context.run_blocking(workspace.set_agent_status, pipeline_id, WORKSHOP_AGENT, status, None)
    folder = final_output(workspace, pipeline_id)
    pages = [name for name in files if name.startswith("content/modules/ROOT/pages/")]  # reading order
    result: dict[str, Any] = {
        "pipeline_id": pipeline_id,
        "path": str(folder),
        "title": outline.title,
        "pages": pages,
        "modules": [{"id": module.id, "source_files": module.source_files} for module in outline.modules],
        "model": model_id,
        "note": note,
        "warnings": warnings,
        "build": build,
    }
    return SkillResult(result, files=tuple(written))


class EnhanceInput(SkillInput):
    pipeline_id: PipelineId = Field(description="a pipeline whose analysis found an existing workshop")


async def enhance_workshop(context: SkillContext, request: EnhanceInput) -> SkillResult:
    """Improve an existing workshop (workflow 3): every author page kept, each change listed."""
    workspace, pipeline_id = context.workspace, request.pipeline_id
    outline = await context.run_blocking(load_outline, workspace, pipeline_id)
    await context.run_blocking(workspace.set_agent_status, pipeline_id, WORKSHOP_AGENT, "enhancing", outline.title)
    await context.progress(f"improving '{outline.title}' ({len(outline.modules)} pages)", 0.2)
    enhancement = await context.run_blocking(
        lambda: enhance_pipeline_workshop(workspace, pipeline_id, outline, lock_timeout=context.settings.lock_timeout)
    )
    await context.progress(f"{len(enhancement.changes)} changes made; building with Antora", 0.6)
    build = await context.run_blocking(lambda: build_pipeline_workshop(workspace, pipeline_id, trimmed_playbook=True))
    status = "completed" if build["ok"] else "needs-review"
    await context.run_blocking(workspace.set_agent_status, pipeline_id, WORKSHOP_AGENT, status, None)
    result = {
        "pipeline_id": pipeline_id,
        "path": str(final_output(workspace, pipeline_id)),
        "title": outline.title,
        **enhancement.model_dump(mode="json"),
        "modules": [{"id": module.id, "source_files": module.source_files} for module in outline.modules],
        "build": build,
    }
    return SkillResult(result)


async def _from_topic(context: SkillContext, topic: str, objectives: list[str]) -> tuple[Outline, str, list[str]]:
    """Original content: only a model can write a workshop from a topic alone."""
    model = await context.run_blocking(model_from_settings, context.settings)  # imports the client: off the loop
    if model is None:
        raise ConfigurationError(
            "a workshop from a topic alone needs a language model: set LLAMA_STACK_ENDPOINT and INFERENCE_MODEL_ID, "
            "or give template_converter a repository to build it from"
        )
    await context.progress(f"the model {model.model_id} is designing the workshop on {topic!r}", 0.1)
    async with model:
        outline = await outline_from_topic(topic, objectives, model)
    return outline, model.model_id, []


async def _prose(context: SkillContext, pipeline_id: str, outline: Outline) -> tuple[Outline, str | None, list[str]]:
    """With a model configured, it rewrites the prose from the repository's text; a model that cannot be used
    leaves the repository's own text in place, with a warning saying why."""
    model = await context.run_blocking(model_from_settings, context.settings)  # imports the client: off the loop
    if model is None:
        return outline, None, []
    await context.progress(f"the model {model.model_id} is writing the explanations", 0.2)
    root = await context.run_blocking(clone_root, context.workspace, pipeline_id)
    sources = await context.run_blocking(read_sources, root, outline) if root else {}
    async with model:
        try:
            written, warnings = await write_prose(outline, sources, model)
        except ModelError as exc:
            return outline, None, [f"{exc}; the pages use the repository's own text"]
    return written, model.model_id, warnings


AGENT = AgentSpec(
    name="content_creator",
    title="Content Creator",
    summary="writes the Showroom/Antora workshop from an outline",
    description=(
        "Turns a workshop outline or learning objectives into a complete Showroom workshop (antora.yml, nav, "
        "pages with real steps from the repository) that builds with Antora."
    ),
    skills=(
        Skill(
            id="create_workshop",
            name="Create workshop",
            description=(
                "Writes a complete Showroom workshop (site.yml, ui-config.yml, content/antora.yml, nav, an "
                "introduction, one page per module with objectives, execute blocks, verification and "
                "troubleshooting, and a conclusion) into the pipeline's final-output/, then builds it with "
                'Antora and checks it. Input: {"pipeline_id"} (from the analysis), {"outline": {...}}, or — with '
                'a model configured — {"topic", "objectives": [...]} for original content.'
            ),
            input_model=CreateInput,
            handler=create_workshop,
            examples=('{"pipeline_id": "pipeline-20261127-183000-ab12cd"}',),
            tags=("workshop", "showroom", "antora"),
            from_text=lambda rest: {"pipeline_id": rest},
        ),
        Skill(
            id="enhance_workshop",
            name="Enhance workshop",
            description=(
                "Improves an existing Showroom/Antora (or legacy RTO) workshop that analyze_repository cloned "
                "(workflow 3) into the pipeline's final-output/: keeps every page the authors wrote and lists each "
                "change — pages missing from the nav added, known lab attributes defined, objectives and "
                "verification added where a module lacks them, broken xrefs fixed when the target is unambiguous "
                'and reported otherwise — then builds it. Input: {"pipeline_id"}.'
            ),
            input_model=EnhanceInput,
            handler=enhance_workshop,
            examples=('{"pipeline_id": "pipeline-20261127-183000-ab12cd"}',),
            tags=("workshop", "showroom", "enhance"),
            from_text=lambda rest: {"pipeline_id": rest},
        ),
    ),
)
