"""The package's public surface, and that the domain stays free of protocol and CLI frameworks."""

from __future__ import annotations

import subprocess
import sys

import workshop_template_system.workspace as package


def test_public_names() -> None:
    assert package.__all__ == [
        "LockOwner",
        "Workspace",
        "atomic_write_bytes",
        "atomic_write_json",
        "atomic_write_text",
        "parse_duration",
        "validate_id",
    ]
    assert all(hasattr(package, name) for name in package.__all__)


def test_importing_the_workspace_loads_no_framework() -> None:
    frameworks = ["a2a", "click", "fastapi", "httpx", "uvicorn"]
    script = (
        "import sys, workshop_template_system.workspace; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({frameworks!r})))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"
