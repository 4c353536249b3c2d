"""A small HTTP/1.1 load generator: C keep-alive connections on raw asyncio sockets, one request in flight each.

The request bytes are built once (one request, or several sent in turn); a response is read as
status line, headers and a Content-Length body, nothing more, so the client spends as little CPU
as it can: on a 2-core machine it shares the cores with the server it measures. A response counts
as ok when its status is 200 and its body contains ``expect`` (JSON-RPC errors come back with
status 200 too).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from report import percentile

_HEADER_END = b"\r\n\r\n"
_CONTENT_LENGTH = b"\r\ncontent-length:"


@dataclass(frozen=True)
class LoadResult:
    """What one measurement window saw."""

    ok: int
    errors: int
    seconds: float
    latencies_ms: list[float]  # sorted, ok responses only
    client_cpu: float  # CPU seconds of this process per wall second (1.0 = one core busy)
    server_cpu: float  # the same for the server, from the probe given to `measure`
    first_error: str | None

    @property
    def rps(self) -> float:
        """Ok responses per second."""
        return self.ok / self.seconds

    def percentile(self, fraction: float) -> float:
        """Latency in ms below which ``fraction`` of the ok responses fall (nearest rank)."""
        return percentile(self.latencies_ms, fraction)


def get_request(host: str, port: int, path: str) -> bytes:
    """A keep-alive GET."""
    return f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n".encode()


def post_request(host: str, port: int, path: str, body: bytes) -> bytes:
    """A keep-alive POST of a JSON body."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Run:
    """State shared by the connections of one measurement."""

    def __init__(self, requests: Sequence[bytes], expect: bytes) -> None:
        self.requests = requests
        self.sent = 0
        self.expect = expect
        self.running = True
        self.recording = False
        self.ok = 0
        self.errors = 0
        self.latencies_ns: list[int] = []
        self.first_error: str | None = None

    def record(self, latency_ns: int, error: str | None) -> None:
        if not self.recording:
            return
        if error is None:
            self.ok += 1
            self.latencies_ns.append(latency_ns)
            return
        self.errors += 1
        self.first_error = self.first_error or error


class _Connection(asyncio.Protocol):
    """One keep-alive connection: send, read one whole response, send again until the run stops."""

    def __init__(self, run: _Run, closed: asyncio.Future[None]) -> None:
        self.run = run
        self.closed = closed
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.need = -1  # total bytes of the response being read, once its headers are in
        self.body_start = 0
        self.status_ok = False
        self.sent_ns = 0
        self.done = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent_ns = time.perf_counter_ns()
        self.transport.write(self.run.requests[self.run.sent % len(self.run.requests)])
        self.run.sent += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.need < 0:
            end = self.buffer.find(_HEADER_END)
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            start = head.find(_CONTENT_LENGTH)
            if start < 0:
                self._finish(f"no Content-Length in: {head[:200]!r}")
                return
            stop = head.find(b"\r\n", start + 2)
            self.body_start = end + 4
            self.need = self.body_start + int(head[start + len(_CONTENT_LENGTH) : stop if stop >= 0 else None])
            self.status_ok = head[9:12] == b"200"
        if len(self.buffer) < self.need:
            return
        latency = time.perf_counter_ns() - self.sent_ns
        body = bytes(self.buffer[self.body_start : self.need])
        error = None
        if not self.status_ok:
            error = f"status {bytes(self.buffer[9:12]).decode(errors='replace')}: {body[:200]!r}"
        elif self.run.expect not in body:
            error = f"unexpected body: {body[:200]!r}"
        self.run.record(latency, error)
        del self.buffer[: self.need]
        self.need = -1
        if self.run.running:
            self._send()
        else:
            self._finish(None)

    def _finish(self, error: str | None) -> None:
        if error is not None:
            self.run.record(0, error)
        self.done = True
        assert self.transport is not None
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done and self.run.running:
            self.run.record(0, f"connection lost: {exc or 'closed by server'}")
        if not self.closed.done():
            self.closed.set_result(None)


async def _connection_loop(run: _Run, host: str, port: int, live: list[_Connection]) -> None:
    loop = asyncio.get_running_loop()
    while run.running:
        closed: asyncio.Future[None] = loop.create_future()
        try:
            _, protocol = await loop.create_connection(partial(_Connection, run, closed), host, port)
        except OSError as exc:
            run.record(0, f"connect: {exc}")
            await asyncio.sleep(0.05)
            continue
        live.append(protocol)
        await closed
        live.remove(protocol)


async def measure(
    host: str,
    port: int,
    request: bytes | Sequence[bytes],
    *,
    expect: bytes,
    concurrency: int,
    warmup: float,
    duration: float,
    server_cpu_seconds: Callable[[], float],
) -> LoadResult:
    """Send ``request`` (or each of a sequence in turn) over ``concurrency`` connections for ``warmup`` +
    ``duration`` seconds.

    Only responses completed inside the ``duration`` window are counted.
    """
    run = _Run([request] if isinstance(request, bytes) else list(request), expect)
    live: list[_Connection] = []
    tasks = [
        asyncio.create_task(_connection_loop(run, host, port, live), name=f"loadgen-{index}")
        for index in range(concurrency)
    ]
    await asyncio.sleep(warmup)
    run.recording = True
    wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu_seconds()
    await asyncio.sleep(duration)
    run.recording = False
    seconds = time.perf_counter() - wall
    client_cpu = (time.process_time() - cpu) / seconds
    server_cpu = (server_cpu_seconds() - server) / seconds
    run.running = False
    _, pending = await asyncio.wait(tasks, timeout=5.0)
    for connection in list(live):
        if connection.transport is not None:
            connection.transport.abort()
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return LoadResult(
        ok=run.ok,
        errors=run.errors,
        seconds=seconds,
        latencies_ms=sorted(ns / 1e6 for ns in run.latencies_ns),
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        first_error=run.first_error,
    )
