"""The domain: repository analysis, the workshop outline it produces, and Markdown pages as AsciiDoc.

Never imports the protocol or the web stack (``a2a``, ``fastapi``, ``starlette``, ``click``) nor
``runtime``/``cli``; agents call it, and it calls ``integrations`` only.
"""

from workshop_template_system.workshop.analysis import Analysis, Readme, ReadmeSection, analyze_repository
from workshop_template_system.workshop.markdown_to_asciidoc import markdown_to_asciidoc
from workshop_template_system.workshop.outline import (
    Module,
    Outline,
    OverviewSection,
    Prerequisite,
    Snippet,
    Source,
    Step,
    Verification,
    Workflow,
)

__all__ = [
    "Analysis",
    "Module",
    "Outline",
    "OverviewSection",
    "Prerequisite",
    "Readme",
    "ReadmeSection",
    "Snippet",
    "Source",
    "Step",
    "Verification",
    "Workflow",
    "analyze_repository",
    "markdown_to_asciidoc",
]
