"""One module's page: introduction, objectives, steps with their commands, verification, troubleshooting, sources.

Every section has an explicit id (``objectives``, ``steps``, ``step-<title>``, ``verification``,
``troubleshooting``, ``source-files``) that citations can point at.
"""

from __future__ import annotations

from workshop_template_system.workshop.outline import Module, Step
from workshop_template_system.workshop.showroom import troubleshooting
from workshop_template_system.workshop.showroom.asciidoc import blocks, inline, listing, section, unique_ids
from workshop_template_system.workshop.showroom.context import Context


def module_page(context: Context, module: Module) -> str:
    """The page text: a level-0 title, then level-1 sections with level-2 steps."""
    defined = context.defined
    title = f"Module {context.outline.modules.index(module) + 1}: {module.title}"
    parts = [f"= {inline(title, defined, line_start=False)}", *_introduction(context, module)]
    if objectives := _real(module.objectives):
        parts.append(section(1, "Objectives", "objectives", defined))
        parts.append("\n".join(f"* {inline(objective, defined, line_start=False)}" for objective in objectives))
    if module.steps:
        parts.append(section(1, "Steps", "steps", defined))
        titles = [step.title or f"Step {number}" for number, step in enumerate(module.steps, 1)]
        for step, title, anchor in zip(module.steps, titles, unique_ids("step", titles), strict=True):
            parts.append(section(2, title, anchor, defined))
            parts.extend(_step(context, step))
    if _has_verification(module):
        parts.append(section(1, "Verification", "verification", defined))
        parts.append(blocks(module.verification.text, defined))
        parts.extend(_commands(module.verification.commands, defined))
    if checks := list(troubleshooting.entries(context.outline, module)):
        parts.append(section(1, "Troubleshooting", "troubleshooting", defined))
        parts.append("\n".join(f"* {inline(check, defined, line_start=False)}" for check in checks))
    if source_files := _real(module.source_files):
        parts.append(section(1, "Source files", "source-files", defined))
        parts.append("\n".join(f"* {context.source_link(path)}" for path in source_files))
    return "\n\n".join(part for part in parts if part) + "\n"


def _introduction(context: Context, module: Module) -> list[str]:
    """The module's own opening text, then what the page holds and where it comes from."""
    sentences = []
    if count := len(module.steps):
        sources = list(dict.fromkeys(step.source_file for step in module.steps if step.source_file))
        origin = f", taken from {_join([context.source_link(path) for path in sources])}" if sources else ""
        sentences.append(f"This module has {count} {'step' if count == 1 else 'steps'}{origin}.")
    if _has_verification(module):
        sentences.append("The verification at the end shows whether it worked.")
    if position := context.outline.modules.index(module):
        sentences.append(f"It continues from xref:{context.module_pages[position - 1]}[].")
    return [blocks(module.introduction, context.defined), " ".join(sentences)]


def _has_verification(module: Module) -> bool:
    return bool(module.verification.text.strip() or _real(module.verification.commands))


def _step(context: Context, step: Step) -> list[str]:
    defined = context.defined
    # In the order of the source: the explanation, the commands, code that follows them, what the learner sees.
    parts = [blocks(step.text, defined), *_commands(step.commands, defined)]
    parts.extend(
        listing(snippet.code, language=snippet.language, defined=defined)
        for snippet in step.snippets
        if _real([snippet.code])
    )
    parts.append(blocks(step.outcome, defined))
    if step.source_file:
        parts.append(f"[.source-file]\nFrom {context.source_link(step.source_file)}.")
    return parts


def _commands(commands: list[str], defined: frozenset[str]) -> list[str]:
    return [listing(command, language="bash", defined=defined, execute=True) for command in _real(commands)]


def _real(texts: list[str]) -> list[str]:
    """The texts that say something (an empty one would make an empty list item or block)."""
    return [text for text in texts if text.strip()]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
