"""A full or read-only workspace, for real: a small tmpfs mounted as the workspace, filled to ENOSPC or remounted
read-only. Readiness turns red with the reason, skills fail with one clear reason, nothing stored is damaged, and
everything works again once space is freed or the mount is writable, without a restart.

Mounting needs root (CAP_SYS_ADMIN): elsewhere these tests skip and say so.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from support import rpc
from workshop_template_system.errors import WorkspaceUnwritable
from workshop_template_system.workspace import Workspace, atomic_write_json

WORKSPACE_SIZE = "32m"  # room for the agents' files above readiness's 16 MiB floor; filling it takes milliseconds
OUTLINE: dict[str, Any] = {
    "title": "Disk Demo",
    "summary": "A tiny workshop.",
    "audience": "developers",
    "duration_minutes": 10,
    "prerequisites": [],
    "workflow": "new-workshop",
    "evidence": ["README.md"],
    "source": {"repository": "https://example.com/demo.git"},
    "modules": [
        {
            "id": "build",
            "title": "Build",
            "objectives": ["Build the application"],
            "source_files": ["README.md"],
            "steps": [{"title": "Compile", "text": "Run the build.", "commands": ["make"]}],
            "verification": {"text": "", "commands": []},
        }
    ],
}


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


@pytest.fixture
def workspace_path(tmp_path: Path) -> Iterator[Path]:
    """The workspace on its own small tmpfs; unmounted after the agents (which depend on it) have stopped."""
    root = tmp_path / "workspace"
    root.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("a real full or read-only workspace needs the mount command")
    mounted = _mount("-t", "tmpfs", "-o", f"size={WORKSPACE_SIZE}", "tmpfs", str(root))
    if mounted.returncode != 0:
        why = (mounted.stderr.strip().splitlines() or [f"exit code {mounted.returncode}"])[0]
        pytest.skip(f"a real full or read-only workspace needs `mount -t tmpfs` (root): {why}")
    try:
        yield root
    finally:
        if subprocess.run(["umount", str(root)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(root)], check=True)


def fill(root: Path) -> Path:
    """Fill the file system under `root` until it refuses a single page: ENOSPC for every write after."""
    filler = root / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    assert shutil.disk_usage(root).free == 0
    return filler


def remount(root: Path, mode: str) -> None:
    """Remount read-only (``ro``) or writable (``rw``); ``ro`` needs no file open for writing on it."""
    result = _mount("-o", f"remount,{mode}", str(root))
    assert result.returncode == 0, result.stderr


def call(url: str, skill: str, input: dict[str, Any]) -> dict[str, Any]:
    """``message/send`` of one skill call; the JSON-RPC answer."""
    parts = [{"kind": "data", "data": {"skill": skill, "input": input}}]
    message = {"messageId": uuid.uuid4().hex, "role": "user", "parts": parts}
    response = rpc(
        url, {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {"message": message}}, timeout=120
    )
    assert response.status_code == 200, response.text
    return response.json()


def state_and_reason(answer: dict[str, Any]) -> tuple[str, str]:
    status = answer["result"]["status"]
    return status["state"], " ".join(part.get("text", "") for part in status.get("message", {}).get("parts", []))


def result_data(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["result"]["status"]["state"] == "completed", answer
    return next(a["parts"][0]["data"] for a in answer["result"]["artifacts"] if a["name"] == "result")


def stored_state(url: str, task_id: str) -> str:
    answer = rpc(url, {"jsonrpc": "2.0", "id": 2, "method": "tasks/get", "params": {"id": task_id}}).json()
    return answer["result"]["status"]["state"]


def readiness(url: str) -> tuple[int, str]:
    response = httpx.get(url + "/readyz", timeout=10)
    return response.status_code, response.json()["checks"]["workspace"]


def snapshot(root: Path, *parts: str) -> dict[str, bytes]:
    """Every file under ``root/parts`` with its bytes."""
    base = root.joinpath(*parts)
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(base.rglob("*")) if path.is_file()}


def temporary_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*.tmp"))


def outside_store(tmp_path: Path, name: str) -> str:
    """A task store off the workspace, so the skill's own writes meet the fault (PostgreSQL in production)."""
    return f"sqlite+aiosqlite:///{tmp_path / f'{name}-tasks.db'}"


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_failed_atomic_write_keeps_the_old_file_and_leaves_no_temporary_file(workspace_path, fault) -> None:
    target = workspace_path / "pipeline-info.json"
    atomic_write_json(target, {"status": "created"})
    before = target.read_bytes()
    if fault == "full":
        fill(workspace_path)
    else:
        remount(workspace_path, "ro")
    try:
        with pytest.raises(OSError) as raised:
            atomic_write_json(target, {"status": "x" * 100_000})
        assert raised.value.errno == (errno.ENOSPC if fault == "full" else errno.EROFS)
        assert raised.value.filename == str(target)  # the target, not the temporary file
        assert target.read_bytes() == before
        assert temporary_files(workspace_path) == []
    finally:
        if fault == "read-only":
            remount(workspace_path, "rw")


def test_a_workspace_without_free_inodes_counts_as_full(workspace_path) -> None:
    space = os.statvfs(workspace_path)
    remount(workspace_path, f"rw,nr_inodes={space.f_files - space.f_ffree + 8}")
    with pytest.raises(OSError) as raised:
        for number in range(1000):
            (workspace_path / f"empty-{number}").touch()
    assert raised.value.errno == errno.ENOSPC
    assert shutil.disk_usage(workspace_path).free > 16 * 1024 * 1024  # bytes to spare, no inode left
    with pytest.raises(WorkspaceUnwritable, match=r"is full: no free inodes left$"):
        Workspace(workspace_path).check_writable()


def test_a_full_workspace_fails_a_workshop_with_the_reason_and_keeps_the_old_one(
    start_agent, workspace_path, tmp_path
) -> None:
    creator = start_agent("content_creator", TASK_STORE_URL=outside_store(tmp_path, "creator"))
    result_data(call(creator.url, "create_workshop", {"pipeline_id": "p1", "outline": OUTLINE}))
    workshop = snapshot(workspace_path, "pipelines", "p1")
    assert readiness(creator.url) == (200, "ok")

    filler = fill(workspace_path)
    code, reason = readiness(creator.url)
    assert code == 503
    assert reason == f"workspace {workspace_path} is full: 0.0 MiB free, less than the 16.0 MiB it needs"
    renamed = {**OUTLINE, "title": "Disk Demo Two"}
    state, reason = state_and_reason(call(creator.url, "create_workshop", {"pipeline_id": "p1", "outline": renamed}))
    assert state == "failed"
    assert reason.startswith(f"the workspace is full: no space left on device writing {workspace_path}/"), reason
    assert httpx.get(creator.url + "/healthz").status_code == 200

    filler.unlink()
    assert snapshot(workspace_path, "pipelines", "p1") == workshop  # nothing half-written
    assert temporary_files(workspace_path) == []
    assert json.loads((workspace_path / "pipelines/p1/metadata/pipeline-info.json").read_text())["title"] == "Disk Demo"
    assert readiness(creator.url) == (200, "ok")  # without a restart
    assert result_data(call(creator.url, "workspace_status", {"pipeline_id": "p1"}))["pipelines"]  # a new task works
    assert "Traceback" not in creator.log()


def published_pipeline(workspace_path: Path) -> Path:
    """A pipeline whose final-output/ holds a workshop page, as content_creator leaves it; the page."""
    Workspace(workspace_path).init_pipeline("p1")
    page = (
        workspace_path / "pipelines" / "p1" / "final-output" / "content" / "modules" / "ROOT" / "pages" / "index.adoc"
    )
    page.parent.mkdir(parents=True)
    page.write_text("= Disk Demo\n\nThe first version.\n")
    return page


def assert_repository_intact(clone_url: str, tags: list[str], into: Path) -> None:
    bare = clone_url.removeprefix("file://")
    subprocess.run(["git", "-C", bare, "fsck", "--strict", "--no-progress"], check=True, capture_output=True)
    subprocess.run(["git", "clone", "-q", clone_url, str(into)], check=True, timeout=60)
    assert subprocess.run(["git", "-C", str(into), "tag"], capture_output=True, text=True).stdout.split() == tags


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_publish_on_a_faulty_workspace_fails_with_the_reason_and_the_repository_survives(
    start_agent, workspace_path, tmp_path, fault
) -> None:
    page = published_pipeline(workspace_path)
    publisher = start_agent("source_manager", TASK_STORE_URL=outside_store(tmp_path, "publisher"))
    publish = {"pipeline_id": "p1", "repository": "demo"}
    first = result_data(call(publisher.url, "publish_workshop", publish))
    assert first["version"] == "v1"
    stored = snapshot(workspace_path, "git")

    filler = fill(workspace_path) if fault == "full" else None
    if filler is None:
        remount(workspace_path, "ro")
    try:
        code, reason = readiness(publisher.url)
        state, failure = state_and_reason(call(publisher.url, "publish_workshop", publish))
    finally:
        if filler is None:
            remount(workspace_path, "rw")
        else:
            filler.unlink()
    assert code == 503
    if fault == "full":
        assert reason.startswith(f"workspace {workspace_path} is full: "), reason
        assert failure.startswith(f"the workspace is full: no space left on device writing {workspace_path}/"), failure
    else:
        assert reason == f"workspace {workspace_path} is not writable: read-only file system"
        assert failure.startswith(f"the workspace is read-only: read-only file system writing {workspace_path}/"), (
            failure
        )
    assert state == "failed"

    assert snapshot(workspace_path, "git") == stored
    assert temporary_files(workspace_path) == []
    assert_repository_intact(first["clone_url"], ["v1"], tmp_path / "clone")
    assert readiness(publisher.url) == (200, "ok")  # without a restart
    page.write_text("= Disk Demo\n\nThe second version.\n")
    assert result_data(call(publisher.url, "publish_workshop", publish))["version"] == "v2"
    assert "Traceback" not in publisher.log()


def test_the_task_store_on_a_full_workspace_answers_with_an_error_and_recovers(start_agent, workspace_path) -> None:
    agent = start_agent("content_creator")  # its tasks in <workspace>/agents/content-creator/tasks.db
    before = call(agent.url, "workspace_status", {})
    result_data(before)

    filler = fill(workspace_path)
    assert readiness(agent.url)[0] == 503
    answer = call(agent.url, "workspace_status", {})
    assert "result" not in answer
    assert answer["error"]["code"] == -32603, answer
    assert agent.process is not None and agent.process.poll() is None
    assert httpx.get(agent.url + "/healthz").status_code == 200
    assert stored_state(agent.url, before["result"]["id"]) == "completed"  # reads still work on a full disk

    filler.unlink()
    assert readiness(agent.url) == (200, "ok")
    result_data(call(agent.url, "workspace_status", {}))
    assert stored_state(agent.url, before["result"]["id"]) == "completed"
    with closing(sqlite3.connect(workspace_path / "agents" / "content-creator" / "tasks.db")) as database:
        assert database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_task_the_full_task_store_cannot_save_gets_one_clear_error(start_agent, workspace_path) -> None:
    agent = start_agent("content_creator")
    fill(workspace_path)
    error = call(agent.url, "workspace_status", {"pipeline_id": "private-pipeline"})["error"]
    assert error["message"].startswith("the task store cannot save task "), error
    assert "disk is full" in error["message"]
    assert "INSERT" not in error["message"] and "private-pipeline" not in error["message"]  # no SQL, no request echoed
    assert "INSERT" not in agent.log()  # nor in the agent's log (the skill, which runs on, may name its pipeline)
    assert "the task store cannot save task" in agent.log()
