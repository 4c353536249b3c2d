"""Watching: the mirror, the state file under its lock, re-watching, unwatching, and what is refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from watching_repos import commit, edit_run_section, head

from workshop_template_system.errors import (
    InvalidNameError,
    LockTimeout,
    RefNotFound,
    RepositoryRefused,
    WorkspaceError,
)
from workshop_template_system.settings import Settings
from workshop_template_system.watching import list_watches, unwatch, watch_repository
from workshop_template_system.workspace import Workspace


def _state(workspace: Workspace) -> dict:
    return json.loads((workspace.root / "shared/coordination/watches.json").read_text())


def test_a_watch_records_the_head_and_keeps_a_bare_mirror(
    workspace: Workspace, settings: Settings, source: Path, pipeline_id: str
) -> None:
    result = watch_repository(
        workspace, settings, repository=str(source), workshop="greeting-workshop", pipeline_id=pipeline_id
    )
    assert result["branch"] == "main"  # the default branch
    assert result["seen_commit"] == head(source)
    assert result["modules"] == ["build", "run", "deploy-to-kubernetes"]
    assert result["replaced"] is False and result["warnings"] == []

    [saved] = _state(workspace)["watches"]
    assert saved["workshop"] == "greeting-workshop"
    assert saved["repository"] == str(source) and saved["pipeline_id"] == pipeline_id
    assert saved["seen_commit"] == head(source)
    mirror = workspace.root / "shared/git-cache" / saved["cache"]
    assert saved["cache"].startswith("greeting-service-")
    bare = subprocess.run(
        ["git", "-C", str(mirror), "rev-parse", "--is-bare-repository"], capture_output=True, text=True
    )
    assert bare.stdout.strip() == "true"
    assert list_watches(workspace, settings)["watches"] == [saved]


def test_watching_again_replaces_the_watch_and_starts_from_the_new_head(
    workspace: Workspace, settings: Settings, source: Path, pipeline_id: str
) -> None:
    initial = head(source)
    first = watch_repository(workspace, settings, repository=str(source), workshop="w", pipeline_id=pipeline_id)
    watched_at = _state(workspace)["watches"][0]["watched_at"]
    subprocess.run(["git", "-C", str(source), "checkout", "-q", "-b", "next"], check=True)
    newer = edit_run_section(source)
    again = watch_repository(
        workspace, settings, repository=str(source), workshop="w", pipeline_id=pipeline_id, branch="next"
    )
    assert again["replaced"] is True
    assert (first["seen_commit"], again["seen_commit"]) == (initial, newer)
    [saved] = _state(workspace)["watches"]
    assert (saved["branch"], saved["seen_commit"], saved["watched_at"]) == ("next", newer, watched_at)


def test_the_workshop_built_from_an_older_commit_is_a_warning(
    workspace: Workspace, settings: Settings, source: Path, pipeline_id: str
) -> None:
    edit_run_section(source)
    commit(source, {"NOTES.md": "notes\n"}, "Notes")
    result = watch_repository(workspace, settings, repository=str(source), workshop="w", pipeline_id=pipeline_id)
    [warning] = result["warnings"]
    assert "2 commits behind the head of main" in warning


def test_unwatch_forgets_the_watch_and_the_unused_mirror(
    workspace: Workspace, settings: Settings, source: Path, pipeline_id: str
) -> None:
    for name in ("one", "two"):
        watch_repository(workspace, settings, repository=str(source), workshop=name, pipeline_id=pipeline_id)
    cache = workspace.root / "shared/git-cache" / _state(workspace)["watches"][0]["cache"]
    assert unwatch(workspace, settings, "one")["mirror_removed"] is False  # "two" still uses it
    assert cache.is_dir()
    assert unwatch(workspace, settings, "two")["mirror_removed"] is True
    assert not cache.exists()
    assert list_watches(workspace, settings) == {"watches": []}
    with pytest.raises(WorkspaceError, match="'two' is not watched"):
        unwatch(workspace, settings, "two")


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"workshop": "../etc"}, InvalidNameError, "invalid workshop name"),
        ({"workshop": "-rf"}, InvalidNameError, "invalid workshop name"),
        ({"workshop": "w" * 101}, InvalidNameError, "longer than 100"),
        ({"repository": "ext::sh -c touch% /tmp/pwned"}, RepositoryRefused, "remote helper"),
        ({"repository": "https://user:secret@example.com/r.git"}, RepositoryRefused, "password in the URL"),
        ({"branch": "--upload-pack=touch"}, RepositoryRefused, "not a valid branch name"),
        ({"branch": "main..other"}, RepositoryRefused, "not a valid branch name"),
        ({"branch": "no-such-branch"}, RefNotFound, "has no branch named 'no-such-branch'"),
        ({"pipeline_id": "../pipelines"}, InvalidNameError, "invalid pipeline id"),
        ({"pipeline_id": "pipeline-without-workshop"}, WorkspaceError, "has no workshop modules"),
    ],
)
def test_what_cannot_be_watched_is_refused(
    workspace: Workspace,
    settings: Settings,
    source: Path,
    pipeline_id: str,
    change: dict[str, str],
    error: type[Exception],
    message: str,
) -> None:
    workspace.init_pipeline("pipeline-without-workshop")
    request = {"repository": str(source), "workshop": "w", "pipeline_id": pipeline_id, **change}
    with pytest.raises(error, match=message):
        watch_repository(workspace, settings, **request)
    assert not (workspace.root / "shared/coordination/watches.json").exists()
    assert not Path("/tmp/pwned").exists()


def test_local_repositories_are_refused_when_not_allowed(
    workspace: Workspace, settings: Settings, source: Path, pipeline_id: str
) -> None:
    strict = settings.with_changes(allow_local_repositories=False)
    with pytest.raises(RepositoryRefused, match="local paths are not allowed"):
        watch_repository(workspace, strict, repository=str(source), workshop="w", pipeline_id=pipeline_id)


def test_the_state_file_is_changed_only_under_its_lock(
    workspace: Workspace, settings: Settings, source: Path, pipeline_id: str
) -> None:
    quick = settings.with_changes(lock_timeout=0.2)
    with workspace.lock("watches", agent="someone-else"), pytest.raises(LockTimeout, match="someone-else"):
        watch_repository(workspace, quick, repository=str(source), workshop="w", pipeline_id=pipeline_id)
