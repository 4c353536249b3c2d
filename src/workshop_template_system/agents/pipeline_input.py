"""Input fields several skills share."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from workshop_template_system.workspace import validate_id

PipelineId = Annotated[str, Field(max_length=128), AfterValidator(validate_id)]
"""A pipeline id, checked before it becomes a path."""
