"""Outlines written by hand for the Showroom writer's tests, and helpers to build and read the result."""

from __future__ import annotations

import html
import re
from pathlib import Path

from workshop_template_system.integrations.antora import BuildReport, build_site, ensure_git_repository
from workshop_template_system.workshop.outline import Outline
from workshop_template_system.workshop.showroom import render_workshop, write_workshop

# A command whose braces are shell syntax: attribute substitution would swallow or warn about them.
HOME_COMMAND = "mkdir -p ${HOME}/.petclinic && find target -name '*.jar' -exec cp {} ${HOME}/.petclinic/ \\;"
# Uses a lab attribute, and shell syntax that the attribute substitution must leave alone.
LAB_COMMAND = "ssh {ssh_user}@bastion.{guid}.example.com 'ls ${HOME}/petclinic' 2>&1 | tee ssh.log"

JAVA_OUTLINE = {
    "title": "Spring PetClinic: build, run and deploy",
    "summary": (
        "Spring PetClinic is a sample application built with Spring Boot.\n\n"
        "It shows how the `Spring` stack fits together: a web layer, {id}-style path variables and a database."
    ),
    "audience": "Java developers who know Maven and want to see a Spring Boot application from source to cluster.",
    "duration_minutes": 75,
    "prerequisites": [
        {"name": "Java", "version": "17", "source_file": "pom.xml"},
        {"name": "Maven", "version": "3.9.6", "source_file": ".mvn/wrapper/maven-wrapper.properties"},
        {"name": "kubectl", "source_file": "k8s/deployment.yaml"},
        {"name": "curl"},
    ],
    "overview": [
        {
            "title": "Architecture",
            "text": "The application has three layers:\n\n- web controllers\n- services\n- repositories (JPA)",
            "source_file": "docs/architecture.md",
        }
    ],
    "modules": [
        {
            "id": "build",
            "title": "Build the application",
            "introduction": "PetClinic ships the Maven wrapper, so no Maven installation is needed.",
            "objectives": ["Compile PetClinic with the Maven wrapper", "Find the runnable JAR in `target/`"],
            "steps": [
                {
                    "title": "Package the application",
                    "text": "The Maven wrapper downloads the Maven version the project pins, then packages the JAR.",
                    "commands": ["./mvnw -q package"],
                    "source_file": "README.md",
                },
                {
                    "title": "Keep a copy of the JAR",
                    "text": "Copy the JAR into your home folder, so later modules find it.",
                    "commands": [HOME_COMMAND],
                    "source_file": "README.md",
                },
            ],
            "source_files": ["README.md", "pom.xml", "src/main/java/org/example/petclinic/__init__.java"],
            "verification": {"text": "The build leaves one JAR file:", "commands": ["ls target/*.jar"]},
        },
        {
            "id": "run",
            "title": "Run it locally",
            "objectives": ["Start the application on port 8080", "Check its health endpoint"],
            "steps": [
                {
                    "title": "Start the application",
                    "text": "Start the JAR; it listens on port 8080:",
                    "commands": ["java -jar target/app.jar --server.port=8080"],
                    "snippets": [{"language": "properties", "code": "server.port=8080\nspring.jpa.open-in-view=false"}],
                    "outcome": "The log ends with `Started PetClinicApplication`.",
                    "source_file": "README.md",
                },
                {
                    "title": "Ask for its health",
                    "text": "In a second terminal, ask the actuator for the status; it answers with JSON such as"
                    ' {"status": "UP"}.',
                    "commands": ["curl -s localhost:8080/actuator/health | jq .status"],
                    "source_file": "README.md",
                },
            ],
            "source_files": ["README.md", "src/main/resources/application.properties"],
            "verification": {
                "text": 'The health endpoint answers `"UP"`:',
                "commands": ["curl -s localhost:8080/actuator/health | jq -r .status"],
            },
        },
        {
            "id": "deploy",
            "title": "Deploy to Kubernetes",
            "objectives": ["Apply the manifests in `k8s/`", "See the pods start"],
            "steps": [
                {
                    "title": "Apply the manifests",
                    "text": "The `k8s/` folder holds a Deployment and a Service:",
                    "commands": ["kubectl apply -f k8s/", LAB_COMMAND],
                    "snippets": [
                        {"language": "yaml", "code": "apiVersion: apps/v1\nkind: Deployment\n---\nkind: Service"}
                    ],
                    "source_file": "k8s/README.md",
                }
            ],
            "source_files": ["k8s/deployment.yaml", "k8s/service.yaml"],
            "verification": {
                "text": "The deployment reports its replicas as available.",
                "commands": ["kubectl rollout status deployment/petclinic --timeout=120s"],
            },
        },
    ],
    "workflow": "new-workshop",
    "evidence": ["README.md", "pom.xml", "docs/"],
    "source": {
        "repository": "https://github.com/spring-projects/spring-petclinic.git",
        "ref": "main",
        "commit": "0123456789abcdef0123456789abcdef01234567",
    },
}


def java_outline(**changes: object) -> Outline:
    return Outline.model_validate({**JAVA_OUTLINE, **changes})


def outline_with_modules(count: int) -> Outline:
    """The Java outline's modules repeated under new ids, ``count`` in all."""
    modules = []
    for number in range(count):
        module = dict(JAVA_OUTLINE["modules"][number % 3])
        modules.append({**module, "id": f"part-{number + 1}", "title": f"{module['title']} ({number + 1})"})
    return java_outline(modules=modules)


def all_commands(outline: Outline) -> list[str]:
    return [
        command
        for module in outline.modules
        for command in [*(c for step in module.steps for c in step.commands), *module.verification.commands]
    ]


def publish(outline: Outline, folder: Path, cache: Path, **render: str | None) -> BuildReport:
    """Render, write and build ``outline`` into ``folder`` (a git repository, as Antora wants)."""
    write_workshop(render_workshop(outline, **render), folder)
    ensure_git_repository(folder)
    return build_site(folder, output_dir=folder.parent / f"{folder.name}-site", cache_dir=cache)


def execute_blocks(page_html: str) -> list[str]:
    """The text of every execute block of a built page, as the run button copies it."""
    blocks = re.findall(r'<div class="listingblock execute">.*?<code[^>]*>(.*?)</code>', page_html, re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in blocks]


def visible_text(page_html: str) -> str:
    """The article's text with tags removed, entities decoded and whitespace collapsed."""
    article = page_html.split('<article class="doc">', 1)[-1].split("</article>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())
