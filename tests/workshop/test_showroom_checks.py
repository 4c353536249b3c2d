"""check_workshop: the problems Antora does not report, found in the sources of any Antora workshop."""

from __future__ import annotations

import re
import shutil
from pathlib import Path, PurePosixPath

import pytest
from showroom_fixtures import java_outline, publish

from workshop_template_system.workshop.showroom import Finding, check_workshop, render_workshop, write_workshop
from workshop_template_system.workshop.showroom.checks import BUILT_IN_ATTRIBUTES, page_key
from workshop_template_system.workshop.showroom.scanner import auto_id, ids, scan

PAGES = Path("content/modules/ROOT/pages")

TITLES_PAGE = """\
= Titles

== Build the app

== Run `mvn` -- fast

== C++ & Java: a *bold* move!

== Using {lab_name}

== Ünïcode títle

== Repeat

== Repeat

== dots.and-dashes_and__underscores

[#chosen]
== An explicit id

=== (C) notice... and -> arrows

[discrete]
== Discrete heading
"""


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    folder = tmp_path / "workshop"
    write_workshop(render_workshop(java_outline()), folder)
    return folder


def _append(path: Path, text: str) -> int:
    """Append ``text`` to the file; the number of its first line."""
    before = path.read_text()
    path.write_text(before + text)
    return before.count("\n") + 1


def _page(folder: Path, text: str, *, name: str = "notes.adoc") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "antora.yml").write_text("name: notes\nversion: ~\nnav: [modules/ROOT/nav.adoc]\n")
    (folder / "modules" / "ROOT" / "pages").mkdir(parents=True, exist_ok=True)
    (folder / "modules" / "ROOT" / "nav.adoc").write_text(f"* xref:{name}[]\n")
    path = folder / "modules" / "ROOT" / "pages" / name
    path.write_text(text)
    return path


def test_a_rendered_workshop_has_no_findings(workshop: Path) -> None:
    assert check_workshop(workshop) == []


def test_a_hand_broken_copy_shows_each_problem_where_it_is(workshop: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(workshop, broken)
    (broken / PAGES / "extra.adoc").write_text("= Extra\n\n== Build the app!\n\nNot in the nav.\n")
    attribute_line = _append(broken / PAGES / "02-run.adoc", "\nYour cluster is {cluster_domain}.\n") + 1
    first = _append(
        broken / PAGES / "index.adoc",
        "\nSee xref:01-build.adoc#no-such-step[the missing step], xref:01-build.adoc#step-package-the-application[],"
        " xref:extra.adoc#_build_the_app[] and <<modules>>.\n\n"
        "Then xref:09-missing.adoc[] and <<nowhere,there>>.\n",
    )

    findings = check_workshop(broken)
    assert [(f.severity, f.check, f.file, f.line) for f in findings] == [
        ("error", "attribute", PAGES / "02-run.adoc", attribute_line),
        ("warning", "nav", PAGES / "extra.adoc", None),
        ("error", "xref-fragment", PAGES / "index.adoc", first + 1),
        ("error", "xref-target", PAGES / "index.adoc", first + 3),
        ("error", "xref-fragment", PAGES / "index.adoc", first + 3),
    ]
    assert findings[0].message == "attribute 'cluster_domain' is not defined"
    assert "nav.adoc" in findings[1].message
    assert findings[2].message == "xref fragment #no-such-step is no id in 01-build.adoc: 01-build.adoc#no-such-step"
    assert str(findings[3]) == (
        f"{PAGES / 'index.adoc'}:{first + 3}: error: xref target not found: 09-missing.adoc [xref-target]"
    )
    assert isinstance(findings[4], Finding)


def test_attributes_count_only_where_asciidoctor_substitutes_them(tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        ":own: yes\n= Page\n:later: 1\n\n"
        "{own} {later} {empty} {nbsp} {page-component-name} \\{escaped} `+{literal}+` pass:[{raw}]\n\n"
        "{set:made:here} {made} {counter:number} {number}\n\n"
        "// {comment}\n\n////\n{block_comment}\n////\n\n"
        "[source,bash]\n----\necho ${HOME} {verbatim}\n----\n\n"
        '[source,bash,subs="+attributes"]\n----\necho {in_subs}\n----\n\n'
        "....\n{literal_block}\n....\n\n"
        "  {literal_paragraph}\n\n"
        "[subs=specialcharacters]\n{no_attribute_subs}\n\n"
        "pass:a[{pass_with_attributes}]\n\n"
        ":own!:\n\n{own}\n",
    )
    findings = check_workshop(tmp_path)
    lines = page.read_text().splitlines()
    named = [(f.line, f.message.split("'")[1]) for f in findings]
    assert [(lines[number - 1].strip(), name) for number, name in named] == [
        ("echo {in_subs}", "in_subs"),
        ("pass:a[{pass_with_attributes}]", "pass_with_attributes"),
        ("{own}", "own"),
    ]


def test_the_playbook_and_component_attributes_count(tmp_path: Path) -> None:
    (tmp_path / "site.yml").write_text("site:\n  title: T\nasciidoc:\n  attributes:\n    from_playbook: x\n")
    _page(tmp_path / "docs", "= P\n\n{from_playbook} {site-title} {from_component} {switched_off}\n")
    descriptor = tmp_path / "docs" / "antora.yml"
    descriptor.write_text(
        descriptor.read_text() + "asciidoc:\n  attributes:\n    from_component: y@\n    switched_off: false\n"
    )
    assert [f.message for f in check_workshop(tmp_path)] == ["attribute 'switched_off' is not defined"]


def test_an_unreadable_descriptor_is_a_finding(tmp_path: Path) -> None:
    _page(tmp_path, "= P\n")
    (tmp_path / "antora.yml").write_text("name: [unclosed\n")
    findings = check_workshop(tmp_path)
    assert [(f.check, f.file) for f in findings] == [("descriptor", Path("antora.yml"))]


def test_generated_section_ids_match_asciidoctor(workshop: Path, tmp_path: Path) -> None:
    (workshop / PAGES / "titles.adoc").write_text(TITLES_PAGE)
    report = publish(java_outline(), workshop, tmp_path / "cache")  # the page stays: the writer did not make it
    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]

    built = re.findall(r'<h[2-6] id="([^"]+)"', (report.site_dir / "modules" / "titles.html").read_text())
    attributes = {**BUILT_IN_ATTRIBUTES, "lab_name": java_outline().title}
    assert sorted(built) == sorted(ids(scan(TITLES_PAGE), attributes))
    assert "_build_the_app" in built
    assert auto_id("Build the app", {}) == "_build_the_app"
    assert auto_id("Build the app", {}, prefix="", separator="-") == "build-the-app"


def test_ids_follow_the_pages_own_settings() -> None:
    page = (
        ":idprefix: id-\n:idseparator: -\n= T\n\n== First one\n\n:sectids!:\n\n== Second\n\n[[inline]] anchor:also[]\n"
    )
    assert ids(scan(page), BUILT_IN_ATTRIBUTES) == {"id-first-one", "inline", "also"}


@pytest.mark.parametrize(
    ("reference", "key"),
    [
        ("page.adoc", ("ROOT", "page.adoc")),
        ("other:page.adoc", ("other", "page.adoc")),
        ("modules::page.adoc", ("ROOT", "page.adoc")),
        ("modules:other:page.adoc", ("other", "page.adoc")),
        ("2.0@modules:ROOT:page.adoc", ("ROOT", "page.adoc")),
        ("page$sub/page.adoc", ("ROOT", "sub/page.adoc")),
        ("./next.adoc", ("ROOT", "sub/next.adoc")),
        ("elsewhere::page.adoc", None),
        ("partial$part.adoc", None),
    ],
)
def test_page_references_resolve_like_antora(reference: str, key: tuple[str, str] | None) -> None:
    assert page_key(reference, "ROOT", PurePosixPath("sub"), "modules") == key
