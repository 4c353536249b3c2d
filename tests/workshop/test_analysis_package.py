"""The domain package's surface and its layering: it never imports the protocol, the web stack or the runtime."""

from __future__ import annotations

import ast
from pathlib import Path

import workshop_template_system.workshop as workshop

PACKAGE = Path(workshop.__file__).parent
FORBIDDEN_ROOTS = {"a2a", "fastapi", "starlette", "click"}
FORBIDDEN_PACKAGES = (
    "workshop_template_system.runtime",
    "workshop_template_system.cli",
    "workshop_template_system.agents",
)


def test_the_domain_imports_neither_protocol_nor_runtime() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        forbidden = {
            name for name in names if name.split(".")[0] in FORBIDDEN_ROOTS or name.startswith(FORBIDDEN_PACKAGES)
        }
        assert not forbidden, f"{path.relative_to(PACKAGE)} imports {sorted(forbidden)}"


def test_the_public_surface() -> None:
    assert sorted(workshop.__all__) == [
        "Analysis",
        "Module",
        "Outline",
        "OverviewSection",
        "Prerequisite",
        "Readme",
        "ReadmeSection",
        "Snippet",
        "Source",
        "Step",
        "Verification",
        "Workflow",
        "analyze_repository",
        "markdown_to_asciidoc",
    ]
    assert all(hasattr(workshop, name) for name in workshop.__all__)
