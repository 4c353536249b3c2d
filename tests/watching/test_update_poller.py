"""The poller, in-process: new commits found and logged on schedule, broken watches skipped, stop honoured."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from watching_repos import bump_java

from workshop_template_system.settings import Settings
from workshop_template_system.watching import run_poller, watch_repository
from workshop_template_system.workspace import Workspace


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not within the time allowed"
        await asyncio.sleep(0.05)


async def test_a_new_commit_is_found_and_logged_once(
    workspace: Workspace,
    settings: Settings,
    source: Path,
    pipeline_id: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workshop_template_system.watching")
    broken = tmp_path / "sources" / "broken"
    shutil.copytree(source, broken)
    watch_repository(workspace, settings, repository=str(source), workshop="greeting", pipeline_id=pipeline_id)
    watch_repository(workspace, settings, repository=str(broken), workshop="broken", pipeline_id=pipeline_id)
    shutil.rmtree(broken)

    stop = asyncio.Event()
    poller = asyncio.create_task(run_poller(settings.with_changes(poll_interval=0.2), workspace, stop), name="poller")
    await _until(lambda: any("cannot check workshop broken" in r.getMessage() for r in caplog.records))
    assert not [r for r in caplog.records if r.getMessage().startswith("update pending")]  # nothing new yet

    bumped = await asyncio.to_thread(bump_java, source)
    await _until(lambda: any(r.getMessage().startswith("update pending for workshop greeting") for r in caplog.records))
    await asyncio.sleep(0.6)  # a few more rounds: the same news is not logged again
    stop.set()
    await asyncio.wait_for(poller, timeout=10)

    lines = [r.getMessage() for r in caplog.records]
    [pending_line] = [line for line in lines if line.startswith("update pending for workshop greeting")]
    assert "1 new commit on main (" in pending_line and f"..{bumped[:7]})" in pending_line
    assert "modules affected: build, run; priority high" in pending_line
    assert sum("cannot check workshop broken" in line for line in lines) == 1  # skipped, logged once
    assert lines[-1] == "stopped checking watched repositories"


async def test_without_an_interval_the_poller_does_not_run(workspace: Workspace, settings: Settings) -> None:
    await asyncio.wait_for(run_poller(settings, workspace, asyncio.Event()), timeout=1)
