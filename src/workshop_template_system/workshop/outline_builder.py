"""Builds the workshop outline from what the analysis found.

Modules come from:
  1. the pages of an existing workshop (its nav) or of a site-generated tutorial (MkDocs nav, Sphinx
     toctree): one module per page, and nothing else;
  2. otherwise the README's sections that hold commands (at the README's top section level), one
     module each with their sub-sections as steps, followed by one module per tutorial page of
     notebooks or a docs folder; explanatory sections and pages without steps go to the overview;
  3. the build system's own commands, as one module, when the repository documents no steps.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from workshop_template_system.workshop.build_systems import BuildSystem, Framework
from workshop_template_system.workshop.deployment import Deployment
from workshop_template_system.workshop.document import Document, Paragraph, Section
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.formats import FormatName, Page
from workshop_template_system.workshop.outline import (
    DerivedField,
    Module,
    Outline,
    OverviewSection,
    Prerequisite,
    Source,
    Step,
    Workflow,
)
from workshop_template_system.workshop.steps import ModuleContent, derived_objectives, module_content
from workshop_template_system.workshop.verification import verification_for

MAX_MODULES = 30
# Formats whose pages are the whole workshop; the pages of the others (notebooks, a docs folder) follow the README's.
_PAGES_ONLY = ("showroom", "antora", "rto", "mkdocs", "sphinx")
MIN_OVERVIEW_WORDS = 25
_NOT_WORKSHOP_MATERIAL = re.compile(
    r"^(licen[cs]e|contribut|code of conduct|authors?|maintainers?|changelog|change log|release notes|support|"
    r"security|acknowledg|credits|sponsors?|contact|table of contents|contents|toc|badges?|links?|"
    r"related projects|community|help|faq|roadmap|status|copyright)",
    re.IGNORECASE,
)
_PATH_TOKEN = re.compile(r"[\w.@-]+(?:/[\w.@-]+)+/?|[\w-]+\.(?:ya?ml|json|java|py|js|ts|go|sh|properties|xml|toml)\b")


@dataclass
class OutlineInputs:
    """The findings an outline is built from."""

    name: str
    source: Source
    files: RepositoryFiles
    readme: Document | None
    pages: list[tuple[Page, Document]]
    pages_format: FormatName | None
    format_title: str | None
    workflow: Workflow
    evidence: list[str]
    primary_language: str | None
    frameworks: list[Framework]
    build_systems: list[BuildSystem]
    deployment: Deployment
    prerequisites: list[Prerequisite]


def build_outline(inputs: OutlineInputs) -> Outline:
    """The outline for these findings (deterministic: the same repository gives the same outline)."""
    modules: list[Module] = []
    overview: list[OverviewSection] = []
    if inputs.readme is not None and inputs.pages_format not in _PAGES_ONLY:
        modules, overview = _readme_modules(inputs, inputs.readme)
    if inputs.pages:
        page_modules, page_overview = _page_modules(inputs)
        modules, overview = [*modules, *page_modules], [*overview, *page_overview]
    if not modules and (build := _build_module(inputs)) is not None:
        modules = [build]
    modules = _with_unique_ids(modules[:MAX_MODULES])
    return Outline(
        title=_title(inputs),
        summary=_summary(inputs, modules),
        audience=_audience(inputs, modules),
        duration_minutes=_duration(modules),
        prerequisites=[Prerequisite(name="Git"), *inputs.prerequisites],
        overview=overview,
        modules=modules,
        workflow=inputs.workflow,
        evidence=inputs.evidence,
        source=inputs.source,
    )


def _readme_modules(inputs: OutlineInputs, readme: Document) -> tuple[list[Module], list[OverviewSection]]:
    modules: list[Module] = []
    overview: list[OverviewSection] = []
    for group in _section_groups(readme.sections):
        head = group[0]
        if _NOT_WORKSHOP_MATERIAL.match(head.title):
            continue
        content = module_content(group, readme.path)
        if content.commands:
            modules.append(_module(inputs, head.title, content, [readme.path]))
        elif sum(len(text.split()) for text in content.texts) >= MIN_OVERVIEW_WORDS:
            text = "\n\n".join(content.texts)
            overview.append(OverviewSection(title=head.title, text=text, source_file=readme.path))
    return modules, overview


def _section_groups(sections: list[Section]) -> list[list[Section]]:
    """Sections at the page's top section level, each with the deeper sections that follow it."""
    if not sections:
        return []
    top = min(section.level for section in sections)
    groups: list[list[Section]] = []
    for section in sections:
        if section.level == top or not groups:
            groups.append([section])
        else:
            groups[-1].append(section)
    return groups


def _page_modules(inputs: OutlineInputs) -> tuple[list[Module], list[OverviewSection]]:
    """One module per page. An existing workshop keeps every page of its nav; a tutorial's pages
    without steps (a landing page) go to the overview."""
    modules: list[Module] = []
    overview: list[OverviewSection] = []
    for page, document in inputs.pages:
        opening = Section(document.title or page.title or _title_from_path(page.path), 1, list(document.intro))
        content = module_content([opening, *document.sections], page.path)
        if content.steps or (inputs.workflow == "enhance-existing" and content.texts):
            modules.append(_module(inputs, opening.title, content, [page.path]))
        elif content.texts:
            overview.append(
                OverviewSection(title=opening.title, text="\n\n".join(content.texts), source_file=page.path)
            )
    return modules, overview


def _module(inputs: OutlineInputs, title: str, content: ModuleContent, sources: list[str]) -> Module:
    derived: list[DerivedField] = []
    objectives = content.objectives
    if not objectives and (objectives := derived_objectives(title, content.steps)):
        derived.append("objectives")
    verification = content.verification
    if verification is None:
        texts = [content.introduction, *content.texts, *(step.outcome for step in content.steps)]
        verification, guessed = verification_for(content.commands, texts, inputs.build_systems)
        if guessed:
            derived.append("verification")
    return Module(
        id=_slug(title),
        title=title,
        introduction=content.introduction,
        objectives=objectives,
        steps=content.steps,
        source_files=[*sources, *_referenced_files(inputs.files, content)],
        verification=verification,
        derived=derived,
    )


def _build_module(inputs: OutlineInputs) -> Module | None:
    """The build system's commands as a module, for a repository that documents no steps."""
    system = next((system for system in inputs.build_systems if system.build_command or system.test_command), None)
    if system is None:
        return None
    folder = f"cd {system.directory} && " if system.directory else ""
    commands = [
        (title, f"{folder}{command}")
        for title, command in (
            ("Install the dependencies", system.install_command),
            ("Build the project", system.build_command),
            ("Run the tests", system.test_command),
            ("Start the application", system.run_command),
        )
        if command
    ]
    introduction = f"The project builds with {system.name} ({', '.join(system.files[:3])})."
    steps = [Step(title=title, commands=[command]) for title, command in commands]
    content = ModuleContent(introduction=introduction, steps=steps, objectives=[title for title, _ in commands])
    module = _module(inputs, f"Build the project with {system.name}", content, system.files[:5])
    return module.model_copy(update={"derived": ["objectives", *module.derived]})


def _referenced_files(files: RepositoryFiles, content: ModuleContent) -> list[str]:
    """Repository files and folders named in the module's commands and text."""
    found: list[str] = []
    for text in [*content.commands, *content.texts]:
        for token in _PATH_TOKEN.findall(text):
            path = token.removeprefix("./").rstrip("/")
            if (files.exists(path) or path in files.dirs) and path not in found:
                found.append(path)
    return found[:20]


def _title(inputs: OutlineInputs) -> str:
    if inputs.workflow == "enhance-existing" and inputs.format_title:
        return inputs.format_title
    if inputs.readme is not None and inputs.readme.title:
        return inputs.readme.title
    return inputs.format_title or inputs.name


def _summary(inputs: OutlineInputs, modules: list[Module]) -> str:
    documents = [inputs.readme] if inputs.readme is not None else []
    documents += [document for _, document in inputs.pages[:1]]
    for document in documents:
        paragraph = next((block.text for block in document.intro if isinstance(block, Paragraph)), None)
        if paragraph:
            return paragraph
    titles = ", ".join(module.title for module in modules[:5])
    return f"A hands-on workshop on {inputs.name}: {titles}." if titles else f"A hands-on workshop on {inputs.name}."


def _audience(inputs: OutlineInputs, modules: list[Module]) -> str:
    if inputs.pages_format == "jupyter":
        return "Python developers and data scientists working in Jupyter notebooks"
    audience = f"{inputs.primary_language} developers" if inputs.primary_language else "Developers"
    framework = next((framework.name for framework in inputs.frameworks if framework.kind == "application"), None)
    if framework:
        audience += f" using {framework}"
    tools = {command.split(maxsplit=1)[0] for module in modules for step in module.steps for command in step.commands}
    if inputs.deployment.openshift or "oc" in tools:
        audience += ", deploying to OpenShift"
    elif _deploys_to_kubernetes(inputs.deployment) or tools & {"kubectl", "helm"}:
        audience += ", deploying to Kubernetes"
    return audience


def _deploys_to_kubernetes(deployment: Deployment) -> bool:
    return bool(deployment.kubernetes or deployment.helm_charts or deployment.kustomizations)


def _duration(modules: list[Module]) -> int:
    """10 minutes to start, 5 per module and 3 per step, rounded up to a quarter hour."""
    minutes = 10 + sum(5 + 3 * len(module.steps) for module in modules)
    return 15 * math.ceil(minutes / 15)


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    return slug or "module"


def _with_unique_ids(modules: list[Module]) -> list[Module]:
    seen: set[str] = set()
    unique: list[Module] = []
    for module in modules:
        module_id, number = module.id, 2
        while module_id in seen:
            module_id, number = f"{module.id}-{number}", number + 1
        seen.add(module_id)
        unique.append(module if module_id == module.id else module.model_copy(update={"id": module_id}))
    return unique


def _title_from_path(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = re.sub(r"^[\d_.-]+", "", stem).replace("-", " ").replace("_", " ").strip()
    return (words or stem).capitalize()
