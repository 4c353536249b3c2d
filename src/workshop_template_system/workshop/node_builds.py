"""npm, yarn and pnpm projects: the Node.js version, frameworks, package manager and scripts."""

from __future__ import annotations

import json
from typing import Any

from workshop_template_system.workshop.build_systems import (
    BuildFindings,
    BuildSystem,
    FrameworkKind,
    folder_of,
    in_folder,
)
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.outline import Prerequisite

MAX_PACKAGES = 10
_FRAMEWORKS: dict[str, tuple[str, FrameworkKind]] = {
    "express": ("Express", "application"),
    "fastify": ("Fastify", "application"),
    "koa": ("Koa", "application"),
    "@hapi/hapi": ("hapi", "application"),
    "@nestjs/core": ("NestJS", "application"),
    "next": ("Next.js", "application"),
    "nuxt": ("Nuxt", "application"),
    "react": ("React", "application"),
    "vue": ("Vue.js", "application"),
    "@angular/core": ("Angular", "application"),
    "svelte": ("Svelte", "application"),
    "@sveltejs/kit": ("SvelteKit", "application"),
    "electron": ("Electron", "application"),
    "socket.io": ("Socket.IO", "application"),
    "jest": ("Jest", "test"),
    "mocha": ("Mocha", "test"),
    "vitest": ("Vitest", "test"),
    "@playwright/test": ("Playwright", "test"),
    "cypress": ("Cypress", "test"),
}
# What `npm init` writes as the test script: not a test suite.
_NO_TESTS = "no test specified"


def read_node(files: RepositoryFiles) -> BuildFindings:
    """Findings from the ``package.json`` files (shallowest first)."""
    findings = BuildFindings()
    for item in files.named("package.json")[:MAX_PACKAGES]:
        package = _load(files.text(item.path))
        if package is None:
            continue
        folder = folder_of(item.path)
        manager = _package_manager(files, folder, package)
        scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
        findings.build_systems.append(_build_system(manager, folder, item.path, scripts))
        dependencies = {**_mapping(package, "devDependencies"), **_mapping(package, "dependencies")}
        for dependency, (name, kind) in _FRAMEWORKS.items():
            if dependency in dependencies:
                findings.framework(name, str(dependencies[dependency]), item.path, kind)
        engines = _mapping(package, "engines")
        nvmrc = in_folder(folder, ".nvmrc")
        if isinstance(engines.get("node"), str):
            findings.add_prerequisite(Prerequisite(name="Node.js", version=engines["node"], source_file=item.path))
        elif version := files.text(nvmrc).strip():
            findings.add_prerequisite(Prerequisite(name="Node.js", version=version.splitlines()[0], source_file=nvmrc))
        else:
            findings.add_prerequisite(Prerequisite(name="Node.js"))
        declared = str(package.get("packageManager", ""))
        version = declared.split("@", 1)[1].split("+", 1)[0] if declared.startswith(f"{manager}@") else None
        findings.add_prerequisite(
            Prerequisite(name=manager, version=version, source_file=item.path if version else None)
        )
    return findings


def _build_system(manager: str, folder: str, path: str, scripts: dict[str, Any]) -> BuildSystem:
    run = "npm run" if manager == "npm" else manager
    test = scripts.get("test")
    start = f"{manager} start" if "start" in scripts else (f"{run} dev" if "dev" in scripts else None)
    return BuildSystem(
        name=manager,
        directory=folder,
        files=[path],
        install_command=f"{manager} install",
        build_command=f"{run} build" if "build" in scripts else None,
        test_command=f"{manager} test" if isinstance(test, str) and _NO_TESTS not in test else None,
        run_command=start,
    )


def _package_manager(files: RepositoryFiles, folder: str, package: dict[str, Any]) -> str:
    declared = str(package.get("packageManager", ""))
    for manager, lock in (("pnpm", "pnpm-lock.yaml"), ("yarn", "yarn.lock")):
        if declared.startswith(f"{manager}@") or files.exists(in_folder(folder, lock)):
            return manager
    return "npm"


def _load(text: str) -> dict[str, Any] | None:
    try:
        package = json.loads(text) if text else None
    except ValueError:
        return None
    return package if isinstance(package, dict) else None


def _mapping(package: dict[str, Any], key: str) -> dict[str, Any]:
    value = package.get(key)
    return value if isinstance(value, dict) else {}
