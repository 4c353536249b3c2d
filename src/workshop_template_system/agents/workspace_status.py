"""``workspace_status``: the seed's workspace monitor, a skill every agent carries."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from workshop_template_system.agents.base import Skill, SkillContext, SkillInput
from workshop_template_system.workspace import validate_id


class WorkspaceStatusInput(SkillInput):
    pipeline_id: str | None = None
    """Only this pipeline; all pipelines when absent."""

    @field_validator("pipeline_id")
    @classmethod
    def _safe_id(cls, value: str | None) -> str | None:
        return validate_id(value) if value is not None else None


async def workspace_status(context: SkillContext, request: WorkspaceStatusInput) -> dict[str, Any]:
    """Pipelines with their status and agents' statuses, lock holders, and disk use of the workspace."""
    return await context.run_blocking(context.workspace.status_summary, request.pipeline_id)


def _from_text(rest: str) -> dict[str, Any]:
    return {"pipeline_id": rest} if rest else {}


WORKSPACE_STATUS = Skill(
    id="workspace_status",
    name="Workspace status",
    description=(
        "Reports the shared workspace: each pipeline with its status and its agents' statuses, "
        'who holds which lock, and disk use. Input: {"pipeline_id": optional}.'
    ),
    input_model=WorkspaceStatusInput,
    handler=workspace_status,
    examples=("workspace status", '{"skill": "workspace_status", "input": {"pipeline_id": "pipeline-1"}}'),
    tags=("workspace", "monitoring"),
    from_text=_from_text,
)
