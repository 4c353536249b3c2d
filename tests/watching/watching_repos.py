"""Helpers of the watching tests: a source repository, a workshop pipeline built from it, and new commits."""

from __future__ import annotations

from pathlib import Path

from workshop.workshop_repos import git, write_files
from workshop.workshop_samples import SPRING_APP, SPRING_POM, SPRING_README
from workshop_template_system.integrations.git import validate_repository_source
from workshop_template_system.workshop.pipeline_steps import analyze_clone, clone_into_pipeline, write_pipeline_workshop
from workshop_template_system.workshop.showroom import render_workshop
from workshop_template_system.workspace import Workspace

RUN_SECTION_LINE = "Start the service locally:"
RUN_SECTION_EDIT = "Start the service locally, on port 8080:"


def make_source(root: Path, name: str = "greeting-service") -> Path:
    """The Spring sample as a git repository with one commit on ``main``."""
    repo = root / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    files = {path: text for path, text in SPRING_APP.items() if not path.startswith("node_modules/")}
    write_files(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Initial commit")
    return repo


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    """Write `files`, commit them all with `message`; the new commit."""
    write_files(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return head(repo)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


def edit_run_section(repo: Path) -> str:
    """Change a line of the README's "Run" section."""
    return commit(repo, {"README.md": SPRING_README.replace(RUN_SECTION_LINE, RUN_SECTION_EDIT)}, "Say which port")


def bump_java(repo: Path) -> str:
    """java.version 17 → 21 in pom.xml."""
    pom = SPRING_POM.replace("<java.version>17</java.version>", "<java.version>21</java.version>")
    return commit(repo, {"pom.xml": pom}, "Build with Java 21")


def build_pipeline(workspace: Workspace, repo: Path) -> str:
    """A pipeline with the workshop written from `repo` the way the agents write it (no Antora build)."""
    pipeline_id = str(workspace.init_pipeline()["pipeline_id"])
    source = validate_repository_source(str(repo), allow_local=True)
    cloned = clone_into_pipeline(
        workspace, pipeline_id, source, ref=None, timeout=60, max_files=1000, max_bytes=10**8, lock_timeout=5
    )
    analysis, _ = analyze_clone(workspace, pipeline_id, cloned)
    files = render_workshop(analysis.outline)
    write_pipeline_workshop(workspace, pipeline_id, files, analysis.outline, lock_timeout=5)
    return pipeline_id
