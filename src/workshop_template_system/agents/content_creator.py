"""content_creator: writes complete Showroom/Antora workshops."""

from workshop_template_system.agents.base import AgentSpec

AGENT = AgentSpec(
    name="content_creator",
    title="Content Creator",
    summary="writes the Showroom/Antora workshop from an outline",
    description=(
        "Turns a workshop outline or learning objectives into a complete Showroom workshop (antora.yml, nav, "
        "pages with real steps from the repository) that builds with Antora."
    ),
)
