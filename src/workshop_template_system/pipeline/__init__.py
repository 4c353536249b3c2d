"""The workshop pipeline: repository → analysis → workshop → validation → approval → publish → chat → watch."""

from workshop_template_system.pipeline.driver import PipelineDriver, StepCaller
from workshop_template_system.pipeline.state import STEPS, PipelineRun, StepState

__all__ = ["STEPS", "PipelineDriver", "PipelineRun", "StepCaller", "StepState"]
