"""Starting real agent processes on 127.0.0.1 and talking to them with the a2a-sdk client."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from a2a.client import ClientConfig, create_client
from a2a.helpers import new_data_part, new_message, new_text_part
from a2a.types import Role, SendMessageRequest, StreamResponse

DEPLOYMENT_COMMAND = [sys.executable, "-m", "demos.workshop_template_system"]
MODULE_COMMAND = [sys.executable, "-m", "workshop_template_system"]
CONSOLE_SCRIPT = str(Path(sys.executable).parent / "workshop-template-system")  # works without an activated venv
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_block(count: int) -> int:
    """The first of `count` consecutive free ports, below Linux's ephemeral range (32768+), where the ports of
    outgoing connections cannot take one between this check and the agents' start."""
    while True:
        base = random.randrange(20_000, 32_000 - count)
        if all(_bindable(base + offset) for offset in range(count)):
            return base


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class AgentProcess:
    """An agent running in its own process, started with a real command line."""

    command: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> AgentProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"agent exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/agent-card", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"agent did not answer within {timeout}s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def agent_env(workspace: Path, port: int, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not _ours(key)}
    env.update(
        {
            "WORKSPACE_PATH": str(workspace),
            "AGENT_PUBLIC_URL": f"http://127.0.0.1:{port}/",
            "PYTHONPATH": str(ROOT / "tests"),
        }
    )
    env.update(extra)
    return env


_OURS = (
    "AGENT_",
    "A2A_",
    "WORKSPACE_",
    "TASK_STORE",
    "MILVUS_",
    "RAG_",
    "EMBEDDING_",
    "LLAMA_STACK",
    "INFERENCE_",
    "GITEA_",
)


def _ours(key: str) -> bool:
    return key.startswith(_OURS) or key.endswith("_URL")


def skill_message(skill: str, input: dict[str, Any] | None = None) -> SendMessageRequest:
    payload: dict[str, Any] = {"skill": skill}
    if input is not None:
        payload["input"] = input
    return SendMessageRequest(message=new_message([new_data_part(payload)], role=Role.ROLE_USER))


def text_message(text: str) -> SendMessageRequest:
    return SendMessageRequest(message=new_message([new_text_part(text)], role=Role.ROLE_USER))


async def send(
    url: str, request: SendMessageRequest, *, streaming: bool, token: str | None = None
) -> list[tuple[float, StreamResponse]]:
    """Every event of one send, each with the time it arrived."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=60, headers=headers) as http:
        client = await create_client(url, client_config=ClientConfig(streaming=streaming, httpx_client=http))
        return [(time.monotonic(), event) async for event in client.send_message(request)]


def rpc(url: str, payload: Any, **kwargs: Any) -> httpx.Response:
    """A raw JSON-RPC request (bytes or JSON) to the agent's ``POST /``."""
    if isinstance(payload, bytes):
        return httpx.post(url + "/", content=payload, headers={"content-type": "application/json"}, **kwargs)
    return httpx.post(url + "/", json=payload, **kwargs)
