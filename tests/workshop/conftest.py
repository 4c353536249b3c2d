"""Fixtures: real git repositories made in temporary folders, and real clones of them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from workshop_repos import CloneRepo, MakeRepo, git, write_files

from workshop_template_system.integrations.git import ClonedRepository, clone, validate_repository_source


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """Create a git repository with `files` committed on ``main``; returns its folder."""

    def make(name: str, files: Mapping[str, str | bytes], message: str = "Initial commit") -> Path:
        repo = tmp_path / "sources" / name
        repo.mkdir(parents=True)
        git(repo, "init", "-q", "-b", "main")
        write_files(repo, files)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", message)
        return repo

    return make


@pytest.fixture
def clone_repo(tmp_path: Path) -> CloneRepo:
    """Clone a local repository the way template_converter does (local sources allowed)."""

    def run(repo: Path, ref: str | None = None, **limits: int) -> ClonedRepository:
        source = validate_repository_source(str(repo), allow_local=True)
        dest = tmp_path / "clones" / repo.name
        settings = {"max_files": 10_000, "max_bytes": 50_000_000, **limits}
        return clone(source, dest, ref=ref, timeout=60, **settings)

    return run
