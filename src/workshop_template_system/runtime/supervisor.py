"""``up``: every agent as its own process on one workspace, each told the others' URLs."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx

from workshop_template_system.errors import ServeError
from workshop_template_system.settings import Settings, child_environment, peer_url_variable
from workshop_template_system.workspace import Workspace, atomic_write_text

URLS_FILE = Path("agents") / "urls.env"
"""In the workspace: the agents' ``<AGENT>_URL`` lines, for the ``pipeline`` command."""
START_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.25


@dataclass
class AgentProcess:
    """One agent started by ``up``."""

    name: str
    url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 5) -> str:
        """The last lines the agent wrote, to explain why it stopped."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Supervisor:
    """Starts the agents, watches them, and stops them all together."""

    def __init__(self, settings: Settings, agents: Sequence[str], host: str, base_port: int) -> None:
        self.settings = settings
        self.agents = list(agents)
        self.host = host
        self.ports = {name: base_port + index for index, name in enumerate(self.agents)}
        self.urls = {name: f"http://{host}:{port}" for name, port in self.ports.items()}
        self.children: list[AgentProcess] = []
        self._stop_requested = False

    def start(self, on_ready: Callable[[AgentProcess], None]) -> None:
        """Start every agent and wait until each answers ``/healthz``; `ServeError` if one does not."""
        workspace = Workspace(self.settings.workspace_path)
        workspace.ensure()
        peers = {peer_url_variable(name): url for name, url in self.urls.items()}
        lines = "".join(f"{variable}={url}\n" for variable, url in peers.items())
        atomic_write_text(workspace.root / URLS_FILE, f"# written by `up`: where its agents listen\n{lines}")
        for name in self.agents:
            log_path = workspace.agent_dir(name.replace("_", "-")) / "agent.log"
            env = child_environment(
                {
                    **peers,
                    "WORKSPACE_PATH": str(self.settings.workspace_path),
                    "AGENT_NAME": name,
                    "AGENT_PUBLIC_URL": self.urls[name] + "/",
                }
            )
            command = [
                sys.executable,
                "-m",
                "workshop_template_system",
                "--agent-name",
                name,
                "--host",
                self.host,
            ]
            command += ["--port", str(self.ports[name])]
            with log_path.open("ab") as log:
                process = subprocess.Popen(
                    command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            self.children.append(AgentProcess(name, self.urls[name], log_path, process))
        for child in self.children:
            self._wait_healthy(child)
            on_ready(child)

    def watch(self) -> None:
        """Block until SIGINT/SIGTERM (then return) or until an agent dies (then `ServeError`)."""
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self._stop_requested:
                for child in self.children:
                    if child.process.poll() is not None:
                        raise ServeError(self._died(child))
                time.sleep(POLL_SECONDS)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self) -> None:
        """SIGTERM every agent, wait for them to finish their tasks, SIGKILL what is left."""
        for child in self.children:
            if child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + self.settings.shutdown_grace + 5
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()

    def _wait_healthy(self, child: AgentProcess) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                raise ServeError(self._died(child))
            try:
                if httpx.get(child.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(POLL_SECONDS)
        raise ServeError(f"{child.name} did not answer at {child.url} within {START_TIMEOUT_SECONDS:g}s")

    @staticmethod
    def _died(child: AgentProcess) -> str:
        tail = child.log_tail()
        detail = f"; its log ({child.log_path}) ends with:\n{tail}" if tail else ""
        code = child.process.returncode
        how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        return f"{child.name} {how}{detail}"

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stop_requested = True
