"""Antora reads content only from a git repository with a commit: ensure_git_repository makes one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from workshop_template_system.integrations.antora import AntoraError, ensure_git_repository


def _git(path: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=True).stdout


def test_a_plain_folder_becomes_a_repository_with_one_commit_of_everything(workshop: Path) -> None:
    ensure_git_repository(workshop)
    assert (workshop / ".git").is_dir()
    assert _git(workshop, "log", "--format=%an <%ae>").splitlines() == [
        "Workshop Template System <workshop-template-system@localhost>"
    ]
    assert "content/modules/ROOT/pages/module-01.adoc" in _git(workshop, "ls-files").splitlines()
    assert _git(workshop, "status", "--porcelain") == ""


def test_a_repository_with_a_commit_is_left_as_it_is(workshop: Path) -> None:
    ensure_git_repository(workshop)
    (workshop / "content" / "modules" / "ROOT" / "pages" / "extra.adoc").write_text("= Extra\n")
    ensure_git_repository(workshop)
    assert len(_git(workshop, "log", "--format=%H").splitlines()) == 1
    assert _git(workshop, "status", "--porcelain").strip() == "?? content/modules/ROOT/pages/extra.adoc"


def test_a_repository_without_commits_gets_one(workshop: Path) -> None:
    _git(workshop, "init", "-q")
    ensure_git_repository(workshop)
    assert len(_git(workshop, "log", "--format=%H").splitlines()) == 1


def test_a_folder_inside_another_work_tree_gets_its_own_repository(tmp_path: Path, workshop: Path) -> None:
    # Antora wants .git in the content source itself, as in a pipeline folder inside a checked-out project.
    _git(tmp_path, "init", "-q")
    ensure_git_repository(workshop)
    assert _git(workshop, "rev-parse", "--show-toplevel").strip() == str(workshop.resolve())


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AntoraError, match="No workshop content"):
        ensure_git_repository(tmp_path / "missing")
