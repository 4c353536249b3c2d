"""The workshop outline: the contract between template_converter, which writes it, and content_creator.

Every text in an outline is taken from the repository (its README, tutorial pages, workshop pages,
build files) or derived from it deterministically; never placeholder text. JSON form:
``outline.model_dump(mode="json")``; read back with ``Outline.model_validate(data)``.

    Outline
    ├── source            repository, ref, commit it was made from
    ├── prerequisites[]   tools with the versions the build files declare
    ├── overview[]        explanatory sections (no commands) for the introduction
    └── modules[]         one page each: introduction, objectives, steps, verification
        └── steps[]       text, shell commands (verbatim), other code as snippets, outcome
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Workflow = Literal["new-workshop", "enhance-existing"]
DerivedField = Literal["objectives", "verification"]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


class _Part(BaseModel):
    """Unknown fields are refused: a typo in a producer is an error, not silently lost content."""

    model_config = ConfigDict(extra="forbid")


class Source(_Part):
    """Where the workshop's material comes from."""

    repository: str = Field(description="URL or path as shown to people (no credentials)")
    ref: str | None = Field(default=None, description="branch, tag or commit asked for, or the default branch")
    commit: str | None = Field(default=None, description="the commit analysed")


class Prerequisite(_Part):
    """A tool the learner needs, with the version the repository declares (as written there)."""

    name: str
    version: str | None = None
    source_file: str | None = Field(default=None, description="the file that declares it")


class Snippet(_Part):
    """Code shown or edited in a step but not run as a shell command (YAML, Java, Python, ...)."""

    language: str
    code: str


class Step(_Part):
    """One thing the learner does: the explanation, then the commands to run."""

    title: str
    text: str = Field(default="", description="the explanation preceding the commands, as plain text")
    commands: list[str] = Field(default_factory=list, description="shell commands, verbatim; one may span lines")
    snippets: list[Snippet] = Field(default_factory=list)
    outcome: str = Field(default="", description="the text following the commands: what the learner sees")
    source_file: str | None = None


class Verification(_Part):
    """How the learner checks that the module worked; empty for a page with nothing to run."""

    text: str = ""
    commands: list[str] = Field(default_factory=list)


class Module(_Part):
    """One page of the workshop."""

    id: str = Field(pattern=SLUG_PATTERN, description="unique slug, usable as a file name")
    title: str
    introduction: str = Field(default="", description="the text that opens the module, before its first step")
    objectives: list[str]
    steps: list[Step]
    source_files: list[str] = Field(description="repository files the module draws on")
    verification: Verification = Field(description="empty (no text, no commands) when the page has nothing to check")
    derived: list[DerivedField] = Field(
        default_factory=list,
        description="fields the analysis derived because the source has none (an existing page lacks them)",
    )


class OverviewSection(_Part):
    """An explanatory part of the repository's documentation (architecture, how it works) for the introduction."""

    title: str
    text: str
    source_file: str


class Outline(_Part):
    """The workshop to write (``new-workshop``) or the existing one to improve (``enhance-existing``)."""

    title: str
    summary: str
    audience: str
    duration_minutes: int = Field(ge=0)
    prerequisites: list[Prerequisite]
    overview: list[OverviewSection] = Field(default_factory=list)
    modules: list[Module]
    workflow: Workflow
    evidence: list[str] = Field(description="the files this outline and its workflow were decided from")
    source: Source

    @model_validator(mode="after")
    def _unique_module_ids(self) -> Outline:
        ids = [module.id for module in self.modules]
        duplicates = sorted({module_id for module_id in ids if ids.count(module_id) > 1})
        if duplicates:
            raise ValueError(f"module ids must be unique: {', '.join(duplicates)}")
        return self
