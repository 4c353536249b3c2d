"""The pinned Antora builds a Showroom workshop offline, and its diagnostics come back with file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workshop_template_system.integrations.antora import AntoraError, BuildReport, ensure_git_repository

Build = Callable[..., BuildReport]

BROKEN_INDEX = """\
= Welcome to {lab_name}

In this workshop you build a container image.

Your cluster is {cluster_domain}.

Start with xref:module-09.adoc[the first module].
"""


def _page(report: BuildReport, name: str) -> str:
    return (report.site_dir / "modules" / name).read_text()


def test_a_showroom_workshop_builds_without_diagnostics(workshop: Path, build: Build) -> None:
    ensure_git_repository(workshop)
    report = build(workshop)

    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    assert report.diagnostics == []
    assert report.site_dir == workshop / "build" / "site"
    assert 0 < report.seconds < 60
    index, module = _page(report, "index.html"), _page(report, "module-01.html")
    assert "<title>Welcome to Container Basics · Container Basics</title>" in index
    assert "build a container image and run it" in index
    assert '<a class="next" href="module-01.html">' in index
    assert '<div class="listingblock execute">' in module
    assert "ssh lab-user@bastion.my-guid.example.com" in module
    assert '<a href="module-01.html" class="current" aria-current="page">' in module
    assert '<a class="prev" href="index.html">' in module
    assert 'href="../_/css/site.css"' in module
    assert (report.site_dir / "_" / "css" / "site.css").is_file()
    assert "modules/index.html" in (report.site_dir / "index.html").read_text()  # the start page redirect
    assert "Page Not Found" in (report.site_dir / "404.html").read_text()  # site.url is set


def test_a_broken_xref_is_an_error_and_a_missing_attribute_a_warning(
    workshop: Path, write_workshop: Callable[..., Path], build: Build
) -> None:
    write_workshop(workshop, {"index.adoc": BROKEN_INDEX})
    ensure_git_repository(workshop)
    report = build(workshop)

    assert not report.ok
    page = workshop / "content" / "modules" / "ROOT" / "pages" / "index.adoc"
    errors = [diagnostic for diagnostic in report.diagnostics if diagnostic.level == "error"]
    assert [(d.file, d.line, d.source) for d in errors] == [(page, 7, "asciidoctor")]
    assert "target of xref not found: module-09.adoc" in errors[0].message
    assert str(errors[0]).startswith(f"{page}:7: error: ")
    warnings = [diagnostic for diagnostic in report.diagnostics if diagnostic.level == "warn"]
    missing = "skipping reference to missing attribute: cluster_domain"
    assert [(d.file, d.message) for d in warnings] == [(page, missing)]
    assert report.failures == report.diagnostics


def test_the_log_is_read_whatever_the_environment_says(
    workshop: Path, write_workshop: Callable[..., Path], build: Build, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # CI=true alone switches Antora's default log format to pretty; these would hide or move the log.
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("IS_TTY", "true")  # adds a plain "Site generation complete!" line to stdout
    monkeypatch.setenv("ANTORA_LOG_FORMAT", "pretty")
    monkeypatch.setenv("ANTORA_LOG_LEVEL", "fatal")
    monkeypatch.setenv("ANTORA_LOG_LEVEL_FORMAT", "number")
    monkeypatch.setenv("ANTORA_LOG_FAILURE_LEVEL", "none")
    monkeypatch.setenv("ANTORA_LOG_FILE", str(tmp_path / "elsewhere.log"))
    ensure_git_repository(workshop)
    good = build(workshop)
    assert good.ok, [str(diagnostic) for diagnostic in good.diagnostics]
    assert good.diagnostics == []

    write_workshop(workshop, {"index.adoc": BROKEN_INDEX})  # not committed: Antora reads the work tree
    broken = build(workshop)
    assert not broken.ok
    assert sorted((d.level, d.line) for d in broken.diagnostics) == [("error", 7), ("warn", None)]
    assert not (tmp_path / "elsewhere.log").exists()


def test_content_outside_a_git_repository_fails_until_it_is_committed(workshop: Path, build: Build) -> None:
    report = build(workshop)
    assert not report.ok
    assert [d.level for d in report.diagnostics] == ["fatal"]
    assert "must be a git repository" in report.diagnostics[0].message

    ensure_git_repository(workshop)
    assert build(workshop).ok


def test_an_extension_that_is_not_installed_is_fatal(
    workshop: Path, write_workshop: Callable[..., Path], build: Build
) -> None:
    # The Showroom template's site.yml requires extensions that the pinned toolchain does not include.
    site_yml = "antora:\n  extensions:\n  - require: '@sntke/antora-mermaid-extension'\n"
    write_workshop(workshop, site_yml=(workshop / "site.yml").read_text() + site_yml)
    ensure_git_repository(workshop)
    report = build(workshop)
    assert not report.ok
    assert [(d.level, d.source) for d in report.diagnostics] == [("fatal", "antora")]
    assert "Cannot find module '@sntke/antora-mermaid-extension'" in report.diagnostics[0].message


def test_the_site_goes_where_it_is_asked_and_stale_pages_are_removed(
    workshop: Path, build: Build, tmp_path: Path
) -> None:
    ensure_git_repository(workshop)
    site = tmp_path / "site"
    (site / "modules").mkdir(parents=True)
    (site / "modules" / "stale.html").write_text("from an earlier build")
    report = build(workshop, output_dir=site)
    assert report.ok
    assert report.site_dir == site
    assert sorted(path.name for path in (site / "modules").iterdir()) == ["index.html", "module-01.html"]


def test_missing_antora_is_a_clear_error(workshop: Path, build: Build, tmp_path: Path) -> None:
    with pytest.raises(AntoraError, match=r"Antora is not installed .*: run `npm ci` in /"):
        build(workshop, antora_bin=tmp_path / "node_modules" / ".bin" / "antora")


def test_a_build_past_its_timeout_is_an_error(workshop: Path, build: Build) -> None:
    ensure_git_repository(workshop)
    with pytest.raises(AntoraError, match=r"did not finish building .* within 0\.01 s"):
        build(workshop, timeout=0.01)


def test_paths_that_cannot_work_are_refused_before_building(workshop: Path, build: Build, tmp_path: Path) -> None:
    with pytest.raises(AntoraError, match="No Antora playbook"):
        build(workshop, playbook="default-site.yml")
    with pytest.raises(AntoraError, match="No Antora UI bundle"):
        build(workshop, ui_bundle=tmp_path)
    with pytest.raises(AntoraError, match="would contain the workshop"):
        build(workshop, output_dir=tmp_path)  # emptied before the build: it holds the workshop
