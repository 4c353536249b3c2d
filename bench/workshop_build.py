"""Generate and build a 10-module workshop; our Antora wrapper against the same Antora command run raw.

A small Spring service is generated whose README has ten sections of steps (sub-sections, prose,
bash blocks, a YAML snippet, "Verify" sub-sections), plus an overview and a license section. It is
analysed with ``analyze_repository`` (ten modules), rendered with ``render_workshop`` and written
with ``write_workshop`` (median of RENDER_RUNS, each into a fresh folder), made a git repository
with ``ensure_git_repository``, and built:

- **ours:** ``build_site(folder, output_dir=..., cache_dir=...)``: the pinned Antora 3.1.15 with our
  UI bundle, JSON log on stdout parsed into diagnostics.
- **baseline:** the same ``node_modules/.bin/antora generate site.yml`` command line that
  ``build_site`` runs (same flags, same UI bundle, same cache folder), run with `subprocess.run`.

One warm-up build (``build_site``), then BUILD_RUNS rounds of one build each, the order swapped
every round; medians. Every build must finish
with no diagnostic at all, and ``check_workshop`` must find nothing. Run alone with
``python bench/workshop_build.py``.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from report import Row, ratio, table
from samples import spring_pom
from workshop_template_system.integrations import antora
from workshop_template_system.integrations.antora import BuildReport, build_site, ensure_git_repository
from workshop_template_system.workshop import Analysis, analyze_repository
from workshop_template_system.workshop.showroom import check_workshop, render_workshop, write_workshop

MODULES = 10
RENDER_RUNS = 5
BUILD_RUNS = 3
SOURCE = "https://github.com/example/inventory-service.git"
FENCE = "```"

# The README's ten sections of steps: title, then (sub-heading, text, commands) per step.
SECTIONS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Build the service",
        [
            ("Get the code", "Clone the repository and go into it:", f"git clone {SOURCE}\ncd inventory-service"),
            ("Package it", "The Maven wrapper fetches the Maven the project pins, then builds:", "./mvnw -B package"),
        ],
    ),
    (
        "Start the database",
        [
            (
                "Run PostgreSQL",
                "The service keeps its stock in PostgreSQL; start one in a container:",
                "podman run -d --name inventory-db -e POSTGRES_PASSWORD=secret -p 5432:5432 postgres:16",
            ),
            (
                "Load the schema",
                "Load the tables and a few products:",
                "psql -h localhost -U postgres -f db/schema.sql",
            ),
        ],
    ),
    (
        "Run the application",
        [
            ("Start it", "Start the JAR; it listens on port 8080:", "java -jar target/inventory-service-1.0.0.jar"),
            (
                "Ask for the stock",
                "In a second terminal, ask for one product:",
                "curl -s localhost:8080/api/stock/42 | jq .",
            ),
        ],
    ),
    (
        "Run the tests",
        [
            ("Unit tests", "The unit tests need nothing running:", "./mvnw -B test"),
            ("Integration tests", "These start their own database with Testcontainers:", "./mvnw -B verify -Pit"),
        ],
    ),
    (
        "Build the container image",
        [
            ("Build the image", "The Dockerfile copies the JAR onto UBI OpenJDK:", "podman build -t inventory:1.0.0 ."),
            ("Try the image", "Run the image once to see it start:", "podman run --rm -p 8080:8080 inventory:1.0.0"),
        ],
    ),
    (
        "Push the image to Quay",
        [
            ("Log in", "Log in to the registry with your robot account:", "podman login quay.io"),
            (
                "Push it",
                "Tag the image with your organisation and push it:",
                "podman tag inventory:1.0.0 quay.io/example/inventory-service:1.0.0\n"
                "podman push quay.io/example/inventory-service:1.0.0",
            ),
        ],
    ),
    (
        "Deploy to OpenShift",
        [
            ("Create a project", "Create a project for the service:", "oc new-project inventory"),
            ("Apply the manifests", "The `k8s/` folder holds a Deployment and a Service:", "oc apply -f k8s/"),
        ],
    ),
    (
        "Expose the route",
        [
            ("Create the route", "Expose the Service outside the cluster:", "oc expose service/inventory-service"),
            (
                "Call it",
                "Read the host name of the route and call the service through it:",
                "curl -s http://$(oc get route inventory-service -o jsonpath='{.spec.host}')/api/stock/42",
            ),
        ],
    ),
    (
        "Scale the deployment",
        [
            (
                "Add replicas",
                "It keeps no state, so it scales out:",
                "oc scale deployment/inventory-service --replicas=3",
            ),
            ("Watch the pods", "Watch the new pods start:", "oc get pods -l app=inventory-service -w"),
        ],
    ),
    (
        "Observe the metrics",
        [
            (
                "Read the metrics",
                "The actuator exposes Prometheus metrics:",
                "curl -s localhost:8080/actuator/prometheus | grep http_server_requests",
            ),
            (
                "Follow the logs",
                "Follow the logs of every replica:",
                "oc logs -f deployment/inventory-service --all-containers",
            ),
        ],
    ),
]

POM = spring_pom("inventory-service", "1.0.0", ("web", "actuator"))


def readme() -> str:
    parts = [
        "# Inventory Service\n\nA Spring Boot service that tracks the stock of every product in the warehouse.\n",
        "## Overview\n\nThe service exposes a REST API under `/api/stock`, keeps its data in PostgreSQL and "
        "publishes Prometheus metrics through the actuator. It holds no state of its own, so any number of "
        "replicas can run behind one Kubernetes Service.\n",
    ]
    for title, steps in SECTIONS:
        parts.append(f"## {title}\n\nThis part takes a few minutes.\n")
        for heading, text, commands in steps:
            parts.append(f"### {heading}\n\n{text}\n\n{FENCE}bash\n{commands}\n{FENCE}\n")
        if title == "Deploy to OpenShift":
            parts.append(f"The Deployment looks like this:\n\n{FENCE}yaml\n{DEPLOYMENT}{FENCE}\n")
        parts.append(f"### Verify\n\nCheck that it worked:\n\n{FENCE}bash\n{steps[-1][2].splitlines()[-1]}\n{FENCE}\n")
    parts.append("## License\n\nApache License 2.0.\n")
    return "\n".join(parts)


DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: inventory-service\nspec:\n  replicas: 1\n"
    "  template:\n    spec:\n      containers:\n        - name: inventory-service\n"
    "          image: quay.io/example/inventory-service:1.0.0\n"
)
FILES = {
    "pom.xml": POM,
    "mvnw": '#!/bin/sh\nexec mvn "$@"\n',
    ".mvn/wrapper/maven-wrapper.properties": "distributionUrl=https://repo.maven.apache.org/maven2/org/apache/maven/"
    "apache-maven/3.9.6/apache-maven-3.9.6-bin.zip\n",
    "Dockerfile": "FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.18\nCOPY target/*.jar /deployments/\n",
    "k8s/deployment.yaml": DEPLOYMENT,
    "k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: inventory-service\n",
    "db/schema.sql": "CREATE TABLE stock (product_id bigint PRIMARY KEY, quantity int NOT NULL);\n",
    "src/main/resources/application.properties": "server.port=8080\nmanagement.endpoints.web.exposure.include=*\n",
    "src/main/java/com/example/inventory/InventoryApplication.java": (
        "package com.example.inventory;\n\n@SpringBootApplication\npublic class InventoryApplication {}\n"
    ),
}


def generated_repository(root: Path) -> None:
    for relative, text in {"README.md": readme(), **FILES}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def raw_antora(folder: Path, site_dir: Path, cache_dir: Path) -> float:
    """The command line `build_site` runs, run directly; its seconds. It must exit 0 having logged nothing."""
    command = [str(antora.DEFAULT_ANTORA_BIN), "generate", antora.DEFAULT_PLAYBOOK, "--to-dir", str(site_dir)]
    command += ["--clean", "--ui-bundle-url", str(antora.DEFAULT_UI_BUNDLE.resolve()), "--asciidoc-sourcemap"]
    command += [*antora._LOG_OPTIONS, "--cache-dir", str(cache_dir)]
    started = time.monotonic()  # as build_site times itself
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120, check=False)
    seconds = time.monotonic() - started
    logged = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 or logged:
        raise RuntimeError(f"raw Antora exited {result.returncode} and logged {logged} {result.stderr}")
    return seconds


def checked(report: BuildReport) -> BuildReport:
    if not report.ok or report.diagnostics:
        raise RuntimeError(f"build_site reported {[str(diagnostic) for diagnostic in report.diagnostics]}")
    return report


def run() -> list[Row]:
    """Generate the workshop, then time build_site against the raw Antora command."""
    with tempfile.TemporaryDirectory(prefix="bench-workshop-") as name:
        root = Path(name)
        repository, cache = root / "inventory-service", root / "antora-cache"
        generated_repository(repository)

        def analyse() -> Analysis:
            return analyze_repository(repository, source=SOURCE, ref="main", commit="0123456789abcdef" * 2 + "01234567")

        analysis_times = []
        for _ in range(RENDER_RUNS):
            started = time.perf_counter()
            analysis = analyse()
            analysis_times.append(time.perf_counter() - started)
        outline = analysis.outline
        if len(outline.modules) != MODULES:
            raise RuntimeError(f"expected {MODULES} modules, got {[module.title for module in outline.modules]}")

        render_times = []
        for index in range(RENDER_RUNS):
            folder = root / f"workshop-{index}"
            started = time.perf_counter()
            files = render_workshop(outline)
            write_workshop(files, folder)
            render_times.append(time.perf_counter() - started)
            if index < RENDER_RUNS - 1:
                shutil.rmtree(folder)
        started = time.perf_counter()
        ensure_git_repository(folder)
        git_seconds = time.perf_counter() - started
        findings = check_workshop(folder)

        ours_site, raw_site = root / "site-ours", root / "site-raw"
        first = checked(build_site(folder, output_dir=ours_site, cache_dir=cache))  # warm-up, checked like the rest
        ours: list[float] = []
        raw: list[float] = []
        for round_number in range(BUILD_RUNS):
            for which in ("ours", "raw") if round_number % 2 else ("raw", "ours"):
                if which == "ours":
                    ours.append(checked(build_site(folder, output_dir=ours_site, cache_dir=cache)).seconds)
                else:
                    raw.append(raw_antora(folder, raw_site, cache))
        pages = sorted(path.name for path in (first.site_dir / "modules").glob("*.html"))
        raw_pages = sorted(path.name for path in (raw_site / "modules").glob("*.html"))
        if len(pages) != MODULES + 2 or raw_pages != pages:  # the modules, the introduction, the conclusion
            raise RuntimeError(f"built pages: ours {pages}, raw {raw_pages}")

    analysed, rendered = statistics.median(analysis_times), statistics.median(render_times)
    built, baseline = statistics.median(ours), statistics.median(raw)
    total = analysed + rendered + git_seconds + built
    steps = sum(len(module.steps) for module in outline.modules)
    print(
        f"\nWorkshop build: {len(outline.modules)} modules, {steps} steps, {len(files)} files rendered "
        f"({sum(len(text) for text in files.values()) / 1e3:.0f} kB); {len(pages)} HTML pages built "
        f"(raw Antora: {len(raw_pages)}); Antora {antora_version()}"
    )
    print(
        f"diagnostics: 0 from build_site in {1 + BUILD_RUNS} builds, 0 log lines from raw Antora in "
        f"{BUILD_RUNS} builds; check_workshop findings: {len(findings)}"
    )
    cells = [
        ["analyze_repository (10-section README)", f"{analysed:.3f}", f"{min(analysis_times):.3f}", str(RENDER_RUNS)],
        ["render_workshop + write_workshop", f"{rendered:.3f}", f"{min(render_times):.3f}", str(RENDER_RUNS)],
        ["ensure_git_repository", f"{git_seconds:.3f}", f"{git_seconds:.3f}", "1"],
        ["build_site (project)", f"{built:.3f}", f"{min(ours):.3f}", str(BUILD_RUNS)],
        ["node_modules/.bin/antora generate (raw)", f"{baseline:.3f}", f"{min(raw):.3f}", str(BUILD_RUNS)],
        ["generate + build_site, total", f"{total:.3f}", "-", "-"],
    ]
    print(table(["step", "median s", "min s", "runs"], cells))
    print(f"build_site / raw Antora = {built / baseline:.2f}; generate + build / raw Antora = {total / baseline:.2f}")
    if findings:
        raise RuntimeError(f"check_workshop found {[str(finding) for finding in findings]}")
    return [
        Row(f"workshop {MODULES} modules build_site s", f"{built:.2f}", f"{baseline:.2f}", ratio(built, baseline)),
        Row(f"workshop {MODULES} modules generate+build s", f"{total:.2f}", f"{baseline:.2f}", ratio(total, baseline)),
    ]


def antora_version() -> str:
    """The version of ``@antora/cli`` installed in node_modules."""
    manifest = antora.PROJECT_ROOT / "node_modules" / "@antora" / "cli" / "package.json"
    return str(json.loads(manifest.read_text())["version"])


if __name__ == "__main__":
    from report import rows_table

    print(rows_table(run()))
