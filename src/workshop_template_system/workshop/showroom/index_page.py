"""The introduction (``index.adoc``): what the workshop is, for whom, what it needs, its modules and the lab."""

from __future__ import annotations

from workshop_template_system.workshop.outline import Prerequisite
from workshop_template_system.workshop.showroom.asciidoc import blocks, code_span, inline, listing, section, unique_ids
from workshop_template_system.workshop.showroom.context import Context

LAB_ATTRIBUTES = ("guid", "ssh_user", "ssh_command")


def index_page(context: Context, model_note: str | None = None) -> str:
    outline, defined = context.outline, context.defined
    parts = [f"= {inline(outline.title, defined, line_start=False)}"]
    if outline.summary.strip():
        parts.append(blocks(outline.summary, defined))
    if model_note and model_note.strip():
        parts.append(f"[.model-note]\n{inline(model_note, defined)}")
    if outline.audience.strip() or outline.duration_minutes:
        parts.append(section(1, "Who this workshop is for", "audience", defined))
        parts.append(blocks(outline.audience, defined) if outline.audience.strip() else "")
        if outline.duration_minutes:
            parts.append(f"The workshop takes about {duration(outline.duration_minutes)}.")
    if outline.prerequisites:
        parts.append(section(1, "Prerequisites", "prerequisites", defined))
        parts.append("\n".join(f"* {_prerequisite(context, prerequisite)}" for prerequisite in outline.prerequisites))
    if outline.overview:
        parts.append(section(1, "Overview", "overview", defined))
        titles = [overview.title for overview in outline.overview]
        for overview, anchor in zip(outline.overview, unique_ids("overview", titles), strict=True):
            parts.append(section(2, overview.title, anchor, defined))
            parts.append(blocks(overview.text, defined))
            parts.append(f"[.source-file]\nFrom {context.source_link(overview.source_file)}.")
    parts.append(section(1, "Modules", "modules", defined))
    parts.append("\n".join(f". xref:{page}[]" for page in context.module_pages) if context.module_pages else "")
    parts.append(f"The xref:{context.conclusion_page}[] sums up what you did and where to go next.")
    parts.append(section(1, "Your lab environment", "lab-environment", defined))
    parts.append(_lab_environment(context))
    parts.append(section(1, "Where the material comes from", "repository", defined))
    parts.append(_repository(context))
    return "\n\n".join(part for part in parts if part) + "\n"


def duration(minutes: int) -> str:
    """``45 minutes``, ``1 hour``, ``2 hours 30 minutes``."""
    hours, rest = divmod(minutes, 60)
    words = [f"{hours} hour{'s' if hours > 1 else ''}"] if hours else []
    if rest or not hours:
        words.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(words)


def _prerequisite(context: Context, prerequisite: Prerequisite) -> str:
    name = f"{prerequisite.name} {prerequisite.version}" if prerequisite.version else prerequisite.name
    text = inline(name, context.defined, line_start=False)
    if prerequisite.source_file:
        text += f" (declared in {context.source_link(prerequisite.source_file)})"
    return text


def _lab_environment(context: Context) -> str:
    # pass:a[] substitutes the attribute and nothing else, so user@host values are not turned into mail links
    values = "\n".join(f"* {code_span(name)}: `pass:a[{{{name}}}]`" for name in LAB_ATTRIBUTES)
    connect = listing("{ssh_command}", language="bash", defined=context.defined, execute=True)
    return (
        "Commands run in the terminal beside these instructions. The pages refer to your lab by attributes:"
        " the values below are examples from `content/antora.yml`, and a Showroom deployment replaces them"
        " with those of your environment.\n\n"
        f"{values}\n\n"
        f"When your lab has a bastion host, connect to it with:\n\n{connect}"
    )


def _repository(context: Context) -> str:
    source = context.outline.source
    commit = f", commit {code_span(source.commit)}" if source.commit and source.commit != source.ref else ""
    ref = f" at {code_span(source.ref)}" if source.ref else ""
    return f"This workshop is made from the repository {{repository_url}}{ref}{commit}."
