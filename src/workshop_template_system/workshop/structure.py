"""Where things are in a repository: its README, documentation folders, examples and tests."""

from __future__ import annotations

import re

from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.formats import DOCS_FOLDERS
from workshop_template_system.workshop.pages import MARKUP_SUFFIXES

MAX_LISTED = 50
README_NAMES = ("README.md", "README.markdown", "README.adoc", "README.asciidoc", "README.rst", "README.txt", "README")
_EXAMPLE_FOLDERS = frozenset({"example", "examples", "sample", "samples", "demo", "demos", "quickstart", "quickstarts"})
_TEST_FOLDERS = frozenset({"test", "tests", "__tests__", "spec", "specs", "e2e", "integration-tests", "testing"})
_TEST_FILE = re.compile(
    r"(test_\w+\.py|\w+_test\.(py|go|rb)|\w+\.(test|spec)\.[jt]sx?|\w+(Test|Tests|IT)\.(java|kt|scala|groovy))$"
)


def find_readme(files: RepositoryFiles) -> str | None:
    """The root README (Markdown preferred, then AsciiDoc, reStructuredText, plain text)."""
    for name in README_NAMES:
        for item in files.by_name.get(name.lower(), ()):
            if "/" not in item.path:
                return item.path
    return None


def find_docs_dirs(files: RepositoryFiles) -> list[str]:
    """Documentation folders (``docs/``, ``documentation/``, ``tutorial/``, ...) that hold pages."""
    folders = _outermost(files, DOCS_FOLDERS)
    return [folder for folder in folders if any(item.suffix in MARKUP_SUFFIXES for item in files.under(folder))]


def find_examples(files: RepositoryFiles) -> list[str]:
    """Example, sample, demo and quickstart folders at the root or one level down (deeper, ``example`` is
    usually a package name such as ``com/example``)."""
    return [folder for folder in _outermost(files, _EXAMPLE_FOLDERS) if folder.count("/") <= 1]


def _outermost(files: RepositoryFiles, names: frozenset[str] | tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for folder in sorted(files.dirs):
        if folder.rsplit("/", 1)[-1].lower() in names and not any(folder.startswith(known + "/") for known in found):
            found.append(folder)
    return found[:MAX_LISTED]


def find_tests(files: RepositoryFiles) -> list[str]:
    """Folders holding tests: the outermost test folder around each test file, else the file's own folder."""
    found: set[str] = set()
    for item in files.files:
        parts = item.parts[:-1]
        in_test_folder = next((index for index, part in enumerate(parts) if part.lower() in _TEST_FOLDERS), None)
        if in_test_folder is not None:
            found.add("/".join(parts[: in_test_folder + 1]))
        elif _TEST_FILE.search(item.name):
            found.add(item.parent or ".")
    return sorted(found)[:MAX_LISTED]
