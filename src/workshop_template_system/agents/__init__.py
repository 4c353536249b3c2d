"""The six agents. Each module declares its card text and skills; the runtime does the rest."""

from __future__ import annotations

from dataclasses import replace

from workshop_template_system.agents import (
    content_creator,
    documentation_pipeline,
    research_validation,
    source_manager,
    template_converter,
    workshop_chat,
)
from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.agents.workspace_status import WORKSPACE_STATUS
from workshop_template_system.settings import AGENT_NAMES, normalize_agent_name

COMMON_SKILLS = (WORKSPACE_STATUS,)

AGENTS: dict[str, AgentSpec] = {
    module.AGENT.name: replace(module.AGENT, skills=module.AGENT.skills + COMMON_SKILLS)
    for module in (
        workshop_chat,
        template_converter,
        content_creator,
        research_validation,
        source_manager,
        documentation_pipeline,
    )
}
assert tuple(AGENTS) == AGENT_NAMES, "settings.AGENT_NAMES and the agent modules must list the same agents"


def agent_spec(name: str) -> AgentSpec:
    """The agent called `name` (dashes accepted); `ConfigurationError` names the valid ones."""
    return AGENTS[normalize_agent_name(name)]


__all__ = ["AGENTS", "AgentSpec", "agent_spec"]
