"""source_manager: publishes workshops to a git forge and manages their versions."""

from workshop_template_system.agents.base import AgentSpec

AGENT = AgentSpec(
    name="source_manager",
    title="Source Manager",
    summary="publishes workshops to Gitea or local git, with versions",
    description=(
        "Publishes workshops to a git forge (Gitea, or local bare repositories by default), tags versions, "
        "lists them and rolls back."
    ),
)
