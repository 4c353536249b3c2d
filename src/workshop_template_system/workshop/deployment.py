"""How the repository ships: container files, Compose files, Kubernetes/OpenShift manifests, Kustomize, Helm.

Manifests are recognised by a top-level ``apiVersion`` and ``kind`` (a line scan, not a YAML parse,
so Helm-style templating and multi-document files are read alike); files of a Helm chart's
``templates/`` folder belong to the chart and are not listed as manifests.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from workshop_template_system.workshop.build_systems import folder_of
from workshop_template_system.workshop.files import RepositoryFile, RepositoryFiles
from workshop_template_system.workshop.outline import Prerequisite

MAX_LISTED = 200
_API_VERSION = re.compile(r"^apiVersion:\s*[\"']?([\w./-]+)", re.MULTILINE)
_KIND = re.compile(r"^kind:\s*[\"']?(\w+)", re.MULTILINE)
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.MULTILINE | re.IGNORECASE)
_EXPOSE = re.compile(r"^\s*EXPOSE\s+(.+)$", re.MULTILINE | re.IGNORECASE)
_CHART_FIELD = re.compile(r"^(name|version|appVersion|apiVersion):\s*[\"']?([^\"'\s#]+)", re.MULTILINE)
_OPENSHIFT_KINDS = frozenset({"Route", "DeploymentConfig", "BuildConfig", "ImageStream", "Template"})
_COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml", "podman-compose.yaml")


class ContainerFile(BaseModel):
    file: str
    base_images: list[str]
    ports: list[int]


class Manifest(BaseModel):
    file: str
    kinds: list[str]


class HelmChart(BaseModel):
    file: str
    api_version: str | None = None
    name: str | None = None
    version: str | None = None
    app_version: str | None = None


class Deployment(BaseModel):
    """Everything that builds images or deploys the application."""

    containerfiles: list[ContainerFile] = Field(default_factory=list)
    compose_files: list[str] = Field(default_factory=list)
    kubernetes: list[Manifest] = Field(default_factory=list)
    kustomizations: list[str] = Field(default_factory=list)
    helm_charts: list[HelmChart] = Field(default_factory=list)
    openshift: bool = False


def detect_deployment(files: RepositoryFiles) -> tuple[Deployment, list[Prerequisite]]:
    """The deployment findings, and the tools they require."""
    deployment = Deployment()
    charts = [item for item in files.files if item.name == "Chart.yaml"]
    chart_folders = tuple(folder_of(chart.path) + "/" if folder_of(chart.path) else "" for chart in charts)
    for chart in charts[:MAX_LISTED]:
        fields = dict(_CHART_FIELD.findall(files.text(chart.path)))
        deployment.helm_charts.append(
            HelmChart(
                file=chart.path,
                api_version=fields.get("apiVersion"),
                name=fields.get("name"),
                version=fields.get("version"),
                app_version=fields.get("appVersion"),
            )
        )
    for item in files.files:
        if _is_containerfile(item):
            text = files.text(item.path)
            ports = [int(port) for line in _EXPOSE.findall(text) for port in re.findall(r"\b(\d{2,5})\b", line)]
            deployment.containerfiles.append(
                ContainerFile(file=item.path, base_images=_FROM.findall(text), ports=ports)
            )
        elif item.name.lower() in _COMPOSE_NAMES:
            deployment.compose_files.append(item.path)
        elif item.suffix in (".yaml", ".yml") and not _in_chart_templates(item, chart_folders):
            _manifest(item, files.text(item.path), deployment)
    deployment.containerfiles = deployment.containerfiles[:MAX_LISTED]
    deployment.kubernetes = deployment.kubernetes[:MAX_LISTED]
    return deployment, _prerequisites(deployment)


def _manifest(item: RepositoryFile, text: str, deployment: Deployment) -> None:
    api_versions = _API_VERSION.findall(text)
    kinds = list(dict.fromkeys(_KIND.findall(text)))
    if not api_versions or not kinds:
        return
    if "Kustomization" in kinds:
        deployment.kustomizations.append(item.path)
        return
    deployment.kubernetes.append(Manifest(file=item.path, kinds=kinds))
    if _OPENSHIFT_KINDS.intersection(kinds) or any("openshift.io" in version for version in api_versions):
        deployment.openshift = True


def _prerequisites(deployment: Deployment) -> list[Prerequisite]:
    tools: list[Prerequisite] = []
    if deployment.containerfiles or deployment.compose_files:
        tools.append(Prerequisite(name="Podman or Docker"))
    if deployment.openshift:
        tools.append(Prerequisite(name="OpenShift CLI (oc)"))
    elif deployment.kubernetes or deployment.kustomizations or deployment.helm_charts:
        tools.append(Prerequisite(name="kubectl"))
    if deployment.helm_charts:
        # Charts with apiVersion v2 need Helm 3 or later.
        v2 = next((chart for chart in deployment.helm_charts if chart.api_version == "v2"), None)
        tools.append(Prerequisite(name="Helm", version=">=3" if v2 else None, source_file=v2.file if v2 else None))
    return tools


def _is_containerfile(item: RepositoryFile) -> bool:
    name = item.name.lower()
    return name.split(".", 1)[0] in ("dockerfile", "containerfile") or name.endswith((".dockerfile", ".containerfile"))


def _in_chart_templates(item: RepositoryFile, chart_folders: tuple[str, ...]) -> bool:
    return any(item.path.startswith(f"{folder}templates/") for folder in chart_folders)
