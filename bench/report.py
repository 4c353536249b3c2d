"""Rows every benchmark returns, aligned tables, and a line describing the machine."""

from __future__ import annotations

import math
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One figure of a benchmark next to its baseline from the same run; ratio is figure / baseline."""

    benchmark: str
    figure: str
    baseline: str
    ratio: float | None


def ratio(figure: float, baseline: float) -> float | None:
    """figure / baseline, or None when the baseline measured nothing."""
    return figure / baseline if baseline else None


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the (sorted) values fall, by nearest rank; nan when there are none."""
    if not sorted_values:
        return float("nan")
    rank = math.ceil(fraction * len(sorted_values))
    return sorted_values[min(len(sorted_values), max(1, rank)) - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(cell).ljust(width) if index == 0 else str(cell).rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), line(["-" * width for width in widths]), *map(line, rows)])


def rows_table(rows: Sequence[Row]) -> str:
    """The summary table: benchmark, figure, baseline, ratio."""
    cells = [
        [row.benchmark, row.figure, row.baseline, "-" if row.ratio is None else f"{row.ratio:.2f}x"] for row in rows
    ]
    return table(["benchmark", "figure", "baseline", "ratio"], cells)


def machine() -> str:
    """``2 CPUs (Intel(R) Xeon(R) ...), 23 GB RAM, Python 3.12.x, Linux 6.x, load average 1.2`` for every report.

    The load average says how busy the machine was (other processes share the cores): above the
    number of CPUs, every figure is lower than the machine can do, the baselines too.
    """
    model, memory = "unknown CPU", ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kilobytes = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        memory = f", {kilobytes / 1024**2:.0f} GB RAM"
    except (OSError, StopIteration, IndexError, ValueError):
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0]
    return (
        f"{cpus} CPUs ({model}){memory}, Python {sys.version.split()[0]}, {platform.system()} {platform.release()}, "
        f"load average {load:.1f}"
    )
