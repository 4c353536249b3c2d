"""The repository → workshop steps on a pipeline of the shared workspace, each under the pipeline's locks.

Blocking functions: agents run them off the event loop. Paths follow the seed's layout:
``workspace-content/<repository>`` (the clone), ``agent-artifacts/template-converter/analysis.json``,
``final-output/`` (the workshop).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.integrations.antora import AntoraError, build_site, ensure_git_repository
from workshop_template_system.integrations.git import ClonedRepository, RepositorySource, clone
from workshop_template_system.workshop.analysis import Analysis, analyze_repository
from workshop_template_system.workshop.outline import Outline
from workshop_template_system.workshop.showroom import check_workshop, write_workshop
from workshop_template_system.workshop.showroom.enhance import Enhancement, build_playbook, enhance_workshop
from workshop_template_system.workspace import Workspace, atomic_write_json

ANALYSIS_AGENT = "template-converter"
WORKSHOP_AGENT = "content-creator"


def clone_root(workspace: Workspace, pipeline_id: str) -> Path | None:
    """The pipeline's cloned repository (the one folder in ``workspace-content/``), if there is one."""
    content = workspace.pipeline_dir(pipeline_id) / "workspace-content"
    folders = [path for path in content.iterdir() if path.is_dir()] if content.is_dir() else []
    return folders[0] if len(folders) == 1 else None


def analysis_path(workspace: Workspace, pipeline_id: str) -> Path:
    """Where template_converter leaves the analysis (and its outline) for the other agents."""
    return workspace.pipeline_dir(pipeline_id) / "agent-artifacts" / ANALYSIS_AGENT / "analysis.json"


def final_output(workspace: Workspace, pipeline_id: str) -> Path:
    """The finished workshop of a pipeline."""
    return workspace.pipeline_dir(pipeline_id) / "final-output"


def clone_into_pipeline(
    workspace: Workspace,
    pipeline_id: str,
    source: RepositorySource,
    *,
    ref: str | None,
    timeout: float,
    max_files: int,
    max_bytes: int,
    lock_timeout: float,
) -> ClonedRepository:
    """Clone `source` into the pipeline's ``workspace-content/``, replacing an earlier clone."""
    content = workspace.pipeline_dir(pipeline_id) / "workspace-content"
    with workspace.lock("workspace-content", pipeline_id, agent=ANALYSIS_AGENT, timeout=lock_timeout):
        for earlier in content.iterdir():
            shutil.rmtree(earlier) if earlier.is_dir() else earlier.unlink()
        return clone(
            source,
            content / source.name,
            ref=ref,
            timeout=timeout,
            max_files=max_files,
            max_bytes=max_bytes,
        )


def analyze_clone(workspace: Workspace, pipeline_id: str, cloned: ClonedRepository) -> tuple[Analysis, Path]:
    """Analyse the clone and save the analysis where the other agents read it."""
    analysis = analyze_repository(cloned.path, source=cloned.source, ref=cloned.ref, commit=cloned.commit)
    path = analysis_path(workspace, pipeline_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(path, analysis.model_dump(mode="json"))
    workspace.update_pipeline(
        pipeline_id, status="analyzed", source=cloned.source.display, commit=cloned.commit, workflow=analysis.workflow
    )
    return analysis, path


def load_outline(workspace: Workspace, pipeline_id: str) -> Outline:
    """The outline template_converter saved for this pipeline; a readable error when there is none."""
    path = analysis_path(workspace, pipeline_id)
    try:
        return Outline.model_validate(json.loads(path.read_text())["outline"])
    except FileNotFoundError:
        raise WorkspaceError(
            f"pipeline '{pipeline_id}' has no analysis yet: run template_converter's analyze_repository first"
        ) from None
    except (ValueError, KeyError, ValidationError) as exc:
        raise WorkspaceError(f"the analysis of pipeline '{pipeline_id}' at {path} cannot be read: {exc}") from None


def write_pipeline_workshop(
    workspace: Workspace, pipeline_id: str, files: dict[str, str], outline: Outline, *, lock_timeout: float
) -> list[Path]:
    """Write the rendered workshop into ``final-output/`` and record which source files each module uses."""
    with workspace.lock("final-output", pipeline_id, agent=WORKSHOP_AGENT, timeout=lock_timeout):
        written = write_workshop(files, final_output(workspace, pipeline_id))
    _record_modules(workspace, pipeline_id, outline)
    workspace.update_pipeline(pipeline_id, status="content-created", title=outline.title)
    return written


def enhance_pipeline_workshop(
    workspace: Workspace, pipeline_id: str, outline: Outline, *, lock_timeout: float
) -> Enhancement:
    """Copy the cloned workshop into ``final-output/`` and improve the copy (workflow 3); the clone is untouched."""
    source = clone_root(workspace, pipeline_id)
    if source is None:
        raise WorkspaceError(f"pipeline '{pipeline_id}' has no cloned workshop: run analyze_repository first")
    with workspace.lock("final-output", pipeline_id, agent=WORKSHOP_AGENT, timeout=lock_timeout):
        enhancement = enhance_workshop(source, final_output(workspace, pipeline_id), outline)
    _record_modules(workspace, pipeline_id, outline)
    workspace.update_pipeline(pipeline_id, status="content-enhanced", title=outline.title)
    return enhancement


def _record_modules(workspace: Workspace, pipeline_id: str, outline: Outline) -> None:
    """Which repository files each module draws on, for documentation_pipeline's change detection."""
    modules = workspace.pipeline_dir(pipeline_id) / "agent-artifacts" / WORKSHOP_AGENT / "modules.json"
    modules.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(
        modules,
        {
            "source": outline.source.model_dump(mode="json"),
            "modules": [{"id": module.id, "source_files": module.source_files} for module in outline.modules],
        },
    )


def build_pipeline_workshop(
    workspace: Workspace, pipeline_id: str, *, trimmed_playbook: bool = False
) -> dict[str, Any]:
    """Build ``final-output/`` with the pinned Antora and run the checks Antora does not make.

    The site goes to ``agent-artifacts/content-creator/site`` (a preview). When Antora cannot run here the
    report says why instead of failing the workshop that was written. An enhanced workshop is built from a
    trimmed copy of its own playbook (`build_playbook`: no extensions or remote UI that cannot load here).
    """
    folder = final_output(workspace, pipeline_id)
    findings = [
        {"severity": f.severity, "check": f.check, "file": str(f.file), "line": f.line, "message": f.message}
        for f in check_workshop(folder)
    ]
    site = workspace.pipeline_dir(pipeline_id) / "agent-artifacts" / WORKSHOP_AGENT / "site"
    try:
        ensure_git_repository(folder)
        playbook = build_playbook(folder).name if trimmed_playbook else "site.yml"
        report = build_site(
            folder,
            output_dir=site,
            playbook=playbook,
            cache_dir=workspace.agent_dir(WORKSHOP_AGENT) / "cache" / "antora",
        )
    except AntoraError as exc:
        return {"built": False, "ok": False, "error": str(exc), "diagnostics": [], "findings": findings}
    diagnostics = [
        {
            "level": d.level,
            "message": d.message,
            "file": _relative(d.file, folder),
            "line": d.line,
        }
        for d in report.diagnostics
    ]
    return {
        "built": True,
        "ok": report.ok and not findings,
        "seconds": round(report.seconds, 2),
        "site": str(report.site_dir),
        "diagnostics": diagnostics,
        "findings": findings,
    }


def _relative(path: Path | None, folder: Path) -> str | None:
    if path is None:
        return None
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)
