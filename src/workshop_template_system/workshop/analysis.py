"""Analysis of a cloned repository: what it is made of, how it is built and run, and the workshop it gives.

`analyze_repository` walks the folder once, reads only the files it needs (build files, README,
documentation pages, YAML for manifests; each capped in size, binary files skipped) and runs no
subprocess. ``analysis.model_dump(mode="json")`` is the artifact template_converter returns.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from workshop_template_system.integrations.git import RepositorySource
from workshop_template_system.workshop.build_systems import BuildFindings, BuildSystem, Framework
from workshop_template_system.workshop.commands import shell_commands
from workshop_template_system.workshop.deployment import Deployment, detect_deployment
from workshop_template_system.workshop.document import CodeBlock, Document, Paragraph
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.formats import Format, decide_workflow, detect_formats
from workshop_template_system.workshop.jvm_builds import read_gradle, read_maven
from workshop_template_system.workshop.languages import Language, detect_languages, primary_language
from workshop_template_system.workshop.native_builds import read_cargo, read_go
from workshop_template_system.workshop.node_builds import read_node
from workshop_template_system.workshop.outline import Outline, Prerequisite, Source, Workflow
from workshop_template_system.workshop.outline_builder import OutlineInputs, build_outline
from workshop_template_system.workshop.pages import read_page
from workshop_template_system.workshop.python_builds import read_python
from workshop_template_system.workshop.structure import find_docs_dirs, find_examples, find_readme, find_tests

_READERS = (read_maven, read_gradle, read_node, read_python, read_go, read_cargo)


class ReadmeSection(BaseModel):
    title: str
    level: int
    commands: list[str]


class Readme(BaseModel):
    """The README's title, its first paragraph, and its sections with the shell commands each holds."""

    file: str
    title: str | None
    summary: str | None
    sections: list[ReadmeSection]


class Analysis(BaseModel):
    """Everything found in one repository at one commit, and the workshop outline made from it."""

    source: Source
    files: int
    bytes: int
    skipped_dirs: list[str]
    languages: list[Language]
    primary_language: str | None
    build_systems: list[BuildSystem]
    frameworks: list[Framework]
    deployment: Deployment
    notebooks: list[str]
    readme: Readme | None
    docs_dirs: list[str]
    examples: list[str]
    tests: list[str]
    prerequisites: list[Prerequisite]
    formats: list[Format]
    workflow: Workflow
    evidence: list[str]
    outline: Outline


def analyze_repository(
    path: Path, *, source: RepositorySource | str, ref: str | None = None, commit: str | None = None
) -> Analysis:
    """Analyse the repository checked out at `path`; `source`, `ref`, `commit` say where it came from."""
    files = RepositoryFiles.walk(Path(path))
    shown = source.display if isinstance(source, RepositorySource) else source
    name = source.name if isinstance(source, RepositorySource) else Path(path).resolve().name
    origin = Source(repository=shown, ref=ref, commit=commit)
    languages = detect_languages(files)
    primary = primary_language(languages)
    builds = BuildFindings()
    for reader in _READERS:
        builds.add(reader(files))
    deployment, deployment_tools = detect_deployment(files)
    for tool in deployment_tools:
        builds.add_prerequisite(tool)
    readme_path = find_readme(files)
    readme = read_page(readme_path, files.text(readme_path)) if readme_path else None
    found = detect_formats(files)
    workflow, evidence = decide_workflow(found.formats)
    if workflow == "new-workshop":
        evidence = _new_workshop_evidence(readme_path, found.formats, builds.build_systems)
    pages = [(page, read_page(page.path, files.text(page.path))) for page in found.pages]
    outline = build_outline(
        OutlineInputs(
            name=name,
            source=origin,
            files=files,
            readme=readme,
            pages=pages,
            pages_format=found.pages_format,
            format_title=found.title,
            workflow=workflow,
            evidence=evidence,
            primary_language=primary,
            frameworks=builds.frameworks,
            build_systems=builds.build_systems,
            deployment=deployment,
            prerequisites=builds.prerequisites,
        )
    )
    return Analysis(
        source=origin,
        files=len(files.files),
        bytes=sum(item.size for item in files.files),
        skipped_dirs=files.skipped_dirs[:50],
        languages=languages,
        primary_language=primary,
        build_systems=builds.build_systems,
        frameworks=builds.frameworks,
        deployment=deployment,
        notebooks=[item.path for item in files.with_suffix(".ipynb")][:100],
        readme=_readme(readme) if readme else None,
        docs_dirs=find_docs_dirs(files),
        examples=find_examples(files),
        tests=find_tests(files),
        prerequisites=outline.prerequisites,
        formats=found.formats,
        workflow=workflow,
        evidence=evidence,
        outline=outline,
    )


def _readme(document: Document) -> Readme:
    summary = next((block.text for block in document.intro if isinstance(block, Paragraph)), None)
    sections = [
        ReadmeSection(
            title=section.title,
            level=section.level,
            commands=[
                command for block in section.blocks if isinstance(block, CodeBlock) for command in shell_commands(block)
            ],
        )
        for section in document.sections
    ]
    return Readme(file=document.path, title=document.title, summary=summary, sections=sections)


def _new_workshop_evidence(readme: str | None, formats: list[Format], build_systems: list[BuildSystem]) -> list[str]:
    """The files a new workshop is made from: tutorial pages, the README, build files."""
    evidence = [path for found in formats for path in found.evidence]
    if readme:
        evidence.append(readme)
    evidence.extend(path for system in build_systems for path in system.files)
    return list(dict.fromkeys(evidence))[:100]
