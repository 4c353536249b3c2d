"""What each agent step of the pipeline sends, and what of its result the run keeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workshop_template_system.pipeline.state import PipelineRun


@dataclass(frozen=True)
class AgentStep:
    """A step done by one skill of one agent."""

    agent: str
    skill: Callable[[PipelineRun], str]
    input: Callable[[PipelineRun, str], dict[str, Any]]
    summary: Callable[[dict[str, Any]], dict[str, Any]]


def _analysis_summary(result: dict[str, Any]) -> dict[str, Any]:
    outline = result.get("outline") or {}
    return {
        "workflow": result.get("workflow"),
        "title": outline.get("title"),
        "modules": len(outline.get("modules") or []),
        "commit": (result.get("source") or {}).get("commit"),
        "primary_language": result.get("primary_language"),
    }


def _build_skill(run: PipelineRun) -> str:
    return "enhance_workshop" if run.summary("analyze").get("workflow") == "enhance-existing" else "create_workshop"


def _build_summary(result: dict[str, Any]) -> dict[str, Any]:
    build = result.get("build") or {}
    return {"title": result.get("title"), "path": result.get("path"), "build_ok": bool(build.get("ok"))}


def _validation_summary(result: dict[str, Any]) -> dict[str, Any]:
    counts = result.get("summary") or {}
    return {"errors": int(counts.get("errors", 0)), "warnings": int(counts.get("warnings", 0))}


def _publish_summary(result: dict[str, Any]) -> dict[str, Any]:
    kept = ("repository", "organization", "clone_url", "web_url", "commit", "version", "changed", "note")
    reindex = result.get("reindex") or {}
    return {**{key: result.get(key) for key in kept}, "indexed": bool(reindex.get("ok")), "reindex": reindex}


def _index_summary(result: dict[str, Any]) -> dict[str, Any]:
    return {"workshop": result.get("workshop"), "pages": result.get("pages"), "chunks": result.get("chunks")}


def _watch_summary(result: dict[str, Any]) -> dict[str, Any]:
    return {key: result[key] for key in ("workshop", "repository", "branch", "commit") if key in result}


def published_source(run: PipelineRun) -> dict[str, Any]:
    """The published workshop as workshop_chat reads it: its clone URL at the published version."""
    published = run.summary("publish")
    return {"repository": published["clone_url"], "ref": published.get("version") or published["commit"]}


AGENT_STEPS: dict[str, AgentStep] = {
    "analyze": AgentStep(
        "template_converter",
        lambda run: "analyze_repository",
        lambda run, pipeline_id: {"repository": run.repository, "ref": run.ref, "pipeline_id": pipeline_id},
        _analysis_summary,
    ),
    "build": AgentStep(
        "content_creator", _build_skill, lambda run, pipeline_id: {"pipeline_id": pipeline_id}, _build_summary
    ),
    "validate": AgentStep(
        "research_validation",
        lambda run: "validate_workshop",
        lambda run, pipeline_id: {"pipeline_id": pipeline_id},
        _validation_summary,
    ),
    "publish": AgentStep(
        "source_manager",
        lambda run: "publish_workshop",
        lambda run, pipeline_id: {"pipeline_id": pipeline_id, "repository": run.name},
        _publish_summary,
    ),
    "index": AgentStep(
        "workshop_chat",
        lambda run: "index_workshop",
        lambda run, pipeline_id: {"workshop": run.name, "source": published_source(run)},
        _index_summary,
    ),
    "watch": AgentStep(
        "documentation_pipeline",
        lambda run: "watch_repository",
        lambda run, pipeline_id: {"repository": run.repository, "workshop": run.name, "pipeline_id": pipeline_id},
        _watch_summary,
    ),
}
