"""What kind of file a changed path is, and which tools it configures.

Kind (first match):
  build     pom.xml, mvnw, the Maven and Gradle wrapper settings, build.gradle(.kts), settings.gradle(.kts),
            gradle.properties, package.json, .nvmrc, pyproject.toml, setup.py, setup.cfg, requirements*.txt,
            Pipfile, .python-version, go.mod, Cargo.toml, Makefile, Dockerfile/Containerfile, compose files
  lockfile  package-lock.json, yarn.lock, pnpm-lock.yaml, poetry.lock, uv.lock, Pipfile.lock, go.sum, Cargo.lock
  manifest  Kubernetes/OpenShift manifests, Kustomizations, the files of a Helm chart (found by `inventory`)
  docs      Markdown, AsciiDoc, reStructuredText, notebooks, README*, mkdocs.yml, antora.yml
  code      source code, scripts and application configuration (not in hidden folders like .github/)
  other     the rest

Tools: Maven files → mvn, mvnw, java; Gradle → gradle, gradlew, java; Node → npm, npx, node, yarn,
pnpm; Python → python, pip, pytest, uv, poetry, ...; go.mod → go; Cargo.toml → cargo; Makefile →
make; container and compose files → docker, podman, buildah; manifests → kubectl, oc, helm, kustomize.
"""

from __future__ import annotations

from typing import Literal

from workshop_template_system.workshop.pages import MARKUP_SUFFIXES

Kind = Literal["build", "lockfile", "manifest", "docs", "code", "other"]

_JAVA_MAVEN = frozenset({"mvn", "mvnw", "java"})
_JAVA_GRADLE = frozenset({"gradle", "gradlew", "java"})
_NODE = frozenset({"npm", "npx", "node", "yarn", "pnpm"})
_PYTHON = frozenset({"python", "python3", "pip", "pip3", "pytest", "uv", "poetry", "pipenv", "tox", "hatch"})
_CONTAINERS = frozenset({"docker", "podman", "buildah", "docker-compose", "podman-compose"})
_KUBERNETES = frozenset({"kubectl", "oc", "helm", "kustomize"})
_BUILD_FILES: dict[str, frozenset[str]] = {
    "pom.xml": _JAVA_MAVEN,
    "mvnw": _JAVA_MAVEN,
    "mvnw.cmd": _JAVA_MAVEN,
    "maven-wrapper.properties": _JAVA_MAVEN,
    "build.gradle": _JAVA_GRADLE,
    "build.gradle.kts": _JAVA_GRADLE,
    "settings.gradle": _JAVA_GRADLE,
    "settings.gradle.kts": _JAVA_GRADLE,
    "gradle.properties": _JAVA_GRADLE,
    "gradlew": _JAVA_GRADLE,
    "gradle-wrapper.properties": _JAVA_GRADLE,
    "package.json": _NODE,
    ".nvmrc": _NODE,
    "pyproject.toml": _PYTHON,
    "setup.py": _PYTHON,
    "setup.cfg": _PYTHON,
    "pipfile": _PYTHON,
    ".python-version": _PYTHON,
    "go.mod": frozenset({"go"}),
    "cargo.toml": frozenset({"cargo", "rustc"}),
    "makefile": frozenset({"make"}),
}
_COMPOSE_FILES = frozenset({"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"})
_LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "uv.lock",
        "pipfile.lock",
        "go.sum",
        "cargo.lock",
    }
)
_DOCS_FILES = frozenset({"mkdocs.yml", "mkdocs.yaml", "antora.yml"})
_CODE_SUFFIXES = frozenset({
    ".java", ".kt", ".kts", ".scala", ".groovy", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".py", ".go", ".rs",
    ".c", ".h", ".cpp", ".cc", ".hpp", ".cs", ".rb", ".php", ".swift", ".dart", ".sh", ".bash", ".zsh", ".ps1", ".pl",
    ".lua", ".ex", ".exs", ".clj", ".hs", ".vue", ".svelte", ".tf", ".sql", ".html", ".css", ".scss",
    ".properties", ".conf", ".ini", ".env", ".json", ".yaml", ".yml", ".toml", ".xml",
})  # fmt: skip
_CHART_FILES = frozenset({"chart.yaml", "kustomization.yaml", "kustomization.yml"})


def file_kind(path: str, manifests: frozenset[str] = frozenset()) -> Kind:
    """The kind of file at `path`; `manifests` are the YAML files known to be Kubernetes or Helm files."""
    name = path.rsplit("/", 1)[-1].lower()
    if _build_tools(path):
        return "build"
    if name in _LOCK_FILES:
        return "lockfile"
    if path in manifests:
        return "manifest"
    if is_docs(path):
        return "docs"
    if any(part.startswith(".") and part != ".mvn" for part in path.split("/")[:-1]):
        return "other"  # tool settings: .github/, .vscode/, ...
    if _suffix(name) in _CODE_SUFFIXES:
        return "code"
    return "other"


def tools_of_file(path: str, kind: Kind) -> frozenset[str]:
    """The programs whose behaviour the file configures."""
    return _KUBERNETES if kind == "manifest" else _build_tools(path)


def is_build_input(path: str) -> bool:
    """A build, container or chart file: what the version comparison reads."""
    return bool(_build_tools(path)) or path.rsplit("/", 1)[-1].lower() in _CHART_FILES


def is_docs(path: str) -> bool:
    """A documentation page (or a docs site's configuration)."""
    name = path.rsplit("/", 1)[-1].lower()
    return _suffix(name) in MARKUP_SUFFIXES or name.startswith("readme") or name in _DOCS_FILES


def is_yaml(path: str) -> bool:
    """A YAML file (maybe a manifest)."""
    return path.lower().endswith((".yaml", ".yml"))


def _build_tools(path: str) -> frozenset[str]:
    name = path.rsplit("/", 1)[-1].lower()
    if name in _BUILD_FILES:
        return _BUILD_FILES[name]
    if name.startswith("requirements") and name.endswith(".txt"):
        return _PYTHON
    if _is_containerfile(name) or name in _COMPOSE_FILES:
        return _CONTAINERS
    return frozenset()


def _is_containerfile(name: str) -> bool:
    return name.split(".", 1)[0] in ("dockerfile", "containerfile") or name.endswith((".dockerfile", ".containerfile"))


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""
