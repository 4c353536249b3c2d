"""Enhancing an existing Showroom workshop: real clone, real analysis, real Antora build of the result."""

from __future__ import annotations

import re
from pathlib import Path

from showroom_fixtures import execute_blocks, visible_text
from workshop_repos import MakeRepo, git
from workshop_samples import SHOWROOM_WORKSHOP

from workshop_template_system.integrations.antora import BuildReport, build_site, ensure_git_repository
from workshop_template_system.workshop import Outline, analyze_repository
from workshop_template_system.workshop.showroom import check_workshop
from workshop_template_system.workshop.showroom.enhance import Enhancement, build_playbook, enhance_workshop

PAGES = "content/modules/ROOT/pages"
NAV = "content/modules/ROOT/nav.adoc"
EXTENSIONS = (
    "antora:\n  extensions:\n  - require: '@antora/lunr-extension'\n"
    "ui:\n  bundle:\n    url: https://example.com/ui-bundle.zip\n  supplemental_files: ./supplemental-ui\n"
)
FIXABLE = {
    **SHOWROOM_WORKSHOP,
    "site.yml": SHOWROOM_WORKSHOP["site.yml"] + EXTENSIONS,
    NAV: SHOWROOM_WORKSHOP[NAV] + "* xref:advanced/tuning.adoc[]\n",
    f"{PAGES}/module-02.adoc": SHOWROOM_WORKSHOP[f"{PAGES}/module-02.adoc"]
    + (
        "\nYour project is `{guid}-cicd`. To make it faster, see xref:tuning.adoc#cache[caching];\n"
        "to start over, go back to xref:create-pipeline.adoc[Create a pipeline].\n"
    ),
    f"{PAGES}/advanced/tuning.adoc": "= Tune the pipeline\n\n[#cache]\n== Cache the dependencies\n\nKeep them.\n",
    f"{PAGES}/extra.adoc": "= Extra credit\n\nRun the pipeline against your own fork.\n",
}
MISSING_XREF = "See xref:missing.adoc[the missing page] for more."
UNFIXABLE = {**FIXABLE, f"{PAGES}/index.adoc": FIXABLE[f"{PAGES}/index.adoc"] + f"\n{MISSING_XREF}\n"}
_XREF_TARGET = re.compile(r"xref:[^\s\[]+\[")


def analysed(repo: Path) -> Outline:
    outline = analyze_repository(repo, source=str(repo), ref="main").outline
    assert outline.workflow == "enhance-existing"
    return outline


def build(folder: Path, tmp_path: Path) -> BuildReport:
    ensure_git_repository(folder)
    site = tmp_path / "site" / folder.name
    return build_site(folder, playbook=build_playbook(folder).name, output_dir=site, cache_dir=tmp_path / "cache")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(folder).parts
    }


def rewritten_lines(original: str, enhanced: str) -> list[int]:
    """Lines of ``enhanced`` where an original line has a new xref target; fails unless every original line
    is still there, in order, as written or with just that rewrite."""
    old, new = original.splitlines(), enhanced.splitlines()
    position, rewritten = 0, []
    for number, line in enumerate(new, 1):
        if position < len(old) and line == old[position]:
            position += 1
        elif position < len(old) and _XREF_TARGET.sub("xref:[", line) == _XREF_TARGET.sub("xref:[", old[position]):
            rewritten.append(number)
            position += 1
    assert position == len(old), f"original line {position + 1} is gone: {old[position]!r}"
    return rewritten


def assert_author_text_kept(files: dict[str, str], destination: Path, enhancement: Enhancement) -> None:
    """Every author file is there with its lines in order; only the listed xref lines were rewritten."""
    xref_lines = {(change.file, change.line) for change in enhancement.changes if change.kind == "xref"}
    for path, text in files.items():
        rewritten = rewritten_lines(text, (destination / path).read_text())
        assert {(path, line) for line in rewritten} == {item for item in xref_lines if item[0] == path}
    author_pages = sorted(path for path in files if path.startswith(PAGES))
    assert enhancement.pages_kept == author_pages


def line_of(destination: Path, file: str, line: int | None) -> str:
    assert line is not None
    return (destination / file).read_text().splitlines()[line - 1]


def test_every_fixable_problem_is_fixed_and_the_build_is_clean(make_repo: MakeRepo, tmp_path: Path) -> None:
    source = make_repo("pipelines-workshop", FIXABLE)
    outline = analysed(source)
    destination = tmp_path / "pipeline" / "final-output"

    enhancement = enhance_workshop(source, destination, outline)

    assert git(source, "status", "--porcelain") == ""
    assert tree(source) == {path: text.encode() for path, text in FIXABLE.items()}  # the source is untouched
    assert not (destination / ".git").exists()
    assert (destination / "site.yml").read_text() == FIXABLE["site.yml"]  # extensions kept as written
    assert_author_text_kept(FIXABLE, destination, enhancement)

    changes = [(change.kind, change.file) for change in enhancement.changes]
    assert changes == [
        ("verification", f"{PAGES}/module-01.adoc"),
        ("objectives", f"{PAGES}/module-02.adoc"),
        ("verification", f"{PAGES}/module-02.adoc"),
        ("objectives", f"{PAGES}/advanced/tuning.adoc"),  # its section is a step: objectives derived from it
        ("xref", f"{PAGES}/module-02.adoc"),
        ("xref", f"{PAGES}/module-02.adoc"),
        ("attribute", "content/antora.yml"),
        ("nav", NAV),
    ]
    shown = [line_of(destination, change.file, change.line) for change in enhancement.changes]
    assert shown[:4] == ["[#verification]", "[#objectives]", "[#verification]", "[#objectives]"]
    assert "xref:advanced/tuning.adoc#cache[caching]" in shown[4]
    assert "xref:module-01.adoc[Create a pipeline]" in shown[5]
    assert shown[6:] == ["    guid: my-guid", "* xref:extra.adoc[]"]
    assert "tuning.adoc" in enhancement.changes[4].message and "create-pipeline.adoc" in enhancement.changes[5].message
    assert [(note.kind, note.file, note.line) for note in enhancement.reported] == [
        ("playbook", "site.yml", 10),
        ("playbook", "site.yml", 14),
    ]
    assert "@antora/lunr-extension" in enhancement.reported[0].message
    assert ".enhance-site.yml" in enhancement.reported[0].message

    report = build(destination, tmp_path)
    assert report.ok and report.diagnostics == [], [str(diagnostic) for diagnostic in report.diagnostics]
    assert check_workshop(destination) == []
    trigger = (report.site_dir / "modules" / "module-02.html").read_text()
    assert execute_blocks(trigger) == ["oc apply -f trigger-template.yaml", "oc get -f trigger-template.yaml"]
    text = visible_text(trigger)
    assert "Objectives Create the trigger template Apply it Steps Create the trigger template:" in text
    assert "Your project is my-guid-cicd" in text
    assert 'href="extra.html"' in (report.site_dir / "modules" / "index.html").read_text()


def test_an_unfixable_xref_is_reported_and_enhancing_again_changes_nothing(make_repo: MakeRepo, tmp_path: Path) -> None:
    source = make_repo("pipelines-workshop", UNFIXABLE)
    outline = analysed(source)
    first = tmp_path / "first" / "final-output"
    enhancement = enhance_workshop(source, first, outline)

    unfixed = [note for note in enhancement.reported if note.kind == "xref-target"]
    assert [(note.file, note.line) for note in unfixed] == [(f"{PAGES}/index.adoc", 5)]
    assert "missing.adoc" in unfixed[0].message
    assert line_of(first, f"{PAGES}/index.adoc", 5) == MISSING_XREF  # left as written
    assert_author_text_kept(UNFIXABLE, first, enhancement)
    findings = check_workshop(first)
    assert [(finding.check, finding.file.as_posix(), finding.line) for finding in findings] == [
        ("xref-target", f"{PAGES}/index.adoc", 5)
    ]

    report = build(first, tmp_path)
    assert [(d.level, d.message, d.line) for d in report.diagnostics] == [
        ("error", "target of xref not found: missing.adoc", 5)
    ]

    second = tmp_path / "second" / "final-output"
    again = enhance_workshop(first, second, outline)
    assert again.changes == []
    assert again.reported == enhancement.reported
    assert tree(second) == tree(first)
    assert not [module.derived for module in analysed(second).modules if module.derived]  # nothing left to derive
