"""The rules behind check_updates, one by one: kinds, tools, sections, versions, priorities."""

from __future__ import annotations

import pytest

from workshop_template_system.watching.changes import Revisions, assess, highest
from workshop_template_system.watching.file_kinds import file_kind
from workshop_template_system.watching.inventory import take_inventory, version_changes
from workshop_template_system.watching.mirror import FileChange
from workshop_template_system.watching.module_sources import ModuleSources, WorkshopModule, tools_of
from workshop_template_system.watching.sections import section_diff


@pytest.mark.parametrize(
    ("command", "tools"),
    [
        ("./mvnw -B package", {"mvnw"}),
        ("java -jar target/app.jar", {"java"}),
        ("cd app && npm ci && npm test", {"cd", "npm"}),
        ("JAVA_HOME=/opt/jdk sudo -E ./gradlew build 2>&1 | tee log", {"gradlew", "tee"}),
        ("kubectl rollout status deployment/x \\\n  --timeout=120s", {"kubectl"}),
        ("podman build -t 'quay.io/x:1.0' . # build the image", {"podman"}),
    ],
)
def test_the_tools_a_command_runs(command: str, tools: set[str]) -> None:
    assert tools_of(command) == tools


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("pom.xml", "build"),
        (".mvn/wrapper/maven-wrapper.properties", "build"),
        ("service/build.gradle.kts", "build"),
        ("requirements-dev.txt", "build"),
        ("Dockerfile.prod", "build"),
        ("compose.yaml", "build"),
        ("package-lock.json", "lockfile"),
        ("k8s/deployment.yaml", "manifest"),
        ("docs/tutorial/01-setup.md", "docs"),
        ("README", "docs"),
        ("mkdocs.yml", "docs"),
        ("src/app.py", "code"),
        ("src/main/resources/application.properties", "code"),
        (".github/workflows/ci.yml", "other"),
        ("LICENSE", "other"),
        ("logo.png", "other"),
    ],
)
def test_the_kind_of_a_file(path: str, kind: str) -> None:
    assert file_kind(path, frozenset({"k8s/deployment.yaml"})) == kind


README = """# App

Intro.

## Build

Run `make`.

### Options

Use `make fast`.

## Run

Start it.

## License

MIT
"""


def test_sections_change_by_content_with_their_subsections() -> None:
    diff = section_diff("README.md", README, README.replace("make fast", "make quick"))
    assert diff.titles == {"Build", "Run", "License"}
    assert diff.changed == {"Build"}  # a change in "Options" is a change of "Build"
    assert diff.opening_changed is False
    reordered = README.replace("## License\n\nMIT\n", "").replace("## Build", "## License\n\nMIT\n\n## Build")
    assert section_diff("README.md", README, reordered).changed == frozenset()  # moved, not changed
    added = section_diff("README.md", README, README + "\n## Deploy\n\nShip it.\n")
    assert added.changed == {"Deploy"}
    assert section_diff("README.md", None, README).changed == {"Build", "Run", "License"}
    assert section_diff("README.md", README, README.replace("Intro.", "Hello.")).opening_changed is True


def test_versions_declared_in_build_files_are_compared() -> None:
    before = {"package.json": '{"name": "a", "engines": {"node": ">=18"}, "dependencies": {"express": "^4.19.2"}}'}
    after = {"package.json": '{"name": "a", "engines": {"node": ">=20"}, "dependencies": {"express": "^5.0.0"}}'}
    changes = version_changes(take_inventory(before), take_inventory(after))
    assert [(c.name, c.before, c.after, c.file) for c in changes] == [
        ("Express", "^4.19.2", "^5.0.0", "package.json"),
        ("Node.js", ">=18", ">=20", "package.json"),
    ]
    same = take_inventory(before)
    assert version_changes(same, same) == []


def _sources(*modules: WorkshopModule) -> ModuleSources:
    return ModuleSources("p", modules, frozenset(), None, None)


def test_a_build_file_affects_the_modules_that_run_its_tool() -> None:
    build = WorkshopModule("build", "Build", frozenset({"README.md"}), frozenset({"npm"}))
    deploy = WorkshopModule("deploy", "Deploy", frozenset({"README.md"}), frozenset({"kubectl"}))
    before = {"package.json": '{"name": "a", "scripts": {"build": "tsc"}}'}
    after = {"package.json": '{"name": "a", "scripts": {"build": "tsc -p ."}}'}
    result = assess([FileChange("modified", "package.json")], _sources(build, deploy), Revisions(before, after))
    assert [(m.id, m.reasons) for m in result.affected_modules] == [
        ("build", ["package.json changed; the module runs npm"])
    ]
    assert result.priority == "medium"  # a build change without a version change


def test_a_module_built_from_a_whole_page_is_affected_by_any_change_of_it() -> None:
    page = WorkshopModule("setup", "Set up the project", frozenset({"docs/01-setup.md"}), frozenset())
    before = {"docs/01-setup.md": "# Set up the project\n\n## Clone\n\nClone it.\n"}
    after = {"docs/01-setup.md": "# Set up the project\n\n## Clone\n\nClone it first.\n"}
    changes = [FileChange("modified", "docs/01-setup.md"), FileChange("added", "docs/99-notes.md")]
    result = assess(changes, _sources(page), Revisions(before, after))
    assert [(m.id, m.reasons) for m in result.affected_modules] == [("setup", ["docs/01-setup.md changed"])]
    assert [(f.path, f.priority) for f in result.changed_files] == [
        ("docs/01-setup.md", "high"),
        ("docs/99-notes.md", "low"),  # documentation the workshop does not draw on
    ]


def test_the_highest_priority_wins() -> None:
    assert highest(["low", "high", "medium"]) == "high"
    assert highest(["low"]) == "low"
    assert highest([]) == "low"
