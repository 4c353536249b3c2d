"""Where a server process spends its CPU: py-spy samples it while a benchmark runs, and we sum the stacks.

``py-spy`` is not a project dependency (``.venv/bin/pip install py-spy``); without it, or when the
system forbids attaching to a process, `sampled` says so and the benchmark goes on unprofiled.
Samples of idle threads are not taken, so shares are of the CPU the process used.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from report import table

RATE = 200  # samples per second
TOP = 24
INTERESTING = (
    *("workshop_template_system", "runtime/", "rag/", "agents/", "a2a", "sqlalchemy", "aiosqlite", "pymilvus"),
    *("milvus_lite", "grpc", "protobuf", "onnxruntime", "tokenizers", "starlette", "fastapi", "pydantic", "json"),
)


@contextmanager
def sampled(pid: int, label: str) -> Iterator[None]:
    """Sample `pid` with py-spy for the duration of the block, then print the hottest functions."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print(f"\nprofile of {label}: py-spy is not installed (.venv/bin/pip install py-spy)")
        yield
        return
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as folder:
        output = Path(folder) / "stacks.txt"
        argv = [spy, "record", "--pid", str(pid), "--rate", str(RATE), "--format", "raw", "--output", str(output)]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            yield
        finally:
            process.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
            _, errors = process.communicate(timeout=60)
        if not output.exists():
            print(f"\nprofile of {label}: py-spy wrote nothing: {errors.decode(errors='replace')[-400:]}")
            return
        print(f"\nprofile of {label} (py-spy, {RATE} Hz, CPU samples of every thread)")
        print(summary(output.read_text()))


def summary(stacks: str) -> str:
    """The functions of the libraries that matter with the most samples inclusive (on the stack) and their own."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in stacks.splitlines():
        frames, _, count = line.rpartition(" ")
        if not frames or not count.isdigit():
            continue
        names = [_name(frame) for frame in frames.split(";")]
        total += int(count)
        own[names[-1]] += int(count)
        for name in set(names):
            inclusive[name] += int(count)
    if not total:
        return "no samples"
    shown = [name for name, count in inclusive.most_common() if count < 0.97 * total and _worth(name)][:TOP]
    rows = [[name, f"{100 * inclusive[name] / total:.1f}", f"{100 * own[name] / total:.1f}"] for name in shown]
    leaves = [[name, f"{100 * count / total:.1f}"] for name, count in own.most_common(TOP // 2)]
    return "\n".join(
        [
            f"{total} samples; functions of {', '.join(INTERESTING)}, by samples inclusive",
            table(["function (file)", "% inclusive", "% own"], rows),
            "functions by their own samples (top of the stack)",
            table(["function (file)", "% own"], leaves),
        ]
    )


def _worth(name: str) -> bool:
    return any(package in name for package in INTERESTING)


def _name(frame: str) -> str:
    """``func (path/to/package/module.py:12)`` → ``func (package/module.py)``: one entry per function, not per line."""
    function, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{function} ({'/'.join(Path(path).parts[-2:])})"
