"""template_converter: analyses a repository and outlines the workshop to build from it."""

from workshop_template_system.agents.base import AgentSpec

AGENT = AgentSpec(
    name="template_converter",
    title="Template Converter",
    summary="analyses a repository and outlines its workshop",
    description=(
        "Analyses a git repository (languages, frameworks, README steps, examples, existing workshop formats), "
        "decides between a new workshop and enhancing an existing one, and outlines the workshop."
    ),
)
