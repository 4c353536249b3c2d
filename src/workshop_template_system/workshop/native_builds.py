"""Go modules and Cargo (Rust) projects: the toolchain version, frameworks and commands."""

from __future__ import annotations

import re
import tomllib

from workshop_template_system.workshop.build_systems import (
    BuildFindings,
    BuildSystem,
    FrameworkKind,
    folder_of,
    in_folder,
)
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.outline import Prerequisite

_GO_DIRECTIVE = re.compile(r"^go\s+(\d+(?:\.\d+){1,2})\s*$", re.MULTILINE)
_GO_REQUIRE = re.compile(r"^\s*(?:require\s+)?([\w.-]+\.[\w.-]+/[\w./-]+)\s+(v[\w.+-]+)", re.MULTILINE)
_GO_MAIN = re.compile(r"^package\s+main\b", re.MULTILINE)
_GO_FRAMEWORKS: dict[str, tuple[str, FrameworkKind]] = {
    "github.com/gin-gonic/gin": ("Gin", "application"),
    "github.com/labstack/echo/v4": ("Echo", "application"),
    "github.com/gofiber/fiber/v2": ("Fiber", "application"),
    "github.com/gorilla/mux": ("Gorilla mux", "application"),
    "github.com/go-chi/chi/v5": ("chi", "application"),
    "github.com/spf13/cobra": ("Cobra", "application"),
    "google.golang.org/grpc": ("gRPC", "application"),
    "k8s.io/client-go": ("Kubernetes client-go", "application"),
    "sigs.k8s.io/controller-runtime": ("controller-runtime", "application"),
    "github.com/stretchr/testify": ("testify", "test"),
}
_RUST_FRAMEWORKS: dict[str, tuple[str, FrameworkKind]] = {
    "actix-web": ("Actix Web", "application"),
    "axum": ("Axum", "application"),
    "rocket": ("Rocket", "application"),
    "warp": ("warp", "application"),
    "tokio": ("Tokio", "application"),
}


def read_go(files: RepositoryFiles) -> BuildFindings:
    """Findings from the shallowest ``go.mod``."""
    findings = BuildFindings()
    modules = files.named("go.mod")
    if not modules:
        return findings
    path = modules[0].path
    folder = folder_of(path)
    text = files.text(path)
    for module, version in _GO_REQUIRE.findall(text):
        if module in _GO_FRAMEWORKS:
            name, kind = _GO_FRAMEWORKS[module]
            findings.framework(name, version, path, kind)
    main = any(
        item.parent == folder and item.suffix == ".go" and _GO_MAIN.search(files.text(item.path))
        for item in files.under(folder)
    )
    findings.build_systems.append(
        BuildSystem(
            name="go",
            directory=folder,
            files=[path],
            install_command="go mod download",
            build_command="go build ./...",
            test_command="go test ./..." if any(item.name.endswith("_test.go") for item in files.files) else None,
            run_command="go run ." if main else None,
        )
    )
    directive = _GO_DIRECTIVE.search(text)
    findings.add_prerequisite(
        Prerequisite(name="Go", version=directive.group(1), source_file=path) if directive else Prerequisite(name="Go")
    )
    return findings


def read_cargo(files: RepositoryFiles) -> BuildFindings:
    """Findings from the shallowest ``Cargo.toml``."""
    findings = BuildFindings()
    manifests = files.named("Cargo.toml")
    if not manifests:
        return findings
    path = manifests[0].path
    try:
        data = tomllib.loads(files.text(path))
    except tomllib.TOMLDecodeError:
        return findings
    dependencies = data.get("dependencies") if isinstance(data.get("dependencies"), dict) else {}
    for crate, (name, kind) in _RUST_FRAMEWORKS.items():
        if crate in dependencies:
            spec = dependencies[crate]
            version = spec if isinstance(spec, str) else spec.get("version") if isinstance(spec, dict) else None
            findings.framework(name, version, path, kind)
    folder = folder_of(path)
    findings.build_systems.append(
        BuildSystem(
            name="cargo",
            directory=folder,
            files=[path],
            build_command="cargo build",
            test_command="cargo test",
            run_command="cargo run" if files.exists(in_folder(folder, "src/main.rs")) else None,
        )
    )
    package = data.get("package") if isinstance(data.get("package"), dict) else {}
    rust = package.get("rust-version")
    findings.add_prerequisite(
        Prerequisite(name="Rust", version=rust, source_file=path)
        if isinstance(rust, str)
        else Prerequisite(name="Rust")
    )
    return findings
