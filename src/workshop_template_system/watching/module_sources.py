"""What each module of a workshop draws on: its repository files, and the tools its commands run.

The files come from ``agent-artifacts/content-creator/modules.json`` (content_creator records them);
the module titles and commands from the outline in template_converter's ``analysis.json``, when the
pipeline has one. A command's tool is the first word of each of its parts (``a && b | c``), past
``sudo``, ``env`` and ``NAME=value``, without its folder: ``./mvnw -B package`` runs ``mvnw``.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.workshop.pipeline_steps import WORKSHOP_AGENT, analysis_path
from workshop_template_system.workspace import Workspace

_SEPARATORS = re.compile(r"&&|\|\||[;|&\n]")
_REDIRECTION = re.compile(r"\d*[<>]&\d*-?")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PREFIXES = frozenset({"sudo", "env", "exec", "time", "nohup", "command"})


@dataclass(frozen=True)
class WorkshopModule:
    """One module: its id and title, the repository files it draws on, the tools its commands run."""

    id: str
    title: str | None
    source_files: frozenset[str]
    tools: frozenset[str]


@dataclass(frozen=True)
class ModuleSources:
    """A workshop's modules in page order, and the files its introduction is written from."""

    pipeline_id: str
    modules: tuple[WorkshopModule, ...]
    overview_files: frozenset[str]
    repository: str | None
    commit: str | None
    """Where and at which commit the workshop's analysis read the repository."""

    @property
    def files(self) -> frozenset[str]:
        """Every repository file the workshop draws on."""
        return frozenset().union(*(module.source_files for module in self.modules)) | self.overview_files


def modules_path(workspace: Workspace, pipeline_id: str) -> Path:
    """Where content_creator records each module's source files."""
    return workspace.pipeline_dir(pipeline_id) / "agent-artifacts" / WORKSHOP_AGENT / "modules.json"


def load_module_sources(workspace: Workspace, pipeline_id: str) -> ModuleSources:
    """The modules of the pipeline's workshop; `WorkspaceError` when it has not been written yet."""
    path = modules_path(workspace, pipeline_id)
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        entries = [(str(item["id"]), [str(name) for name in item["source_files"]]) for item in recorded["modules"]]
    except FileNotFoundError:
        raise WorkspaceError(
            f"pipeline {pipeline_id!r} has no workshop modules ({path.name}): content_creator's create_workshop "
            "writes them"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WorkspaceError(f"the workshop modules of pipeline {pipeline_id!r} cannot be read: {exc}") from exc
    outline = _outline(workspace, pipeline_id)
    outlined = {str(module.get("id")): module for module in outline.get("modules", []) if isinstance(module, dict)}
    modules = tuple(
        WorkshopModule(
            id=module_id,
            title=outlined.get(module_id, {}).get("title"),
            source_files=frozenset(files),
            tools=frozenset(tool for command in _commands(outlined.get(module_id, {})) for tool in tools_of(command)),
        )
        for module_id, files in entries
    )
    overview = frozenset(str(item.get("source_file")) for item in outline.get("overview", []) if isinstance(item, dict))
    source = recorded.get("source") if isinstance(recorded.get("source"), dict) else {}
    return ModuleSources(pipeline_id, modules, overview - {"None"}, source.get("repository"), source.get("commit"))


def tools_of(command: str) -> set[str]:
    """The programs a shell command runs: ``./mvnw -B package && java -jar app.jar`` → {mvnw, java}."""
    tools: set[str] = set()
    for part in _SEPARATORS.split(_REDIRECTION.sub(" ", command.replace("\\\n", " "))):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            words = part.split()
        while words and (words[0] in _PREFIXES or _ASSIGNMENT.match(words[0]) or words[0].startswith("-")):
            words.pop(0)
        if words:
            tools.add(words[0].rsplit("/", 1)[-1])
    return tools


def _outline(workspace: Workspace, pipeline_id: str) -> dict[str, Any]:
    """The outline of the pipeline's analysis; empty when it has none (a workshop written from an outline)."""
    try:
        outline = json.loads(analysis_path(workspace, pipeline_id).read_text(encoding="utf-8")).get("outline")
    except (OSError, ValueError, AttributeError):
        return {}
    return outline if isinstance(outline, dict) else {}


def _commands(module: dict[str, Any]) -> list[str]:
    """The shell commands of an outline module: its steps' and its verification's."""
    steps = module.get("steps")
    verification = module.get("verification")
    parts = [*(steps if isinstance(steps, list) else []), verification]
    return [str(command) for part in parts if isinstance(part, dict) for command in part.get("commands") or []]
