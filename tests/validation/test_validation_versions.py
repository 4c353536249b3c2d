"""Version claims in the text against the versions the source repository's build files declare."""

from __future__ import annotations

from collections import Counter

import pytest

from workshop_template_system.validation.versions import Declared, check_versions, compatible, declared_versions
from workshop_template_system.validation.workshop_files import read_workshop


@pytest.mark.parametrize(
    ("claim", "declared", "expected"),
    [
        ("17", "17", True),
        ("11", "17", False),
        ("17", "17.0.2", True),
        ("1.8", "8", True),
        ("3.12", ">=3.10", True),
        ("3.9", ">=3.10", False),
        ("3", ">=3.10", True),
        ("20", ">=18 <21", True),
        ("21", ">=18 <21", False),
        ("4.20", "^4.19.2", True),
        ("5", "^4.19.2", False),
        ("3.7", "~=3.8", False),
        ("18", "18.x", True),
        ("15", "^14 || ^16", False),
        ("16", "^14 || ^16", True),
        ("11", "[11,17)", None),  # a Maven range: not compared
        ("3.2", "latest", None),
    ],
)
def test_a_claim_and_a_declaration(claim: str, declared: str, expected: bool | None) -> None:
    assert compatible(claim, declared, java=True) is expected


def test_claims_in_the_text_not_in_code_are_compared(tmp_path) -> None:
    pages = tmp_path / "content/modules/ROOT/pages"
    pages.mkdir(parents=True)
    (tmp_path / "content/antora.yml").write_text("name: modules\nversion: ~\n")
    (pages / "index.adoc").write_text(
        "= Setup\n\nInstall OpenJDK 11 and Node.js v16.\n\nPython 3.12 works, and so does Java 17.\n\n"
        "[source,bash]\n----\nsdk install java 11.0.2\n----\n\nLet's Go 2 by 2; then use Go 1.20.\n"
    )
    declared = declared_versions(
        {
            "prerequisites": [
                {"name": "Java", "version": "17", "source_file": "pom.xml"},
                {"name": "Node.js", "version": ">=18", "source_file": "package.json"},
                {"name": "Python", "version": ">=3.10", "source_file": "pyproject.toml"},
                {"name": "Go", "version": "1.21", "source_file": "go.mod"},
                {"name": "Git", "version": None, "source_file": None},
            ],
            "frameworks": [{"name": "Spring Boot", "version": "3.2.5", "source_file": "pom.xml"}],
        }
    )
    assert Declared("Spring Boot", "3.2.5", "pom.xml") in declared and len(declared) == 5
    [file] = read_workshop(tmp_path).files
    counts: Counter[str] = Counter()
    messages = [(f.line, f.message) for f in check_versions(file, declared, counts)]
    assert messages == [
        (3, "the page says OpenJDK 11, but pom.xml declares Java 17"),
        (3, "the page says Node.js v16, but package.json declares Node.js >=18"),
        (12, "the page says Go 1.20, but go.mod declares Go 1.21"),
    ]
    assert counts["version_claims"] == 5  # not the code block's, nor "Go 2 by 2": Go needs a dotted version
