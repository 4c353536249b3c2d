"""Languages of a repository by bytes, from file extensions and a few well-known file names."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from workshop_template_system.workshop.files import RepositoryFiles

LanguageKind = Literal["programming", "markup"]

_PROGRAMMING: dict[str, tuple[str, ...]] = {
    "Java": (".java",),
    "Kotlin": (".kt", ".kts"),
    "Scala": (".scala", ".sc"),
    "Groovy": (".groovy", ".gradle"),
    "JavaScript": (".js", ".mjs", ".cjs", ".jsx"),
    "TypeScript": (".ts", ".tsx", ".mts", ".cts"),
    "Python": (".py", ".pyi"),
    "Jupyter Notebook": (".ipynb",),
    "Go": (".go",),
    "Rust": (".rs",),
    "C": (".c", ".h"),
    "C++": (".cpp", ".cc", ".cxx", ".hpp", ".hh"),
    "C#": (".cs",),
    "Ruby": (".rb",),
    "PHP": (".php",),
    "Swift": (".swift",),
    "Dart": (".dart",),
    "Shell": (".sh", ".bash", ".zsh"),
    "PowerShell": (".ps1",),
    "Perl": (".pl", ".pm"),
    "R": (".r",),
    "Lua": (".lua",),
    "Elixir": (".ex", ".exs"),
    "Erlang": (".erl",),
    "Clojure": (".clj", ".cljs"),
    "Haskell": (".hs",),
    "Vue": (".vue",),
    "Svelte": (".svelte",),
    "HCL": (".tf", ".hcl"),
    "SQL": (".sql",),
}
_MARKUP: dict[str, tuple[str, ...]] = {
    "Markdown": (".md", ".markdown"),
    "AsciiDoc": (".adoc", ".asciidoc"),
    "reStructuredText": (".rst",),
    "HTML": (".html", ".htm"),
    "CSS": (".css", ".scss", ".sass", ".less"),
}
_NAMES: dict[str, str] = {
    "dockerfile": "Dockerfile",
    "containerfile": "Dockerfile",
    "makefile": "Makefile",
    "gnumakefile": "Makefile",
    "jenkinsfile": "Groovy",
}
# Generated or bundled even when outside a skipped folder.
_GENERATED_SUFFIXES = (".min.js", ".min.css", ".bundle.js", ".map", "-lock.json", ".pb.go", "_pb2.py")

_BY_SUFFIX: dict[str, tuple[str, LanguageKind]] = {
    suffix: (name, kind)
    for table, kind in ((_PROGRAMMING, "programming"), (_MARKUP, "markup"))
    for name, suffixes in table.items()
    for suffix in suffixes
}


class Language(BaseModel):
    """One language's share of the repository."""

    name: str
    kind: LanguageKind
    bytes: int
    files: int
    percent: float


def detect_languages(files: RepositoryFiles) -> list[Language]:
    """Languages by bytes, largest first; percentages of the bytes of all recognised files."""
    totals: dict[str, list[int]] = {}
    kinds: dict[str, LanguageKind] = {}
    for item in files.files:
        name_lower = item.name.lower()
        if name_lower.endswith(_GENERATED_SUFFIXES):
            continue
        found = _BY_SUFFIX.get(item.suffix)
        if found is None and (name := _NAMES.get(name_lower.split(".", 1)[0])):
            found = (name, "programming")
        if found is None:
            continue
        language, kind = found
        kinds[language] = kind
        total = totals.setdefault(language, [0, 0])
        total[0] += item.size
        total[1] += 1
    grand_total = sum(size for size, _ in totals.values()) or 1
    languages = [
        Language(name=name, kind=kinds[name], bytes=size, files=count, percent=round(100 * size / grand_total, 1))
        for name, (size, count) in totals.items()
    ]
    return sorted(languages, key=lambda language: (-language.bytes, language.name))


def primary_language(languages: list[Language]) -> str | None:
    """The programming language with the most bytes (notebooks count as Python)."""
    for language in languages:
        if language.kind == "programming" and language.name not in ("Shell", "Dockerfile", "Makefile", "HCL", "SQL"):
            return "Python" if language.name == "Jupyter Notebook" else language.name
    return None
