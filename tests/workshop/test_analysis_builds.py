"""Build systems, deployment files and tutorial formats, each from a small repository folder."""

from __future__ import annotations

import json
from pathlib import Path

from workshop_repos import write_files

from workshop_template_system.workshop import Analysis, analyze_repository


def analyse(root: Path, files: dict[str, str]) -> Analysis:
    write_files(root, files)
    return analyze_repository(root, source=root.name)


def prerequisites(analysis: Analysis) -> dict[str, tuple[str | None, str | None]]:
    return {item.name: (item.version, item.source_file) for item in analysis.prerequisites}


def test_gradle_kotlin_dsl_with_spring_boot_and_a_toolchain(tmp_path: Path) -> None:
    analysis = analyse(
        tmp_path / "gradle-app",
        {
            "build.gradle.kts": (
                'plugins {\n    java\n    id("org.springframework.boot") version "3.3.0"\n'
                '    id("io.spring.dependency-management") version "1.1.5"\n}\n'
                "java {\n    toolchain {\n        languageVersion = JavaLanguageVersion.of(21)\n    }\n}\n"
                'dependencies {\n    implementation("org.springframework.boot:spring-boot-starter-web")\n'
                '    testImplementation("org.junit.jupiter:junit-jupiter:5.10.2")\n}\n'
            ),
            "settings.gradle.kts": 'rootProject.name = "gradle-app"\n',
            "gradlew": "#!/bin/sh\n",
            "gradle/wrapper/gradle-wrapper.properties": (
                "distributionUrl=https\\://services.gradle.org/distributions/gradle-8.7-bin.zip\n"
            ),
            "src/main/kotlin/App.kt": 'fun main() = println("hi")\n',
        },
    )
    gradle = analysis.build_systems[0]
    assert (gradle.name, gradle.build_command, gradle.run_command) == ("gradle", "./gradlew build", "./gradlew bootRun")
    assert {(framework.name, framework.version) for framework in analysis.frameworks} == {
        ("Spring Boot", "3.3.0"),
        ("JUnit 5", "5.10.2"),
    }
    assert prerequisites(analysis)["Java"] == ("21", "build.gradle.kts")
    assert prerequisites(analysis)["Gradle"] == ("8.7", "gradle/wrapper/gradle-wrapper.properties")
    assert analysis.primary_language == "Kotlin"
    # No README: the build system's commands make the one module.
    module = analysis.outline.modules[0]
    assert module.title == "Build the project with gradle"
    assert [step.commands for step in module.steps] == [["./gradlew build"], ["./gradlew test"], ["./gradlew bootRun"]]
    assert module.verification is not None and module.verification.commands == ["./gradlew test"]


def test_maven_properties_resolve_and_quarkus_is_found(tmp_path: Path) -> None:
    pom = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <properties>
    <maven.compiler.release>${java.level}</maven.compiler.release>
    <java.level>21</java.level>
    <quarkus.platform.version>3.10.0</quarkus.platform.version>
  </properties>
  <dependencyManagement><dependencies><dependency>
    <groupId>io.quarkus.platform</groupId><artifactId>quarkus-bom</artifactId>
    <version>${quarkus.platform.version}</version>
  </dependency></dependencies></dependencyManagement>
  <build><plugins><plugin><artifactId>quarkus-maven-plugin</artifactId></plugin></plugins></build>
</project>"""
    analysis = analyse(tmp_path / "quarkus-app", {"pom.xml": pom, "broken/pom.xml": "<project"})
    assert prerequisites(analysis)["Java"] == ("21", "pom.xml")
    assert [(framework.name, framework.version) for framework in analysis.frameworks] == [("Quarkus", "3.10.0")]
    assert analysis.build_systems[0].run_command == "mvn quarkus:dev"
    assert analysis.build_systems[0].files == ["pom.xml"]


def test_go_module_with_a_main_package(tmp_path: Path) -> None:
    analysis = analyse(
        tmp_path / "go-api",
        {
            "go.mod": (
                "module example.com/api\n\ngo 1.22.3\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n"
                "\tgithub.com/stretchr/testify v1.9.0 // indirect\n)\n"
            ),
            "main.go": "package main\n\nfunc main() {}\n",
            "handlers/handlers_test.go": "package handlers\n",
        },
    )
    go = analysis.build_systems[0]
    assert (go.test_command, go.run_command) == ("go test ./...", "go run .")
    assert prerequisites(analysis)["Go"] == ("1.22.3", "go.mod")
    assert {(framework.name, framework.kind) for framework in analysis.frameworks} == {
        ("Gin", "application"),
        ("testify", "test"),
    }
    assert analysis.tests == ["handlers"]


def test_cargo_and_python_setup_cfg_with_requirements(tmp_path: Path) -> None:
    rust = analyse(
        tmp_path / "rust-cli",
        {
            "Cargo.toml": '[package]\nname = "cli"\nrust-version = "1.75"\n\n[dependencies]\naxum = "0.7"\n',
            "src/main.rs": "fn main() {}\n",
        },
    )
    assert prerequisites(rust)["Rust"] == ("1.75", "Cargo.toml")
    assert rust.build_systems[0].run_command == "cargo run"
    assert rust.frameworks[0].name == "Axum"

    python = analyse(
        tmp_path / "flask-app",
        {
            "setup.cfg": "[options]\npython_requires = >=3.9\ninstall_requires =\n    Flask>=3.0\n",
            "requirements-dev.txt": "-r requirements.txt\npytest==8.2.0  # tests\n",
            "manage.py": "",
        },
    )
    assert prerequisites(python)["Python"] == (">=3.9", "setup.cfg")
    assert {(framework.name, framework.version) for framework in python.frameworks} == {
        ("Flask", ">=3.0"),
        ("pytest", "==8.2.0"),
    }
    system = python.build_systems[0]
    assert (system.install_command, system.test_command, system.run_command) == (
        "pip install -e .",
        "pytest",
        "python manage.py runserver",
    )


def test_helm_openshift_kustomize_and_compose(tmp_path: Path) -> None:
    analysis = analyse(
        tmp_path / "deploy",
        {
            "chart/Chart.yaml": 'apiVersion: v2\nname: shop\nversion: 0.4.1\nappVersion: "2.0"\n',
            "chart/templates/deployment.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
            ),
            "openshift/route.yaml": "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: shop\n",
            "k8s/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
            "compose.yaml": "services:\n  web:\n    image: shop\n",
            "Containerfile": "FROM --platform=linux/amd64 golang:1.22 AS build\nFROM scratch\nEXPOSE 8080 8443/tcp\n",
            "values.yaml": "replicas: 2\n",
        },
    )
    deployment = analysis.deployment
    assert [(chart.name, chart.version, chart.app_version) for chart in deployment.helm_charts] == [
        ("shop", "0.4.1", "2.0")
    ]
    assert [(manifest.file, manifest.kinds) for manifest in deployment.kubernetes] == [
        ("openshift/route.yaml", ["Route"])
    ]
    assert deployment.openshift and deployment.kustomizations == ["k8s/kustomization.yaml"]
    assert deployment.compose_files == ["compose.yaml"]
    assert deployment.containerfiles[0].base_images == ["golang:1.22", "scratch"]
    assert deployment.containerfiles[0].ports == [8080, 8443]
    tools = prerequisites(analysis)
    assert tools["Helm"] == (">=3", "chart/Chart.yaml")
    assert {"OpenShift CLI (oc)", "Podman or Docker"} <= tools.keys() and "kubectl" not in tools


def test_sphinx_pages_follow_the_toctree(tmp_path: Path) -> None:
    analysis = analyse(
        tmp_path / "sphinx-docs",
        {
            "docs/conf.py": "project = 'Tool'\n",
            "docs/index.rst": (
                "Tool\n====\n\nA tool for things.\n\n.. toctree::\n   :maxdepth: 2\n\n   Getting started <start>\n"
                "   usage.rst\n   https://example.com\n   missing\n"
            ),
            "docs/start.rst": "Getting started\n===============\n\n.. code-block:: bash\n\n   pip install tool\n",
            "docs/usage.rst": "Usage\n=====\n\nRun it::\n\n   tool --run\n",
            "docs/zzz.rst": "Other\n=====\n",
        },
    )
    assert [(found.name, found.evidence) for found in analysis.formats] == [
        ("sphinx", ["docs/conf.py", "docs/index.rst"])
    ]
    assert [module.source_files[0] for module in analysis.outline.modules] == ["docs/start.rst", "docs/usage.rst"]
    assert [module.steps[0].commands for module in analysis.outline.modules] == [["pip install tool"], []]
    assert analysis.outline.modules[1].steps[0].snippets[0].code == "tool --run"


def test_notebooks_become_modules_in_file_order(tmp_path: Path) -> None:
    def notebook(title: str, command: str) -> str:
        cells = [
            {"cell_type": "markdown", "source": f"# {title}\n\nFirst install:"},
            {"cell_type": "code", "source": f"!{command}\nprint('ok')"},
        ]
        return json.dumps({"metadata": {"kernelspec": {"language": "python"}}, "cells": cells})

    analysis = analyse(
        tmp_path / "notebooks",
        {
            "02-train.ipynb": notebook("Train", "pip install torch"),
            "01-explore.ipynb": notebook("Explore", "pip install pandas"),
            ".ipynb_checkpoints/01-explore-checkpoint.ipynb": notebook("Old", "pip install old"),
        },
    )
    assert analysis.notebooks == ["01-explore.ipynb", "02-train.ipynb"]
    assert analysis.formats[0].name == "jupyter" and analysis.workflow == "new-workshop"
    outline = analysis.outline
    assert [module.title for module in outline.modules] == ["Explore", "Train"]
    assert outline.modules[0].steps[0].commands == ["pip install pandas"]
    assert outline.modules[0].steps[0].snippets[0].code == "print('ok')"
    assert outline.audience == "Python developers and data scientists working in Jupyter notebooks"


def test_mkdocs_without_nav_uses_the_docs_folder_in_file_order(tmp_path: Path) -> None:
    analysis = analyse(
        tmp_path / "site",
        {
            "mkdocs.yml": "site_name: Site\ndocs_dir: pages\ntheme:\n  name: !ENV [THEME, material]\n",
            "pages/index.md": "# Home\n\n```bash\nmake serve\n```\n",
            "pages/b.md": "# B\n\n```bash\nmake b\n```\n",
            "pages/a.md": "# A\n\n```bash\nmake a\n```\n",
        },
    )
    assert [module.title for module in analysis.outline.modules] == ["Home", "A", "B"]


def test_a_verify_section_is_the_modules_check(tmp_path: Path) -> None:
    readme = (
        "# App\n\n## Deploy\n\nIn this part you will learn to:\n\n- Deploy the app\n\n"
        "```bash\nhelm install shop ./chart\n```\n\n### Verify\n\nThe pods are running:\n\n"
        "```bash\nkubectl get pods -l app=shop\n```\n"
    )
    module = analyse(tmp_path / "app", {"README.md": readme}).outline.modules[0]
    assert module.objectives == ["Deploy the app"]
    assert [(step.title, step.commands) for step in module.steps] == [
        ("Run `helm install shop ./chart`", ["helm install shop ./chart"])
    ]
    assert module.verification is not None
    assert (module.verification.text, module.verification.commands) == (
        "The pods are running:",
        ["kubectl get pods -l app=shop"],
    )
    assert module.derived == []


def test_an_antora_component_at_the_root_with_two_modules(tmp_path: Path) -> None:
    analysis = analyse(
        tmp_path / "docs-site",
        {
            "antora.yml": "name: docs\ntitle: Docs\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n",
            "modules/ROOT/nav.adoc": "* xref:index.adoc[Home]\n* xref:labs:first.adoc#top[First lab]\n",
            "modules/ROOT/pages/index.adoc": "= Home\n\nWelcome.\n",
            "modules/labs/pages/first.adoc": "= First lab\n\n[source,bash]\n----\noc new-project lab\n----\n",
        },
    )
    assert analysis.workflow == "enhance-existing"
    assert [module.source_files[0] for module in analysis.outline.modules] == [
        "modules/ROOT/pages/index.adoc",
        "modules/labs/pages/first.adoc",
    ]
