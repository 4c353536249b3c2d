"""Whole workshops validated with the real Antora and links served on 127.0.0.1 (the guard relaxed for them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from validation_samples import INDEX, JAVA_SERVICE, MODULE, broken_workshop, line_of, write_files

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.validation import (
    Declared,
    ValidationOptions,
    declared_versions,
    from_folder,
    validate_folder,
)
from workshop_template_system.workshop.analysis import analyze_repository
from workshop_template_system.workshop.showroom import render_workshop, write_workshop

RELAXED = ValidationOptions(allow_private_urls=True, link_timeout=5)
INDEX_PAGE = "content/modules/ROOT/pages/index.adoc"
MODULE_PAGE = "content/modules/ROOT/pages/module-01.adoc"


async def _validate(folder: Path, tmp_path: Path, declared: list[Declared] | None = None) -> dict:
    snapshot = from_folder(folder, tmp_path / "copy", max_files=1000, max_bytes=10_000_000)
    report = await validate_folder(
        snapshot.root,
        work_dir=tmp_path / "work",
        cache_dir=tmp_path / "cache",
        declared=declared or [],
        options=RELAXED,
    )
    return report.as_json()


async def test_a_broken_workshop_is_reported_file_by_file_and_line_by_line(tmp_path, web) -> None:
    folder = write_files(tmp_path / "broken", broken_workshop(web.url("")))
    result = await _validate(folder, tmp_path, [Declared("Java", "17", "pom.xml")])
    found = {(f["check"], f["file"], f["line"]): (f["severity"], f["message"]) for f in result["findings"]}

    expected = {
        ("version", INDEX_PAGE, line_of(INDEX, "Java 11")): "warning",
        ("xref-target", INDEX_PAGE, line_of(INDEX, "missing-page.adoc")): "error",
        ("image", INDEX_PAGE, line_of(INDEX, "architecture.png")): "error",
        ("include", INDEX_PAGE, line_of(INDEX, "missing-snippet")): "error",
        ("link", INDEX_PAGE, line_of(INDEX, "/missing")): "warning",
        ("link", INDEX_PAGE, line_of(INDEX, "/moved")): "info",
        ("code-shell", MODULE_PAGE, line_of(MODULE, 'echo "exists"')): "error",
        ("code-yaml", MODULE_PAGE, line_of(MODULE, " data: broken")): "error",
        ("code-json", MODULE_PAGE, line_of(MODULE, '"status"')): "error",
        ("code-python", MODULE_PAGE, line_of(MODULE, "def greet")): "error",
        ("code-dockerfile", MODULE_PAGE, line_of(MODULE, "RUN dnf")): "error",
        ("nav", "content/modules/ROOT/pages/extra.adoc", None): "warning",
    }
    assert {key: found[key][0] for key in expected if key in found} == expected
    assert found[("version", INDEX_PAGE, 4)][1] == "the page says Java 11, but pom.xml declares Java 17"
    assert found[("link", INDEX_PAGE, 10)][1] == f"{web.url('/missing')}: dead link: 404 Not Found"
    assert f"redirects to {web.url('/ok')}" in found[("link", INDEX_PAGE, 11)][1]
    assert "a Dockerfile must start with FROM" in found[("code-dockerfile", MODULE_PAGE, 48)][1]
    # Antora found the missing xref, image and include too; the report says each once, with our check's name
    assert not [f for f in result["findings"] if f["check"] == "antora"], result["findings"]
    assert len(found) == len(result["findings"]) == len(expected)
    assert result["summary"] == {"errors": 8, "warnings": 3, "info": 1}
    assert result["build"]["built"] is True and result["build"]["ok"] is False
    assert result["checked"]["code_blocks_by_language"] == {
        "dockerfile": 1,
        "json": 1,
        "python": 1,
        "shell": 2,
        "yaml": 1,
    }
    assert (result["checked"]["pages"], result["checked"]["links"]) == (3, 2)
    assert not (folder / ".git").exists(), "the folder itself is never made a repository"


async def test_a_generated_workshop_is_clean(tmp_path, web) -> None:
    repository = write_files(tmp_path / "hello-service", JAVA_SERVICE)
    analysis = analyze_repository(repository, source=web.url("/example/hello-service"))
    folder = tmp_path / "workshop"
    write_workshop(render_workshop(analysis.outline, model_note="Written from the repository."), folder)
    result = await _validate(folder, tmp_path, declared_versions(analysis.model_dump(mode="json")))
    assert result["summary"] == {"errors": 0, "warnings": 0, "info": 0}, result["findings"]
    assert result["build"]["ok"] is True
    checked = result["checked"]
    assert checked["code_blocks"] >= 2 and checked["links"] >= 2 and checked["version_claims"] >= 1
    assert web.hits("/example/hello-service/blob/HEAD/README.md", "HEAD") == 1  # once, though linked on many pages


async def test_a_folder_without_antora_components_is_refused(tmp_path) -> None:
    folder = write_files(tmp_path / "plain", {"README.md": "# Not a workshop\n"})
    with pytest.raises(WorkspaceError, match="no Antora component"):
        await _validate(folder, tmp_path)


async def test_a_playbook_with_extensions_is_built_from_a_trimmed_copy(tmp_path) -> None:
    files = {
        "default-site.yml": (
            "site:\n  title: Lab\nantora:\n  extensions:\n  - require: '@example/antora-lab-extension'\n"
            "content:\n  sources:\n  - url: ./\n    start_path: content\n"
        ),
        "content/antora.yml": "name: lab\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n",
        "content/modules/ROOT/nav.adoc": "* xref:index.adoc[Start]\n",
        "content/modules/ROOT/pages/index.adoc": "= Start\n\nNothing to check here.\n",
    }
    folder = write_files(tmp_path / "lab", files)
    result = await _validate(folder, tmp_path)
    assert result["summary"] == {"errors": 0, "warnings": 0, "info": 0}, result["findings"]
    build = result["build"]
    assert (build["ok"], build["playbook"]) == (True, ".enhance-site.yml")
    assert (
        build["note"]
        == "built with a trimmed copy of default-site.yml: it loads extensions, which are not installed here"
    )
    assert sorted(path.name for path in folder.iterdir()) == ["content", "default-site.yml"]
