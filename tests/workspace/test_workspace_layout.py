"""The workspace layout, pipeline metadata, agents' statuses, the status summary, archive and cleanup."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from workshop_template_system.errors import ConfigurationError, InvalidNameError, WorkspaceError
from workshop_template_system.workspace import Workspace, parse_duration

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_ensure_creates_the_top_level_layout_idempotently(tmp_path: Path) -> None:
    space = Workspace(tmp_path / "new")
    space.ensure()
    space.ensure()
    made = sorted(str(path.relative_to(space.root)) for path in space.root.rglob("*"))
    assert made == [
        "agents",
        "completed",
        "pipelines",
        "shared",
        "shared/coordination",
        "shared/coordination/locks",
        "shared/git-cache",
        "shared/templates",
    ]


def test_agent_dir(workspace: Workspace) -> None:
    path = workspace.agent_dir("content-creator")
    assert path == workspace.root / "agents" / "content-creator"
    assert (path / "working").is_dir() and (path / "cache").is_dir()
    with pytest.raises(InvalidNameError, match="invalid agent name"):
        workspace.agent_dir("../x")


def test_init_pipeline_creates_folders_and_seed_metadata(workspace: Workspace) -> None:
    info = workspace.init_pipeline("pipeline-123", requester="tekton")
    directory = workspace.pipeline_dir("pipeline-123")
    for name in ("workspace-content", "agent-artifacts", "metadata/locks", "final-output"):
        assert (directory / name).is_dir()
    on_disk = json.loads((directory / "metadata" / "pipeline-info.json").read_text())
    assert on_disk == info
    assert list(info) == [
        "pipeline_id",
        "start_time",
        "status",
        "workspace_version",
        "requester",
        "updated_time",
    ]
    assert info["pipeline_id"] == "pipeline-123"
    assert info["status"] == "initializing"
    assert info["workspace_version"] == "1.0.0"
    assert ISO_UTC.fullmatch(str(info["start_time"]))
    assert json.loads((directory / "metadata" / "agent-status.json").read_text()) == {}


def test_init_pipeline_is_idempotent(workspace: Workspace, pipeline: str) -> None:
    workspace.update_pipeline(pipeline, status="running")
    before = workspace.pipeline_info(pipeline)
    assert workspace.init_pipeline(pipeline, status="other") == before
    assert workspace.pipeline_info(pipeline) == before


def test_generated_ids_are_sortable_and_unique(workspace: Workspace) -> None:
    ids = [str(workspace.init_pipeline()["pipeline_id"]) for _ in range(5)]
    assert all(re.fullmatch(r"pipeline-\d{8}-\d{6}-[0-9a-f]{6}", each) for each in ids)
    assert len(set(ids)) == 5
    assert workspace.pipeline_ids() == sorted(ids)


def test_pipeline_ids_skip_stray_entries(workspace: Workspace, pipeline: str) -> None:
    (workspace.root / "pipelines" / ".tmp").mkdir()
    (workspace.root / "pipelines" / "file.txt").write_text("x")
    assert workspace.pipeline_ids() == [pipeline]
    assert Workspace(workspace.root / "missing").pipeline_ids() == []


def test_update_pipeline(workspace: Workspace, pipeline: str) -> None:
    info = workspace.update_pipeline(pipeline, status="running", stage="analysis")
    assert info["status"] == "running" and info["stage"] == "analysis"
    assert workspace.pipeline_info(pipeline) == info
    with pytest.raises(WorkspaceError, match="pipeline_id cannot be changed"):
        workspace.update_pipeline(pipeline, pipeline_id="other")


def test_agent_statuses(workspace: Workspace, pipeline: str) -> None:
    workspace.set_agent_status(pipeline, "content-creator", "running", "writing module 2", progress=0.5)
    workspace.set_agent_status(pipeline, "source-manager", "waiting")
    statuses = workspace.agent_statuses(pipeline)
    assert set(statuses) == {"content-creator", "source-manager"}
    assert statuses["content-creator"] == {
        "status": "running",
        "updated_time": statuses["content-creator"]["updated_time"],
        "message": "writing module 2",
        "progress": 0.5,
    }
    assert "message" not in statuses["source-manager"]
    with pytest.raises(InvalidNameError):
        workspace.set_agent_status(pipeline, "a/b", "running")
    with pytest.raises(WorkspaceError, match="must not be empty"):
        workspace.set_agent_status(pipeline, "x", " ")


def test_concurrent_status_updates_from_processes_are_all_kept(workspace: Workspace, pipeline: str) -> None:
    script = (
        "import sys; from pathlib import Path; from workshop_template_system.workspace import Workspace; "
        "w = Workspace(Path(sys.argv[1])); "
        "[w.set_agent_status(sys.argv[2], f'agent-{sys.argv[3]}-{i}', 'done') for i in range(15)]"
    )
    processes = [
        subprocess.Popen([os.sys.executable, "-c", script, str(workspace.root), pipeline, str(n)]) for n in range(4)
    ]
    assert [process.wait(timeout=60) for process in processes] == [0] * 4
    assert len(workspace.agent_statuses(pipeline)) == 60


@pytest.mark.parametrize(
    "call",
    [
        lambda w: w.pipeline_info("nope"),
        lambda w: w.update_pipeline("nope", status="x"),
        lambda w: w.set_agent_status("nope", "agent", "x"),
        lambda w: w.agent_statuses("nope"),
        lambda w: w.holder("x", "nope"),
        lambda w: w.held_locks("nope"),
        lambda w: w.status_summary("nope"),
        lambda w: w.archive("nope"),
    ],
)
def test_missing_pipelines_are_named(workspace: Workspace, call) -> None:
    with pytest.raises(WorkspaceError, match=f"pipeline 'nope' does not exist in {re.escape(str(workspace.root))}"):
        call(workspace)


def test_damaged_metadata_is_reported_readably(workspace: Workspace, pipeline: str) -> None:
    workspace.info_path(pipeline).write_text("{not json")
    with pytest.raises(WorkspaceError, match=r"pipeline-info\.json is not valid JSON"):
        workspace.pipeline_info(pipeline)
    summary = workspace.status_summary()
    assert summary["pipelines"][0]["status"] == "unknown"
    assert "not valid JSON" in summary["pipelines"][0]["error"]


def test_status_summary(workspace: Workspace, pipeline: str) -> None:
    workspace.init_pipeline("pipeline-2")
    workspace.set_agent_status(pipeline, "content-creator", "running")
    (workspace.pipeline_dir(pipeline) / "final-output" / "page.adoc").write_bytes(b"x" * 1000)
    with workspace.lock("content", pipeline, agent="content-creator"), workspace.lock("templates"):
        summary = workspace.status_summary()
        one = workspace.status_summary("pipeline-2")
    json.dumps(summary)
    assert summary["workspace"] == str(workspace.root)
    first, second = summary["pipelines"]
    assert first["pipeline_id"] == pipeline and first["status"] == "initializing"
    assert first["agents"]["content-creator"]["status"] == "running"
    assert [(lock["resource"], lock["agent"], lock["pid"]) for lock in first["locks"]] == [
        ("content", "content-creator", os.getpid())
    ]
    assert second["locks"] == [] and second["agents"] == {}
    assert [lock["resource"] for lock in summary["global_locks"]] == ["templates"]
    assert summary["archived_pipelines"] == 0
    assert summary["disk"]["workspace_bytes"] >= 1000
    assert summary["disk"]["workspace_bytes_complete"] is True
    assert summary["disk"]["filesystem_free_bytes"] > 0
    assert [each["pipeline_id"] for each in one["pipelines"]] == ["pipeline-2"]


def test_archive_moves_the_pipeline(workspace: Workspace, pipeline: str) -> None:
    target = workspace.archive(pipeline)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", target.parent.name)
    assert target == workspace.root / "completed" / target.parent.name / pipeline
    assert not workspace.pipeline_exists(pipeline)
    info = json.loads((target / "metadata" / "pipeline-info.json").read_text())
    assert info["status"] == "archived" and ISO_UTC.fullmatch(info["archived_time"])
    assert not list((target / "metadata" / "locks").glob("*.owner.json"))
    assert workspace.status_summary()["archived_pipelines"] == 1
    with pytest.raises(WorkspaceError, match="does not exist"):
        workspace.archive(pipeline)


def test_archive_refuses_an_existing_target(workspace: Workspace, pipeline: str) -> None:
    first = workspace.archive(pipeline)
    workspace.init_pipeline(pipeline)
    with pytest.raises(WorkspaceError, match="already exists"):
        workspace.archive(pipeline)
    assert workspace.pipeline_info(pipeline)["status"] == "initializing"
    assert first.is_dir()


def test_archive_refuses_a_pipeline_in_use(workspace: Workspace, pipeline: str) -> None:
    with (
        workspace.lock("content", pipeline, agent="content-creator"),
        pytest.raises(WorkspaceError, match="lock 'content' is held by agent content-creator"),
    ):
        workspace.archive(pipeline)
    assert workspace.pipeline_exists(pipeline)


def test_cleanup_removes_only_old_archives(workspace: Workspace, pipeline: str) -> None:
    workspace.init_pipeline("active")
    recent = workspace.archive(pipeline)
    old_day = workspace.root / "completed" / "2020-01-01"
    (old_day / "old-by-folder").mkdir(parents=True)
    old_recorded = workspace.root / "completed" / "2020-01-02" / "old-by-info"
    (old_recorded / "metadata").mkdir(parents=True)
    (old_recorded / "metadata" / "pipeline-info.json").write_text('{"archived_time": "2020-01-02T10:00:00Z"}')
    (workspace.root / "completed" / "notes").mkdir()

    removed = workspace.cleanup(timedelta(days=7))

    assert removed == [old_day / "old-by-folder", old_recorded]
    assert not old_day.exists() and not old_recorded.parent.exists()
    assert recent.is_dir() and (workspace.root / "completed" / "notes").is_dir()
    assert workspace.pipeline_exists("active")
    assert workspace.cleanup(timedelta(0)) == [recent]
    assert workspace.pipeline_ids() == ["active"]


def test_check_writable(workspace: Workspace, tmp_path: Path) -> None:
    workspace.check_writable()
    assert sorted(path.name for path in workspace.root.iterdir()) == [
        "agents",
        "completed",
        "pipelines",
        "shared",
    ]
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace(tmp_path / "missing").check_writable()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only permissions")
def test_check_writable_on_a_read_only_folder(workspace: Workspace) -> None:
    workspace.root.chmod(0o555)
    try:
        with pytest.raises(WorkspaceError, match="is not writable: permission denied"):
            workspace.check_writable()
    finally:
        workspace.root.chmod(0o755)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45s", timedelta(seconds=45)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        (" 1d12h ", timedelta(days=1, hours=12)),
        ("0s", timedelta(0)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "-1d", "1.5h", "7 days", "1y"])
def test_parse_duration_refuses_nonsense(text: str) -> None:
    with pytest.raises(ConfigurationError, match="invalid duration"):
        parse_duration(text)
