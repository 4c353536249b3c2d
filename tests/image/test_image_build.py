"""The real image, built by `scripts/build-image` with buildah (no Docker engine): its configuration, one agent
answering as UID 1001 and as an arbitrary UID in group 0, and a workshop built by the Antora inside it.

Runs with RUN_IMAGE_BUILD=1 only: it needs root, buildah and debootstrap, and takes minutes (the first build
more, as it makes the base image).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dockerfile_parts import ROOT

from support import free_port

pytestmark = pytest.mark.skipif(
    os.environ.get("RUN_IMAGE_BUILD") != "1",
    reason="builds the container image: set RUN_IMAGE_BUILD=1 (needs root, buildah and debootstrap)",
)

TAG = "localhost/workshop-template-system:test"
BUILD_CHECK = Path(__file__).with_name("build_check.py")


def _buildah(*args: str, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["buildah", *args], capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    assert result.returncode == 0, f"buildah {' '.join(args)}: {result.stderr}"
    return result


@pytest.fixture(scope="module")
def image() -> str:
    started = time.monotonic()
    result = subprocess.run(
        [str(ROOT / "scripts" / "build-image"), TAG],
        env={**os.environ, "PYTHON": sys.executable},  # its base Python goes into the base image
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-6000:]
    size = _buildah("images", "--format", "{{.Size}}", TAG).stdout.strip()
    print(f"\nbuilt {TAG} in {time.monotonic() - started:.0f} s, size {size}")
    return TAG


@pytest.fixture
def container(image: str) -> Iterator[str]:
    name = _buildah("from", "--pull=never", image).stdout.strip()
    yield name
    _buildah("rm", name)


def _run(container: str, *command: str, user: str | None = None, options: tuple[str, ...] = ()) -> list[str]:
    """The `buildah run` command line for ``command`` in the container (as its USER unless told)."""
    who = ["--user", user] if user else []
    return ["buildah", "run", "--isolation", "chroot", *who, *options, container, "--", *command]


def _wait_for_card(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the agent exited with {process.returncode}"
        try:
            response = httpx.get(f"{url}/agent-card", timeout=5)
        except httpx.TransportError:
            time.sleep(0.5)
            continue
        assert response.status_code == 200, response.text
        return response.json()
    raise AssertionError(f"no agent card at {url} within {timeout:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group this test started (buildah and the agent under it), SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_the_image_is_configured_for_openshift(image: str) -> None:
    config = json.loads(_buildah("inspect", "--type", "image", image).stdout)["Docker"]["config"]
    assert config["User"] == "1001"
    assert config["ExposedPorts"] == {"8080/tcp": {}}
    assert config["Cmd"] == ["python", "-m", "demos.workshop_template_system", "--help"]
    test = config["Healthcheck"]["Test"]
    assert test[0] == "CMD" and "/agent-card" in test[-1]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["ALLOW_LOCAL_REPOSITORIES"] == "false"
    assert env["WORKSPACE_PATH"] == "/workspace"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert config["Labels"]["org.opencontainers.image.title"] == "workshop-template-system"


def test_the_default_command_lists_the_agents(container: str) -> None:
    result = subprocess.run(
        _run(container, "python", "-m", "demos.workshop_template_system", "--help"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "template_converter" in result.stdout


@pytest.mark.parametrize("user", [None, "123456:0"], ids=["image-user", "arbitrary-uid"])
def test_an_agent_answers_and_passes_its_healthcheck(container: str, image: str, user: str | None) -> None:
    port = free_port()
    command = _run(
        container,
        *("python", "-m", "demos.workshop_template_system", "--agent-name", "template_converter"),
        *("--host", "127.0.0.1", "--port", str(port)),
        user=user,
    )
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        card = _wait_for_card(f"http://127.0.0.1:{port}", process)
        assert card["name"] == "template_converter"
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text  # the workspace is writable by this user
        config = json.loads(_buildah("inspect", "--type", "image", image).stdout)["Docker"]["config"]
        probe = _run(container, *config["Healthcheck"]["Test"][1:], user=user, options=("--env", f"AGENT_PORT={port}"))
        assert subprocess.run(probe, capture_output=True, timeout=60, check=False).returncode == 0
    finally:
        _stop(process)


def test_antora_builds_a_workshop_inside_the_image_as_an_arbitrary_uid(container: str) -> None:
    result = subprocess.run(
        _run(container, "python", "-", user="123456:0"),
        input=BUILD_CHECK.read_text(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"], report["diagnostics"]
    assert report["antora"] == "/opt/antora/node_modules/.bin/antora"
    assert "/site-packages/workshop_template_system/integrations/antora_ui" in report["ui_bundle"]
    assert "Built inside the container image." in report["page"]
