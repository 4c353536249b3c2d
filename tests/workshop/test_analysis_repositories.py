"""Analysis of real clones: a Spring app, a Node app with a tutorial, a Python package, a Showroom workshop."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from workshop_repos import CloneRepo, MakeRepo
from workshop_samples import NODE_APP, NODE_TUTORIAL, PYTHON_PACKAGE, SHOWROOM_WORKSHOP, SPRING_APP

from workshop_template_system.integrations.git import ClonedRepository
from workshop_template_system.workshop import Analysis, Outline, Verification, analyze_repository

PLACEHOLDERS = re.compile(r"\bTODO\b|(?i:lorem ipsum|\[content to be|key benefit \d)")


def analysed(make_repo: MakeRepo, clone_repo: CloneRepo, name: str, files: dict[str, str]) -> Analysis:
    cloned: ClonedRepository = clone_repo(make_repo(name, files))
    analysis = analyze_repository(cloned.path, source=cloned.source, ref=cloned.ref, commit=cloned.commit)
    document = analysis.model_dump(mode="json")
    assert Analysis.model_validate(json.loads(json.dumps(document))) == analysis  # the artifact round-trips
    assert not PLACEHOLDERS.search(json.dumps(document))
    assert analysis.source.commit == cloned.commit and analysis.source.ref == "main"
    return analysis


def all_commands(outline: Outline) -> list[str]:
    return [command for module in outline.modules for step in module.steps for command in step.commands]


def test_a_spring_app_becomes_modules_that_follow_its_readme(make_repo: MakeRepo, clone_repo: CloneRepo) -> None:
    analysis = analysed(make_repo, clone_repo, "greeting-service", SPRING_APP)
    outline = analysis.outline

    assert analysis.workflow == outline.workflow == "new-workshop"
    assert analysis.primary_language == "Java"
    assert "JavaScript" not in {language.name for language in analysis.languages}  # node_modules is skipped
    maven = analysis.build_systems[0]
    assert (maven.name, maven.files, maven.run_command) == ("maven", ["pom.xml"], "./mvnw spring-boot:run")
    spring = next(framework for framework in analysis.frameworks if framework.name == "Spring Boot")
    assert (spring.version, spring.source_file) == ("3.2.5", "pom.xml")
    versions = {item.name: (item.version, item.source_file) for item in outline.prerequisites}
    assert versions["Java"] == ("17", "pom.xml")
    assert versions["Maven"] == ("3.9.6", ".mvn/wrapper/maven-wrapper.properties")
    assert {"Git", "Podman or Docker", "kubectl"} <= versions.keys()
    assert analysis.deployment.kubernetes[0].kinds == ["Deployment", "Service"]
    assert analysis.deployment.containerfiles[0].ports == [8080]
    assert analysis.tests == ["src/test"] and analysis.examples == []

    # One module per README H2 section with commands; License is not workshop material, Architecture is overview.
    assert [module.title for module in outline.modules] == ["Build", "Run", "Deploy to Kubernetes"]
    assert [module.id for module in outline.modules] == ["build", "run", "deploy-to-kubernetes"]
    assert [section.title for section in outline.overview] == ["Architecture"]
    assert all_commands(outline) == [
        "./mvnw -B package",
        "java -jar target/greeting-service-0.0.1-SNAPSHOT.jar",
        "curl -s 'http://localhost:8080/greeting?name=Ada'",
        "podman build -t quay.io/example/greeting-service:1.0 .",
        "kubectl apply -f k8s/deployment.yaml",
        "kubectl rollout status deployment/greeting-service \\\n  --timeout=120s",
    ]
    build, run, deploy = outline.modules
    assert build.steps[0].text == "Build the application with the Maven wrapper:"
    assert build.steps[0].outcome == "The build writes `target/greeting-service-0.0.1-SNAPSHOT.jar`."
    assert build.verification is not None and build.verification.commands == ["ls target/*.jar"]
    assert run.verification is not None and run.verification.commands == [
        "curl -s 'http://localhost:8080/greeting?name=Ada'"
    ]
    assert "verification" not in run.derived
    assert deploy.objectives == ["Build the container image", "Apply the manifests and wait for the rollout"]
    assert "k8s/deployment.yaml" in deploy.source_files
    assert outline.title == "Greeting Service"
    assert outline.summary == "A small Spring Boot service that greets people by name over HTTP."
    assert outline.audience == "Java developers using Spring Boot, deploying to Kubernetes"
    assert outline.duration_minutes == 45
    assert analysis.evidence == ["README.md", "pom.xml"]


def test_a_node_tutorial_in_mkdocs_gives_modules_in_nav_order(make_repo: MakeRepo, clone_repo: CloneRepo) -> None:
    analysis = analysed(make_repo, clone_repo, "todo-api", NODE_APP)
    outline = analysis.outline

    assert analysis.workflow == "new-workshop"
    assert [(found.name, found.evidence) for found in analysis.formats] == [("mkdocs", ["mkdocs.yml"])]
    assert [module.title for module in outline.modules] == ["Set up the project", "Add the routes", "Test the API"]
    assert [module.source_files[0] for module in outline.modules] == [
        "docs/tutorial/01-setup.md",
        "docs/tutorial/02-routes.md",
        "docs/tutorial/03-testing.md",
    ]  # the page outside the nav is not a module; the landing page is overview
    assert [section.source_file for section in outline.overview] == ["docs/index.md"]
    assert all_commands(outline) == [
        "git clone https://github.com/example/todo-api.git",
        "cd todo-api",
        "npm install",
        "npm start",
        "npm test",
    ]
    routes = outline.modules[1]
    assert routes.steps[0].snippets[0].language == "js"
    assert routes.verification is not None and routes.verification.commands == ["curl -s http://localhost:3000/todos"]
    assert {(item.name, item.version) for item in outline.prerequisites} >= {("Node.js", ">=18"), ("npm", None)}
    assert {framework.name: framework.kind for framework in analysis.frameworks} == {
        "Express": "application",
        "Jest": "test",
    }
    assert analysis.build_systems[0].test_command == "npm test"
    assert analysis.docs_dirs == ["docs"] and analysis.tests == ["test"]
    assert outline.audience == "JavaScript developers using Express"


def test_a_plain_docs_folder_tutorial_follows_file_order(make_repo: MakeRepo, clone_repo: CloneRepo) -> None:
    files = {key: value for key, value in NODE_APP.items() if key != "mkdocs.yml" and "index.md" not in key}
    del files["docs/tutorial/99-notes.md"]
    analysis = analysed(make_repo, clone_repo, "todo-docs", files)

    assert [found.name for found in analysis.formats] == ["markdown-docs"]
    assert analysis.formats[0].evidence == sorted(key for key in NODE_TUTORIAL if key in files)
    assert [module.title for module in analysis.outline.modules] == [
        "Set up the project",
        "Add the routes",
        "Test the API",
    ]


def test_a_python_package_gets_its_version_and_test_command(make_repo: MakeRepo, clone_repo: CloneRepo) -> None:
    analysis = analysed(make_repo, clone_repo, "textstats", PYTHON_PACKAGE)
    outline = analysis.outline

    assert [module.title for module in outline.modules] == ["Installation", "Usage", "Development"]
    assert all_commands(outline) == ["pip install -e '.[test]'", "textstats README.md", "pytest -q"]
    python = next(item for item in outline.prerequisites if item.name == "Python")
    assert (python.version, python.source_file) == (">=3.10", "pyproject.toml")
    pip = analysis.build_systems[0]
    assert (pip.name, pip.install_command, pip.test_command) == ("pip", "pip install -e .", "pytest")
    assert analysis.tests == ["tests"]
    usage = outline.modules[1]
    assert usage.verification is not None and usage.verification.commands == ["pytest"]  # from the build system
    assert usage.derived == ["objectives", "verification"]
    assert analysis.readme is not None and [section.commands for section in analysis.readme.sections] == [
        ["pip install -e '.[test]'"],
        ["textstats README.md"],
        ["pytest -q"],
    ]


def test_an_existing_showroom_workshop_is_enhanced_and_mirrors_its_nav(
    make_repo: MakeRepo, clone_repo: CloneRepo
) -> None:
    analysis = analysed(make_repo, clone_repo, "pipelines-workshop", SHOWROOM_WORKSHOP)
    outline = analysis.outline

    assert analysis.workflow == outline.workflow == "enhance-existing"
    assert analysis.evidence == ["content/antora.yml", "content/modules/ROOT/nav.adoc", "site.yml", "ui-config.yml"]
    assert [found.name for found in analysis.formats] == ["showroom"]
    assert outline.title == "OpenShift Pipelines Workshop"
    assert [module.source_files[0].rsplit("/", 1)[-1] for module in outline.modules] == [
        "index.adoc",
        "module-01.adoc",
        "module-02.adoc",
    ]
    welcome, pipeline, trigger = outline.modules
    assert welcome.steps == [] and welcome.objectives == []
    assert welcome.verification == Verification()  # nothing to check on an introduction page
    assert pipeline.objectives == ["Create a Tekton pipeline", "Run it and follow its logs"]
    assert "objectives" not in pipeline.derived
    assert [step.title for step in pipeline.steps] == ["Create the pipeline", "Start a run"]
    assert pipeline.steps[0].commands == ["oc apply -f pipeline.yaml -n {user}-cicd"]
    assert trigger.steps[0].snippets[0].language == "yaml"
    assert trigger.verification is not None and trigger.verification.commands == ["oc get -f trigger-template.yaml"]
    assert outline.audience == "Developers, deploying to OpenShift"


def test_a_legacy_rto_workshop_is_enhanced(tmp_path: Path) -> None:
    write = {
        "default-site.yml": (
            "site:\n  title: Legacy lab\ncontent:\n  sources:\n  - url: .\n    start_path: documentation\n"
        ),
        "documentation/antora.yml": "name: lab\ntitle: Legacy lab\nversion: master\nnav:\n- modules/ROOT/nav.adoc\n",
        "documentation/modules/ROOT/nav.adoc": "* xref:lab.adoc[The lab]\n",
        "documentation/modules/ROOT/pages/lab.adoc": "= The lab\n\n[source,bash]\n----\noc whoami\n----\n",
    }
    for name, text in write.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    analysis = analyze_repository(tmp_path, source="legacy-lab")

    assert analysis.workflow == "enhance-existing"
    assert [(found.name, found.evidence) for found in analysis.formats] == [
        ("antora", ["documentation/antora.yml", "documentation/modules/ROOT/nav.adoc"]),
        ("rto", ["default-site.yml"]),
    ]
    assert [module.title for module in analysis.outline.modules] == ["The lab"]


@pytest.mark.parametrize("name", ["README.md", "README.adoc", "README.rst"])
def test_readme_markups_give_the_same_modules(tmp_path: Path, name: str) -> None:
    readmes = {
        "README.md": (
            "# Demo\n\nA demo.\n\n## Build\n\n```bash\nmake build\n```\n\n## Run\n\n```sh\n./demo --port 9000\n```\n"
        ),
        "README.adoc": "= Demo\n\nA demo.\n\n== Build\n\n[source,bash]\n----\nmake build\n----\n\n== Run\n\n"
        "[source,sh]\n----\n./demo --port 9000\n----\n",
        "README.rst": "Demo\n====\n\nA demo.\n\nBuild\n-----\n\n.. code-block:: bash\n\n   make build\n\nRun\n---\n\n"
        "Start it::\n\n    ./demo --port 9000\n",
    }
    (tmp_path / name).write_text(readmes[name])
    outline = analyze_repository(tmp_path, source="demo").outline

    assert (outline.title, outline.summary) == ("Demo", "A demo.")
    assert [module.title for module in outline.modules] == ["Build", "Run"]
    assert all_commands(outline) == ["make build", "./demo --port 9000"]
