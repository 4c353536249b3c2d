"""From documentation sections to a module's steps and objectives, using only the page's own text.

Each code block makes a step: the text before it is the step's explanation, shell blocks give its
commands, other code (YAML, Java, ...) its snippets, and the text after the last block of a section
its outcome. A step's title is the block's own title, else its sub-heading, else the instruction
that introduces it ("To build the image, run:" → "Build the image"; "Then deploy it:" → "Deploy it"),
else the command it runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workshop_template_system.workshop.commands import shell_commands
from workshop_template_system.workshop.document import CodeBlock, ListBlock, Paragraph, Section
from workshop_template_system.workshop.outline import Snippet, Step, Verification

MAX_STEPS = 30
MAX_OBJECTIVES = 4
_OBJECTIVE_HEADINGS = re.compile(r"^(learning )?(objectives?|goals?|what you('| wi)ll learn|you will learn)\b", re.I)
_VERIFICATION_HEADINGS = re.compile(r"^(verif|check (your|the)|validat|test your|confirm)", re.IGNORECASE)
_INTRODUCES_OBJECTIVES = re.compile(r"\b(you('| wi)ll|learn|objectives?|goals?)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SEQUENCE_WORD = re.compile(r"^(then|next|now|finally|first|afterwards|after that),?\s+", re.IGNORECASE)
_TO_DO = re.compile(r"^to (.+?), (?:run|use|execute|type|enter|do|call)\b.*$", re.IGNORECASE)
# A sentence that is not introducing the block with a colon titles a step only when it is an instruction.
_IMPERATIVE = re.compile(
    r"^(add|apply|build|call|change|check|clone|compile|configure|connect|copy|create|delete|deploy|download|edit|"
    r"enable|expose|export|generate|get|initiali[sz]e|install|launch|list|log in|login|make|open|package|prepare|"
    r"publish|pull|push|remove|restart|run|scale|send|set|start|stop|switch|tag|test|try|update|upgrade|verify|"
    r"view|wait|watch|write)\b",
    re.IGNORECASE,
)
_GENERIC = re.compile(
    r"^(run|execute|type|enter|use|do|then|next|now|finally|example|for example|output|result|like this|as follows)"
    r"( (the|this|these|following|below|command|commands|code|it|them|following commands?))*$",
    re.IGNORECASE,
)


@dataclass
class ModuleContent:
    """What a group of sections gives a module."""

    introduction: str = ""
    steps: list[Step] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    verification: Verification | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def commands(self) -> list[str]:
        return [command for step in self.steps for command in step.commands]


def module_content(sections: list[Section], source_file: str) -> ModuleContent:
    """Steps of a module made of `sections` (the first is the module's own, the rest its sub-sections).

    A sub-section headed "Objectives" (or "What you will learn") gives the objectives, one headed
    "Verify" (or "Check your work", ...) the verification; neither becomes a step.
    """
    content = ModuleContent()
    for position, section in enumerate(sections):
        if _OBJECTIVE_HEADINGS.match(section.title):
            lists = [block for block in section.blocks if isinstance(block, ListBlock)]
            content.objectives.extend(item for block in lists for item in block.items)
            rest = [block for block in section.blocks if not isinstance(block, ListBlock)]
            _section_steps(Section(section.title, section.level, rest), None, source_file, content, first=False)
        elif position and _VERIFICATION_HEADINGS.match(section.title):
            content.verification = _verification_section(section)
        else:
            _section_steps(section, section.title if position else None, source_file, content, first=position == 0)
    content.steps = content.steps[:MAX_STEPS]
    if not content.objectives:
        content.objectives = _listed_objectives(sections)
    return content


def _section_steps(
    section: Section, heading: str | None, source_file: str, content: ModuleContent, *, first: bool
) -> None:
    """Add the section's steps to `content`; `heading` titles its first step (None for the module's own)."""
    pending: list[str] = []
    made = 0
    for block in section.blocks:
        if isinstance(block, Paragraph | ListBlock):
            text = block.text if isinstance(block, Paragraph) else "\n".join(f"- {item}" for item in block.items)
            pending.append(text)
            content.texts.append(text)
            continue
        commands = shell_commands(block)
        if not commands and made and not pending:
            content.steps[-1].snippets.append(Snippet(language=block.language or "text", code=block.code))
            continue
        title = block.title or (heading if made == 0 and heading else None) or _instruction(pending, commands, block)
        step = Step(title=title, text="\n\n".join(pending), source_file=source_file)
        if commands:
            step.commands = commands
        else:
            step.snippets = [Snippet(language=block.language or "text", code=block.code)]
        content.steps.append(step)
        pending, made = [], made + 1
    if not pending:
        return
    text = "\n\n".join(pending)
    if made:
        content.steps[-1].outcome = text
    elif first:
        content.introduction = text
    elif heading:
        content.steps.append(Step(title=heading, text=text, source_file=source_file))


def _verification_section(section: Section) -> Verification:
    """A "Verify ..." section: its text and its commands are the module's check."""
    texts: list[str] = []
    commands: list[str] = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif isinstance(block, ListBlock):
            texts.extend(f"- {item}" for item in block.items)
        else:
            commands.extend(shell_commands(block))
    return Verification(text="\n\n".join(texts) or section.title, commands=commands)


def _instruction(pending: list[str], commands: list[str], block: CodeBlock) -> str:
    """The sentence that introduces a block, as a title; else what the block runs or shows."""
    paragraphs = [text for text in pending if not text.startswith("- ")]
    if paragraphs and not _INTRODUCES_OBJECTIVES.search(paragraphs[-1]):
        sentences = _SENTENCE_END.split(paragraphs[-1].splitlines()[-1].strip())
        introduces = sentences[-1].strip().endswith(":")
        sentence = sentences[-1].strip().rstrip(":.").strip()
        if match := _TO_DO.match(sentence):
            sentence = match.group(1)
        sentence = _SEQUENCE_WORD.sub("", sentence)
        instruction = introduces or _IMPERATIVE.match(sentence) is not None
        if instruction and 3 <= len(sentence) <= 100 and not _GENERIC.match(sentence):
            return sentence[0].upper() + sentence[1:]
    if commands:
        first_line = commands[0].splitlines()[0].rstrip(" \\")
        return f"Run `{_shortened(first_line)}`"
    if block.language in {"", "text", "txt", "plain", "plaintext", "none"}:
        return "Review the example"
    return f"Review the {block.language} code"


def _listed_objectives(sections: list[Section]) -> list[str]:
    """A list introduced by "you will learn ..." / "objectives" in the module's own text."""
    for section in sections:
        for previous, block in zip(section.blocks, section.blocks[1:], strict=False):
            if (
                isinstance(previous, Paragraph)
                and isinstance(block, ListBlock)
                and _INTRODUCES_OBJECTIVES.search(previous.text)
            ):
                return block.items[:MAX_OBJECTIVES]
    return []


def derived_objectives(module_title: str, steps: list[Step]) -> list[str]:
    """Objectives from the steps' own titles; a step titled by its command reads "<module> with `<command>`"."""
    objectives: list[str] = []
    for step in steps:
        if step.title.startswith("Run `") and step.commands:
            objective = f"{module_title} with {step.title.removeprefix('Run ')}"
        else:
            objective = step.title
        if objective not in objectives:
            objectives.append(objective)
    return objectives[:MAX_OBJECTIVES]


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
