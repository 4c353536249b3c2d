"""Render the kustomize trees under ``k8s/`` with the real ``kubectl kustomize`` and look objects up in the result."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

K8S = Path(__file__).resolve().parents[2] / "k8s"
KUSTOMIZE_TIMEOUT = 60

Object = dict[str, Any]
OperatorSecrets = Mapping[str, Mapping[str, str]]


class RenderError(Exception):
    """kubectl is missing, or kustomize refused the tree (its message says why)."""


def render(directory: Path) -> list[Object]:
    """The objects ``kubectl kustomize <directory>`` prints."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise RenderError("kubectl is not on the PATH; it renders the manifests (kubectl kustomize)")
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, timeout=KUSTOMIZE_TIMEOUT
    )
    if result.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory} failed: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def write_kustomization(folder: Path, *, resources: list[Path], components: list[Path] = (), extra: str = "") -> Path:
    """An operator's own overlay in `folder` over our trees (kustomize takes only relative paths)."""
    folder.mkdir(parents=True, exist_ok=True)

    def relative(path: Path) -> str:
        return os.path.relpath(path, folder)

    lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources:"]
    lines += [f"  - {relative(path)}" for path in resources]
    if components:
        lines += ["components:", *(f"  - {relative(path)}" for path in components)]
    (folder / "kustomization.yaml").write_text("\n".join(lines) + "\n" + extra)
    return folder


@dataclass(frozen=True)
class Manifests:
    """One rendered tree: find objects by kind and name, and the pods and containers they run."""

    objects: list[Object]

    def of_kind(self, kind: str) -> list[Object]:
        return [obj for obj in self.objects if obj["kind"] == kind]

    def get(self, kind: str, name: str) -> Object | None:
        return next((obj for obj in self.of_kind(kind) if obj["metadata"]["name"] == name), None)

    def names(self, kind: str) -> set[str]:
        return {obj["metadata"]["name"] for obj in self.of_kind(kind)}

    def workloads(self) -> list[Object]:
        """Everything that runs pods (here: Deployments)."""
        return self.of_kind("Deployment")

    def agents(self) -> list[Object]:
        """The six agents' Deployments."""
        return [d for d in self.workloads() if labels(d).get("app.kubernetes.io/name") == "workshop-template-system"]

    def pods_matching(self, selector: dict[str, str]) -> list[Object]:
        """Deployments whose pod template carries every label of `selector`."""
        return [d for d in self.workloads() if selects(selector, pod_labels(d))]

    def service_for(self, host: str) -> Object | None:
        return self.get("Service", host)


def labels(obj: Object) -> dict[str, str]:
    return obj["metadata"].get("labels") or {}


def pod_spec(workload: Object) -> Object:
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: Object) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"].get("labels") or {}


def containers(workload: Object) -> Iterator[Object]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def selects(selector: dict[str, str], target: dict[str, str]) -> bool:
    """A non-empty equality selector matches labels that contain all of it."""
    return bool(selector) and all(target.get(key) == value for key, value in selector.items())


def agent_name(workload: Object) -> str:
    """The ``--agent-name`` of the agent container's command."""
    command = pod_spec(workload)["containers"][0]["command"]
    return command[command.index("--agent-name") + 1]


def decoded(secret: Object) -> dict[str, str]:
    """A Secret's values as text (``data`` is base64, ``stringData`` plain)."""
    values = {key: base64.b64decode(value).decode() for key, value in (secret.get("data") or {}).items()}
    return {**values, **(secret.get("stringData") or {})}


def environment(manifests: Manifests, container: Object, operator_secrets: OperatorSecrets) -> dict[str, str]:
    """The variables the container starts with, as Kubernetes builds them (``env`` wins over ``envFrom``).

    `operator_secrets` stands in for the Secrets the operator creates beside the manifests.
    """
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(_config_map(manifests, source["configMapRef"]["name"]))
        if "secretRef" in source:
            env.update(_secret(manifests, source["secretRef"]["name"], operator_secrets))
    for variable in container.get("env", []):
        env[variable["name"]] = _value(manifests, variable, operator_secrets)
    return env


def _value(manifests: Manifests, variable: Object, operator_secrets: OperatorSecrets) -> str:
    if "value" in variable:
        return str(variable["value"])
    source = variable["valueFrom"]
    if "secretKeyRef" in source:
        ref = source["secretKeyRef"]
        return _secret(manifests, ref["name"], operator_secrets)[ref["key"]]
    ref = source["configMapKeyRef"]
    return _config_map(manifests, ref["name"])[ref["key"]]


def _config_map(manifests: Manifests, name: str) -> dict[str, str]:
    found = manifests.get("ConfigMap", name)
    if found is None:
        raise KeyError(f"no ConfigMap {name}")
    return found.get("data") or {}


def _secret(manifests: Manifests, name: str, operator_secrets: OperatorSecrets) -> dict[str, str]:
    found = manifests.get("Secret", name)
    if found is not None:
        return decoded(found)
    if name in operator_secrets:
        return dict(operator_secrets[name])
    raise KeyError(f"no Secret {name}")
