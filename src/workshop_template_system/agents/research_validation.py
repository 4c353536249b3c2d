"""research_validation: checks a workshop's links, code blocks, references and facts."""

from workshop_template_system.agents.base import AgentSpec

AGENT = AgentSpec(
    name="research_validation",
    title="Research and Validation",
    summary="checks links, code blocks, references and facts",
    description=(
        "Checks a workshop: the Antora build, links (live, behind an SSRF guard), xrefs, images, code blocks and "
        "stale versions, and researches facts through a configured web-search provider."
    ),
)
