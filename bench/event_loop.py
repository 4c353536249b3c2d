"""Does a repository analysis starve the event loop? Card and ``tasks/get`` latency during one, against idle.

A template_converter (deployment command, local repositories allowed) is hammered with ``GET
/agent-card`` and JSON-RPC ``tasks/get`` (``CONCURRENCY`` keep-alive clients each) twice: idle,
then while ``analyze_repository`` of a generated bare repository (`repository_analysis`: 5,000
files, 19 MB, one pack) runs, one after another so one is always in flight (clone with git, then
the analysis in the agent's worker threads). The figure is p95 during the analyses over p95 idle;
issue 7's goal is at most 2x. The loop is only starved if the agent does blocking work on it (or
holds the GIL for long); the cores are shared either way, so some rise is CPU, not the loop.

Run alone: ``python bench/event_loop.py [--quick] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from a2a_calls import Caller
from loadgen import LoadResult, get_request, measure, post_request
from profiling import sampled
from report import Row, machine, ratio, rows_table, table
from repository_analysis import generated_repository, write_repository
from runtime_http import agent_command, agent_env, create_task, rpc_body
from servers import HOST, cpu_seconds, free_port, running

AGENT = "template_converter"
CONCURRENCY = 4
GOAL = 2.0
QUANTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True)
class Size:
    files: int
    warmup: float
    duration: float


FULL = Size(files=5000, warmup=0.5, duration=6.0)
QUICK = Size(files=300, warmup=0.2, duration=1.5)


class Analyses:
    """``analyze_repository`` of one repository, called again as soon as it ends, in a thread, until stopped."""

    def __init__(self, port: int, repository: Path) -> None:
        self.port = port
        self.repository = repository
        self.seconds: list[float] = []
        self.started = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="analyses", daemon=True)
        self.error: BaseException | None = None

    def __enter__(self) -> Analyses:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.error is not None:
            raise RuntimeError(f"analyze_repository failed: {self.error}") from self.error

    def _loop(self) -> None:
        caller = Caller(self.port)
        try:
            while not self._stop.is_set():
                self.started.set()
                seconds, _ = caller.call("analyze_repository", {"repository": str(self.repository)})
                self.seconds.append(seconds)
        except BaseException as exc:  # reported by __exit__ in the measuring thread
            self.error = exc
            self.started.set()
        finally:
            caller.close()


def run(quick: bool = False, size: Size | None = None, profile: bool = False) -> list[Row]:
    """Hammer card and tasks/get idle, then during analyses; print the details, return the ratios."""
    size = size or (QUICK if quick else FULL)
    with tempfile.TemporaryDirectory(prefix="bench-loop-") as name:
        tmp = Path(name)
        files = generated_repository(size.files)
        origin = tmp / "shop.git"
        write_repository(origin, files)
        port = free_port()
        env = agent_env(tmp / "workspace", port)
        with running(agent_command(port, AGENT), env, port, "/agent-card", tmp / "agent.log") as pid:
            get_task = rpc_body("tasks/get", {"id": create_task(port)})
            caller = Caller(port)
            try:
                alone, _ = caller.call("analyze_repository", {"repository": str(origin)})
            finally:
                caller.close()
            idle = asyncio.run(_hammer(port, pid, get_task, size))
            with Analyses(port, origin) as analyses:
                analyses.started.wait()
                time.sleep(size.warmup)
                watch = sampled(pid, "template_converter during analyses") if profile else nullcontext()
                with watch:
                    busy = asyncio.run(_hammer(port, pid, get_task, size))
            during = statistics.median(analyses.seconds) if analyses.seconds else float("nan")
    _print(idle, busy, size.files, alone, during, len(analyses.seconds))
    rows = []
    for request in idle:
        p95, base = busy[request].percentile(0.95), idle[request].percentile(0.95)
        rows.append(Row(f"loop {request} p95 ms during analysis", f"{p95:.1f}", f"{base:.1f}", ratio(p95, base)))
    return rows


async def _hammer(port: int, pid: int, get_task: bytes, size: Size) -> dict[str, LoadResult]:
    """The card and tasks/get, each from CONCURRENCY clients, in the same window."""
    requests = {
        "GET /agent-card": (get_request(HOST, port, "/agent-card"), b'"name"'),
        "POST / tasks/get": (post_request(HOST, port, "/", get_task), b'"result"'),
    }
    loads = [
        measure(
            HOST,
            port,
            sent,
            expect=expect,
            concurrency=CONCURRENCY,
            warmup=size.warmup,
            duration=size.duration,
            server_cpu_seconds=lambda: cpu_seconds(pid),
        )
        for sent, expect in requests.values()
    ]
    return dict(zip(requests, await asyncio.gather(*loads), strict=True))


def _print(
    idle: dict[str, LoadResult], busy: dict[str, LoadResult], files: int, alone: float, during: float, count: int
) -> None:
    cells = [
        [
            request,
            when,
            f"{result.rps:,.0f}",
            *(f"{result.percentile(q):.1f}" for q in (0.5, 0.95, 0.99)),
            str(result.errors),
        ]
        for when, results in (("idle", idle), ("analysing", busy))
        for request, result in results.items()
    ]
    print(
        f"\nEvent loop: {AGENT} hammered by {CONCURRENCY} + {CONCURRENCY} clients, idle and during "
        f"analyze_repository of a {files:,}-file repository (one always running)"
    )
    print(table(["request", "while", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"], cells))
    print(f"analyze_repository alone {alone:.2f} s; {count} during the hammering, median {during:.2f} s")
    for request in idle:
        share = ratio(busy[request].percentile(0.95), idle[request].percentile(0.95)) or float("nan")
        print(f"{request}: p95 analysing / idle = {share:.2f} (goal <= {GOAL:g})")
    print(f"server CPU while analysing: {busy['GET /agent-card'].server_cpu:.2f} cores ({os.cpu_count()} cores here)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK.files}-file repository, short windows")
    parser.add_argument("--profile", action="store_true", help="sample the agent with py-spy while it analyses")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    print(rows_table(run(quick=args.quick, profile=args.profile)))
    print(f"Machine after: {machine()}")


if __name__ == "__main__":
    main()
