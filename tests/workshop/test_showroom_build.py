"""Rendered workshops build with the real, pinned Antora without a single diagnostic, and show what they say."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from showroom_fixtures import (
    HOME_COMMAND,
    LAB_COMMAND,
    all_commands,
    execute_blocks,
    java_outline,
    outline_with_modules,
    publish,
    visible_text,
)

from workshop_template_system.workshop.showroom import check_workshop

# Plain text that AsciiDoc would otherwise read as markup, each a paragraph of its own.
TRICKY_TEXTS = [
    "C++ and C++ are both fine, as is a+b+c.",
    "Edit __init__.py and **kwargs, #1 and #2, 2^10^ and ~/a~ here.",
    "== not a heading",
    ":not: an attribute",
    "[not an attribute line]",
    "See <<not-an-xref>>, footnote:[no footnote] and image:x.png[] here.",
    "The term:: is not a definition",
    "Use {name}, {set:foo:bar}, {counter:n} and \\{x} literally.",
    "(C) 2024, &amp; and &#169; stay as written.",
    "[[anchor]], ((index)) and (((a,b,c))) stay.",
    "A path C:\\temp\\ stays.",
    "// not a comment",
    "----",
    "include::missing.adoc[]",
    "ifdef::foo[]",
    "<1> not a callout",
    "link:foo[bar] and xref:nothing.adoc[] stay.",
    "pass:[<b>raw</b>] and +++<i>x</i>+++ and $$y$$ stay.",
    "ends with a plus +",
]
TRICKY_COMMANDS = [
    "cat <<'EOF' > notes.adoc\n= Notes\n----\ninclude::other.adoc[]\nEOF",
    "echo done # <1>",
    "echo '{\"a\": {\"b\": 1}}' | jq '.a | {b}'",
    'for f in *.txt; do echo "${f%.txt}"; done 2>&1 </dev/null',
]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "antora-cache"


def test_the_java_workshop_builds_clean_and_shows_every_command_verbatim(tmp_path: Path, cache: Path) -> None:
    outline = java_outline()
    report = publish(outline, tmp_path / "workshop", cache, model_note="Written without a language model.")

    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    assert report.diagnostics == []
    assert check_workshop(tmp_path / "workshop") == []
    built = sorted(path.name for path in (report.site_dir / "modules").glob("*.html"))
    assert built == ["01-build.html", "02-run.html", "03-deploy.html", "04-conclusion.html", "index.html"]
    assert len(built) == len(outline.modules) + 2

    pages = {name: (report.site_dir / "modules" / name).read_text() for name in built}
    executed = [command for page in pages.values() for command in execute_blocks(page)]
    for command in all_commands(outline):
        if command != LAB_COMMAND:
            assert command in executed
    assert HOME_COMMAND in execute_blocks(pages["01-build.html"])  # ${HOME} and {} as written
    resolved = LAB_COMMAND.replace("{ssh_user}", "lab-user").replace("{guid}", "my-guid")
    assert resolved in execute_blocks(pages["03-deploy.html"])
    assert "ssh lab-user@bastion.my-guid.example.com" in execute_blocks(pages["index.html"])
    assert "mailto:" not in pages["index.html"]  # lab values are shown literally, never as mail links

    navigation = re.findall(r'<li class="nav-item">\s*<a href="([^"]+)"', pages["index.html"])
    assert [href.rsplit("/", 1)[-1] for href in navigation] == built[-1:] + built[:-1]
    index = visible_text(pages["index.html"])
    assert "Written without a language model." in index
    assert "Module 1: Build the application Module 2: Run it locally Module 3: Deploy to Kubernetes" in index
    link = 'href="https://github.com/spring-projects/spring-petclinic/blob/main/pom.xml"'
    assert link in pages["01-build.html"]
    assert "{id}-style path variables" in index


def test_text_and_code_that_look_like_markup_render_as_written(tmp_path: Path, cache: Path) -> None:
    commands = [*TRICKY_COMMANDS, *([] for _ in TRICKY_TEXTS)]
    steps = [
        {"title": text, "text": text, "commands": [command] if isinstance(command, str) else command}
        for text, command in zip(TRICKY_TEXTS, commands, strict=False)
    ]
    module = {
        "id": "tricky",
        "title": "Markup that is {not} markup",
        "introduction": "\n".join(f"- {text}" for text in TRICKY_TEXTS),
        "objectives": TRICKY_TEXTS,
        "steps": [*steps, {"title": "C++ twice", "commands": ["true"]}, {"title": "C++ twice", "commands": ["true"]}],
        "source_files": ["a b/c[d].md", "x_y/__z__.py"],
        "verification": {"text": "Nothing ~changed~.", "commands": TRICKY_COMMANDS[:1]},
    }
    report = publish(java_outline(modules=[module], summary="\n\n".join(TRICKY_TEXTS)), tmp_path / "w", cache)

    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    assert report.diagnostics == []
    assert check_workshop(tmp_path / "w") == []
    page = (report.site_dir / "modules" / "01-tricky.html").read_text()
    assert set(TRICKY_COMMANDS) <= set(execute_blocks(page))
    text = visible_text(page)
    assert "Module 1: Markup that is {not} markup" in text
    for written in TRICKY_TEXTS:
        assert text.count(written) >= 4, written  # introduction item, objective, step title, step text
    titles = re.findall(r'<h3 id="([^"]+)">', page)
    assert len(titles) == len(set(titles)) == len(TRICKY_TEXTS) + 2
    assert 'href="https://github.com/spring-projects/spring-petclinic/blob/main/a%20b/c%5Bd%5D.md"' in page
    assert TRICKY_TEXTS[0] in visible_text((report.site_dir / "modules" / "index.html").read_text())
    assert "$f" not in text  # set by the loop that reads it: no troubleshooting entry


def test_a_ten_module_workshop_builds_clean(tmp_path: Path, cache: Path) -> None:
    outline = outline_with_modules(10)
    started = time.monotonic()
    report = publish(outline, tmp_path / "workshop", cache)
    seconds = time.monotonic() - started

    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    assert report.diagnostics == []
    assert check_workshop(tmp_path / "workshop") == []
    assert len(list((report.site_dir / "modules").glob("*.html"))) == 12
    print(f"10 modules: render + write + build {seconds:.2f} s (Antora {report.seconds:.2f} s)")
