"""Properties of reading a repository's README and documentation pages into sections and shell commands.

Each example is a real repository folder analysed by `analyze_repository`, the same call the
template_converter agent makes on a clone.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workshop_template_system.workshop.analysis import Analysis, analyze_repository

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
README_NAMES = ["README.md", "README.adoc", "README.rst", "README.txt", "README"]
# Lines that start, end or continue commands, prompts, here-documents, quotes and fences in any of the markups.
PIECES = st.sampled_from(
    ["$ ", "$", "% ", "user@host:~/app$ ", "(venv) $ ", "[root@box ~]# ", "mvn package", "git clone x", "cat <<EOF",
     "cat <<-'END'", "EOF", "END", "'", '"', "\\", " \\", " && ", " |", "||", "# note", "FOO=1 ", "./run", "\t", "  ",
     "```", "```bash", "~~~", "----", "[source,bash]", ".. code-block:: bash", "::", "== Title", "## Title", "Title",
     "=====", "* item", "1. step", "<!--", "-->", "\u00a0", "\u2028", "\x0c", "\r", "é", "中"]
)  # fmt: skip
LINE = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=5).map("".join)
TEXT = st.lists(LINE, max_size=25).map("\n".join)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)
COMMAND = st.tuples(st.sampled_from(["mvn", "npm", "oc", "kubectl", "git", "./mvnw"]), st.lists(WORD, max_size=3))
NOTEBOOK_KEYS = st.sampled_from(
    ["cells", "cell_type", "source", "metadata", "kernelspec", "language", "markdown", "code"]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NOTEBOOK_KEYS, inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="readme-properties-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def analyse(scratch: Path, files: dict[str, str]) -> Analysis:
    """A fresh repository folder holding exactly `files`, analysed."""
    shutil.rmtree(scratch, ignore_errors=True)
    for name, text in files.items():
        path = scratch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return analyze_repository(scratch, source="https://example.com/org/app.git")


def commands_of(analysis: Analysis) -> list[str]:
    assert analysis.readme is not None
    return [command for section in analysis.readme.sections for command in section.commands]


@FAST
@given(st.sampled_from(README_NAMES), TEXT)
def test_any_readme_is_read_and_every_command_is_in_it(scratch: Path, name: str, text: str) -> None:
    analysis = analyse(scratch, {name: text})
    stored = (scratch / name).read_text(encoding="utf-8")
    for command in commands_of(analysis):
        assert command.strip()
        for line in command.splitlines():
            assert line.strip() in stored, (line, command, text)
    for module in analysis.outline.modules:
        for step in module.steps:
            for command in step.commands:
                assert all(line.strip() in stored for line in command.splitlines()), (command, text)


@FAST
@given(st.lists(st.tuples(COMMAND, st.lists(WORD, max_size=2)), min_size=1, max_size=6), st.sampled_from(["$ ", "% "]))
def test_prompted_commands_are_extracted_exactly_and_output_is_left_out(
    scratch: Path, runs: list[tuple[tuple[str, list[str]], list[str]]], prompt: str
) -> None:
    lines, expected = [], []
    for (program, arguments), output in runs:
        expected.append(" ".join([program, *arguments]))
        lines += [prompt + expected[-1], *(f"output {word}" for word in output)]
    readme = "# App\n\nIntro.\n\n## Build\n\n```console\n" + "\n".join(lines) + "\n```\n"
    assert commands_of(analyse(scratch, {"README.md": readme})) == expected


@FAST
@given(JSON)
@example({"cells": 5})  # found by this property: TypeError out of analyze_repository
def test_any_notebook_json_is_read_without_error(scratch: Path, notebook: object) -> None:
    analyse(scratch, {"README.md": "# App\n", "docs/index.md": "# Docs\n", "docs/lab.ipynb": json.dumps(notebook)})
