"""Enhancing other Antora layouts: a plain multi-module component, a legacy RTO workshop, and the edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from showroom_fixtures import execute_blocks, visible_text
from workshop_repos import MakeRepo

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.integrations.antora import BuildReport, build_site, ensure_git_repository
from workshop_template_system.workshop import Outline, analyze_repository
from workshop_template_system.workshop.showroom import check_workshop
from workshop_template_system.workshop.showroom.enhance import build_playbook, enhance_workshop

DEPLOY_PAGE = """= Deploy the service

In this lab you deploy the service to the cluster.

== Apply the manifests

[source,bash]
----
oc apply -f deploy.yaml
----

[#summary]
== Summary

You deployed the service.
"""
DESCRIPTOR = """# The operations guide
name: ops
title: Operations guide
version: ~
nav:
- modules/ROOT/nav.adoc
- modules/admin/nav.adoc
"""
PLAIN_COMPONENT = {
    "README.md": "# Operations guide\n\nThe guide's sources are in `docs/`.\n",
    "docs/antora.yml": DESCRIPTOR,
    "docs/modules/ROOT/nav.adoc": "* xref:index.adoc[Start]\n* xref:deploy.adoc[Deploy]\n",
    "docs/modules/ROOT/pages/index.adoc": "= Operations guide\n\nConnect with `{ssh_command}` and open {foo}.\n",
    "docs/modules/ROOT/pages/deploy.adoc": DEPLOY_PAGE,
    "docs/modules/admin/nav.adoc": "* xref:users.adoc[Users]\n",
    "docs/modules/admin/pages/users.adoc": "= Users\n\nList them.\n",
    "docs/modules/admin/pages/groups.adoc": "= Groups\n\nGroups hold users.\n",
    "docs/modules/extra/pages/notes.adoc": "= Notes\n\nMore notes.\n",
}
LEGACY_RTO = {
    "default-site.yml": (
        "site:\n  title: Legacy lab\n  start_page: lab::index.adoc\ncontent:\n  sources:\n"
        "  - url: .\n    branches: master\n    start_path: documentation\n"
        "asciidoc:\n  attributes:\n    release-version: '4.14'\n  extensions:\n  - ./lib/tab-block.js\n"
    ),
    "documentation/antora.yml": "name: lab\ntitle: Legacy lab\nversion: master\nnav:\n- modules/ROOT/nav.adoc\n",
    "documentation/modules/ROOT/nav.adoc": "* xref:index.adoc[The lab]\n",
    "documentation/modules/ROOT/pages/index.adoc": (
        "= The lab\n\nLog in as {user} on OpenShift {release-version}:\n\n"
        '[source,bash,subs="attributes"]\n----\noc login -u {user} {openshift_api_url}\n----\n'
    ),
    "documentation/modules/ROOT/pages/appendix.adoc": "= Appendix\n\nReference material.\n",
}


def outline_of(repo: Path) -> Outline:
    outline = analyze_repository(repo, source=str(repo), ref="main").outline
    assert outline.workflow == "enhance-existing"
    return outline


def build(folder: Path, tmp_path: Path) -> BuildReport:
    ensure_git_repository(folder)
    site = tmp_path / "site" / folder.name
    return build_site(folder, playbook=build_playbook(folder).name, output_dir=site, cache_dir=tmp_path / "cache")


def test_a_plain_component_gets_nav_entries_per_module_sections_and_lab_attributes(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    source = make_repo("ops-guide", PLAIN_COMPONENT)
    destination = tmp_path / "out"
    enhancement = enhance_workshop(source, destination, outline_of(source))

    assert [(change.kind, change.file, change.line) for change in enhancement.changes] == [
        ("objectives", "docs/modules/ROOT/pages/deploy.adoc", 5),
        ("verification", "docs/modules/ROOT/pages/deploy.adoc", 17),
        ("attribute", "docs/antora.yml", 10),
        ("attribute", "docs/antora.yml", 11),
        ("attribute", "docs/antora.yml", 12),
        ("nav", "docs/modules/admin/nav.adoc", 2),
        ("nav", "docs/modules/ROOT/nav.adoc", 3),
    ]
    assert [(note.kind, note.file, note.line) for note in enhancement.reported] == [
        ("attribute", "docs/modules/ROOT/pages/index.adoc", 3)
    ]
    assert "'foo'" in enhancement.reported[0].message and "no value invented" in enhancement.reported[0].message
    descriptor = (destination / "docs/antora.yml").read_text()
    assert descriptor == DESCRIPTOR + (
        "asciidoc:\n  attributes:\n    ssh_user: lab-user\n    guid: my-guid\n"
        "    ssh_command: ssh {ssh_user}@bastion.{guid}.example.com\n"
    )  # dependencies first: Antora resolves references to attributes defined before
    assert (destination / "docs/modules/ROOT/nav.adoc").read_text().endswith("* xref:extra:notes.adoc[]\n")
    assert (destination / "docs/modules/admin/nav.adoc").read_text().endswith("* xref:groups.adoc[]\n")
    deploy = (destination / "docs/modules/ROOT/pages/deploy.adoc").read_text().splitlines()
    assert deploy[2:9] == [
        "In this lab you deploy the service to the cluster.",
        "",
        "[#objectives]",
        "== Objectives",
        "",
        "* Apply the manifests",
        "",
    ]  # after the first paragraph; a section follows, so no Steps heading (and no "Summary" objective)
    assert deploy[16:18] == ["[#verification]", "== Verification"]
    assert deploy[-4:] == ["[#summary]", "== Summary", "", "You deployed the service."]

    report = build(destination, tmp_path)
    assert [(d.level, d.message) for d in report.diagnostics] == [
        ("warn", "skipping reference to missing attribute: foo")
    ]
    assert [(f.check, f.file.as_posix(), f.line) for f in check_workshop(destination)] == [
        ("attribute", "docs/modules/ROOT/pages/index.adoc", 3)
    ]
    index = visible_text((report.site_dir / "ops" / "index.html").read_text())
    assert "Connect with ssh lab-user@bastion.my-guid.example.com" in index
    deployed = (report.site_dir / "ops" / "deploy.html").read_text()
    assert execute_blocks(deployed) == ["oc get -f deploy.yaml"]
    assert visible_text(deployed).index("Verification") < visible_text(deployed).index("Summary")


def test_a_legacy_rto_workshop_builds_from_a_trimmed_playbook(make_repo: MakeRepo, tmp_path: Path) -> None:
    source = make_repo("legacy-lab", LEGACY_RTO)
    destination = tmp_path / "out"
    enhancement = enhance_workshop(source, destination, outline_of(source))

    page = "documentation/modules/ROOT/pages/index.adoc"
    assert [(change.kind, change.file) for change in enhancement.changes] == [
        ("objectives", page),
        ("verification", page),
        ("attribute", "documentation/antora.yml"),
        ("attribute", "documentation/antora.yml"),
        ("attribute", "documentation/antora.yml"),
        ("nav", "documentation/modules/ROOT/nav.adoc"),
    ]
    assert "Steps heading" in enhancement.changes[0].message  # the first paragraph introduces the command
    assert (
        (destination / "documentation/antora.yml")
        .read_text()
        .endswith(
            "asciidoc:\n  attributes:\n    user: user1\n    guid: my-guid\n"
            "    openshift_api_url: https://api.cluster-{guid}.example.com:6443\n"
        )
    )
    assert [(note.kind, note.file, note.line) for note in enhancement.reported] == [
        ("playbook", "default-site.yml", 13)
    ]
    assert (destination / "default-site.yml").read_text() == LEGACY_RTO["default-site.yml"]

    report = build(destination, tmp_path)  # the playbook builds branch master, which the output does not have
    assert report.ok and report.diagnostics == [], [str(diagnostic) for diagnostic in report.diagnostics]
    assert check_workshop(destination) == []
    html = (report.site_dir / "lab" / "index.html").read_text()
    assert "Objectives Log in as user1 on OpenShift 4.14 Steps Log in as user1 on OpenShift 4.14:" in visible_text(html)
    assert "oc login -u user1 https://api.cluster-my-guid.example.com:6443" in html
    assert 'href="appendix.html"' in html


@pytest.mark.parametrize(
    ("descriptor", "expected"),
    [
        pytest.param(
            "name: lab\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\nasciidoc:\n  # lab values\n  attributes:\n"
            "    lab_name: Lab   # shown in the header\n    release: |\n      4.14\n\n"
            "# the end\nstart_page: index.adoc\n",
            "name: lab\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\nasciidoc:\n  # lab values\n  attributes:\n"
            "    lab_name: Lab   # shown in the header\n    release: |\n      4.14\n    guid: my-guid\n\n"
            "# the end\nstart_page: index.adoc\n",
            id="after-the-last-attribute",
        ),
        pytest.param(
            "name: lab\nversion: ~\nasciidoc:\n    sourcemap: true\nnav:\n- modules/ROOT/nav.adoc\n",
            "name: lab\nversion: ~\nasciidoc:\n    attributes:\n      guid: my-guid\n    sourcemap: true\nnav:\n"
            "- modules/ROOT/nav.adoc\n",
            id="asciidoc-without-attributes",
        ),
        pytest.param(
            "name: lab\nversion: ~\nnav: [modules/ROOT/nav.adoc]\nasciidoc: {attributes: {lab_name: Lab}}\n",
            None,
            id="flow-style-is-reported",
        ),
    ],
)
def test_attributes_are_added_as_lines_or_reported(
    make_repo: MakeRepo, tmp_path: Path, descriptor: str, expected: str | None
) -> None:
    files = {
        "antora.yml": descriptor,
        "modules/ROOT/nav.adoc": "* xref:index.adoc[Start]\n",
        "modules/ROOT/pages/index.adoc": "= Start\n\nYour id is {guid}.\n",
    }
    source = make_repo("lab", files)
    enhancement = enhance_workshop(source, tmp_path / "out", outline_of(source))

    written = (tmp_path / "out" / "antora.yml").read_text()
    if expected is None:
        assert written == descriptor
        assert enhancement.changes == []
        assert [(note.kind, note.file) for note in enhancement.reported] == [
            ("attribute", "antora.yml"),
            ("attribute", "modules/ROOT/pages/index.adoc"),
        ]
    else:
        assert written == expected
        guid_line = next(number for number, line in enumerate(expected.splitlines(), 1) if "guid" in line)
        assert [(change.kind, change.line) for change in enhancement.changes] == [("attribute", guid_line)]
        assert enhancement.reported == []


def test_an_xref_two_pages_could_mean_is_reported_not_guessed(make_repo: MakeRepo, tmp_path: Path) -> None:
    files = {
        "antora.yml": "name: lab\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n",
        "modules/ROOT/nav.adoc": "* xref:index.adoc[Start]\n* xref:a/setup.adoc[A]\n* xref:b/setup.adoc[B]\n",
        "modules/ROOT/pages/index.adoc": "= Start\n\nFirst read xref:setup.adoc[the setup].\n",
        "modules/ROOT/pages/a/setup.adoc": "= Set up A\n\nA.\n",
        "modules/ROOT/pages/b/setup.adoc": "= Set up B\n\nB.\n",
    }
    source = make_repo("lab", files)
    enhancement = enhance_workshop(source, tmp_path / "out", outline_of(source))

    assert enhancement.changes == []
    assert [(note.kind, note.file, note.line) for note in enhancement.reported] == [
        ("xref-target", "modules/ROOT/pages/index.adoc", 3)
    ]
    assert "modules/ROOT/pages/a/setup.adoc, modules/ROOT/pages/b/setup.adoc" in enhancement.reported[0].message
    assert (tmp_path / "out" / "modules/ROOT/pages/index.adoc").read_text() == files["modules/ROOT/pages/index.adoc"]


def test_the_destination_is_replaced_and_nothing_outside_the_copy_is_written(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.adoc"
    outside.write_text("= Outside\n\nNot the workshop's.\n")
    files = {
        "antora.yml": "name: lab\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n",
        "modules/ROOT/nav.adoc": "* xref:index.adoc[Start]\n",
        "modules/ROOT/pages/index.adoc": "= Start\n\nHello.\n",
    }
    source = make_repo("lab", files)
    (source / "modules/ROOT/pages/linked.adoc").symlink_to(outside)
    destination = tmp_path / "final-output"
    destination.mkdir()
    (destination / "stale.adoc").write_text("from an earlier run\n")

    enhancement = enhance_workshop(source, destination, outline_of(source))

    assert not (destination / "stale.adoc").exists() and not (destination / ".git").exists()
    assert (destination / "modules/ROOT/pages/linked.adoc").is_symlink()
    assert outside.read_text() == "= Outside\n\nNot the workshop's.\n"
    assert enhancement.pages_kept == ["modules/ROOT/pages/index.adoc"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["final-output", "outside.adoc", "sources"]
    with pytest.raises(WorkspaceError, match="cannot be inside"):
        enhance_workshop(source, source / "final-output", outline_of(source))


def test_line_ends_and_bytes_stay_as_the_author_wrote_them(make_repo: MakeRepo, tmp_path: Path) -> None:
    setup = b"= Setup\n\n[#x]\n== X\n\nLatin-1 text: \xe9t\xe9.\n"
    files: dict[str, str | bytes] = {
        "antora.yml": "name: lab\r\nversion: ~\r\nnav:\r\n- modules/ROOT/nav.adoc",
        "modules/ROOT/nav.adoc": "* xref:index.adoc[Start]\r\n",
        "modules/ROOT/pages/index.adoc": (
            "= Start\r\n:project: demo\r\n\r\nDeploy {project} to {guid}; see <<setup.adoc#x,the setup>>:\r\n\r\n"
            "[source,bash]\r\n----\r\noc apply -f {project}.yaml\r\n----"
        ),
        "modules/ROOT/pages/sub/setup.adoc": setup,
    }
    source = make_repo("lab", files)
    destination = tmp_path / "out"
    enhancement = enhance_workshop(source, destination, outline_of(source))

    assert enhancement.reported == []
    shown = [
        (destination / change.file).read_bytes().decode("latin-1").split("\r\n")[(change.line or 0) - 1]
        for change in enhancement.changes
    ]
    assert shown == [
        "[#objectives]",
        "[#verification]",
        "Deploy {project} to {guid}; see <<sub/setup.adoc#x,the setup>>:",
        "    guid: my-guid",
        "* xref:sub/setup.adoc[]",
    ]
    page = (destination / "modules/ROOT/pages/index.adoc").read_bytes().decode()
    assert "\n" not in page.replace("\r\n", "")  # every line, old or new, ends as the page's lines do
    assert '[source,bash,role=execute,subs="+attributes"]\r\n----\r\noc get -f {project}.yaml\r\n' in page
    assert (destination / "antora.yml").read_bytes() == (
        b"name: lab\r\nversion: ~\r\nnav:\r\n- modules/ROOT/nav.adoc\r\n"
        b"asciidoc:\r\n  attributes:\r\n    guid: my-guid\r\n"
    )
    assert (destination / "modules/ROOT/pages/sub/setup.adoc").read_bytes() == setup
