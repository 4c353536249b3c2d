"""A pipeline run's state, kept under ``run`` in the pipeline's ``pipeline-info.json`` so every tool can read it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.workspace import Workspace
from workshop_template_system.workspace.clock import now_iso

STEPS = ("analyze", "build", "validate", "approve", "publish", "index", "watch")
"""The steps in order; a resumed run starts at the first one not completed."""

StepStatus = Literal["pending", "running", "completed", "failed", "skipped"]
RunStatus = Literal["running", "awaiting-approval", "failed", "rejected", "completed"]
Approval = Literal["auto", "manual"]


class StepState(BaseModel):
    """One step: where it stands, how often it was tried, what it produced, why it failed."""

    status: StepStatus = "pending"
    attempts: int = 0
    started: str | None = None
    finished: str | None = None
    summary: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None


class PipelineRun(BaseModel):
    """What was asked, where the run stands, and each step's state."""

    repository: str
    ref: str | None = None
    name: str
    approval: Approval = "auto"
    status: RunStatus = "running"
    step: str | None = None
    """The step running, failed or waiting (for approval); None when the run is over."""
    message: str = ""
    decision: dict[str, Any] | None = None
    steps: dict[str, StepState] = Field(default_factory=lambda: {name: StepState() for name in STEPS})

    def next_step(self) -> str | None:
        """The first step not completed or skipped."""
        return next((name for name in STEPS if self.steps[name].status not in ("completed", "skipped")), None)

    def summary(self, name: str) -> dict[str, Any]:
        """What step `name` produced (empty until it completed)."""
        return self.steps[name].summary


def load_run(workspace: Workspace, pipeline_id: str) -> PipelineRun:
    """The pipeline's run; `WorkspaceError` for a pipeline that was never run with `run_pipeline`."""
    info = workspace.pipeline_info(pipeline_id)
    if "run" not in info:
        raise WorkspaceError(f"pipeline {pipeline_id!r} was not started by run_pipeline: it has no run to continue")
    return PipelineRun.model_validate(info["run"])


def save_run(workspace: Workspace, pipeline_id: str, run: PipelineRun) -> None:
    """Write the run into ``pipeline-info.json`` (atomically, under the metadata lock); mirror its status."""
    workspace.update_pipeline(pipeline_id, run=run.model_dump(mode="json"), status=_pipeline_status(run))


def mark(run: PipelineRun, name: str, status: StepStatus, **changes: Any) -> None:
    """Move step `name` to `status`, stamping when it started or finished."""
    step = run.steps[name]
    step.status = status
    if status == "running":
        step.attempts += 1
        step.started, step.finished, step.error = now_iso(), None, None
    elif status in ("completed", "failed", "skipped"):
        step.finished = now_iso()
    for key, value in changes.items():
        setattr(step, key, value)


def _pipeline_status(run: PipelineRun) -> str:
    if run.status == "running" and run.step is not None:
        return f"running: {run.step}"
    return run.status
