"""documentation_pipeline: watches source repositories and proposes workshop updates."""

from workshop_template_system.agents.base import AgentSpec

AGENT = AgentSpec(
    name="documentation_pipeline",
    title="Documentation Pipeline",
    summary="watches source repositories and proposes updates",
    description=(
        "Watches the source repositories of workshops, finds what changed since the last seen commit, maps it to "
        "the affected modules and proposes an update branch for review."
    ),
)
