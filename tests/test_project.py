"""Properties of the project as a whole: layering, lint, and documentation that matches the code."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workshop_template_system.cli import main
from workshop_template_system.settings import AGENT_NAMES, Settings, peer_url_variable

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "workshop_template_system"
README = (ROOT / "README.md").read_text()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ["agents", "workspace"])
def test_the_domain_never_imports_the_protocol_or_the_web_stack(package: str) -> None:
    for path in (PACKAGE / package).rglob("*.py"):
        forbidden = {name for name in _imports(path) if name.split(".")[0] in {"a2a", "fastapi", "starlette", "click"}}
        forbidden |= {
            name
            for name in _imports(path)
            if name.startswith(("workshop_template_system.runtime", "workshop_template_system.cli"))
        }
        assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


def test_only_settings_reads_the_environment() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if path.name != "settings.py" and re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text())
    ]
    assert offenders == []


def test_ruff_is_clean() -> None:
    for command in (["check", "src", "tests", "bench"], ["format", "--check", "src", "tests", "bench"]):
        result = subprocess.run([sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_setting_is_documented() -> None:
    source = (PACKAGE / "settings.py").read_text()
    variables = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', source)) - {"URL"}
    assert variables, "no settings found"
    for variable in sorted(variables):
        assert f"`{variable}`" in README, f"{variable} is not in the README's configuration table"
    assert "`<AGENT_NAME>_URL`" in README
    assert {peer_url_variable(name) for name in AGENT_NAMES} == {f"{name.upper()}_URL" for name in AGENT_NAMES}
    assert Settings.from_env({}).agent_port == 8080


def test_every_command_is_documented() -> None:
    runner = CliRunner()
    for name in main.commands:
        assert f"workshop-template-system {name}" in README, name
    workspace = main.commands["workspace"]
    for name in workspace.commands:  # type: ignore[attr-defined]
        assert f"workshop-template-system workspace {name}" in README, name
    assert runner.invoke(main, ["--help"]).exit_code == 0


def test_every_agent_is_documented() -> None:
    for name in AGENT_NAMES:
        assert f"`{name}`" in README
