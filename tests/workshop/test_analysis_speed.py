"""Analysis walks a repository once and runs no subprocess: 5,000 files in well under two seconds."""

from __future__ import annotations

import time
from pathlib import Path

from workshop_repos import write_files
from workshop_samples import generated_repository

from workshop_template_system.workshop import analyze_repository


def test_a_5000_file_repository_is_analysed_quickly(tmp_path: Path) -> None:
    write_files(tmp_path, generated_repository(5000))
    started = time.perf_counter()
    analysis = analyze_repository(tmp_path, source="generated")
    elapsed = time.perf_counter() - started

    assert analysis.files == 5000
    assert analysis.primary_language == "Java"
    assert len(analysis.deployment.kubernetes) == 200  # listed up to the cap
    titles = [module.title for module in analysis.outline.modules]
    assert titles[:3] == ["Build", "Run", "Deploy to Kubernetes"]  # the README's sections, then the docs/ pages
    assert all(title.startswith("Page ") for title in titles[3:])
    assert len(titles) == 30  # capped
    assert elapsed < 2.0, f"analysis took {elapsed:.2f} s"
