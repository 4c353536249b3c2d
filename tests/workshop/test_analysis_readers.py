"""Reading documentation pages: sections, paragraphs and the shell commands of their code blocks."""

from __future__ import annotations

import json

import pytest

from workshop_template_system.workshop.commands import shell_commands
from workshop_template_system.workshop.document import CodeBlock, ListBlock, Paragraph, plain_text
from workshop_template_system.workshop.pages import read_page


@pytest.mark.parametrize(
    ("language", "code", "commands"),
    [
        ("bash", "mvn package\n# a comment\n\nmvn test", ["mvn package", "mvn test"]),
        ("sh", "docker run \\\n  -p 8080:8080 \\\n  app:1.0", ["docker run \\\n  -p 8080:8080 \\\n  app:1.0"]),
        ("console", "$ npm test\n\n> app@1.0.0 test\nPASS\n$ npm run lint", ["npm test", "npm run lint"]),
        ("shell", "(venv) $ pip install -e .\nSuccessfully installed", ["pip install -e ."]),
        ("console", "user@host:~/app$ ls -l\ntotal 0", ["ls -l"]),
        (
            "bash",
            "cat <<EOF > config.yaml\nkey: value\nEOF\necho done",
            ["cat <<EOF > config.yaml\nkey: value\nEOF", "echo done"],
        ),
        (
            "bash",
            "kubectl get pods |\n  grep app && \\\n  echo found",
            ["kubectl get pods |\n  grep app && \\\n  echo found"],
        ),
        ("", "git clone https://example.com/app.git\ncd app", ["git clone https://example.com/app.git", "cd app"]),
        ("", "$ ./demo --help\nUsage: demo", ["./demo --help"]),
        ("", "FOO=bar make build", ["FOO=bar make build"]),
        ("", "Hello, world", []),
        ("yaml", "apiVersion: v1\nkind: Pod", []),
        ("java", "System.out.println(1);", []),
        ("bash", "echo $ HOME", ["echo $ HOME"]),
    ],
)
def test_shell_commands(language: str, code: str, commands: list[str]) -> None:
    assert shell_commands(CodeBlock(language, code)) == commands


def test_markdown_sections_paragraphs_lists_and_fences() -> None:
    text = """---
title: front matter is skipped
---
# Title

[![badge](https://img.shields.io/x.svg)](https://ci.example.com) ![logo](logo.png)

An **intro** with a [link](https://example.com) and a [relative one](docs/a.md), plus `code`.

Setext section
--------------

1. First item
   continues here
2. Second item

<!-- a comment
over lines -->

   ```bash
   mvn package
     -Dindented
   ```

### Deeper

~~~~ {.sh}
make
~~~~
"""
    document = read_page("README.md", text)
    assert document.title == "Title"
    assert document.intro == [
        Paragraph("An intro with a link (https://example.com) and a relative one, plus `code`."),
    ]
    assert [(section.title, section.level) for section in document.sections] == [("Setext section", 2), ("Deeper", 3)]
    assert document.sections[0].blocks == [
        ListBlock(["First item continues here", "Second item"]),
        CodeBlock("bash", "mvn package\n  -Dindented"),
    ]
    assert document.sections[1].blocks == [CodeBlock("sh", "make")]


def test_asciidoc_blocks_titles_and_skipped_lines() -> None:
    text = """= Workshop page
:toc:
// a comment

Intro with link:https://example.com[a link] and xref:other.adoc[another page].

== Section

NOTE: Read this first.

.Build it
[source,bash,role=execute,subs="attributes"]
----
mvn -f {project_dir} package
----

[,sh]
----
make
----

|===
| not | read
|===

* item one
** item two
"""
    document = read_page("page.adoc", text)
    assert document.title == "Workshop page"
    assert document.intro == [Paragraph("Intro with a link (https://example.com) and another page.")]
    section = document.sections[0]
    assert section.title == "Section" and section.level == 2
    assert section.blocks == [
        Paragraph("Read this first."),
        CodeBlock("bash", "mvn -f {project_dir} package", "Build it"),
        CodeBlock("sh", "make"),
        ListBlock(["item one", "item two"]),
    ]


def test_rst_titles_by_adornment_order_and_code() -> None:
    text = """=====
Guide
=====

Welcome to ``tool``, see `the site <https://example.com>`_.

Install
=======

.. code-block:: console
   :caption: install

   $ pip install tool

Use it::

    tool run

.. note:: Needs Python.

Details
-------

.. toctree::
   :maxdepth: 2

   usage
"""
    document = read_page("index.rst", text)
    assert document.title == "Guide"
    assert document.intro == [Paragraph("Welcome to `tool`, see the site (https://example.com).")]
    assert [(section.title, section.level) for section in document.sections] == [("Install", 2), ("Details", 3)]
    assert document.sections[0].blocks == [
        CodeBlock("console", "$ pip install tool"),
        Paragraph("Use it:"),
        CodeBlock("", "tool run"),
        Paragraph("Needs Python."),
    ]
    assert document.sections[1].blocks == []


def test_a_notebook_reads_as_markdown_with_shell_and_python_code() -> None:
    notebook = {
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [
            {"cell_type": "markdown", "source": ["# Train a model\n", "\n", "Install the libraries:"]},
            {"cell_type": "code", "source": "!pip install scikit-learn\nimport sklearn", "outputs": []},
            {"cell_type": "code", "source": ["%%bash\n", "ls data/"], "outputs": []},
        ],
    }
    document = read_page("notebooks/train.ipynb", json.dumps(notebook))
    assert document.title == "Train a model"
    assert document.intro == [
        Paragraph("Install the libraries:"),
        CodeBlock("bash", "pip install scikit-learn"),
        CodeBlock("python", "import sklearn"),
        CodeBlock("bash", "ls data/"),
    ]
    assert read_page("broken.ipynb", "{not json").sections == []


def test_plain_text_of_inline_markup() -> None:
    assert (
        plain_text("Use *emphasis*, __strong__ and `snake_case_names`") == "Use emphasis, strong and `snake_case_names`"
    )
    assert plain_text('<img src="x.png"> <b>bold</b> [https://a.io](https://a.io)') == "bold https://a.io"


def test_a_quoted_argument_spanning_lines_stays_one_command() -> None:
    from workshop_template_system.workshop.commands import shell_commands
    from workshop_template_system.workshop.document import CodeBlock

    code = (
        "curl -s localhost:8080/ -H 'content-type: application/json' -d '{\n"
        '  "jsonrpc": "2.0", "id": 1,\n'
        '  "params": {"x": "y"}}\'\n'
        "make up &     # don't split on a quote in a comment\n"
        'echo "two\nlines"\n'
        "ls\n"
    )
    assert shell_commands(CodeBlock("bash", code)) == [
        "curl -s localhost:8080/ -H 'content-type: application/json' -d '{\n"
        '  "jsonrpc": "2.0", "id": 1,\n'
        '  "params": {"x": "y"}}\'',
        "make up &     # don't split on a quote in a comment",
        'echo "two\nlines"',
        "ls",
    ]


def test_code_spans_keep_what_looks_like_markup() -> None:
    from workshop_template_system.workshop.document import plain_text

    assert plain_text('Send `{"skill": "<id>"}` or <b>bold</b> and `__init__.py`') == (
        'Send `{"skill": "<id>"}` or bold and `__init__.py`'
    )


def test_a_markdown_table_becomes_a_list_of_its_rows() -> None:
    from workshop_template_system.workshop.document import ListBlock, Paragraph
    from workshop_template_system.workshop.markdown_reader import read_markdown

    page = read_markdown(
        "README.md",
        "# T\n\n## Routes\n\nEvery agent serves:\n\n| route | what |\n|---|:---:|\n"
        "| `GET /agent-card` | the card |\n| `POST /` | JSON-RPC: `a \\| b` |\n\nAfter the table.\n",
    )
    [section] = page.sections
    intro, table, after = section.blocks
    assert isinstance(intro, Paragraph) and isinstance(after, Paragraph)
    assert isinstance(table, ListBlock)
    assert table.items == ["`GET /agent-card` — the card", "`POST /` — JSON-RPC: `a | b`"]


def test_xrefs_become_their_text_or_their_page() -> None:
    from workshop_template_system.workshop.document import plain_text

    assert plain_text("See xref:module-02.adoc[] and xref:a.adoc#x[the A page], <<deploy.adoc#top,Deploying>>.") == (
        "See module-02 and the A page, Deploying."
    )
