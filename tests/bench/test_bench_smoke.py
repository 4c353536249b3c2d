"""Each new benchmark runs end to end at a tiny size (real agents, real model, real Milvus Lite) and prints figures.

The sizes are far too small for the figures to mean anything; what is checked is that every step
runs, every baseline is measured, and every row has a ratio. Each starts agents and loads the
embedding model: 30 s to 2 min on a busy 2-core machine, so they are in the slow tier
(``--run-slow``). The full run is ``python bench/run.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import event_loop
import load
import rag_retrieval
from profiling import summary
from report import Row

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _check(rows: list[Row], names: list[str]) -> None:
    assert [row.benchmark for row in rows] == names
    for row in rows:
        assert row.ratio is not None and row.ratio > 0, row
        assert float(row.figure.replace(",", "")) > 0 and float(row.baseline.replace(",", "")) > 0, row


@pytest.mark.slow
def test_rag_retrieval_indexes_asks_and_searches_raw(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    size = rag_retrieval.Size(chunks=40, sample=8, questions=3, warmup=1)
    rows = rag_retrieval.run(size=size, cache=tmp_path / "cache")
    out = capsys.readouterr().out
    print(out)
    at = "40 chunks"
    _check(
        rows,
        [
            "RAG index_workshop chunks/s",
            f"RAG ask {at}, in workshop, p50 ms",
            f"RAG ask {at}, in workshop, p95 ms",
            f"RAG ask {at}, all workshops, p50 ms",
            f"RAG ask {at}, all workshops, p95 ms",
            f"RAG ask {at}, A2A / in process, p95 ms",
        ],
    )
    assert "index_workshop: 8 chunks of 1 pages" in out
    assert "retrieval at 40 chunks (2 workshops)" in out
    assert (tmp_path / "cache" / "all-MiniLM-L6-v2-onnx-int8.npz").exists()  # the next run embeds nothing


@pytest.mark.slow
def test_load_measures_ask_and_tasks_get_against_fastapi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    size = load.Size(chunks=30, concurrency=(2,), warmup=0.5, duration=6.0)  # asks must end inside the window
    rows = load.run(size=size, cache=tmp_path / "cache")
    out = capsys.readouterr().out
    print(out)
    names = ["load tasks/get c=2", "load ask (message/send) c=2"]  # tasks/get first: asks left running slow it
    _check(rows, [f"{name} {figure}" for name in names for figure in ("req/s", "p95 ms")])
    assert "first error" not in out


@pytest.mark.slow
def test_event_loop_compares_card_latency_during_analysis(capsys: pytest.CaptureFixture[str]) -> None:
    rows = event_loop.run(size=event_loop.Size(files=60, warmup=0.1, duration=0.6))
    out = capsys.readouterr().out
    print(out)
    _check(
        rows,
        ["loop GET /agent-card p95 ms during analysis", "loop POST / tasks/get p95 ms during analysis"],
    )
    assert "during the hammering" in out


def test_a_bad_size_is_one_clear_line() -> None:
    finished = subprocess.run(
        [sys.executable, str(BENCH / "rag_retrieval.py"), "--chunks", "5"], capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 2
    assert "--chunks must be at least 20" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_profile_summary_sums_stacks_per_function() -> None:
    stacks = (
        "main (app/cli.py:1);handle (a2a/jsonrpc.py:10);get (sqlalchemy/query.py:5) 30\n"
        "main (app/cli.py:1);handle (a2a/jsonrpc.py:12) 10\n"
        "main (app/cli.py:1);wait (app/cli.py:3) 60\n"
    )
    text = summary(stacks)
    assert text.startswith("100 samples")
    inclusive, own = (_cells(part) for part in text.split("functions by their own samples"))
    assert inclusive["handle (a2a/jsonrpc.py)"] == ["40.0", "10.0"]  # two lines of one function, summed
    assert inclusive["get (sqlalchemy/query.py)"] == ["30.0", "30.0"]
    assert "main (app/cli.py)" not in inclusive  # on every stack: says nothing
    assert "wait (app/cli.py)" not in inclusive  # not a library the table follows
    assert own["wait (app/cli.py)"] == ["60.0"]


def _cells(table: str) -> dict[str, list[str]]:
    rows = [line.split("  ") for line in table.splitlines() if "  " in line and not line.startswith("-")]
    return {row[0]: [cell.strip() for cell in row[1:] if cell.strip()] for row in rows}
