"""Run every benchmark and print one summary table: ``python bench/run.py`` (or ``make bench``).

A benchmark is a function returning `Row`s (figure, baseline measured in the same run, ratio);
add one to `BENCHMARKS` and it shows up in the table.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import locks
import repository_analysis
import runtime_http
import workshop_build
from report import Row, machine, rows_table

BENCHMARKS: list[Callable[[], list[Row]]] = [
    runtime_http.run,
    locks.run,
    repository_analysis.run,
    workshop_build.run,
]


def main() -> None:
    started = time.perf_counter()
    print(f"Machine: {machine()}")
    rows = [row for benchmark in BENCHMARKS for row in benchmark()]
    print(f"\nSummary (ratio = figure / baseline; took {time.perf_counter() - started:.0f} s)")
    print(f"Machine: {machine()}")
    print(rows_table(rows))


if __name__ == "__main__":
    main()
