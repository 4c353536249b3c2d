"""Many concurrent A2A clients against one workshop_chat process: ``ask`` and ``tasks/get``, against bare FastAPI.

The agent (deployment command, no model configured, so ``ask`` is retrieval-only: extractive mode)
serves a chat index filled with ``CHUNKS`` chunks in 9 generated workshops (`chat_fill`). Each
client is a keep-alive connection with one request in flight (`loadgen`):

- ``ask``: ``message/send`` of ``{"skill": "ask", "input": {"question", "workshop"}}``, the questions
  taken in turn; ok when the answer says ``"found": true``.
- ``tasks/get`` (0.3 method name) of a completed ``ask`` task, what a client polling for its answer sends.

The ceiling is `baseline_app` (bare FastAPI under uvicorn, one process, like the agent) answering
the same routes with the very bytes the agent answers, measured in the same run. With ``--profile``
py-spy samples the agent during each measured window at the highest concurrency.

Run alone: ``python bench/load.py [--quick] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from a2a_calls import Caller, send_body
from chat_fill import fill
from embedding_cache import DEFAULT_CACHE
from loadgen import LoadResult, measure, post_request
from profiling import sampled
from report import Row, machine, ratio, rows_table, table
from runtime_http import agent_command, agent_env, baseline_serving, rpc_body
from servers import HOST, cpu_seconds, free_port, request, running


@dataclass(frozen=True)
class Size:
    chunks: int
    concurrency: tuple[int, ...]
    warmup: float
    duration: float


FULL = Size(chunks=10_000, concurrency=(1, 16, 64), warmup=1.0, duration=5.0)
QUICK = Size(chunks=300, concurrency=(1, 8), warmup=0.3, duration=1.0)
ASK_BODIES = 200
DRAIN_TIMEOUT = 900.0
IDLE_CPU = 0.05  # core-seconds in one second: the agent is idle


@dataclass(frozen=True)
class Scenario:
    request: str
    concurrency: int
    bodies: tuple[bytes, ...]
    expect: bytes

    @property
    def label(self) -> str:
        return f"{self.request} c={self.concurrency}"


def run(quick: bool = False, size: Size | None = None, profile: bool = False, cache: Path = DEFAULT_CACHE) -> list[Row]:
    """Fill the index, start the agent and the baseline, measure each scenario on both; print, return rows."""
    size = size or (QUICK if quick else FULL)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as name:
        tmp = Path(name)
        filled = fill(tmp / "workspace", size.chunks, cache)
        questions = random.Random(2).choices(filled.questions, k=ASK_BODIES)
        asks = tuple(send_body("ask", {"question": q.text, "workshop": q.workshop}) for q in questions)
        port = free_port()
        env = agent_env(tmp / "workspace", port)
        with running(agent_command(port), env, port, "/agent-card", tmp / "agent.log") as agent_pid:
            caller = Caller(port)
            try:
                caller.call("list_workshops", {})  # opens the index: the model loads here, not under load
            finally:
                caller.close()
            get_task = rpc_body("tasks/get", {"id": _ask_task(port, asks[0])})
            scenarios = [  # tasks/get first: the asks a window leaves behind keep the agent busy after it
                *(Scenario("tasks/get", c, (get_task,), b'"result"') for c in size.concurrency),
                *(Scenario("ask (message/send)", c, asks, b'"found":true') for c in size.concurrency),
            ]
            base_port = free_port()
            base_argv = baseline_serving(tmp, port, base_port, {"message/send": asks[0], "tasks/get": get_task})
            with running(base_argv, dict(os.environ), base_port, "/agent-card", tmp / "baseline.log") as base_pid:
                results = {}
                for scenario in scenarios:
                    results[scenario.label, "baseline"] = _measure(scenario, base_port, base_pid, size)
                    top = profile and scenario.concurrency == max(size.concurrency)
                    watch = sampled(agent_pid, f"the agent under {scenario.label}") if top else nullcontext()
                    with watch:
                        results[scenario.label, "agent"] = _measure(scenario, port, agent_pid, size)
                    _drain(agent_pid, scenario.label)
    _print(results, size, sum(filled.chunks.values()))
    return [row for scenario in scenarios for row in _rows(scenario, results)]


def _ask_task(port: int, body: bytes) -> str:
    """The id of a completed ask task."""
    task = json.loads(request(port, "POST", "/", body)[1])["result"]
    if task["status"]["state"] != "completed":
        raise RuntimeError(f"ask did not complete: {task['status']}")
    return task["id"]


def _drain(pid: int, label: str) -> None:
    """Wait until the agent is idle: tasks whose clients hung up at the end of a window still run to the end."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_TIMEOUT:
        before = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - before < IDLE_CPU:
            break
    waited = time.monotonic() - started
    if waited > 1.5:
        print(f"after {label}: the agent kept working {waited:.0f} s on requests its clients had left")


def _measure(scenario: Scenario, port: int, pid: int, size: Size) -> LoadResult:
    requests = [post_request(HOST, port, "/", body) for body in scenario.bodies]
    load = measure(
        HOST,
        port,
        requests,
        expect=scenario.expect,
        concurrency=scenario.concurrency,
        warmup=size.warmup,
        duration=size.duration,
        server_cpu_seconds=lambda: cpu_seconds(pid),
    )
    return asyncio.run(load)


def _rows(scenario: Scenario, results: dict[tuple[str, str], LoadResult]) -> list[Row]:
    agent, base = results[scenario.label, "agent"], results[scenario.label, "baseline"]
    name = f"load {scenario.label}"
    p95, base_p95 = agent.percentile(0.95), base.percentile(0.95)
    return [
        Row(f"{name} req/s", f"{agent.rps:,.1f}", f"{base.rps:,.0f}", ratio(agent.rps, base.rps)),
        Row(f"{name} p95 ms", f"{p95:.1f}", f"{base_p95:.1f}", ratio(p95, base_p95)),
    ]


def _print(results: dict[tuple[str, str], LoadResult], size: Size, chunks: int) -> None:
    cells = [
        [
            label,
            target,
            f"{result.rps:,.1f}",
            *(f"{result.percentile(q):.1f}" for q in (0.50, 0.95, 0.99)),
            str(result.errors),
            f"{result.server_cpu:.2f}",
            f"{result.client_cpu:.2f}",
        ]
        for (label, target), result in results.items()
    ]
    print(
        f"\nLoad on workshop_chat ({chunks:,} chunks; ask is retrieval-only, extractive): c keep-alive clients, one "
        f"request in flight each; {size.warmup:g} s warm-up, {size.duration:g} s measured"
    )
    headers = ["request", "server", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "server CPU", "client CPU"]
    print(table(headers, cells))
    for (label, target), result in results.items():
        if result.first_error:
            print(f"first error, {label} on {target}: {result.first_error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK.chunks} chunks, {QUICK.duration:g} s windows")
    parser.add_argument("--chunks", type=int, help=f"chunks in the collection (default {FULL.chunks:,})")
    parser.add_argument("--concurrency", type=int, nargs="+", help="clients per window (default 1 16 64)")
    parser.add_argument("--profile", action="store_true", help="sample the agent with py-spy at the top concurrency")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where vectors are kept between runs")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    size = QUICK if args.quick else FULL
    if args.chunks is not None:
        if args.chunks < 10:
            parser.error("--chunks must be at least 10")
        size = replace(size, chunks=args.chunks)
    if args.concurrency is not None:
        if min(args.concurrency) < 1:
            parser.error("--concurrency takes numbers of clients, 1 or more")
        size = replace(size, concurrency=tuple(args.concurrency))
    print(rows_table(run(size=size, profile=args.profile, cache=args.cache)))
    print(f"Machine after: {machine()}")


if __name__ == "__main__":
    main()
