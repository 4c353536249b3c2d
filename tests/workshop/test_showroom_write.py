"""write_workshop: files written atomically, and only what an earlier write made is ever removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from showroom_fixtures import JAVA_OUTLINE, java_outline, publish

from workshop_template_system.errors import InvalidNameError
from workshop_template_system.workshop.showroom import MANIFEST_NAME, render_workshop, write_workshop

PAGES = Path("content/modules/ROOT/pages")


def _tree(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): path.read_text() for path in folder.rglob("*") if path.is_file()}


def test_the_files_are_written_as_rendered_with_a_manifest(tmp_path: Path) -> None:
    files = render_workshop(java_outline())
    written = write_workshop(files, tmp_path / "out")

    assert written == [tmp_path / "out" / path for path in files]
    tree = _tree(tmp_path / "out")
    assert json.loads(tree.pop(MANIFEST_NAME)) == {"files": sorted(files)}
    assert tree == files
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_a_module_removed_from_the_outline_loses_its_page_and_authors_pages_stay(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    publish(java_outline(), folder, tmp_path / "cache")  # committed: Antora must follow the work tree
    authored = folder / PAGES / "extra-exercises.adoc"
    authored.write_text("= Extra exercises\n\nWritten by an author.\n")
    kept = (folder / "ui-config.yml").read_text()

    files = render_workshop(java_outline(modules=JAVA_OUTLINE["modules"][:2]))
    report = publish(java_outline(modules=JAVA_OUTLINE["modules"][:2]), folder, tmp_path / "cache")

    pages = sorted(path.name for path in (folder / PAGES).iterdir())
    assert pages == ["01-build.adoc", "02-run.adoc", "03-conclusion.adoc", "extra-exercises.adoc", "index.adoc"]
    assert authored.read_text() == "= Extra exercises\n\nWritten by an author.\n"
    assert (folder / "ui-config.yml").read_text() == kept
    assert all((folder / path).read_text() == text for path, text in files.items())
    assert json.loads((folder / MANIFEST_NAME).read_text()) == {"files": sorted(files)}
    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    built = sorted(path.name for path in (report.site_dir / "modules").glob("*.html"))
    assert built == ["01-build.html", "02-run.html", "03-conclusion.html", "extra-exercises.html", "index.html"]


def test_without_a_readable_manifest_nothing_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    write_workshop(render_workshop(java_outline()), folder)
    (folder / MANIFEST_NAME).write_text('{"files": ["../../outside.txt", "/etc/passwd", 3]')  # not even JSON

    write_workshop(render_workshop(java_outline(modules=JAVA_OUTLINE["modules"][:1])), folder)
    assert (folder / PAGES / "03-deploy.adoc").is_file()

    (folder / MANIFEST_NAME).write_text(json.dumps({"files": ["../outside.txt", "/etc/hostname", 3]}))
    (tmp_path / "outside.txt").write_text("not ours")
    write_workshop({"site.yml": "site: {}\n"}, folder)
    assert (tmp_path / "outside.txt").read_text() == "not ours"


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../up.adoc", "content/../../x", "a//b", "a\\b", MANIFEST_NAME])
def test_paths_outside_the_workshop_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(InvalidNameError):
        write_workshop({path: "text"}, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
