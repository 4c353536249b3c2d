"""Run every benchmark and print one summary table: ``python bench/run.py [--quick]`` (or ``make bench``).

A benchmark is a function ``run(quick) -> list[Row]`` (figure, baseline measured in the same run,
ratio); add one to `BENCHMARKS` and it shows up in the table. ``--quick`` runs the small sizes
(a few hundred chunks, one-second windows): a check that everything works, not figures to quote.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import event_loop
import load
import locks
import rag_retrieval
import repository_analysis
import runtime_http
import workshop_build
from report import Row, machine, rows_table

BENCHMARKS: list[Callable[[bool], list[Row]]] = [
    runtime_http.run,
    lambda quick: locks.run(),  # already seconds long
    repository_analysis.run,
    lambda quick: workshop_build.run(),  # already seconds long
    rag_retrieval.run,
    load.run,
    event_loop.run,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes and short windows")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"Machine: {machine()}")
    rows = [row for benchmark in BENCHMARKS for row in benchmark(args.quick)]
    print(f"\nSummary (ratio = figure / baseline; took {time.perf_counter() - started:.0f} s)")
    print(f"Machine: {machine()}")
    print(rows_table(rows))


if __name__ == "__main__":
    main()
