"""Build systems, frameworks and declared tool versions: what the learner needs and the commands that build.

Each ecosystem has its own reader (`jvm_builds`, `node_builds`, `python_builds`, `native_builds`);
each returns `BuildFindings` from the build files it knows. Versions are kept as the files write
them (``17``, ``>=18``, ``^3.2.0``): the workshop shows what the project declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from workshop_template_system.workshop.outline import Prerequisite

FrameworkKind = Literal["application", "test"]


class BuildSystem(BaseModel):
    """A build tool configured in the repository, with the commands it offers there."""

    name: str
    directory: str
    files: list[str]
    install_command: str | None = None
    build_command: str | None = None
    test_command: str | None = None
    run_command: str | None = None


class Framework(BaseModel):
    """A framework or notable library the build files depend on."""

    name: str
    version: str | None = None
    kind: FrameworkKind = "application"
    source_file: str


@dataclass
class BuildFindings:
    """What one or more readers found."""

    build_systems: list[BuildSystem] = field(default_factory=list)
    frameworks: list[Framework] = field(default_factory=list)
    prerequisites: list[Prerequisite] = field(default_factory=list)

    def add(self, other: BuildFindings) -> None:
        """Merge `other` in; the first finding of a framework or tool wins (shallowest files come first)."""
        self.build_systems.extend(other.build_systems)
        for framework in other.frameworks:
            if all(known.name != framework.name for known in self.frameworks):
                self.frameworks.append(framework)
        for prerequisite in other.prerequisites:
            self.add_prerequisite(prerequisite)

    def add_prerequisite(self, prerequisite: Prerequisite) -> None:
        """Add a tool, or give a version to one already known without it."""
        for index, known in enumerate(self.prerequisites):
            if known.name == prerequisite.name:
                if known.version is None and prerequisite.version is not None:
                    self.prerequisites[index] = prerequisite
                return
        self.prerequisites.append(prerequisite)

    def framework(self, name: str, version: str | None, source_file: str, kind: FrameworkKind = "application") -> None:
        if all(known.name != name for known in self.frameworks):
            self.frameworks.append(Framework(name=name, version=version, kind=kind, source_file=source_file))


def folder_of(path: str) -> str:
    """The folder of a repository path (``""`` at the root)."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def in_folder(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name
