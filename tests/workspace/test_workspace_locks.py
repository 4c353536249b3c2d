"""Locks between real processes and threads: exclusion, dead holders, timeouts, owner records."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable

import pytest

from workshop_template_system.errors import ConfigurationError, InvalidNameError, LockTimeout, WorkspaceError
from workshop_template_system.workspace import LockOwner, Workspace


def test_eight_processes_lose_no_increment(
    workspace: Workspace, pipeline: str, worker_command: Callable[..., list[str]]
) -> None:
    counter = workspace.pipeline_dir(pipeline) / "workspace-content" / "counter"
    counter.write_text("0")
    processes = [
        subprocess.Popen(worker_command("count", workspace.root, pipeline, 200, f"worker-{n}")) for n in range(8)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0] * 8
    assert counter.read_text() == "1600"
    assert workspace.holder("counter", pipeline) is None
    assert not (workspace.lock_path("counter", pipeline).with_name("counter.owner.json")).exists()


def test_threads_of_one_process_exclude_each_other(workspace: Workspace, pipeline: str) -> None:
    counter = workspace.pipeline_dir(pipeline) / "workspace-content" / "counter"
    counter.write_text("0")

    def increment() -> None:
        for _ in range(100):
            with workspace.lock("counter", pipeline, agent="thread", timeout=30):
                value = int(counter.read_text())
                time.sleep(0)  # invite a switch inside the critical section
                counter.write_text(str(value + 1))

    threads = [threading.Thread(target=increment) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.read_text() == "400"


def test_owner_is_readable_by_another_process_while_held(
    workspace: Workspace, pipeline: str, holder_process: subprocess.Popen[str]
) -> None:
    owner = workspace.holder("counter", pipeline)
    assert owner is not None
    assert (owner.agent, owner.pid, owner.host) == ("holder", holder_process.pid, socket.gethostname())
    assert owner.since.endswith("Z")
    assert workspace.held_locks(pipeline) == [("counter", owner)]
    record = workspace.lock_path("counter", pipeline).with_name("counter.owner.json")
    assert json.loads(record.read_text()) == owner.to_dict()


def test_killed_holder_frees_the_lock_at_once(
    workspace: Workspace, pipeline: str, holder_process: subprocess.Popen[str]
) -> None:
    record = workspace.lock_path("counter", pipeline).with_name("counter.owner.json")
    holder_process.send_signal(signal.SIGKILL)
    holder_process.wait()
    assert record.exists()  # the dead holder could not clean up...

    assert workspace.holder("counter", pipeline) is None  # ...but its record is not believed
    assert not record.exists()
    started = time.monotonic()
    with workspace.lock("counter", pipeline, agent="next", timeout=5) as owner:
        waited = time.monotonic() - started
        assert workspace.holder("counter", pipeline) == owner
    assert waited < 0.5


def test_timeout_names_the_holder(workspace: Workspace, pipeline: str, holder_process: subprocess.Popen[str]) -> None:
    started = time.monotonic()
    with pytest.raises(LockTimeout) as caught, workspace.lock("counter", pipeline, timeout=0.3):
        pass
    assert 0.3 <= time.monotonic() - started < 2
    message = str(caught.value)
    assert f"lock 'counter' of pipeline '{pipeline}' is held by agent holder (pid {holder_process.pid}" in message
    assert f"on host {socket.gethostname()}, since " in message
    assert message.endswith("gave up after 0.3s")


def test_zero_timeout_tries_once(workspace: Workspace, pipeline: str, holder_process: subprocess.Popen[str]) -> None:
    with pytest.raises(LockTimeout), workspace.lock("counter", pipeline, timeout=0):
        pass
    with workspace.lock("other", pipeline, timeout=0):
        pass


@pytest.mark.parametrize("timeout", [-1, float("inf"), float("nan")])
def test_unbounded_timeouts_are_refused(workspace: Workspace, pipeline: str, timeout: float) -> None:
    with pytest.raises(ConfigurationError), workspace.lock("counter", pipeline, timeout=timeout):
        pass


def test_released_lock_leaves_no_owner_record(workspace: Workspace, pipeline: str) -> None:
    with workspace.lock("content", pipeline, agent="content-creator") as owner:
        assert owner == LockOwner(owner.agent, os.getpid(), socket.gethostname(), owner.since)
        assert owner.agent == "content-creator"
    locks = workspace.pipeline_dir(pipeline) / "metadata" / "locks"
    assert sorted(path.name for path in locks.iterdir()) == ["content.lock", "metadata.lock"]
    assert workspace.held_locks(pipeline) == []


def test_global_locks_live_under_shared_coordination(workspace: Workspace) -> None:
    with workspace.lock("templates", agent="cli") as owner:
        assert workspace.holder("templates") == owner
        assert workspace.held_locks() == [("templates", owner)]
    assert (workspace.root / "shared" / "coordination" / "locks" / "templates.lock").exists()
    assert workspace.holder("templates") is None


def test_lock_on_missing_pipeline_is_refused(workspace: Workspace) -> None:
    with (
        pytest.raises(WorkspaceError, match="pipeline 'nope' does not exist in"),
        workspace.lock("x", "nope"),
    ):
        pass
    assert not workspace.pipeline_dir("nope").exists()


@pytest.mark.parametrize("resource", ["../escape", "a/b", "", ".lock"])
def test_bad_resource_names_are_refused(workspace: Workspace, pipeline: str, resource: str) -> None:
    with pytest.raises(InvalidNameError, match="invalid resource"), workspace.lock(resource, pipeline):
        pass


def test_lock_held_by_a_process_without_owner_record_is_reported(workspace: Workspace, pipeline: str) -> None:
    lock_path = workspace.lock_path("script", pipeline)
    lock_path.touch()
    flock = subprocess.Popen(["flock", str(lock_path), "sleep", "30"])
    try:
        deadline = time.monotonic() + 5
        while (owner := workspace.holder("script", pipeline)) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert owner == LockOwner.unknown()
        with (
            pytest.raises(LockTimeout, match="held by a process that left no owner record"),
            workspace.lock("script", pipeline, timeout=0.1),
        ):
            pass
    finally:
        flock.kill()
        flock.wait()


def test_lock_taken_in_one_thread_can_be_released_in_another(workspace: Workspace, pipeline: str) -> None:
    # What async callers do when they enter and leave the lock through a thread pool.
    held = workspace.lock("content", pipeline, agent="async")
    entering = threading.Thread(target=held.__enter__)
    entering.start()
    entering.join()
    assert workspace.holder("content", pipeline) is not None
    leaving = threading.Thread(target=held.__exit__, args=(None, None, None))
    leaving.start()
    leaving.join()
    assert workspace.holder("content", pipeline) is None
    with workspace.lock("content", pipeline, timeout=0):
        pass
