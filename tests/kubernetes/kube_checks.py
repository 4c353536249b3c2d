"""What a schema cannot see in rendered manifests: selectors, references, ports, URLs, policies, pod security.

Every check takes a rendered tree (`Manifests`) and returns its problems as sentences; none means it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import kubernetes_validate
from kube_manifests import (
    Manifests,
    Object,
    agent_name,
    containers,
    decoded,
    environment,
    labels,
    pod_labels,
    pod_spec,
    selects,
)

KUBERNETES_VERSION = "1.32.0"
REQUIRED_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of")
SECRET_SETTINGS = frozenset({"A2A_AUTH_TOKEN", "GITEA_TOKEN", "MILVUS_TOKEN", "TASK_STORE_URL"})
POD_VOLUME_TYPES = frozenset({"configMap", "emptyDir", "persistentVolumeClaim", "secret", "projected", "downwardAPI"})
# The one Secret the operator creates (k8s/README.md), with an example of the value it documents.
OPERATOR_SECRETS = {
    "workshop-template-system-database": {"url": "postgresql+asyncpg://workshop:pw@postgres:5432/workshop"}
}
Predicate = Callable[[Object], bool]


def schema_problems(manifests: Manifests) -> tuple[list[str], set[str]]:
    """Strict validation against the Kubernetes schemas; also the kinds that have no schema there (CRDs)."""
    problems: list[str] = []
    unchecked: set[str] = set()
    for obj in manifests.objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            unchecked.add(obj["kind"])
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(str(part) for part in exc.path)
            problems.append(f"{_name(obj)} at {where or '(top)'}: {exc.message}")
    return problems, unchecked


def label_problems(manifests: Manifests) -> list[str]:
    """Deployments, their pods and Services carry the name, component and part-of labels."""
    labelled = [(_name(obj), labels(obj)) for obj in manifests.of_kind("Deployment") + manifests.of_kind("Service")]
    labelled += [(f"{_name(workload)} pods", pod_labels(workload)) for workload in manifests.workloads()]
    return [
        f"{where} lack labels {missing}"
        for where, found in labelled
        if (missing := [label for label in REQUIRED_LABELS if label not in found])
    ]


def selector_problems(manifests: Manifests) -> list[str]:
    """Each Deployment's selector matches its own pods and no other Deployment's."""
    problems = []
    for workload in manifests.workloads():
        selector = workload["spec"]["selector"]
        if set(selector) != {"matchLabels"}:
            problems.append(f"{_name(workload)}: use matchLabels only, got {sorted(selector)}")
        owners = manifests.pods_matching(selector.get("matchLabels") or {})
        if workload not in owners:
            problems.append(f"{_name(workload)}: selector {selector} does not match its pod labels")
        if len(owners) > 1:
            problems.append(f"{_name(workload)}: selector also matches {[_name(o) for o in owners if o != workload]}")
    return problems


def service_problems(manifests: Manifests) -> list[str]:
    """Each Service selects exactly one Deployment's pods and targets container ports they name."""
    problems = []
    for service in manifests.of_kind("Service"):
        targets = manifests.pods_matching(service["spec"].get("selector") or {})
        if len(targets) != 1:
            problems.append(f"{_name(service)} selects {len(targets)} Deployments, not one")
            continue
        names = _port_names(targets[0])
        for port in service["spec"]["ports"]:
            if port.get("targetPort") not in names:
                problems.append(f"{_name(service)} port {port.get('name')}: no container port {port.get('targetPort')}")
    return problems


def reference_problems(manifests: Manifests) -> list[str]:
    """Every ConfigMap, Secret (and key), claim and service account a pod names is in the tree.

    Only the Secret the operator creates (`OPERATOR_SECRETS`) may be missing from it.
    """
    problems = []
    for workload in manifests.workloads():
        spec = pod_spec(workload)
        account = spec.get("serviceAccountName")
        if account and manifests.get("ServiceAccount", account) is None:
            problems.append(f"{_name(workload)}: no ServiceAccount {account}")
        for kind, name, key in _references(workload):
            if not _resolves(manifests, kind, name, key):
                problems.append(f"{_name(workload)}: {kind} {name}" + (f" has no key {key}" if key else " is missing"))
    return problems


def workspace_problems(manifests: Manifests, agents: int) -> list[str]:
    """All agents mount one ReadWriteMany claim at their WORKSPACE_PATH, read-write."""
    problems, claims = [], set()
    for workload in manifests.agents():
        container = pod_spec(workload)["containers"][0]
        path = _env(manifests, workload).get("WORKSPACE_PATH")
        mount = next((m for m in container.get("volumeMounts", []) if m["mountPath"] == path), None)
        volume = _volume(workload, mount["name"]) if mount else None
        if not volume or "persistentVolumeClaim" not in volume or mount.get("readOnly"):
            problems.append(f"{_name(workload)}: no writable claim mounted at WORKSPACE_PATH={path}")
            continue
        claims.add(volume["persistentVolumeClaim"]["claimName"])
    if len(manifests.agents()) != agents or len(claims) != 1:
        problems.append(f"{len(manifests.agents())} agents share claims {sorted(claims)}; want {agents} on one")
    for claim in claims:
        found = manifests.get("PersistentVolumeClaim", claim)
        if found is None or found["spec"].get("accessModes") != ["ReadWriteMany"]:
            problems.append(f"workspace claim {claim} is missing or not ReadWriteMany")
    return problems


def url_problems(manifests: Manifests, agent_urls: dict[str, str]) -> list[str]:
    """Peer URLs, MILVUS_ENDPOINT and AGENT_PUBLIC_URL reach the Service of the right pods on a port it has.

    `agent_urls` maps each agent name to its peer-URL variable (``workshop_chat`` → ``WORKSHOP_CHAT_URL``).
    """
    problems = []
    milvus = manifests.get("Deployment", "milvus")
    for workload in manifests.agents():
        env = _env(manifests, workload)
        wanted: dict[str, Predicate] = {variable: _runs_agent(agent) for agent, variable in agent_urls.items()}
        wanted["AGENT_PUBLIC_URL"] = lambda target, me=workload: target is me
        wanted["MILVUS_ENDPOINT"] = lambda target: target is milvus
        for variable, is_right in wanted.items():
            if env.get(variable):
                problem = _url_problem(manifests, env[variable], is_right)
                if problem:
                    problems.append(f"{_name(workload)}: {variable}={env[variable]} {problem}")
    return problems


def network_problems(manifests: Manifests, public: set[str]) -> list[str]:
    """Policies select real pods; only `public` Deployments take outside traffic; every URL a pod uses is allowed."""
    problems = []
    for policy in manifests.of_kind("NetworkPolicy"):
        for selector in [policy["spec"]["podSelector"], *(peer for _, peer in _peers(policy))]:
            if not manifests.pods_matching(selector.get("matchLabels") or {}):
                problems.append(f"{_name(policy)}: selector {selector} matches no pods")
    for workload in manifests.workloads():
        rules = _ingress_rules(manifests, workload)
        if rules is None:
            problems.append(f"{_name(workload)}: no NetworkPolicy selects it, so it takes traffic from anywhere")
        elif any(source is None for source, _ in rules) != (workload["metadata"]["name"] in public):
            problems.append(f"{_name(workload)}: open to outside traffic is {workload['metadata']['name'] in public}")
    return problems + _blocked_calls(manifests)


def milvus_access_problems(manifests: Manifests) -> list[str]:
    """Milvus takes connections only from pods that are configured to use it (MILVUS_ENDPOINT)."""
    milvus = manifests.get("Deployment", "milvus")
    rules = _ingress_rules(manifests, milvus) if milvus else None
    if rules is None:
        return ["Milvus is missing or selected by no NetworkPolicy"]
    clients = [w for w in manifests.workloads() if _env(manifests, w).get("MILVUS_ENDPOINT")]
    problems = []
    for source, _ in rules:
        allowed = manifests.pods_matching(source) if source is not None else manifests.workloads()
        extra = [w for w in allowed if w not in clients]
        if source is None or extra:
            problems.append(f"Milvus is open to {[_name(w) for w in extra] or 'anyone'}, not only its clients")
    return problems


def security_problems(manifests: Manifests) -> list[str]:
    """Restricted Pod Security on every pod, no fixed user or fsGroup, read-only root with /tmp on an emptyDir."""
    problems = []
    for workload in manifests.workloads():
        spec, pod = pod_spec(workload), pod_spec(workload).get("securityContext") or {}
        problems += [f"{_name(workload)}: {p}" for p in _pod_security(spec, pod)]
        for container in containers(workload):
            context = container.get("securityContext") or {}
            found = _container_security(workload, container, context, pod)
            problems += [f"{_name(workload)} container {container['name']}: {p}" for p in found]
    return problems


def probe_problems(workload: Object, get_paths: set[str]) -> list[str]:
    """Startup on /agent-card, readiness on /readyz, liveness on /healthz: paths the app serves, ports it names."""
    wanted = {"startupProbe": "/agent-card", "readinessProbe": "/readyz", "livenessProbe": "/healthz"}
    problems = []
    container = pod_spec(workload)["containers"][0]
    for probe, path in wanted.items():
        action = (container.get(probe) or {}).get("httpGet") or {}
        if action.get("path") != path or path not in get_paths:
            problems.append(f"{_name(workload)}: {probe} path {action.get('path')!r}, want {path} served by the app")
        if action.get("port") not in _port_names(workload):
            problems.append(f"{_name(workload)}: {probe} port {action.get('port')!r} is not a named container port")
    return problems


def env_name_problems(manifests: Manifests, settings: set[str], system: set[str]) -> list[str]:
    """Agent containers set only variables the settings read (and the few the OS tools read)."""
    problems = []
    for workload in manifests.agents():
        unknown = set(_env(manifests, workload)) - settings
        if unknown - system:
            problems.append(f"{_name(workload)}: {sorted(unknown - system)} are not settings")
    return problems


def secret_problems(manifests: Manifests) -> list[str]:
    """Generated Secrets hold no values; secret settings come only from Secrets, never inline or a ConfigMap."""
    problems = [
        f"{_name(secret)} holds a value for {key}"
        for secret in manifests.of_kind("Secret")
        for key, value in decoded(secret).items()
        if value
    ]
    for config in manifests.of_kind("ConfigMap"):
        problems += [
            f"{_name(config)} holds secret setting {key}" for key in SECRET_SETTINGS & set(config.get("data") or {})
        ]
    for workload in manifests.workloads():
        for container in containers(workload):
            inline = {v["name"] for v in container.get("env", []) if "value" in v} & SECRET_SETTINGS
            problems += [f"{_name(workload)}: {name} is written inline" for name in sorted(inline)]
    return problems


def image_problems(manifests: Manifests) -> list[str]:
    """Every image names a tag that is not ``latest``; all agents run one image."""
    problems = []
    for workload in manifests.workloads():
        for container in containers(workload):
            image = container["image"]
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
            if tag in (None, "latest") and "@sha256:" not in image:
                problems.append(f"{_name(workload)}: image {image} is not pinned")
    agent_images = {pod_spec(w)["containers"][0]["image"] for w in manifests.agents()}
    if len(agent_images) != 1:
        problems.append(f"agents run {sorted(agent_images)}, not one image")
    return problems


def scaling_problems(manifests: Manifests) -> list[str]:
    """PDBs select exactly one Deployment's pods; HPAs target a Deployment with CPU requests, within their range."""
    problems = []
    for budget in manifests.of_kind("PodDisruptionBudget"):
        matched = manifests.pods_matching(budget["spec"]["selector"].get("matchLabels") or {})
        if len(matched) != 1:
            problems.append(f"{_name(budget)} selects {len(matched)} Deployments, not one")
    for scaler in manifests.of_kind("HorizontalPodAutoscaler"):
        spec, ref = scaler["spec"], scaler["spec"]["scaleTargetRef"]
        target = manifests.get(ref["kind"], ref["name"]) if ref.get("apiVersion") == "apps/v1" else None
        if target is None:
            problems.append(f"{_name(scaler)}: no {ref['kind']} {ref['name']}")
            continue
        if not spec.get("minReplicas", 1) <= target["spec"].get("replicas", 1) <= spec["maxReplicas"]:
            problems.append(f"{_name(scaler)}: {_name(target)} replicas outside {spec.get('minReplicas')}..")
        if not all((c.get("resources") or {}).get("requests", {}).get("cpu") for c in containers(target)):
            problems.append(f"{_name(scaler)}: {_name(target)} has no CPU request to scale on")
    return problems


def route_problems(manifests: Manifests, public: set[str]) -> list[str]:
    """OpenShift Routes (no schema here): route.openshift.io/v1, edge TLS redirecting HTTP, only to `public`."""
    known = {"host", "path", "to", "port", "tls", "wildcardPolicy", "alternateBackends", "subdomain"}
    problems = []
    routes = manifests.of_kind("Route")
    for route in routes:
        spec, name = route["spec"], _name(route)
        service = manifests.get("Service", spec["to"]["name"]) if spec.get("to", {}).get("kind") == "Service" else None
        if route["apiVersion"] != "route.openshift.io/v1" or set(spec) - known:
            problems.append(f"{name}: apiVersion {route['apiVersion']}, unknown fields {sorted(set(spec) - known)}")
        if service is None or service["metadata"]["name"] not in public:
            problems.append(f"{name}: goes to {spec.get('to')}, not a public Service")
        elif spec.get("port", {}).get("targetPort") not in {p.get("name") for p in service["spec"]["ports"]}:
            problems.append(f"{name}: targetPort {spec.get('port')} is not a port name of {_name(service)}")
        if spec.get("tls") != {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"}:
            problems.append(f"{name}: tls {spec.get('tls')}, want edge termination redirecting HTTP")
    if {route["spec"]["to"]["name"] for route in routes} != public:
        problems.append(f"Routes reach {sorted(r['spec']['to']['name'] for r in routes)}, want {sorted(public)}")
    return problems


# Helpers


def _name(obj: Object) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def _port_names(workload: Object) -> set[str]:
    return {port["name"] for container in containers(workload) for port in container.get("ports", []) if "name" in port}


def _volume(workload: Object, name: str) -> Object | None:
    return next((v for v in pod_spec(workload).get("volumes", []) if v["name"] == name), None)


def _env(manifests: Manifests, workload: Object) -> dict[str, str]:
    """The first container's environment, with the example value of the operator's Secret."""
    return environment(manifests, pod_spec(workload)["containers"][0], OPERATOR_SECRETS)


def _references(workload: Object) -> Iterator[tuple[str, str, str | None]]:
    for container in containers(workload):
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                yield "ConfigMap", source["configMapRef"]["name"], None
            if "secretRef" in source:
                yield "Secret", source["secretRef"]["name"], None
        for variable in container.get("env", []):
            source = variable.get("valueFrom") or {}
            if "configMapKeyRef" in source:
                yield "ConfigMap", source["configMapKeyRef"]["name"], source["configMapKeyRef"]["key"]
            if "secretKeyRef" in source:
                yield "Secret", source["secretKeyRef"]["name"], source["secretKeyRef"]["key"]
    for volume in pod_spec(workload).get("volumes", []):
        if "configMap" in volume:
            yield "ConfigMap", volume["configMap"]["name"], None
        if "secret" in volume:
            yield "Secret", volume["secret"]["secretName"], None
        if "persistentVolumeClaim" in volume:
            yield "PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"], None


def _resolves(manifests: Manifests, kind: str, name: str, key: str | None) -> bool:
    found = manifests.get(kind, name)
    if found is None:
        operator = OPERATOR_SECRETS.get(name) if kind == "Secret" else None
        return operator is not None and (key is None or key in operator)
    if key is None:
        return True
    return key in (decoded(found) if kind == "Secret" else found.get("data") or {})


def _runs_agent(agent: str) -> Predicate:
    def runs(target: Object) -> bool:
        return (
            labels(target).get("app.kubernetes.io/name") == "workshop-template-system" and agent_name(target) == agent
        )

    return runs


def _url_problem(manifests: Manifests, url: str, is_right: Predicate) -> str | None:
    parts = urlsplit(url)
    service = manifests.service_for(parts.hostname or "")
    if parts.scheme != "http" or service is None:
        return "is not http:// to a Service of this tree"
    port = parts.port or 80
    if port not in {p["port"] for p in service["spec"]["ports"]}:
        return f"uses port {port}, which {_name(service)} does not serve"
    targets = manifests.pods_matching(service["spec"].get("selector") or {})
    if len(targets) != 1 or not is_right(targets[0]):
        return f"reaches {[_name(t) for t in targets]}, the wrong pods"
    return None


def _peers(policy: Object) -> Iterator[tuple[Object, Object]]:
    for rule in policy["spec"].get("ingress", []):
        for peer in rule.get("from", []):
            yield rule, peer.get("podSelector") or {}


def _ingress_rules(manifests: Manifests, workload: Object) -> list[tuple[dict[str, str] | None, list]] | None:
    """(source selector or None for anyone, ports) of every rule that applies to the workload's pods; None if open."""
    policies = [
        p
        for p in manifests.of_kind("NetworkPolicy")
        if "Ingress" in p["spec"].get("policyTypes", ["Ingress"])
        and selects(p["spec"]["podSelector"].get("matchLabels") or {}, pod_labels(workload))
    ]
    if not policies:
        return None
    rules: list[tuple[dict[str, str] | None, list]] = []
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            ports = [p["port"] for p in rule.get("ports", [])]
            peers = rule.get("from")
            if not peers:
                rules.append((None, ports))
            for peer in peers or []:
                only_pods = set(peer) == {"podSelector"}
                rules.append((peer["podSelector"].get("matchLabels") if only_pods else None, ports))
    return rules


def _blocked_calls(manifests: Manifests) -> list[str]:
    """Each URL a pod is given that leads to a Service here is allowed by the target pods' policies."""
    problems = []
    for client in manifests.workloads():
        for variable, url in _env(manifests, client).items():
            parts = urlsplit(url)
            service = manifests.service_for(parts.hostname or "") if parts.scheme in ("http", "https") else None
            if service is None:
                continue
            targets = manifests.pods_matching(service["spec"].get("selector") or {})
            port = next((p for p in service["spec"]["ports"] if p["port"] == (parts.port or 80)), None)
            for target in targets:
                rules = _ingress_rules(manifests, target) or [(None, [])]
                if port is None or not any(
                    (source is None or selects(source, pod_labels(client)))
                    and (not ports or port["targetPort"] in ports)
                    for source, ports in rules
                ):
                    problems.append(f"{_name(client)}: {variable}={url} is blocked by {_name(target)}'s policies")
    return problems


def _pod_security(spec: Object, pod: Object) -> Iterator[str]:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            yield f"{field} is on"
    for field in ("runAsUser", "runAsGroup", "fsGroup"):
        if field in pod:
            yield f"fixes {field} (OpenShift assigns it)"
    for volume in spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= POD_VOLUME_TYPES:
            yield f"volume {volume['name']} of type {sorted(kinds)} is not allowed"


def _container_security(workload: Object, container: Object, context: Object, pod: Object) -> Iterator[str]:
    capabilities = context.get("capabilities") or {}
    seccomp = (context.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
    if context.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
        yield "runAsNonRoot is not true"
    if "runAsUser" in context or "runAsGroup" in context:
        yield "fixes its user (OpenShift assigns it)"
    if context.get("allowPrivilegeEscalation") is not False or context.get("privileged"):
        yield "may escalate privileges"
    if "ALL" not in capabilities.get("drop", []) or set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
        yield f"capabilities {capabilities}, want drop ALL"
    if seccomp not in ("RuntimeDefault", "Localhost"):
        yield f"seccomp profile {seccomp}, want RuntimeDefault"
    if context.get("readOnlyRootFilesystem") is not True:
        yield "root filesystem is writable"
    if any(port.get("hostPort") for port in container.get("ports", [])):
        yield "uses a hostPort"
    tmp = next((m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"), None)
    if tmp is None or "emptyDir" not in (_volume(workload, tmp["name"]) or {}):
        yield "no emptyDir at /tmp for a read-only root"
