"""Markdown tutorial pages converted to AsciiDoc: each construct, and a real Antora build of converted pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from workshop_samples import NODE_TUTORIAL

from workshop_template_system.integrations.antora import DEFAULT_ANTORA_BIN, build_site, ensure_git_repository
from workshop_template_system.workshop.markdown_to_asciidoc import markdown_to_asciidoc


@pytest.mark.parametrize(
    ("markdown", "asciidoc"),
    [
        ("# Title\n\n## Section\n\n#### Deep ###", "= Title\n\n== Section\n\n==== Deep\n"),
        ("Title\n=====\n\nPart\n----\n", "= Title\n\n== Part\n"),
        ("One line\nand the next.\n\nNew paragraph.", "One line\nand the next.\n\nNew paragraph.\n"),
        ("Run `npm install` then `a+b`.", "Run `+npm install+` then `pass:c[a+b]`.\n"),
        ("**bold**, *italic*, _also_ and snake_case_name", "*bold*, _italic_, _also_ and snake_case_name\n"),
        ("Set {user} in `{user}`.", "Set \\{user} in `+{user}+`.\n"),
        (
            "[site](https://example.com), [next](02-routes.md#start), [here](#setup), [file](files/a.txt)",
            "https://example.com[site], xref:02-routes.adoc#start[next], <<setup,here>>, link:files/a.txt[file]\n",
        ),
        ("See <https://example.com>.", "See https://example.com.\n"),
        ('![Diagram, v2](img/arch.png "Arch")', "image::img/arch.png[Diagram  v2]\n"),
        ("Logo ![logo](logo.png) inline.", "Logo image:logo.png[logo] inline.\n"),
        ("- a\n- b\n  - c\n1. d\n", "* a\n* b\n** c\n\n//\n\n. d\n"),
        ("- a\n  1. b\n  2. c\n- d\n", "* a\n.. b\n.. c\n* d\n"),
        ("1. one\n2. two\n", ". one\n. two\n"),
        ("```bash\nnpm install\n```", "[source,bash]\n----\nnpm install\n----\n"),
        ("```\n----\n```", "[source]\n-----\n----\n-----\n"),
        ("- step\n\n  ```sh\n  make\n  ```\n", "* step\n+\n[source,sh]\n----\nmake\n----\n"),
        ("> quoted\n> text", "____\nquoted\ntext\n____\n"),
        ("> [!WARNING]\n> Careful.", "[WARNING]\n====\nCareful.\n====\n"),
        ('!!! tip "Shortcut"\n    Use **make**.\n', ".Shortcut\n[TIP]\n====\nUse *make*.\n====\n"),
        (
            "| A | B |\n|---|:-:|\n| `x|y` | 2 |",
            '[cols="2*",options="header"]\n|===\n| A | B\n\n| `+x\\|y+` | 2\n|===\n',
        ),
        ("---\ntitle: front\n---\nText\n\n***\n", "Text\n\n'''\n"),
        ("<!-- note to self -->\nText", "////\n note to self\n////\n\nText\n"),
    ],
)
def test_constructs(markdown: str, asciidoc: str) -> None:
    assert markdown_to_asciidoc(markdown) == asciidoc


@pytest.mark.skipif(not DEFAULT_ANTORA_BIN.exists(), reason="the pinned Antora is installed by `npm ci`")
def test_converted_tutorial_pages_build_with_antora_without_diagnostics(tmp_path: Path) -> None:
    kitchen_sink = (
        "# Everything\n\nIntro with `{braces}`, {braces} and [a page](01-setup.md).\n\n"
        "## Steps\n\n1. Install:\n\n   ```bash\n   npm install\n   ```\n\n2. Check:\n\n   More text.\n\n"
        "> [!NOTE]\n> A note.\n\n| Tool | Use |\n|---|---|\n| `a|b` | pipes |\n\n"
        '!!! warning "Careful"\n    Not as root.\n\n<!-- hidden -->\n'
    )
    pages = {path.rsplit("/", 1)[-1].replace(".md", ".adoc"): text for path, text in NODE_TUTORIAL.items()}
    pages["everything.adoc"] = kitchen_sink
    root = tmp_path / "workshop"
    module = root / "content" / "modules" / "ROOT"
    (module / "pages").mkdir(parents=True)
    for name, markdown in pages.items():
        (module / "pages" / name).write_text(markdown_to_asciidoc(markdown))
    (module / "nav.adoc").write_text("".join(f"* xref:{name}[]\n" for name in pages))
    (root / "content" / "antora.yml").write_text(
        "name: modules\ntitle: Tutorial\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n"
    )
    (root / "site.yml").write_text(
        "site:\n  title: Tutorial\n  start_page: modules::index.adoc\ncontent:\n  sources:\n  - url: .\n"
        "    start_path: content\n"
    )
    ensure_git_repository(root)

    report = build_site(root, cache_dir=tmp_path / "antora-cache")

    assert report.ok and report.diagnostics == [], [str(diagnostic) for diagnostic in report.diagnostics]
    everything = (report.site_dir / "modules" / "everything.html").read_text()
    assert "{braces}" in everything and 'href="01-setup.html"' in everything
