"""The kustomize manifests: rendered by the real kubectl, validated strictly against Kubernetes 1.32's schemas, and
checked for what schemas cannot see, against the real settings and the real app's routes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import kubernetes_validate
import pytest
from kube_checks import (
    KUBERNETES_VERSION,
    OPERATOR_SECRETS,
    env_name_problems,
    image_problems,
    label_problems,
    milvus_access_problems,
    network_problems,
    probe_problems,
    reference_problems,
    route_problems,
    scaling_problems,
    schema_problems,
    secret_problems,
    security_problems,
    selector_problems,
    service_problems,
    url_problems,
    workspace_problems,
)
from kube_manifests import K8S, Manifests, Object, agent_name, environment, pod_spec, render, write_kustomization

from workshop_template_system.agents import AGENTS
from workshop_template_system.runtime.app import create_app
from workshop_template_system.settings import AGENT_NAMES, Settings, peer_url_variable

TREES = ("base", "development", "production", "production+routes")
PUBLIC = {"workshop-chat"}
SYSTEM_VARIABLES = {"HOME"}  # read by git and the other tools the agents run, not by the settings
DEPLOYMENT_COMMAND = ["python", "-m", "demos.workshop_template_system"]
DATABASE_SECRET = "workshop-template-system-database"


class _ReadNames(dict[str, str]):
    """An empty environment that remembers which names were asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: object = None) -> object:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)


def _setting_names() -> set[str]:
    """Every variable `Settings.from_env` reads."""
    environ = _ReadNames()
    Settings.from_env(environ)
    return environ.read


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Manifests]:
    """Each tree as kubectl renders it; the routes component inside an operator's overlay of production."""
    with_routes = write_kustomization(
        tmp_path_factory.mktemp("operator-overlay"),
        resources=[K8S / "overlays/production"],
        components=[K8S / "components/openshift-routes"],
    )
    folders = [K8S / "base", K8S / "overlays/development", K8S / "overlays/production", with_routes]
    return {tree: Manifests(render(folder)) for tree, folder in zip(TREES, folders, strict=True)}


@pytest.mark.parametrize("tree", TREES)
def test_every_tree_passes_strict_validation_against_kubernetes_1_32(rendered: dict[str, Manifests], tree: str) -> None:
    problems, unchecked = schema_problems(rendered[tree])
    assert problems == []
    # Only the OpenShift Route has no schema here; route_problems checks it instead.
    assert unchecked == ({"Route"} if "routes" in tree else set())


CHECKS: dict[str, Callable[[Manifests], list[str]]] = {
    "labels": label_problems,
    "selectors": selector_problems,
    "services": service_problems,
    "references": reference_problems,
    "workspace": lambda m: workspace_problems(m, agents=len(AGENT_NAMES)),
    "urls": lambda m: url_problems(m, {name: peer_url_variable(name) for name in AGENT_NAMES}),
    "network": lambda m: network_problems(m, PUBLIC),
    "milvus access": milvus_access_problems,
    "pod security": security_problems,
    "secrets": secret_problems,
    "images": image_problems,
    "scaling": scaling_problems,
    "settings": lambda m: env_name_problems(m, _setting_names(), SYSTEM_VARIABLES),
}


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("tree", TREES)
def test_what_schemas_cannot_see_holds(rendered: dict[str, Manifests], tree: str, check: str) -> None:
    assert CHECKS[check](rendered[tree]) == []


@pytest.fixture(scope="module")
def served(rendered: dict[str, Manifests], tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The GET paths of each agent's real app, built from its production environment (PostgreSQL URL included).

    Once per agent: the task store declares its table when the app is built, so a process builds each agent once.
    """
    manifests, paths = rendered["production"], {}
    for workload in manifests.agents():
        env = _environment(manifests, workload) | {"WORKSPACE_PATH": str(tmp_path_factory.mktemp("workspace"))}
        settings = Settings.from_env(env)
        app = create_app(AGENTS[agent_name(workload)], settings, settings.agent_public_url or "")
        paths[agent_name(workload)] = {r.path for r in app.routes if "GET" in (getattr(r, "methods", None) or ())}
    return paths


@pytest.mark.parametrize("tree", TREES[:3])
def test_each_agent_runs_the_deployment_command_and_its_probes_hit_real_routes(
    rendered: dict[str, Manifests], served: dict[str, set[str]], tree: str
) -> None:
    manifests = rendered[tree]
    assert sorted(agent_name(w) for w in manifests.agents()) == sorted(AGENT_NAMES)
    for workload in manifests.agents():
        name, container = agent_name(workload), pod_spec(workload)["containers"][0]
        assert container["command"] == [*DEPLOYMENT_COMMAND, "--agent-name", name, "--port", "8080"]
        assert workload["metadata"]["name"] == name.replace("_", "-")
        settings = Settings.from_env(_environment(manifests, workload))  # every value parses as the agent parses it
        assert settings.agent_public_url == f"http://{workload['metadata']['name']}/"
        assert probe_problems(workload, served[name]) == []


def test_development_runs_one_small_replica_of_each(rendered: dict[str, Manifests]) -> None:
    development, production = rendered["development"], rendered["production"]
    for workload in development.workloads():
        assert workload["spec"]["replicas"] == 1
        small, large = _requests(workload), _requests(production.get("Deployment", workload["metadata"]["name"]))
        assert small[0] < large[0] and small[1] < large[1], workload["metadata"]["name"]
    assert development.of_kind("HorizontalPodAutoscaler") == []


def test_production_scales_chat_and_keeps_every_agents_tasks_in_the_operators_database(
    rendered: dict[str, Manifests],
) -> None:
    production = rendered["production"]
    chat = production.get("Deployment", "workshop-chat")
    assert chat["spec"]["replicas"] == 3
    assert {c["topologyKey"] for c in pod_spec(chat)["topologySpreadConstraints"]} == {
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
    }
    assert production.get("HorizontalPodAutoscaler", "workshop-chat")["spec"]["minReplicas"] == 3
    assert production.get("Secret", DATABASE_SECRET) is None  # the operator's, never generated
    for workload in production.agents():
        variables = {v["name"]: v for v in pod_spec(workload)["containers"][0]["env"]}
        source = variables["TASK_STORE_URL"]["valueFrom"]["secretKeyRef"]
        assert (source["name"], source["key"]) == (DATABASE_SECRET, "url")
    for tree in ("base", "development"):
        assert all("TASK_STORE_URL" not in _names(w) for w in rendered[tree].agents())


def test_routes_component_exposes_only_chat_with_edge_tls(rendered: dict[str, Manifests]) -> None:
    assert route_problems(rendered["production+routes"], PUBLIC) == []
    assert all(rendered[tree].of_kind("Route") == [] for tree in ("base", "development", "production"))


def test_the_readme_tells_operators_about_each_overlay_the_database_secret_and_the_routes() -> None:
    readme = (K8S / "README.md").read_text()
    for needed in ("overlays/development", "overlays/production", "components/openshift-routes", DATABASE_SECRET):
        assert needed in readme
    assert "postgresql+asyncpg://" in readme


# The checks themselves fail on what they are for.


def test_strict_validation_rejects_a_misspelt_field_that_loose_validation_lets_through(tmp_path: Path) -> None:
    broken = write_kustomization(
        tmp_path / "broken",
        resources=[K8S / "base"],
        extra=(
            "patches:\n  - patch: |-\n"
            "      {apiVersion: apps/v1, kind: Deployment, metadata: {name: workshop-chat},\n"
            "       spec: {template: {spec: {containers: [{name: agent, readinesProbe: {periodSeconds: 5}}]}}}}\n"
        ),
    )
    manifests = Manifests(render(broken))
    problems, _ = schema_problems(manifests)
    assert len(problems) == 1 and "readinesProbe" in problems[0] and "workshop-chat" in problems[0]
    chat = manifests.get("Deployment", "workshop-chat")
    assert kubernetes_validate.validate(chat, KUBERNETES_VERSION, strict=False)  # why --strict matters


def _agent(m: Manifests) -> Object:
    return pod_spec(m.get("Deployment", "content-creator"))["containers"][0]


def _config(m: Manifests) -> dict[str, str]:
    return next(c for c in m.of_kind("ConfigMap") if "WORKSPACE_PATH" in c["data"])["data"]


def _unknown_target_port(m: Manifests) -> None:
    m.get("Service", "milvus")["spec"]["ports"][0]["targetPort"] = "web"


def _relabelled_pods(m: Manifests) -> None:
    m.get("Deployment", "source-manager")["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] = "x"


def _unknown_config_map(m: Manifests) -> None:
    _agent(m)["envFrom"][0]["configMapRef"]["name"] = "workshop-config"


def _wrong_peer_url(m: Manifests) -> None:
    _config(m)["WORKSHOP_CHAT_URL"] = "http://content-creator"


def _milvus_open_to_all(m: Manifests) -> None:
    m.get("NetworkPolicy", "milvus-from-workshop-chat")["spec"]["ingress"][0].pop("from")


def _agents_unprotected(m: Manifests) -> None:
    m.objects.remove(m.get("NetworkPolicy", "workshop-agents-from-agents"))


def _chat_cut_off_from_milvus(m: Manifests) -> None:
    source = m.get("NetworkPolicy", "milvus-from-workshop-chat")["spec"]["ingress"][0]["from"][0]["podSelector"]
    source["matchLabels"]["app.kubernetes.io/component"] = "source-manager"


def _fixed_user(m: Manifests) -> None:
    pod_spec(m.get("Deployment", "milvus"))["securityContext"]["runAsUser"] = 1000


def _writable_root(m: Manifests) -> None:
    _agent(m)["securityContext"].pop("readOnlyRootFilesystem")


def _secret_value(m: Manifests) -> None:
    m.of_kind("Secret")[0]["data"]["GITEA_TOKEN"] = "aHVudGVyMg=="  # base64 of a password


def _inline_token(m: Manifests) -> None:
    _agent(m)["env"].append({"name": "A2A_AUTH_TOKEN", "value": "x"})


def _latest_image(m: Manifests) -> None:
    _agent(m)["image"] = "workshop-template-system:latest"


def _budget_for_all_agents(m: Manifests) -> None:
    m.get("PodDisruptionBudget", "workshop-chat")["spec"]["selector"]["matchLabels"].pop("app.kubernetes.io/component")


def _single_writer_workspace(m: Manifests) -> None:
    m.get("PersistentVolumeClaim", "workshop-workspace")["spec"]["accessModes"] = ["ReadWriteOnce"]


def _unknown_setting(m: Manifests) -> None:
    _config(m)["WORKSPACE_DIR"] = "/workspace"


def _missing_label(m: Manifests) -> None:
    m.get("Service", "milvus")["metadata"]["labels"].pop("app.kubernetes.io/part-of")


BREAKS: dict[Callable[[Manifests], None], str] = {
    _unknown_target_port: "services",
    _relabelled_pods: "selectors",
    _unknown_config_map: "references",
    _wrong_peer_url: "urls",
    _milvus_open_to_all: "milvus access",
    _agents_unprotected: "network",
    _chat_cut_off_from_milvus: "network",
    _fixed_user: "pod security",
    _writable_root: "pod security",
    _secret_value: "secrets",
    _inline_token: "secrets",
    _latest_image: "images",
    _budget_for_all_agents: "scaling",
    _single_writer_workspace: "workspace",
    _unknown_setting: "settings",
    _missing_label: "labels",
}


@pytest.mark.parametrize("breaking", BREAKS, ids=lambda f: f.__name__.strip("_"))
def test_each_check_catches_the_break_it_is_for(rendered: dict[str, Manifests], breaking: Callable) -> None:
    broken = Manifests(copy.deepcopy(rendered["base"].objects))
    assert CHECKS[BREAKS[breaking]](broken) == []
    breaking(broken)
    assert CHECKS[BREAKS[breaking]](broken) != []


def test_a_probe_on_a_path_the_app_does_not_serve_is_caught(rendered: dict[str, Manifests]) -> None:
    workload = copy.deepcopy(rendered["base"].get("Deployment", "workshop-chat"))
    pod_spec(workload)["containers"][0]["readinessProbe"]["httpGet"]["path"] = "/ready"
    assert probe_problems(workload, {"/agent-card", "/readyz", "/healthz"}) != []


def test_a_route_to_a_private_agent_is_caught(rendered: dict[str, Manifests]) -> None:
    broken = Manifests(copy.deepcopy(rendered["production+routes"].objects))
    broken.get("Route", "workshop-chat")["spec"]["to"]["name"] = "source-manager"
    assert route_problems(broken, PUBLIC) != []


# Helpers


def _environment(manifests: Manifests, workload: Object) -> dict[str, str]:
    return environment(manifests, pod_spec(workload)["containers"][0], OPERATOR_SECRETS)


def _names(workload: Object) -> set[str]:
    return {v["name"] for v in pod_spec(workload)["containers"][0].get("env", [])}


def _requests(workload: Object) -> tuple[float, float]:
    requests = pod_spec(workload)["containers"][0]["resources"]["requests"]
    return _quantity(requests["cpu"]), _quantity(requests["memory"])


def _quantity(text: str) -> float:
    """A Kubernetes quantity (``250m``, ``1``, ``512Mi``, ``4Gi``) as a number."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text.removesuffix(suffix)) * factor
    return float(text)
