"""sync_repository: an upstream repository's branches and tags mirrored into each forge."""

from __future__ import annotations

from pathlib import Path

import pytest
from publish_helpers import Gitea, clone, git, history

from workshop_template_system.errors import ForgeError
from workshop_template_system.integrations.forge import GitForge
from workshop_template_system.integrations.git import validate_repository_source
from workshop_template_system.workshop.publishing import Publisher

_IDENTITY = ("-c", "user.name=Upstream Author", "-c", "user.email=upstream@example.com", "-c", "commit.gpgsign=false")


def _upstream(folder: Path) -> Path:
    folder.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=folder)
    (folder / "README.adoc").write_text("= Lab\n")
    git("add", "-A", cwd=folder)
    git(*_IDENTITY, "commit", "-q", "-m", "First", cwd=folder)
    git(*_IDENTITY, "tag", "-a", "-m", "Release", "v0.1", cwd=folder)
    git("branch", "summit-2026", cwd=folder)
    return folder


def _commit(folder: Path, name: str) -> str:
    (folder / name).write_text(f"{name}\n")
    git("add", "-A", cwd=folder)
    git(*_IDENTITY, "commit", "-q", "-m", f"Add {name}", cwd=folder)
    return git("rev-parse", "HEAD", cwd=folder)


def test_a_mirror_follows_its_upstream(
    publisher: Publisher, forge: GitForge, gitea: Gitea, repository: str, tmp_path: Path
) -> None:
    upstream = _upstream(tmp_path / "upstream")
    source = validate_repository_source(str(upstream), allow_local=True)

    result = publisher.sync(source, repository)

    assert (result["branches"], result["tags"]) == (["main", "summit-2026"], ["v0.1"])
    token = gitea.token if forge.kind == "gitea" else None
    mirror = clone(result["clone_url"], tmp_path / "mirror", token=token)
    assert history(mirror) == history(upstream)
    assert git("rev-parse", "v0.1^{commit}", cwd=mirror) == git("rev-parse", "v0.1^{commit}", cwd=upstream)

    newer = _commit(upstream, "module-02.adoc")
    assert publisher.sync(source, repository)["branches"] == ["main", "summit-2026"]
    git("fetch", "-q", "origin", cwd=mirror, token=token)
    assert git("rev-parse", "origin/main", cwd=mirror) == newer

    # Rewritten upstream history is refused, not forced over the mirror.
    git(*_IDENTITY, "commit", "-q", "--amend", "-m", "Rewritten", cwd=upstream)
    with pytest.raises(ForgeError, match=r"rejected.*nothing was overwritten"):
        publisher.sync(source, repository)
    git("fetch", "-q", "origin", cwd=mirror, token=token)
    assert git("rev-parse", "origin/main", cwd=mirror) == newer
