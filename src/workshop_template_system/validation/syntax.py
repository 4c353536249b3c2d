"""Syntax checks of code by language, each giving ``(line in the code, message)`` problems; nothing is run.

- shell: ``bash -n`` (parse only, no execution), the code on stdin;
- YAML: parsed and composed, every document (``---``), not constructed: application tags such as
  ``!Ref`` or ``!vault`` are not errors; a Helm or Jinja template (``{{ }}``) is not checked;
- JSON: ``json.loads``, or JSON Lines when every line is a document;
- Python: ``compile`` (top-level ``await`` allowed); interactive sessions (``>>>``) by their input lines;
- Dockerfile: the first instruction is ``FROM`` (after any ``ARG``), and every instruction is known.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from collections.abc import Callable

import yaml

Problem = tuple[int | None, str]
Checker = Callable[[str], list[Problem]]

SHELL_TIMEOUT = 10.0
_BASH_ERROR = re.compile(r"line (\d+): (.*)")
_DOCKER_INSTRUCTIONS = frozenset(
    {
        *("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL"),
        *("MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"),
    }
)
_HEREDOC = re.compile(r"<<(-?)\s*[\"']?([A-Za-z_]\w*)[\"']?")
_ESCAPE_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)


def check_shell(code: str) -> list[Problem]:
    """``bash -n`` on the code: its first syntax error, at the line bash names."""
    bash = shutil.which("bash")
    if bash is None:
        return [(None, "not checked: bash is not installed here")]
    try:
        result = subprocess.run(
            [bash, "--norc", "--noprofile", "-n"],
            input=code + "\n",
            capture_output=True,
            text=True,
            timeout=SHELL_TIMEOUT,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [(None, f"not checked: bash -n took longer than {SHELL_TIMEOUT:g} s")]
    if result.returncode == 0:
        return []
    for line in result.stderr.splitlines():
        if match := _BASH_ERROR.search(line):
            return [(int(match.group(1)), f"shell syntax error: {match.group(2)}")]
    return [(None, f"shell syntax error: {result.stderr.strip() or 'bash -n failed'}")]


def check_yaml(code: str) -> list[Problem]:
    """Every YAML document parses; the first error with its line."""
    if "{{" in code:
        return []  # a template (Helm, Jinja): YAML only once rendered
    try:
        for _ in yaml.compose_all(code, Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        return [(mark.line + 1 if mark else None, f"invalid YAML: {what}")]
    except yaml.YAMLError as exc:
        return [(None, f"invalid YAML: {exc}")]
    return []


def check_json(code: str) -> list[Problem]:
    """The code is one JSON document, or JSON Lines."""
    try:
        json.loads(code)
    except json.JSONDecodeError as exc:
        lines = [line for line in code.splitlines() if line.strip()]
        if len(lines) > 1 and all(_is_json(line) for line in lines):
            return []
        return [(exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")]
    return []


def check_python(code: str) -> list[Problem]:
    """The code compiles (a ``>>>`` session: its input lines, numbered as on the page)."""
    if code.lstrip().startswith(">>>"):
        code = "\n".join(line[4:] if line.startswith((">>> ", "... ")) else "" for line in code.split("\n"))
    try:
        compile(code, "<code block>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as exc:
        return [(exc.lineno, f"Python syntax error: {exc.msg}")]
    except (ValueError, RecursionError, MemoryError) as exc:
        return [(None, f"Python code cannot be compiled: {exc}")]
    return []


def check_dockerfile(code: str) -> list[Problem]:
    """The first instruction is FROM (ARG may come before it), and every instruction is one Docker knows."""
    problems: list[Problem] = []
    instructions = list(_instructions(code))
    first = next((item for item in instructions if item[1] != "ARG"), None)
    if first is None or first[1] != "FROM":
        where, name = (first[0], first[1]) if first else (instructions[0][0] if instructions else None, "nothing")
        problems.append((where, f"a Dockerfile must start with FROM (after any ARG), not {name}"))
    for line, name in instructions:
        if name not in _DOCKER_INSTRUCTIONS:
            problems.append((line, f"unknown Dockerfile instruction {name!r}"))
    return problems


def _instructions(code: str) -> list[tuple[int, str]]:
    """``(line, INSTRUCTION)`` of each instruction, past comments, continuation lines and heredocs."""
    lines = code.split("\n")
    escape = "\\"
    for line in lines:
        if not line.startswith("#"):
            break
        if match := _ESCAPE_DIRECTIVE.match(line):
            escape = match.group(1)
    found: list[tuple[int, str]] = []
    continued = False
    heredoc: tuple[bool, str] | None = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if heredoc is not None:
            if (stripped if heredoc[0] else line) == heredoc[1]:
                heredoc = None
            continue
        if continued:
            continued = stripped.endswith(escape)
            continue
        if not stripped or stripped.startswith("#"):
            continue
        words = stripped.split()
        name = words[0].upper()
        if name == "ONBUILD" and len(words) > 1:
            name = words[1].upper()
        found.append((number, name))
        continued = stripped.endswith(escape)
        if match := _HEREDOC.search(stripped):
            heredoc = (match.group(1) == "-", match.group(2))
    return found


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


CHECKERS: dict[str, Checker] = {
    "shell": check_shell,
    "yaml": check_yaml,
    "json": check_json,
    "python": check_python,
    "dockerfile": check_dockerfile,
}
LANGUAGES: dict[str, str] = {
    **dict.fromkeys(("bash", "sh", "shell"), "shell"),
    **dict.fromkeys(("yaml", "yml"), "yaml"),
    **dict.fromkeys(("json",), "json"),
    **dict.fromkeys(("python", "py", "python3"), "python"),
    **dict.fromkeys(("dockerfile", "docker", "containerfile"), "dockerfile"),
}
"""Block languages checked, and the checker each goes to; others (``console``, ``java``...) are not checked."""
