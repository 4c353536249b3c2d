"""Helpers of the publishing tests: a small workshop, real clones, and trees compared byte for byte."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from support_gitea import GiteaDouble, RealGitea
from workshop_template_system.integrations.antora import ensure_git_repository
from workshop_template_system.workshop.pipeline_steps import final_output
from workshop_template_system.workshop.showroom.writer import write_workshop
from workshop_template_system.workspace import Workspace, atomic_write_bytes

Gitea = GiteaDouble | RealGitea
MakeWorkshop = Callable[..., str]

WORKSHOP: dict[str, str | bytes] = {
    "site.yml": "site:\n  title: Container Basics\ncontent:\n  sources:\n  - url: .\n    start_path: content\n",
    "content/antora.yml": "name: modules\ntitle: Container Basics\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n",
    "content/modules/ROOT/nav.adoc": "* xref:index.adoc[Welcome]\n* xref:01-build.adoc[Build]\n",
    "content/modules/ROOT/pages/index.adoc": "= Welcome\n\nYou build and run a container.\n",
    "content/modules/ROOT/pages/01-build.adoc": "= Build\n\n[source,bash]\n----\npodman build -t app .\n----\n",
    "content/modules/ROOT/assets/images/logo.png": bytes(range(256)) * 4,
}


def write_pipeline_files(workspace: Workspace, pipeline_id: str, files: dict[str, str | bytes]) -> Path:
    """Write the files the way content_creator does (its manifest included), then Antora's own .git."""
    folder = final_output(workspace, pipeline_id)
    texts = {path: content for path, content in files.items() if isinstance(content, str)}
    with workspace.lock("final-output", pipeline_id):
        write_workshop(texts, folder)
        for path, content in files.items():
            if isinstance(content, bytes):
                (folder / path).parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(folder / path, content)
    if files and not (folder / ".git").exists():
        ensure_git_repository(folder)
    return folder


def git(*args: str, cwd: Path | None = None, token: str | None = None) -> str:
    """Run git for a test; a token goes in the environment as an http.extraHeader, as the agent does it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    if token:
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="http.extraHeader",
            GIT_CONFIG_VALUE_0=f"Authorization: token {token}",
        )
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def clone(url: str, dest: Path, *, ref: str | None = None, token: str | None = None) -> Path:
    """A full clone of what was published (at `ref` when given)."""
    git("clone", "-q", *(("--branch", ref) if ref else ()), url, str(dest), token=token)
    return dest


def tree_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes; ``.git`` left out."""
    files = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = [name for name in dirs if name != ".git"]
        for name in names:
            path = Path(root) / name
            files[str(path.relative_to(folder))] = path.read_bytes()
    return files


def history(repo: Path, ref: str = "HEAD") -> list[str]:
    """Commits reachable from `ref`, newest first."""
    return git("rev-list", ref, cwd=repo).splitlines()
