"""Helpers of the analysis and git tests: real git repositories written into temporary folders."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from workshop_template_system.integrations.git import ClonedRepository

_IDENTITY = ("-c", "user.name=Test Author", "-c", "user.email=author@example.com", "-c", "commit.gpgsign=false")

MakeRepo = Callable[..., Path]
CloneRepo = Callable[..., ClonedRepository]


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *_IDENTITY, *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
