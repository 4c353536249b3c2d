"""Hostile values given to the command line: every argument and option of `pipeline` that names a repository, a
ref, a workshop or a pipeline (passed to the live template_converter, with the token), and the `workspace`
arguments tests/workspace/test_workspace_cli.py does not try. Each ends with one error line, no traceback, and
nothing named after the value on disk."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from security_support import MARKER, TOKEN, traces

from support import CONSOLE_SCRIPT, ROOT

PIPELINE_CALLS = {
    "run REPOSITORY (a remote helper)": (["pipeline", "run", f"ext::sh -c touch% /tmp/{MARKER}"], 1),
    "run REPOSITORY (an option, after --)": (["pipeline", "run", "--", f"--upload-pack=touch /tmp/{MARKER}"], 1),
    "run REPOSITORY (a local path)": (["pipeline", "run", "/etc"], 1),
    "run REPOSITORY (a loopback address)": (["pipeline", "run", "http://127.0.0.1:1/r.git"], 1),
    "run --ref": (["pipeline", "run", "http://127.0.0.1:1/r.git", "--ref", f"--upload-pack=touch /tmp/{MARKER}"], 1),
    "run --ref (too long)": (["pipeline", "run", "http://127.0.0.1:1/r.git", "--ref", MARKER + "a" * 300], 2),
    "run --name": (["pipeline", "run", "http://127.0.0.1:1/r.git", "--name", f"../../{MARKER}"], 1),
    "resume ID": (["pipeline", "resume", f"../../{MARKER}"], 2),
    "approve ID": (["pipeline", "approve", f"/tmp/{MARKER}"], 2),
    "reject ID": (["pipeline", "reject", "--reason", "no", "--", f"-{MARKER}"], 2),
    "status ID": (["pipeline", "status", f"../{MARKER}"], 2),
}
"""Each call, and its exit code: 2 when template_converter rejects the input (its schema refuses the value, as
the README's "2 a bad value" says), 1 when the skill refuses it while running (the task fails with the reason)."""

PIPELINE = "{pipeline}"
WORKSPACE_CALLS = {
    "status AGENT": ["workspace", "status", PIPELINE, f"../../{MARKER}", "running"],
    "check --global RESOURCE": ["workspace", "check", "--global", f"../{MARKER}"],
    "lock --global RESOURCE": ["workspace", "lock", "--global", f"/tmp/{MARKER}", "--", "true"],
    "show PIPELINE_ID": ["workspace", "show", f"../../{MARKER}"],
    "archive PIPELINE_ID": ["workspace", "archive", f"/tmp/{MARKER}"],
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CONSOLE_SCRIPT, *args], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


def _environment(**settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.endswith("_URL") and key != "A2A_AUTH_TOKEN"}
    return {**env, **settings}


def _refusal(result: subprocess.CompletedProcess[str], codes: tuple[int, ...]) -> str | None:
    """What is wrong with how the command refused, or None: one ``error:`` line saying why, no traceback."""
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    refused = last.startswith("error: ") and any(word in last for word in ("refused", "invalid", "not allowed"))
    if result.returncode not in codes or not refused or "Traceback" in result.stderr:
        return f"exit {result.returncode}: {result.stderr.strip()[-300:]}"
    return None


@pytest.mark.parametrize(("args", "code"), PIPELINE_CALLS.values(), ids=PIPELINE_CALLS.keys())
def test_pipeline_commands_pass_hostile_values_on_to_be_refused(deployment, args: list[str], code: int) -> None:
    env = _environment(
        TEMPLATE_CONVERTER_URL=deployment.url("template_converter"),
        A2A_AUTH_TOKEN=TOKEN,
        WORKSPACE_PATH=str(deployment.workspace),
    )
    assert _refusal(_run(args, env), (code,)) is None
    assert traces(MARKER, deployment.folder) == []


def test_an_agents_url_file_naming_no_http_agent_is_a_clear_error(tmp_path: Path) -> None:
    urls = tmp_path / "urls.env"
    urls.write_text(f"TEMPLATE_CONVERTER_URL=file:///tmp/{MARKER}\n")
    result = _run(["pipeline", "--agents-url-file", str(urls), "status"], _environment(A2A_AUTH_TOKEN=TOKEN))
    assert result.returncode == 1
    assert result.stderr.startswith("error: calling template_converter.pipeline_status at file:///")
    assert "Traceback" not in result.stderr
    assert traces(MARKER, tmp_path) == []


@pytest.mark.parametrize("args", WORKSPACE_CALLS.values(), ids=WORKSPACE_CALLS.keys())
def test_workspace_commands_refuse_names_the_existing_tests_do_not_try(deployment, workshop, args: list[str]) -> None:
    command = [word.replace(PIPELINE, workshop["pipeline_id"]) for word in args]
    assert _refusal(_run(command, _environment(WORKSPACE_PATH=str(deployment.workspace))), (2,)) is None
    assert traces(MARKER, deployment.folder) == []
