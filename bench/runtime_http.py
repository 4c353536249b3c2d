"""Requests per second and latency of a real agent process against a bare FastAPI app, in the same run.

The agent is started with the deployment command (``python -m demos.workshop_template_system
--agent-name workshop_chat``) on 127.0.0.1 and a temporary workspace; the baseline is
`baseline_app` under uvicorn in its own process, serving the same response bytes. Measured:
``GET /agent-card``, and JSON-RPC ``tasks/get`` (0.3 method name) of a task created first with
``message/send``. Run alone with ``python bench/runtime_http.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from loadgen import LoadResult, get_request, measure, post_request
from report import Row, ratio, table
from servers import HOST, cpu_seconds, free_port, request, running

AGENT = "workshop_chat"
CONCURRENCY = (16, 1)  # under load, and one caller at a time
WARMUP = 0.5
DURATION = 3.0
QUICK_WINDOW = (0.2, 1.0)  # warm-up and measured seconds with --quick
_OUR_PREFIXES = (
    *("AGENT_", "A2A_", "WORKSPACE_", "TASK_STORE", "LOCK_", "PEER_", "SHUTDOWN_", "LOG_LEVEL", "MILVUS_", "RAG_"),
    *("EMBEDDING_", "LLAMA_STACK", "INFERENCE_", "LLM_", "GITEA_", "ALLOW_", "SEARCH_", "POLL_", "CLONE_"),
)  # every setting of the project (the tests' list): none leaks in from the caller's shell


@dataclass(frozen=True)
class Scenario:
    """One kind of request at one concurrency, sent to the agent and to the baseline."""

    request: str
    path: str
    body: bytes | None
    expect: bytes  # must appear in an ok response body
    concurrency: int

    @property
    def label(self) -> str:
        return f"{self.request} c={self.concurrency}"

    def request_bytes(self, port: int) -> bytes:
        if self.body is None:
            return get_request(HOST, port, self.path)
        return post_request(HOST, port, self.path, self.body)


def rpc_body(method: str, params: dict[str, object]) -> bytes:
    """A JSON-RPC 2.0 request, compact."""
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()


def agent_env(workspace: Path, port: int) -> dict[str, str]:
    """The caller's environment without our settings, plus the ones the deployment sets."""
    env = {
        key: value for key, value in os.environ.items() if not (key.startswith(_OUR_PREFIXES) or key.endswith("_URL"))
    }
    env.update(WORKSPACE_PATH=str(workspace), AGENT_PUBLIC_URL=f"http://{HOST}:{port}/", LOG_LEVEL="WARNING")
    return env


def create_task(port: int) -> str:
    """``message/send`` of the workspace_status skill; the task's id once it has completed."""
    message = {
        "kind": "message",
        "messageId": "bench-1",
        "role": "user",
        "parts": [{"kind": "data", "data": {"skill": "workspace_status"}}],
    }
    status, body = request(port, "POST", "/", rpc_body("message/send", {"message": message}))
    task = json.loads(body).get("result", {})
    if status != 200 or "id" not in task:
        raise RuntimeError(f"message/send failed ({status}): {body[:500]!r}")
    deadline = time.monotonic() + 10
    while task.get("status", {}).get("state") != "completed":
        if time.monotonic() > deadline:
            raise RuntimeError(f"task {task['id']} did not complete: {task.get('status')}")
        time.sleep(0.1)
        task = json.loads(request(port, "POST", "/", rpc_body("tasks/get", {"id": task["id"]}))[1])["result"]
    return task["id"]


def agent_command(port: int, agent: str = AGENT) -> list[str]:
    """The deployment command, listening on 127.0.0.1 only."""
    module = "demos.workshop_template_system"
    return [sys.executable, "-m", module, "--agent-name", agent, "--port", str(port), "--host", HOST]


def baseline_command(tmp: Path, agent_port: int, port: int, get_task: bytes) -> list[str]:
    """`baseline_app` serving the agent's card and task result, fetched from the agent once."""
    return baseline_serving(tmp, agent_port, port, {"tasks/get": get_task})


def baseline_serving(tmp: Path, agent_port: int, port: int, calls: dict[str, bytes]) -> list[str]:
    """`baseline_app` serving the agent's card and its answer to each JSON-RPC request of ``calls`` (by method)."""
    card, results = tmp / "card.json", tmp / "results.json"
    card.write_bytes(request(agent_port, "GET", "/agent-card")[1])
    answers = {name: json.loads(request(agent_port, "POST", "/", body)[1])["result"] for name, body in calls.items()}
    results.write_text(json.dumps(answers))
    script = Path(__file__).with_name("baseline_app.py")
    return [sys.executable, str(script), "--port", str(port), "--card", str(card), "--results", str(results)]


def scenarios(get_task: bytes) -> list[Scenario]:
    """Both requests at each concurrency."""
    requests = [
        ("GET /agent-card", "/agent-card", None, b'"name"'),
        ("POST / tasks/get", "/", get_task, b'"result"'),
    ]
    return [Scenario(*what, concurrency) for what in requests for concurrency in CONCURRENCY]


def run(quick: bool = False) -> list[Row]:
    """Start the agent and the baseline, measure each scenario on both, print the details, return rows."""
    window = QUICK_WINDOW if quick else (WARMUP, DURATION)
    with tempfile.TemporaryDirectory(prefix="bench-http-") as name:
        tmp = Path(name)
        port = free_port()
        env = agent_env(tmp / "workspace", port)
        with running(agent_command(port), env, port, "/agent-card", tmp / "agent.log") as agent_pid:
            get_task = rpc_body("tasks/get", {"id": create_task(port)})
            base_port = free_port()
            base_argv = baseline_command(tmp, port, base_port, get_task)
            with running(base_argv, dict(os.environ), base_port, "/agent-card", tmp / "baseline.log") as base_pid:
                targets = {"baseline": (base_port, base_pid), "agent": (port, agent_pid)}
                results = {
                    (scenario.label, target): _measure(scenario, *target_port_pid, window)
                    for scenario in scenarios(get_task)
                    for target, target_port_pid in targets.items()
                }
    _print(results, window)
    return [row for scenario in scenarios(get_task) for row in _rows(scenario, results)]


def _rows(scenario: Scenario, results: dict[tuple[str, str], LoadResult]) -> list[Row]:
    """Under load: req/s and p99; one connection at a time: p50, the latency a single caller sees."""
    agent, base = results[scenario.label, "agent"], results[scenario.label, "baseline"]
    name = f"HTTP {scenario.label}"
    if scenario.concurrency == 1:
        p50, base_p50 = agent.percentile(0.5), base.percentile(0.5)
        return [Row(f"{name} p50 ms", f"{p50:.2f}", f"{base_p50:.2f}", ratio(p50, base_p50))]
    p99, base_p99 = agent.percentile(0.99), base.percentile(0.99)
    return [
        Row(f"{name} req/s", f"{agent.rps:,.0f}", f"{base.rps:,.0f}", ratio(agent.rps, base.rps)),
        Row(f"{name} p99 ms", f"{p99:.1f}", f"{base_p99:.1f}", ratio(p99, base_p99)),
    ]


def _measure(scenario: Scenario, port: int, pid: int, window: tuple[float, float]) -> LoadResult:
    load = measure(
        HOST,
        port,
        scenario.request_bytes(port),
        expect=scenario.expect,
        concurrency=scenario.concurrency,
        warmup=window[0],
        duration=window[1],
        server_cpu_seconds=lambda: cpu_seconds(pid),
    )
    return asyncio.run(load)


def _print(results: dict[tuple[str, str], LoadResult], window: tuple[float, float]) -> None:
    cells = [
        [
            label,
            target,
            f"{result.rps:,.0f}",
            *(f"{result.percentile(q):.2f}" for q in (0.50, 0.95, 0.99)),
            str(result.errors),
            f"{result.server_cpu:.2f}",
            f"{result.client_cpu:.2f}",
        ]
        for (label, target), result in results.items()
    ]
    headers = ["request", "server", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "server CPU", "client CPU"]
    print(
        "\nHTTP: c keep-alive connections, one request in flight each; "
        f"{window[0]:g} s warm-up, {window[1]:g} s measured"
    )
    print(table(headers, cells))
    for label in dict.fromkeys(label for label, _ in results):
        agent, base = results[label, "agent"], results[label, "baseline"]
        print(f"{label}: agent/baseline req/s = {ratio(agent.rps, base.rps) or float('nan'):.2f}")
    for (label, target), result in results.items():
        if result.first_error:
            print(f"first error, {label} on {target}: {result.first_error}")
    print(
        f"Note: the load generator (this process) and the server share the {_cpus()} cores; "
        "CPU columns are core-seconds per second (1.00 = one core busy)."
    )


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    from report import rows_table

    print(rows_table(run()))
