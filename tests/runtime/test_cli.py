"""The command line: help, agent names, a busy port, and ``up``."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from support import CONSOLE_SCRIPT, DEPLOYMENT_COMMAND, MODULE_COMMAND, agent_env, free_port_block
from workshop_template_system.settings import AGENT_NAMES

COMMANDS = (DEPLOYMENT_COMMAND, MODULE_COMMAND, [CONSOLE_SCRIPT])


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **kwargs)


def test_help_lists_every_agent_the_same_way_for_all_three_commands() -> None:
    outputs = [run([*command, "--help"]) for command in COMMANDS]
    for output in outputs:
        assert output.returncode == 0
        for name in AGENT_NAMES:
            assert re.search(rf"^\s+{name}\s+\w", output.stdout, re.MULTILINE), name
    assert len({output.stdout.split("\n", 1)[1] for output in outputs}) == 1  # same text after the usage line
    assert run(DEPLOYMENT_COMMAND).stdout == outputs[0].stdout  # no arguments: the agent list


def test_unknown_agent_exits_2_with_the_list() -> None:
    output = run([*DEPLOYMENT_COMMAND, "--agent-name", "chat_bot", "--port", "8080"])
    assert output.returncode == 2
    assert "unknown agent 'chat_bot'; agents are: " + ", ".join(AGENT_NAMES) in output.stderr
    assert "Traceback" not in output.stderr


def test_a_port_in_use_exits_1_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        output = run(
            [
                *DEPLOYMENT_COMMAND,
                "--agent-name",
                "workshop_chat",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=agent_env(tmp_path, port),
        )
    assert output.returncode == 1
    assert output.stderr == f"error: port {port} on 127.0.0.1 is already in use; choose another with --port\n"


def test_bad_settings_exit_2_with_one_line(tmp_path: Path) -> None:
    output = run(
        [*DEPLOYMENT_COMMAND, "--agent-name", "workshop_chat"],
        env=agent_env(tmp_path, 1, AGENT_PORT="eighty"),
    )
    assert output.returncode == 2
    assert output.stderr == "error: AGENT_PORT must be a whole number, got 'eighty'\n"


def test_up_starts_every_agent_wired_to_the_others_and_stops_them_all(tmp_path: Path) -> None:
    base = free_port_block(len(AGENT_NAMES))
    workspace = tmp_path / "ws"
    up = subprocess.Popen(
        [CONSOLE_SCRIPT, "up", "--base-port", str(base), "--workspace", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={key: value for key, value in os.environ.items() if not key.endswith("_URL")},
    )
    try:
        lines = [up.stdout.readline() for _ in range(len(AGENT_NAMES) + 2)]
        assert lines[0] == f"workspace: {workspace}\n"
        assert lines[-1] == "all agents ready; press Ctrl-C to stop them\n"
        urls = dict(re.match(r"(\w+)\s+(\S+)", line).groups() for line in lines[1:-1])
        assert list(urls) == list(AGENT_NAMES)
        assert list(urls.values()) == [f"http://127.0.0.1:{base + i}" for i in range(len(AGENT_NAMES))]
        children = _children(up.pid)
        assert len(children) == len(AGENT_NAMES)
        for name, url in urls.items():
            card = httpx.get(url + "/agent-card").json()
            assert card["name"] == name
            assert card["supportedInterfaces"][0]["url"] == url + "/"
        for pid in children:
            environment = _environ(pid)
            assert environment["WORKSPACE_PATH"] == str(workspace)
            for name, url in urls.items():
                assert environment[f"{name.upper()}_URL"] == url
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=30) == 0
        assert up.stdout.read().endswith("all agents stopped\n")
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"]
    finally:
        if up.poll() is None:
            up.kill()


def test_up_reports_an_agent_that_cannot_start(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        output = run(
            [
                CONSOLE_SCRIPT,
                "up",
                "--base-port",
                str(port),
                "--agents",
                "workshop_chat",
                "--workspace",
                str(tmp_path / "ws"),
            ]
        )
    assert output.returncode == 1
    assert output.stderr.startswith("error: workshop_chat exited with code 1; its log")
    assert f"port {port} on 127.0.0.1 is already in use" in output.stderr
    assert time.monotonic() - started < 30


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _environ(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(entry.split("=", 1) for entry in entries if "=" in entry)


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]


def test_the_listening_socket_is_tcp_so_responses_are_not_delayed() -> None:
    from workshop_template_system.runtime.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio turns Nagle off only for sockets that say so
    finally:
        sock.close()
