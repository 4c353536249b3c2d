"""Showroom workshops generated in code (seeded: the same bytes every run) for the chat benchmarks.

A workshop is ``site.yml``, ``content/antora.yml``, ``nav.adoc`` and pages of the Showroom template:
each page opens with a paragraph, then level-2 sections on one component of an application (prose,
a ``[source,bash,role=execute]`` block, more prose), so the chat index makes one chunk of the page's
opening and one of each section, every chunk under the 1,500 characters a part may hold. Questions
are asked about sections that exist ("How do I scale the ledger route?"), so ``ask`` finds them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

SECTIONS_PER_PAGE = 24
CHUNKS_PER_PAGE = SECTIONS_PER_PAGE + 1  # the page's opening is a chunk too

COMPONENTS = (
    *("ledger", "catalog", "checkout", "gateway", "inventory", "billing", "identity", "search", "shipping"),
    *("notifications", "reporting", "scheduler", "storefront", "recommendations", "audit", "pricing", "loyalty"),
    *("payments", "warehouse", "analytics", "ingest", "mailer", "profiles", "reviews", "tracking", "quotes"),
)
RESOURCES = (
    *("route", "deployment", "config map", "secret", "persistent volume claim", "service account", "pipeline"),
    *("build config", "image stream", "horizontal pod autoscaler", "network policy", "cron job", "service"),
    *("database", "message queue", "cache", "health probe", "log stream", "dashboard", "helm release"),
)
ACTIONS = (
    ("create", "oc create -f {slug}.yaml"),
    ("scale", "oc scale deployment/{slug} --replicas=3"),
    ("expose", "oc expose service/{slug} --port=8080"),
    ("inspect", "oc describe {kind}/{slug}"),
    ("update", "oc apply -f {slug}.yaml"),
    ("delete", "oc delete {kind}/{slug}"),
    ("debug", "oc debug deployment/{slug}"),
    ("monitor", "oc adm top pods -l app={slug}"),
    ("secure", "oc create secret generic {slug}-tls --from-file=tls.crt --from-file=tls.key"),
    ("roll back", "oc rollout undo deployment/{slug}"),
    ("back up", "oc exec deployment/{slug} -- pg_dump -Fc -f /tmp/{slug}.dump"),
    ("restart", "oc rollout restart deployment/{slug}"),
    ("label", "oc label {kind}/{slug} tier=backend --overwrite"),
    ("configure", "oc set env deployment/{slug} LOG_LEVEL=debug"),
    ("test", "curl -sf https://{slug}-{{project_name}}.{{cluster_domain}}/q/health"),
    ("tag", "oc tag {slug}:latest {slug}:v2"),
)
PROSE = (
    "the {component} service keeps its state in the {resource} so that a restart loses nothing",
    "every participant works in a project of their own named after the guid of the lab",
    "the console shows the {resource} of the {component} service under the workloads menu",
    "wait until the pods of the {component} service report ready before you go on",
    "when the command fails check that you are logged in to the cluster with the right user",
    "the {resource} is read again by the {component} service without a new build",
    "a label on the {resource} lets the dashboards group what belongs to the {component} service",
    "the operator watches the {resource} and brings the cluster back to the declared state",
    "you can run the same step again: it changes nothing when the {resource} is already right",
    "the {component} team owns this {resource} and reviews every change in a pull request",
    "the output lists each pod with its status, restarts and age",
    "write down the name the command prints, the next module uses it",
    "this step takes about a minute on the shared cluster, longer when many people run it at once",
    "the {resource} of the {component} service is namespaced, so it does not clash with the other labs",
)


@dataclass(frozen=True)
class Question:
    """A question about one section of a generated workshop."""

    workshop: str
    text: str


def slug(text: str) -> str:
    return text.replace(" ", "-")


def write_workshop(folder: Path, name: str, chunks: int, seed: int) -> list[Question]:
    """Write a workshop of about `chunks` chunks into `folder` (which must not exist); questions about its sections."""
    rng = random.Random(seed)
    pages = max(1, -(-chunks // CHUNKS_PER_PAGE))
    modules = folder / "content" / "modules" / "ROOT"
    (modules / "pages").mkdir(parents=True)
    (folder / "site.yml").write_text(
        f"site:\n  title: {name}\n  url: https://showroom.example.com/{name}\n  start_page: modules::page-001.adoc\n"
        "content:\n  sources:\n  - url: .\n    start_path: content\n    branches: HEAD\n"
    )
    (folder / "content" / "antora.yml").write_text(
        f"name: modules\ntitle: '{name}'\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\nasciidoc:\n  attributes:\n"
        f"    lab_name: '{name}'\n    guid: my-guid\n    project_name: {name}-{{guid}}\n"
        "    cluster_domain: apps.cluster-{guid}.example.com\n"
    )
    nav, questions = [], []
    remaining = chunks
    for number in range(1, pages + 1):
        sections = min(SECTIONS_PER_PAGE, remaining - 1)
        remaining -= sections + 1
        component = COMPONENTS[(number - 1) % len(COMPONENTS)]
        title = f"Module {number}: the {component} service, part {(number - 1) // len(COMPONENTS) + 1}"
        page, asked = _page(rng, name, title, component, sections)
        (modules / "pages" / f"page-{number:03}.adoc").write_text(page)
        nav.append(f"* xref:page-{number:03}.adoc[{title}]")
        questions.extend(asked)
    (modules / "nav.adoc").write_text("\n".join(nav) + "\n")
    rng.shuffle(questions)
    return questions


def _page(rng: random.Random, workshop: str, title: str, component: str, sections: int) -> tuple[str, list[Question]]:
    lines = [f"= {title}", "", _paragraph(rng, component, rng.choice(RESOURCES), 4), ""]
    questions = []
    pairs = [(action, resource) for action in ACTIONS for resource in RESOURCES]
    for action, resource in rng.sample(pairs, sections):
        verb, command = action
        kind = slug(resource).replace("-", "")
        name = f"{component}-{slug(resource)}"
        lines += [
            f"== {verb.capitalize()} the {component} {resource}",
            "",
            f"To {verb} the {resource} of the {component} service, run:",
            "",
            "[source,bash,role=execute,subs=attributes]",
            "----",
            command.format(slug=name, kind=kind),
            "----",
            "",
            _paragraph(rng, component, resource, rng.randint(4, 8)),
            "",
        ]
        questions.append(Question(workshop, f"How do I {verb} the {component} {resource}?"))
    return "\n".join(lines), questions


def _paragraph(rng: random.Random, component: str, resource: str, sentences: int) -> str:
    chosen = (rng.choice(PROSE).format(component=component, resource=resource) for _ in range(sentences))
    return " ".join(sentence[0].upper() + sentence[1:] + "." for sentence in chosen)
