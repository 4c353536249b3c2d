"""Lock acquire + release per second: the workspace lock against raw filelock on the same file system.

Project: ``Workspace(root).lock(resource, pipeline_id, agent=..., timeout=...)`` (checks the
pipeline, takes the flock, writes and removes the owner record). Baseline: `filelock.FileLock`
(``UnixFileLock`` on Linux, the class the project wraps) built and used the way the project does,
a new lock object per acquisition. Uncontended in this process (with bare ``os.open`` + ``flock``
as the floor, for reference), then contended: several processes on one lock for a fixed time.
The temporary directory follows ``TMPDIR``: point that at another file system (a shared mount,
say) to measure there. Run alone with ``python bench/locks.py``.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from filelock import FileLock

from report import Row, ratio, table
from workshop_template_system.workspace import Workspace
from workshop_template_system.workspace.locks import _POLL_INTERVAL  # the baseline polls as often

PIPELINE = "bench-pipeline"
RESOURCE = "bench"
DURATION = 2.0
ROUNDS = 4
CONTENDED_DURATION = 2.0
ROUNDS = 4
PROCESSES = 4
TIMEOUT = 30.0

Op = Callable[[], None]


def project_op(root: Path) -> Op:
    """One acquire + release of the workspace lock on a pipeline resource."""
    workspace = Workspace(root)

    def op() -> None:
        with workspace.lock(RESOURCE, PIPELINE, agent="bench", timeout=TIMEOUT):
            pass

    return op


def raw_op(root: Path) -> Op:
    """One acquire + release of a fresh `FileLock` next to the project's lock file, same options."""
    path = Workspace(root).lock_path("raw", PIPELINE)

    def op() -> None:
        lock = FileLock(path, thread_local=False, fallback_to_soft=False, preserve_lock_file=True)
        lock.acquire(timeout=TIMEOUT, poll_interval=_POLL_INTERVAL)
        lock.release()

    return op


def flock_op(root: Path) -> Op:
    """The floor, for reference: open, ``flock``, unlock, close, with nothing around it."""
    path = Workspace(root).lock_path("floor", PIPELINE)

    def op() -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    return op


OPS: dict[str, Callable[[Path], Op]] = {"project": project_op, "raw filelock": raw_op}


def hammer(op: Op, seconds: float) -> int:
    """How many times ``op`` ran in ``seconds``."""
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        op()
        count += 1
    return count


def uncontended(root: Path) -> dict[str, float]:
    """Ops/s of each lock in this process, measured in alternating rounds so drift hits both alike."""
    ops = {kind: make(root) for kind, make in OPS.items()}
    counts = dict.fromkeys(ops, 0)
    for op in ops.values():
        hammer(op, 0.1)  # warm-up: lazy imports, first open
    for _ in range(ROUNDS):
        for kind, op in ops.items():
            counts[kind] += hammer(op, DURATION / ROUNDS)
    return {kind: count / DURATION for kind, count in counts.items()}


def _worker(kind: str, root: Path, seconds: float, barrier: Barrier, results: Queue[int]) -> None:
    op = OPS[kind](root)
    op()  # imports and first open done before the clock starts
    barrier.wait()
    results.put(hammer(op, seconds))


def contended(kind: str, root: Path) -> list[int]:
    """Ops of each of PROCESSES processes hammering one lock for CONTENDED_DURATION seconds."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES + 1)
    results: Queue[int] = context.Queue()
    processes = [
        context.Process(target=_worker, args=(kind, root, CONTENDED_DURATION, barrier, results), daemon=True)
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        barrier.wait(timeout=60)
        counts = [results.get(timeout=CONTENDED_DURATION + TIMEOUT) for _ in processes]
        for process in processes:
            process.join(timeout=10)
        return counts
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()


def file_system(path: Path) -> str:
    """The type of the file system ``path`` is on (``ext4``, ``nfs4``...), from /proc/mounts."""
    best, kind = "", "unknown"
    for line in Path("/proc/mounts").read_text().splitlines():
        mount, fs_type = line.split()[1:3]
        if f"{path.resolve()}/".startswith(mount.rstrip("/") + "/") and len(mount) > len(best):
            best, kind = mount, fs_type
    return kind


def run() -> list[Row]:
    """Measure both locks uncontended and contended; print the details, return the rows."""
    with tempfile.TemporaryDirectory(prefix="bench-locks-") as name:
        root = Path(name)
        Workspace(root).init_pipeline(PIPELINE)
        single = uncontended(root)
        floor = hammer(flock_op(root), DURATION / 2) / (DURATION / 2)
        shared = {kind: [count / CONTENDED_DURATION for count in contended(kind, root)] for kind in OPS}
    cells = [
        [
            kind,
            f"{single[kind]:,.0f}",
            f"{1e6 / single[kind]:.1f}",
            f"{sum(shared[kind]):,.0f}",
            f"{min(shared[kind]):,.0f} / {max(shared[kind]):,.0f}",
        ]
        for kind in OPS
    ]
    cells.append(["os.open + fcntl.flock (floor)", f"{floor:,.0f}", f"{1e6 / floor:.1f}", "-", "-"])
    headers = ["lock", "ops/s", "µs/op", f"ops/s, {PROCESSES} processes", "slowest / fastest process ops/s"]
    where = Path(tempfile.gettempdir())
    print(f"\nLocks in {where} ({file_system(where)}): acquire + release, {DURATION:g} s each")
    print(table(headers, cells))
    project, raw = single["project"], single["raw filelock"]
    print(f"uncontended: project/raw ops/s = {project / raw:.2f} ({1e6 / project - 1e6 / raw:.0f} µs more per op)")
    total = {kind: sum(rates) for kind, rates in shared.items()}
    return [
        Row("lock uncontended ops/s", f"{project:,.0f}", f"{raw:,.0f}", ratio(project, raw)),
        Row(
            f"lock contended ({PROCESSES} procs) ops/s",
            f"{total['project']:,.0f}",
            f"{total['raw filelock']:,.0f}",
            ratio(total["project"], total["raw filelock"]),
        ),
    ]


if __name__ == "__main__":
    from report import rows_table

    print(rows_table(run()))
