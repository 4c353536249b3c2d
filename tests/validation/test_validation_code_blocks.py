"""Source blocks found on a page and checked by language, each problem at its line on the page."""

from __future__ import annotations

from collections import Counter

import pytest

from workshop_template_system.validation.code_blocks import CodeBlock, code_blocks, prepared
from workshop_template_system.validation.syntax import (
    check_dockerfile,
    check_json,
    check_python,
    check_shell,
    check_yaml,
)
from workshop_template_system.workshop.showroom.scanner import scan

PAGE = """= Blocks

[source,bash,role=execute]
----
oc get pods
----

.A titled YAML block
[source,yaml]
----
a: 1
----

[,json]
....
{"a": 1}
....

```python
print("fenced")
```

[source,bash]
echo a source paragraph

[source,console]
----
$ oc get pods
NAME   READY
----

----
a listing with no language
----

////
[source,bash]
----
if then
----
////

[source,bash,subs="+attributes,+macros"]
----
oc login -u {user} # <1>
----

--
[source,yaml]
----
inside: an open block
----
--
"""


def _blocks(text: str) -> list[CodeBlock]:
    return list(code_blocks(scan(text), text.splitlines()))


def test_blocks_are_found_with_language_line_and_substitutions() -> None:
    found = [(block.language, block.line, block.text, block.attributes) for block in _blocks(PAGE)]
    assert found == [
        ("bash", 5, "oc get pods", False),
        ("yaml", 11, "a: 1", False),
        ("json", 16, '{"a": 1}', False),
        ("python", 20, 'print("fenced")', False),
        ("bash", 24, "echo a source paragraph", False),
        ("console", 28, "$ oc get pods\nNAME   READY", False),
        ("bash", 45, "oc login -u {user} # <1>", True),
        ("yaml", 51, "inside: an open block", False),
    ]


def test_callouts_go_and_attributes_become_safe_words() -> None:
    block = CodeBlock("bash", 1, 'oc login -u {user} -p "{password}" # <1>\nexport A=${HOME} <2>\ncat \\{x}', True)
    assert prepared(block) == 'oc login -u user -p "password"\nexport A=$HOME\ncat {x}'
    assert check_shell(prepared(block)) == []
    assert check_shell("oc login -u {user} <1>") != []  # why: unprepared, the callout is a redirection


@pytest.mark.parametrize(
    ("checker", "code", "expected"),
    [
        (check_shell, "echo ok\nif true; then\n  echo hi\nfi", []),
        (check_shell, "echo ok\necho )\n", [(2, "shell syntax error: syntax error near unexpected token `)'")]),
        (check_shell, "cat <<EOF\n$(not run)\nEOF", []),
        (check_yaml, "a: 1\n---\nb: [1, 2]\n---\n!Ref x: !vault y", []),
        (check_yaml, "a: 1\n---\nb: 2\n c: 3", [(4, "invalid YAML: mapping values are not allowed here")]),
        (check_yaml, "image: {{ .Values.image }}", []),
        (check_json, '{\n  "a": [1, 2]\n}', []),
        (check_json, '{"a": 1}\n{"b": 2}', []),
        (
            check_json,
            '{\n  "a": 1,\n}',
            [(3, "invalid JSON: Expecting property name enclosed in double quotes (column 1)")],
        ),
        (check_python, "import asyncio\nawait asyncio.sleep(0)", []),
        (check_python, ">>> x = 1\n>>> x\n1", []),
        (check_python, "def f():\n    return (\n", [(2, "Python syntax error: '(' was never closed")]),
        (check_dockerfile, '# syntax=docker/dockerfile:1\nARG BASE=ubi9\nFROM $BASE\nRUN a \\\n  b\nCMD ["x"]', []),
        (check_dockerfile, "FROM ubi9\nRUN <<EOF\nNOT AN INSTRUCTION\nEOF\nUSER 1001", []),
        (check_dockerfile, "RUN make", [(1, "a Dockerfile must start with FROM (after any ARG), not RUN")]),
        (check_dockerfile, "FROM ubi9\nRUNN make", [(2, "unknown Dockerfile instruction 'RUNN'")]),
    ],
)
def test_each_language(checker, code: str, expected: list) -> None:
    assert checker(code) == expected


def test_check_blocks_reports_the_page_line(tmp_path) -> None:
    from workshop_template_system.validation.code_blocks import check_blocks
    from workshop_template_system.validation.workshop_files import read_workshop

    pages = tmp_path / "content/modules/ROOT/pages"
    pages.mkdir(parents=True)
    (tmp_path / "content/antora.yml").write_text("name: modules\nversion: ~\n")
    (pages / "index.adoc").write_text(
        "= T\n\n[source,sh]\n----\necho ok\nfi\n----\n\n[source,java]\n----\nnot checked(\n----\n"
    )
    [file] = read_workshop(tmp_path).files
    languages: Counter[str] = Counter()
    [finding] = check_blocks(file, languages)
    assert (finding.check, finding.file, finding.line) == ("code-shell", "content/modules/ROOT/pages/index.adoc", 6)
    assert languages == {"shell": 1}
