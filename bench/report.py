"""Rows every benchmark returns, aligned tables, and a line describing the machine."""

from __future__ import annotations

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
    """``2 CPUs (Intel(R) Xeon(R) ...), Python 3.12.x, Linux 6.x`` for the head of every report."""
    model = "unknown CPU"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpus} CPUs ({model}), Python {sys.version.split()[0]}, {platform.system()} {platform.release()}"
