"""Reading any documentation page into a `Document`, by its file type; notebooks included.

A notebook reads as its Markdown cells and its code: a ``%%bash``/``%%sh`` cell and the ``!command``
lines of a code cell are shell commands, the rest of a code cell is code in the kernel's language.
"""

from __future__ import annotations

import json
from typing import Any

from workshop_template_system.workshop.asciidoc_reader import read_asciidoc
from workshop_template_system.workshop.document import Document
from workshop_template_system.workshop.markdown_reader import read_markdown
from workshop_template_system.workshop.rst_reader import read_rst

MARKUP_SUFFIXES = (".md", ".markdown", ".adoc", ".asciidoc", ".rst", ".ipynb")
_SHELL_MAGICS = ("%%bash", "%%sh", "%%shell")


def read_page(path: str, text: str) -> Document:
    """The page at `path` (repository-relative) with content `text`, read by its suffix (Markdown otherwise)."""
    suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if suffix in (".adoc", ".asciidoc"):
        return read_asciidoc(path, text)
    if suffix == ".rst":
        return read_rst(path, text)
    if suffix == ".ipynb":
        return read_markdown(path, notebook_markdown(text))
    return read_markdown(path, text)


def notebook_markdown(text: str) -> str:
    """A notebook as Markdown: its Markdown cells, and its code cells as fenced blocks."""
    try:
        notebook = json.loads(text) if text else {}
    except ValueError:
        return ""
    if not isinstance(notebook, dict):
        return ""
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    language = str(_get(metadata, "kernelspec", "language") or _get(metadata, "language_info", "name") or "python")
    parts: list[str] = []
    cells = notebook.get("cells")
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        source = _source(cell.get("source"))
        if cell.get("cell_type") == "markdown":
            parts.append(source)
        elif cell.get("cell_type") == "code" and source.strip():
            parts.extend(_code_cell(source, language))
    return "\n\n".join(parts)


def _code_cell(source: str, language: str) -> list[str]:
    lines = source.splitlines()
    if lines[0].strip() in _SHELL_MAGICS:
        return [_fence("bash", lines[1:])]
    shell = [line.strip()[1:] for line in lines if line.strip().startswith("!")]
    code = [line for line in lines if not line.strip().startswith(("!", "%"))]
    blocks = [_fence("bash", shell)] if shell else []
    if any(line.strip() for line in code):
        blocks.append(_fence(language, code))
    return blocks


def _fence(language: str, lines: list[str]) -> str:
    body = "\n".join(lines).replace("```", "` ` `")
    return f"```{language}\n{body}\n```"


def _source(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else ""


def _get(mapping: dict[str, Any], key: str, inner: str) -> Any:
    value = mapping.get(key)
    return value.get(inner) if isinstance(value, dict) else None
