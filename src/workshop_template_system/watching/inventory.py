"""What the build and deployment files of one revision declare: versions, and which YAML files are manifests.

The files are written into a temporary folder and read with the analysis' own readers (Maven,
Gradle, npm, Python, Go, Cargo, and `detect_deployment`), so "Java 17" here is the same "Java 17"
the workshop's prerequisites show. Comparing two inventories gives the version changes
(`version_changes`): a tool, framework, base image or Helm chart whose declared version differs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel

from workshop_template_system.workshop.build_systems import BuildFindings
from workshop_template_system.workshop.deployment import detect_deployment
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.jvm_builds import read_gradle, read_maven
from workshop_template_system.workshop.native_builds import read_cargo, read_go
from workshop_template_system.workshop.node_builds import read_node
from workshop_template_system.workshop.python_builds import read_python

_READERS = (read_maven, read_gradle, read_node, read_python, read_go, read_cargo)
_CHART_SUFFIXES = (".yaml", ".yml", ".tpl")


class VersionChange(BaseModel):
    """A declared version that differs between the two revisions (None: not declared there)."""

    name: str
    file: str
    before: str | None
    after: str | None

    def describe(self) -> str:
        """``Java 17 → 21``."""
        return f"{self.name} {self.before or 'not declared'} → {self.after or 'not declared'}"


@dataclass(frozen=True)
class Inventory:
    """Declared versions by name (with the file that declares them), and the Kubernetes/Helm files."""

    versions: Mapping[str, tuple[str | None, str]]
    manifests: frozenset[str]


def take_inventory(files: Mapping[str, str]) -> Inventory:
    """The inventory of these files (repository path → text) of one revision."""
    with tempfile.TemporaryDirectory(prefix="watch-inventory-") as folder:
        root = Path(folder)
        for path, text in files.items():
            relative = PurePosixPath(path)
            if relative.is_absolute() or ".." in relative.parts:
                continue
            target = root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        repository = RepositoryFiles.walk(root)
        builds = BuildFindings()
        for reader in _READERS:
            builds.add(reader(repository))
        deployment, _ = detect_deployment(repository)
    versions: dict[str, tuple[str | None, str]] = {}
    for prerequisite in builds.prerequisites:
        if prerequisite.source_file:
            versions[prerequisite.name] = (prerequisite.version, prerequisite.source_file)
    for framework in builds.frameworks:
        versions.setdefault(framework.name, (framework.version, framework.source_file))
    for container in deployment.containerfiles:
        for number, image in enumerate(container.base_images, start=1):
            stage = f" (stage {number})" if len(container.base_images) > 1 else ""
            versions[f"base image of {container.file}{stage}"] = (image, container.file)
    for chart in deployment.helm_charts:
        versions[f"Helm chart {chart.name or chart.file}"] = (chart.version, chart.file)
        if chart.app_version:
            versions[f"appVersion of Helm chart {chart.name or chart.file}"] = (chart.app_version, chart.file)
    chart_folders = tuple(str(PurePosixPath(chart.file).parent) for chart in deployment.helm_charts)
    manifests = {manifest.file for manifest in deployment.kubernetes} | set(deployment.kustomizations)
    manifests |= {
        path for path in files if path.endswith(_CHART_SUFFIXES) and any(_under(path, f) for f in chart_folders)
    }
    return Inventory(versions, frozenset(manifests))


def version_changes(before: Inventory, after: Inventory) -> list[VersionChange]:
    """Every declared version that differs, by name (added and removed declarations included)."""
    changes = []
    for name in sorted(set(before.versions) | set(after.versions)):
        old_version, old_file = before.versions.get(name, (None, ""))
        new_version, new_file = after.versions.get(name, (None, ""))
        if old_version != new_version:
            changes.append(VersionChange(name=name, file=new_file or old_file, before=old_version, after=new_version))
    return changes


def _under(path: str, folder: str) -> bool:
    return folder in ("", ".") or path.startswith(folder + "/")
