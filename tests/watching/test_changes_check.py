"""check_updates on real repositories: commits, changed files, the modules they affect, and the priority."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from watching_repos import bump_java, commit, edit_run_section, head

from workshop.workshop_samples import SPRING_APP, SPRING_README
from workshop_template_system.errors import WorkspaceError
from workshop_template_system.settings import Settings
from workshop_template_system.watching import UpdateReport, check_updates, watch_repository
from workshop_template_system.workspace import Workspace

WORKSHOP = "greeting-workshop"


@pytest.fixture
def watched(workspace: Workspace, settings: Settings, source: Path, pipeline_id: str) -> str:
    """The watch of the Spring sample; its last seen commit."""
    return watch_repository(workspace, settings, repository=str(source), workshop=WORKSHOP, pipeline_id=pipeline_id)[
        "seen_commit"
    ]


def _check(workspace: Workspace, settings: Settings) -> UpdateReport:
    [report] = check_updates(workspace, settings, WORKSHOP).reports
    return report


def _modules(report: UpdateReport) -> dict[str, list[str]]:
    return {module.id: module.reasons for module in report.affected_modules}


def test_a_run_section_edit_and_a_java_bump_affect_exactly_build_and_run(
    workspace: Workspace, settings: Settings, source: Path, watched: str
) -> None:
    edited = edit_run_section(source)
    bumped = bump_java(source)
    report = _check(workspace, settings)

    assert (report.from_commit, report.to, report.up_to_date) == (watched, bumped, False)
    assert [(c.sha, c.subject, c.author) for c in report.commits] == [
        (bumped, "Build with Java 21", "Test Author"),
        (edited, "Say which port", "Test Author"),
    ]
    assert report.commit_count == 2 and report.commits[0].date.startswith("20")
    files = {file.path: file for file in report.changed_files}
    assert set(files) == {"README.md", "pom.xml"}
    readme, pom = files["README.md"], files["pom.xml"]
    assert (readme.kind, readme.sections, readme.priority) == ("docs", ["Run"], "high")
    assert (pom.kind, pom.priority) == ("build", "high")
    [java] = pom.versions
    assert (java.name, java.before, java.after, java.file) == ("Java", "17", "21", "pom.xml")
    assert _modules(report) == {
        "build": ["pom.xml changed (Java 17 → 21); the module runs mvnw"],
        "run": ["README.md: section 'Run' changed", "pom.xml changed (Java 17 → 21); the module runs java"],
    }
    assert report.priority == "high"
    assert "2 new commits on main" in report.summary()

    again = _check(workspace, settings)  # a check never advances the last seen commit
    assert (again.from_commit, again.commit_count) == (watched, 2)
    saved = check_updates(workspace, settings).to_json()
    assert saved["pending"] == 1 and saved["updates"][0]["from"] == watched  # serialized as "from"


def test_without_new_commits_the_report_is_empty(workspace: Workspace, settings: Settings, watched: str) -> None:
    report = _check(workspace, settings)
    assert report.up_to_date is True
    assert (report.from_commit, report.to) == (watched, watched)
    assert report.commits == [] and report.changed_files == [] and report.affected_modules == []
    assert report.priority is None


def test_text_outside_the_modules_sections_affects_no_module(
    workspace: Workspace, settings: Settings, source: Path, watched: str
) -> None:
    readme = SPRING_README.replace("Apache License 2.0", "The Apache License 2.0")
    commit(source, {"README.md": readme, "LICENSE": "Apache License, 2.0\n"}, "Reword the license")
    report = _check(workspace, settings)
    assert report.affected_modules == []
    files = {file.path: (file.kind, file.priority, file.sections) for file in report.changed_files}
    assert files == {"README.md": ("docs", "medium", ["License"]), "LICENSE": ("other", "low", [])}
    assert report.priority == "medium"


def test_a_renamed_manifest_and_a_new_base_image_affect_the_deploy_module(
    workspace: Workspace, settings: Settings, source: Path, watched: str
) -> None:
    subprocess.run(["git", "-C", str(source), "mv", "k8s/deployment.yaml", "k8s/app.yaml"], check=True)
    dockerfile = SPRING_APP["Dockerfile"].replace("openjdk-17-runtime:1.18", "openjdk-21-runtime:1.20")
    commit(source, {"Dockerfile": dockerfile}, "Java 21 image, manifest renamed")
    report = _check(workspace, settings)
    files = {file.path: file for file in report.changed_files}
    renamed = files["k8s/app.yaml"]
    assert (renamed.status, renamed.old_path, renamed.kind, renamed.priority) == (
        "renamed",
        "k8s/deployment.yaml",
        "manifest",
        "medium",
    )
    [image] = files["Dockerfile"].versions
    assert image.name == "base image of Dockerfile" and "openjdk-21-runtime:1.20" in str(image.after)
    assert files["Dockerfile"].priority == "high"
    assert _modules(report) == {
        "deploy-to-kubernetes": [
            "Dockerfile changed (base image of Dockerfile "
            "registry.access.redhat.com/ubi9/openjdk-17-runtime:1.18 → "
            "registry.access.redhat.com/ubi9/openjdk-21-runtime:1.20); the module runs podman",
            "k8s/app.yaml renamed from k8s/deployment.yaml; the module runs kubectl",
        ]
    }


def test_code_is_medium_and_touches_no_module_that_does_not_name_it(
    workspace: Workspace, settings: Settings, source: Path, watched: str
) -> None:
    controller = "src/main/java/com/example/greeting/GreetingController.java"
    commit(source, {controller: SPRING_APP[controller].replace("Hello", "Hi")}, "Say hi")
    report = _check(workspace, settings)
    assert [(f.path, f.kind, f.priority) for f in report.changed_files] == [(controller, "code", "medium")]
    assert report.affected_modules == [] and report.priority == "medium"


def test_a_rewritten_history_is_reported(workspace: Workspace, settings: Settings, source: Path, watched: str) -> None:
    edit_run_section(source)
    subprocess.run(["git", "-C", str(source), "reset", "-q", "--hard", watched], check=True)
    subprocess.run(["git", "-C", str(source), "commit", "-q", "--amend", "-m", "Rewritten start"], check=True)
    edit_run_section(source)
    _check(workspace, settings)  # the mirror has seen the first history; now it is rewritten
    report = _check(workspace, settings)
    assert report.history_rewritten is True
    assert [c.subject for c in report.commits] == ["Say which port", "Rewritten start"]
    assert head(source) == report.to


def test_one_broken_watch_does_not_stop_the_others(
    workspace: Workspace, settings: Settings, source: Path, pipeline_id: str, tmp_path: Path
) -> None:
    copy = tmp_path / "sources" / "copy"
    shutil.copytree(source, copy)
    watch_repository(workspace, settings, repository=str(source), workshop="kept", pipeline_id=pipeline_id)
    watch_repository(workspace, settings, repository=str(copy), workshop="broken", pipeline_id=pipeline_id)
    shutil.rmtree(copy)
    edit_run_section(source)
    results = check_updates(workspace, settings)
    assert [report.workshop for report in results.reports] == ["kept"]
    [error] = results.errors
    assert error["workshop"] == "broken" and "does not exist" in error["error"]
    with pytest.raises(WorkspaceError, match="'missing' is not watched"):
        check_updates(workspace, settings, "missing")
