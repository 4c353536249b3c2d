"""A peer that never answers, or answers with something that is not an agent: the caller's task fails in time,
with a reason, and the caller stays healthy."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from a2a.helpers import get_message_text
from a2a.types import TaskState

from support import free_port, send, skill_message

PEER_TIMEOUT = 2


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that handles each connection with `answer`; its URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


def never_answers(connection: socket.socket) -> None:
    connection.recv(65536)
    time.sleep(30)
    connection.close()


def not_an_agent(connection: socket.socket) -> None:
    connection.recv(65536)
    body = b"<html><body>It works!</body></html>"
    connection.sendall(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
        % (len(body), body)
    )
    connection.close()


@pytest.mark.parametrize(
    ("peer", "reason"),
    [(never_answers, "no answer within 2s \\(PEER_TIMEOUT\\)"), (not_an_agent, "agent card")],
    ids=["silent", "garbage"],
)
async def test_a_bad_peer_fails_the_callers_task_in_time(start_agent, test_agent_command, peer, reason) -> None:
    with raw_server(peer) as url:
        port = free_port()
        harness = start_agent(
            "harness", port=port, command=test_agent_command(port), CONTENT_CREATOR_URL=url,
            PEER_TIMEOUT=str(PEER_TIMEOUT),
        )  # fmt: skip
        started = time.monotonic()
        events = await send(
            harness.url,
            skill_message("relay", {"agent": "content_creator", "skill": "create_workshop", "input": {}}),
            streaming=False,
        )
        took = time.monotonic() - started
    task = events[-1][1].task
    assert task.status.state == TaskState.TASK_STATE_FAILED
    message = get_message_text(task.status.message)
    assert message.startswith(f"calling content_creator.create_workshop at {url} failed"), message
    assert re.search(reason, message), message
    assert took < PEER_TIMEOUT + 10  # failed in time: the peer's silence is bounded by PEER_TIMEOUT
    assert httpx.get(harness.url + "/healthz").status_code == 200
