"""The ``workspace`` command: behaviour through click's runner, and as real processes for locks and errors."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from workshop_template_system.cli.workspace import workspace as workspace_command
from workshop_template_system.workspace import Workspace

INCREMENT = (
    "import sys\nwith open(sys.argv[1], 'r+') as f:\n    value = int(f.read()); f.seek(0); f.write(str(value + 1))\n"
)


def cli(space: Workspace, *args: str) -> Result:
    """Run ``workspace --workspace <root> ARGS`` in this process."""
    return CliRunner(catch_exceptions=False).invoke(workspace_command, ["--workspace", str(space.root), *args])


def command(space: Workspace, *args: str) -> list[str]:
    """The same as a separate process, through the package's real entry point."""
    return [
        sys.executable,
        "-m",
        "workshop_template_system",
        "workspace",
        "--workspace",
        str(space.root),
        *args,
    ]


def test_init_prints_id_and_path(workspace: Workspace) -> None:
    result = cli(workspace, "init", "pipeline-7")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["pipeline-7", str(workspace.pipeline_dir("pipeline-7"))]
    assert workspace.pipeline_info("pipeline-7")["status"] == "initializing"


def test_init_without_id_generates_one_and_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(workspace_command, ["init", "--json"], env={"WORKSPACE_PATH": str(tmp_path)})
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["pipeline_id"].startswith("pipeline-")
    assert data["path"] == str(tmp_path / "pipelines" / data["pipeline_id"])
    assert data["info"]["workspace_version"] == "1.0.0"


def test_status_records_the_agent(workspace: Workspace, pipeline: str) -> None:
    result = cli(workspace, "status", pipeline, "content-creator", "running", "--message", "module 2")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)["content-creator"]
    assert workspace.agent_statuses(pipeline) == {"content-creator": printed}
    assert printed["message"] == "module 2"


def test_show_prints_the_summary_as_json(workspace: Workspace, pipeline: str) -> None:
    cli(workspace, "status", pipeline, "source-manager", "done")
    everything = json.loads(cli(workspace, "show").stdout)
    one = json.loads(cli(workspace, "show", pipeline).stdout)
    assert [each["pipeline_id"] for each in everything["pipelines"]] == [pipeline]
    assert one["pipelines"][0]["agents"]["source-manager"]["status"] == "done"
    assert set(one) >= {"workspace", "pipelines", "global_locks", "archived_pipelines", "disk"}


def test_check_reports_free_and_held(workspace: Workspace, pipeline: str) -> None:
    assert cli(workspace, "check", pipeline, "content").stdout == "free\n"
    with workspace.lock("content", pipeline, agent="content-creator") as owner:
        held = cli(workspace, "check", pipeline, "content")
        as_json = json.loads(cli(workspace, "check", pipeline, "content", "--json").stdout)
    assert held.exit_code == 0
    assert held.stdout == f"held by {owner.describe()}\n"
    assert as_json == {"resource": "content", "held": True, "holder": owner.to_dict()}
    with workspace.lock("templates"):
        assert cli(workspace, "check", "--global", "templates").stdout.startswith("held by agent cli")


def test_archive_and_cleanup(workspace: Workspace, pipeline: str) -> None:
    archived = cli(workspace, "archive", pipeline)
    assert archived.exit_code == 0
    target = Path(archived.stdout.strip())
    assert target.parent.parent == workspace.root / "completed" and target.is_dir()
    assert cli(workspace, "cleanup", "--older-than", "1d").stdout == ""
    removed = cli(workspace, "cleanup", "--older-than", "0s")
    assert removed.stdout.splitlines() == [str(target)]
    assert not target.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["init", "../etc"], 2, "error: invalid pipeline id '../etc': "),
        (["status", "p/x", "agent", "running"], 2, "error: invalid pipeline id 'p/x': "),
        (["check", "pipeline-1", "/abs"], 2, "error: invalid resource '/abs': "),
        (["lock", "pipeline-1", "..", "--", "true"], 2, "error: invalid resource '..': "),
        (["show", "missing"], 1, "error: pipeline 'missing' does not exist in "),
        (["archive", "missing"], 1, "error: pipeline 'missing' does not exist in "),
        (["cleanup", "--older-than", "soon"], 2, "error: invalid duration 'soon': "),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    workspace: Workspace, pipeline: str, args: list[str], code: int, message: str
) -> None:
    result = subprocess.run(command(workspace, *args), capture_output=True, text=True, timeout=30)
    assert result.returncode == code
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_lock_runs_the_command_and_returns_its_exit_code(workspace: Workspace, pipeline: str) -> None:
    script = (
        "import sys; from pathlib import Path; from workshop_template_system.workspace import Workspace; "
        "owner = Workspace(Path(sys.argv[1])).holder('content', sys.argv[2]); "
        "print(owner.agent); sys.exit(3)"
    )
    run_script = [sys.executable, "-c", script, str(workspace.root), pipeline]
    result = subprocess.run(
        command(workspace, "lock", pipeline, "content", "--agent", "tekton", "--", *run_script),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout, result.stderr) == (3, "tekton\n", "")
    assert workspace.holder("content", pipeline) is None


def test_lock_exits_75_naming_the_holder(
    workspace: Workspace, pipeline: str, holder_process: subprocess.Popen[str]
) -> None:
    result = subprocess.run(
        command(workspace, "lock", "--timeout", "0.2", pipeline, "counter", "--", "true"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 75
    assert result.stderr == (
        f"error: lock 'counter' of pipeline '{pipeline}' is held by agent holder (pid {holder_process.pid} "
        f"on host {workspace.holder('counter', pipeline).host}, "  # type: ignore[union-attr]
        f"since {workspace.holder('counter', pipeline).since}); gave up after 0.2s\n"  # type: ignore[union-attr]
    )


def test_lock_with_global_resource_and_missing_command(workspace: Workspace) -> None:
    ok = subprocess.run(command(workspace, "lock", "--global", "templates", "--", "true"), timeout=30)
    missing = subprocess.run(
        command(workspace, "lock", "--global", "templates", "--", "no-such-command-here"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert ok.returncode == 0
    assert (workspace.root / "shared" / "coordination" / "locks" / "templates.lock").exists()
    assert (missing.returncode, missing.stderr) == (127, "error: command not found: no-such-command-here\n")


def test_lock_passes_sigterm_on_and_holds_until_the_command_ends(workspace: Workspace, pipeline: str) -> None:
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: (time.sleep(0.5), sys.exit(9)))\n"
        "print('started', flush=True)\n"
        "time.sleep(30)\n"
    )
    process = subprocess.Popen(
        command(workspace, "lock", pipeline, "content", "--", sys.executable, "-c", script),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "started\n"
    process.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    assert workspace.holder("content", pipeline) is not None  # the command is still cleaning up
    assert process.wait(timeout=10) == 9
    assert workspace.holder("content", pipeline) is None


def test_four_cli_processes_lose_no_increment(workspace: Workspace, pipeline: str) -> None:
    counter = workspace.pipeline_dir(pipeline) / "workspace-content" / "counter"
    counter.write_text("0")
    increment = command(workspace, "lock", pipeline, "counter", "--", sys.executable, "-c", INCREMENT, str(counter))
    codes: list[int] = []

    def run_ten() -> None:
        codes.extend(subprocess.run(increment, timeout=60).returncode for _ in range(10))

    threads = [threading.Thread(target=run_ten) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [0] * 40
    assert counter.read_text() == "40"
