"""The last page: what each module did, and where to read on in the repository."""

from __future__ import annotations

import re

from workshop_template_system.workshop.showroom.asciidoc import inline, section
from workshop_template_system.workshop.showroom.context import Context

_DOCUMENT = re.compile(r"(^|/)(docs?|documentation)(/|$)|\.(md|adoc|asciidoc|rst|txt)$", re.IGNORECASE)


def conclusion_page(context: Context) -> str:
    outline, defined = context.outline, context.defined
    parts = ["= Conclusion", f"You have worked through {inline(outline.title, defined, line_start=False)}."]
    if outline.modules:
        parts.append(section(1, "What you did", "summary", defined))
        items = []
        for module, page in zip(outline.modules, context.module_pages, strict=True):
            items.append(f"* xref:{page}[]")
            items.extend(
                f"** {inline(objective, defined, line_start=False)}"
                for objective in module.objectives
                if objective.strip()
            )
        parts.append("\n".join(items))
    parts.append(section(1, "Next steps", "next-steps", defined))
    parts.append("The repository {repository_url} holds the complete source of what you built.")
    if reading := further_reading(context):
        parts.append("Its documentation goes further:\n\n" + "\n".join(reading))
    return "\n\n".join(parts) + "\n"


def further_reading(context: Context) -> list[str]:
    """List items for the repository's documentation the outline names: overview sources, then other documents."""
    outline = context.outline
    items = [
        f"* {inline(overview.title, context.defined, line_start=False)}: {context.source_link(overview.source_file)}"
        for overview in outline.overview
    ]
    cited = {overview.source_file for overview in outline.overview}
    named = [*outline.evidence, *(path for module in outline.modules for path in module.source_files)]
    items.extend(
        f"* {context.source_link(path)}"
        for path in dict.fromkeys(named)
        if path not in cited and _DOCUMENT.search(path)
    )
    return items
