"""Python projects: pyproject.toml, setup.cfg, setup.py, requirements files, Pipfile; version and frameworks."""

from __future__ import annotations

import configparser
import re
import tomllib
from typing import Any

from workshop_template_system.workshop.build_systems import BuildFindings, BuildSystem, FrameworkKind, in_folder
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.outline import Prerequisite

_FRAMEWORKS: dict[str, tuple[str, FrameworkKind]] = {
    "django": ("Django", "application"),
    "flask": ("Flask", "application"),
    "fastapi": ("FastAPI", "application"),
    "starlette": ("Starlette", "application"),
    "aiohttp": ("aiohttp", "application"),
    "tornado": ("Tornado", "application"),
    "streamlit": ("Streamlit", "application"),
    "gradio": ("Gradio", "application"),
    "dash": ("Dash", "application"),
    "celery": ("Celery", "application"),
    "langchain": ("LangChain", "application"),
    "llama-index": ("LlamaIndex", "application"),
    "torch": ("PyTorch", "application"),
    "tensorflow": ("TensorFlow", "application"),
    "scikit-learn": ("scikit-learn", "application"),
    "transformers": ("Hugging Face Transformers", "application"),
    "pytest": ("pytest", "test"),
}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#\s][^;#]*)?")
_SETUP_PYTHON = re.compile(r"""python_requires\s*=\s*["']([^"']+)["']""")
_SETUP_QUOTED = re.compile(r"""["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([<>=!~][^"']*)?["']""")
_PACKAGE_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def read_python(files: RepositoryFiles) -> BuildFindings:
    """Findings from the shallowest folder with Python packaging files."""
    findings = BuildFindings()
    # At the root or one folder down: a helper script's requirements deep in the tree do not make a Python project.
    anchors = [
        item for item in files.named(*_PACKAGE_FILES, "requirements.txt", "Pipfile") if item.path.count("/") <= 1
    ]
    if not anchors:
        return findings
    folder = anchors[0].parent
    requirements: dict[str, str] = {}
    python: tuple[str, str] | None = None
    evidence: list[str] = []
    readers = (
        ("pyproject.toml", _pyproject),
        ("setup.cfg", _setup_cfg),
        ("setup.py", _setup_py),
        ("Pipfile", _pipfile),
    )
    for name, reader in readers:
        path = in_folder(folder, name)
        if files.exists(path):
            evidence.append(path)
            found_python, found = reader(files.text(path))
            python = python or ((found_python, path) if found_python else None)
            requirements.update({key: value for key, value in found.items() if key not in requirements})
    for item in files.under(folder):
        if item.parent == folder and re.fullmatch(r"requirements[\w.-]*\.txt", item.name):
            evidence.append(item.path)
            for line in files.text(item.path).splitlines():
                if (match := _REQUIREMENT.match(line)) and not line.lstrip().startswith("-"):
                    requirements.setdefault(_normal(match.group(1)), (match.group(2) or "").strip())
    for marker in (".python-version", "runtime.txt"):
        path = in_folder(folder, marker)
        if python is None and (version := files.text(path).strip()):
            python = (version.splitlines()[0].removeprefix("python-"), path)
    for requirement, (name, kind) in _FRAMEWORKS.items():
        if requirement in requirements:
            findings.framework(name, requirements[requirement] or None, evidence[0], kind)
    findings.build_systems.append(_build_system(files, folder, evidence, requirements))
    if python:
        findings.add_prerequisite(Prerequisite(name="Python", version=python[0], source_file=python[1]))
    else:
        findings.add_prerequisite(Prerequisite(name="Python"))
    return findings


def _build_system(
    files: RepositoryFiles, folder: str, evidence: list[str], requirements: dict[str, str]
) -> BuildSystem:
    packaged = any(path.endswith(_PACKAGE_FILES) for path in evidence)
    if files.exists(in_folder(folder, "uv.lock")):
        name, install = "uv", "uv sync"
    elif files.exists(in_folder(folder, "poetry.lock")):
        name, install = "poetry", "poetry install"
    elif packaged:
        name, install = "pip", "pip install -e ."
    else:
        requirement_file = next(path for path in evidence if path.endswith(".txt") or path.endswith("Pipfile"))
        name, install = "pip", f"pip install -r {requirement_file.rsplit('/', 1)[-1]}"
    tests = "pytest" in requirements or any(
        item.name == "conftest.py" or re.fullmatch(r"test_\w+\.py|\w+_test\.py", item.name) for item in files.files
    )
    run = "python manage.py runserver" if files.exists(in_folder(folder, "manage.py")) else None
    return BuildSystem(
        name=name,
        directory=folder,
        files=evidence,
        install_command=install,
        build_command="python -m build" if packaged else None,
        test_command="pytest" if tests else None,
        run_command=run,
    )


def _pyproject(text: str) -> tuple[str | None, dict[str, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None, {}
    project = _table(data, "project")
    requirements = _parsed([*_strings(project.get("dependencies"))])
    for group in [*_table(project, "optional-dependencies").values(), *_table(data, "dependency-groups").values()]:
        requirements.update({k: v for k, v in _parsed(_strings(group)).items() if k not in requirements})
    poetry = _table(_table(_table(data, "tool"), "poetry"), "dependencies")
    for name, spec in poetry.items():
        if name != "python":
            requirements.setdefault(_normal(name), spec if isinstance(spec, str) else "")
    if "pytest" in _table(data, "tool") and "pytest" not in requirements:
        requirements["pytest"] = ""
    python = project.get("requires-python") or poetry.get("python")
    return (python if isinstance(python, str) else None), requirements


def _setup_cfg(text: str) -> tuple[str | None, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None, {}
    python = parser.get("options", "python_requires", fallback=None)
    install = parser.get("options", "install_requires", fallback="")
    return (python.strip() if python else None), _parsed(install.splitlines())


def _setup_py(text: str) -> tuple[str | None, dict[str, str]]:
    python = _SETUP_PYTHON.search(text)
    start = text.find("install_requires")
    listed = text[start : text.find("]", start)] if start >= 0 else ""
    requirements = {_normal(name): spec.strip() for name, spec in _SETUP_QUOTED.findall(listed)}
    return (python.group(1) if python else None), requirements


def _pipfile(text: str) -> tuple[str | None, dict[str, str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None, {}
    requirements = {
        _normal(name): spec if isinstance(spec, str) and spec != "*" else ""
        for section in ("packages", "dev-packages")
        for name, spec in _table(data, section).items()
    }
    python = _table(data, "requires").get("python_version")
    return (python if isinstance(python, str) else None), requirements


def _parsed(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        if match := _REQUIREMENT.match(line):
            found.setdefault(_normal(match.group(1)), (match.group(2) or "").strip())
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
