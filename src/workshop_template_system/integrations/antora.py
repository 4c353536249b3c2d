"""Build a Showroom workshop with the pinned Antora, offline, and read what Antora reports.

The generator is the project's own `@antora/cli` + `@antora/site-generator` 3.1.15 (`package.json`):
in a source checkout the one `npm ci` installed into ``node_modules/``, else the ``antora`` on PATH
(the container image installs the same lock file and puts its ``.bin`` on PATH). The UI is our
bundle, shipped as package data in ``antora_ui/``, so nothing is downloaded. Antora logs one JSON
object per line on stdout; each becomes a `Diagnostic`. A build is good when Antora exits 0 and
logged nothing at ``warn`` or above: a missing xref, include or image target is an error, a
missing attribute or a broken block structure a warning.

Antora reads content only from git repositories with at least one commit (later edits, even
untracked files, are read from the work tree): `ensure_git_repository` makes a generated folder one.

Both functions block; callers run them off the event loop.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop_template_system.errors import WorkshopSystemError

PROJECT_ROOT = Path(__file__).resolve().parents[3]  # the source checkout, when running from one
CHECKOUT_ANTORA_BIN = PROJECT_ROOT / "node_modules" / ".bin" / "antora"
DEFAULT_UI_BUNDLE = Path(__file__).resolve().parent / "antora_ui"
DEFAULT_PLAYBOOK = "site.yml"
LEVELS = {"trace": 10, "debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60}
FAILURE_LEVEL = "warn"
_LOG_OPTIONS = (
    "--log-format=json",
    "--log-file=stdout",
    f"--log-level={FAILURE_LEVEL}",
    "--log-level-format=label",
    f"--log-failure-level={FAILURE_LEVEL}",
)
# The one commit we make names its author on the command line: no git configuration is read or changed.
_COMMIT = ("commit", "-q", "--no-verify", "--allow-empty", "-m", "Workshop content")
_COMMIT_CONFIG = (
    "user.name=Workshop Template System",
    "user.email=workshop-template-system@localhost",
    "commit.gpgsign=false",
)


class AntoraError(WorkshopSystemError):
    """Antora (or git, which it needs) cannot be run as asked: not installed, timed out, bad paths."""


def find_antora() -> Path:
    """The checkout's ``node_modules/.bin/antora`` if installed, else ``antora`` on PATH, else the former (missing)."""
    if CHECKOUT_ANTORA_BIN.is_file():
        return CHECKOUT_ANTORA_BIN
    on_path = shutil.which("antora")
    return Path(on_path) if on_path else CHECKOUT_ANTORA_BIN


DEFAULT_ANTORA_BIN = find_antora()  # what `build_site` runs unless told otherwise; looked up again at each build


def _install_hint() -> str:
    if (PROJECT_ROOT / "package.json").is_file():
        return f"run `npm ci` in {PROJECT_ROOT}"
    return "no `antora` on PATH either: install @antora/cli and @antora/site-generator 3.1.15 and put `antora` on PATH"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message Antora logged: its level, text, the file and line it is about, and who logged it.

    ``source`` is the logger's name: ``asciidoctor`` for content problems, ``antora`` (or an
    ``@antora/...`` component) for the build itself. ``file`` is absolute for local content.
    """

    level: str
    message: str
    file: Path | None = None
    line: int | None = None
    source: str = "antora"

    @property
    def fails_build(self) -> bool:
        return LEVELS.get(self.level, LEVELS["fatal"]) >= LEVELS[FAILURE_LEVEL]

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: " if self.file else ""
        return f"{where}{self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """The outcome of one build: good (`ok`) only with exit status 0 and no diagnostic at warn or above."""

    ok: bool
    diagnostics: list[Diagnostic]
    site_dir: Path
    seconds: float

    @property
    def failures(self) -> list[Diagnostic]:
        return [diagnostic for diagnostic in self.diagnostics if diagnostic.fails_build]


def build_site(
    playbook_dir: Path,
    *,
    output_dir: Path | None = None,
    timeout: float = 120,
    antora_bin: Path | None = None,
    ui_bundle: Path | None = None,
    playbook: str = DEFAULT_PLAYBOOK,
    cache_dir: Path | None = None,
) -> BuildReport:
    """Build the site of ``playbook_dir/playbook`` into ``output_dir`` (default ``build/site`` beside it).

    The output directory is emptied first. The log options are all given on the command line, which
    outranks both the playbook and ``ANTORA_LOG_*``/``CI`` variables, so the log is always JSON on stdout.
    ``cache_dir`` replaces Antora's cache (``~/.cache/antora``), for a home that cannot be written.
    """
    playbook_path = playbook_dir.resolve() / playbook
    site_dir = (output_dir or playbook_path.parent / "build" / "site").resolve()
    antora_bin = (antora_bin or find_antora()).absolute()
    ui_bundle = (ui_bundle or DEFAULT_UI_BUNDLE).resolve()
    _check_paths(playbook_path, site_dir, antora_bin, ui_bundle)
    command = [str(antora_bin), "generate", playbook, "--to-dir", str(site_dir), "--clean"]
    command += ["--ui-bundle-url", str(ui_bundle), "--asciidoc-sourcemap", *_LOG_OPTIONS]
    if cache_dir is not None:
        command += ["--cache-dir", str(cache_dir.resolve())]

    started = time.monotonic()
    try:
        result = subprocess.run(
            command, cwd=playbook_path.parent, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AntoraError(f"Antora did not finish building {playbook_path} within {timeout:g} s") from exc
    except OSError as exc:
        raise AntoraError(f"Antora cannot be started ({exc}): {_install_hint()}") from exc
    seconds = time.monotonic() - started
    if result.returncode == 127:  # "command not found" from the script's `#!/usr/bin/env node`
        raise AntoraError(f"Antora cannot be started: {result.stderr.strip()} (is Node.js installed?)")

    diagnostics, other_output = _read_log(result.stdout)
    if result.returncode != 0 and not any(diagnostic.fails_build for diagnostic in diagnostics):
        # Failures before the logger is set up (an unreadable playbook, a crash) are plain text on stderr.
        text = "\n".join(filter(None, [*other_output, result.stderr.strip()]))
        diagnostics.append(Diagnostic("fatal", text or f"Antora exited with status {result.returncode}"))
    ok = result.returncode == 0 and not any(diagnostic.fails_build for diagnostic in diagnostics)
    return BuildReport(ok=ok, diagnostics=diagnostics, site_dir=site_dir, seconds=seconds)


def _check_paths(playbook_path: Path, site_dir: Path, antora_bin: Path, ui_bundle: Path) -> None:
    if not antora_bin.is_file():
        raise AntoraError(f"Antora is not installed ({antora_bin} is missing): {_install_hint()}")
    if not playbook_path.is_file():
        raise AntoraError(f"No Antora playbook at {playbook_path}")
    if not (ui_bundle / "layouts" / "default.hbs").is_file():
        raise AntoraError(f"No Antora UI bundle at {ui_bundle} (it needs layouts/default.hbs)")
    if site_dir == playbook_path.parent or site_dir in playbook_path.parents:
        # --clean empties the site directory before building
        raise AntoraError(f"The site directory {site_dir} would contain the workshop in {playbook_path.parent}")


def _read_log(stdout: str) -> tuple[list[Diagnostic], list[str]]:
    """The JSON log lines as diagnostics, and any other non-empty lines as they are."""
    diagnostics: list[Diagnostic] = []
    other: list[str] = []
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            if line.strip():
                other.append(line.strip())
            continue
        if isinstance(record, dict) and "level" in record:
            diagnostics.append(_diagnostic(record))
        else:
            other.append(line.strip())
    return diagnostics, other


def _diagnostic(record: dict[str, Any]) -> Diagnostic:
    file = record.get("file") if isinstance(record.get("file"), dict) else {}
    path, line = file.get("path"), file.get("line")
    error = record.get("err") if isinstance(record.get("err"), dict) else {}
    message = str(record.get("msg") or error.get("message") or "")
    if record.get("hint"):
        message = f"{message} ({record['hint']})"
    return Diagnostic(
        level=str(record["level"]),
        message=message,
        file=Path(path) if isinstance(path, str) else None,
        line=line if isinstance(line, int) else None,
        source=str(record.get("name") or "antora"),
    )


def ensure_git_repository(content_dir: Path, *, timeout: float = 30) -> None:
    """Make ``content_dir`` a git repository with a commit, unless it already is one.

    Antora wants a ``.git`` directory in the content source itself: a folder inside another
    repository's work tree does not count, so it gets its own repository. Everything there is
    committed once, by a fixed identity given on the command line.
    """
    if not content_dir.is_dir():
        raise AntoraError(f"No workshop content at {content_dir}")
    if not (content_dir / ".git").is_dir():
        _git(content_dir, timeout, "init", "-q", config=("init.defaultBranch=main",))
    if _git(content_dir, timeout, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0:
        return
    _git(content_dir, timeout, "add", "-A")
    _git(content_dir, timeout, *_COMMIT, config=_COMMIT_CONFIG)


def _git(
    cwd: Path, timeout: float, *args: str, config: tuple[str, ...] = (), check: bool = True
) -> subprocess.CompletedProcess[str]:
    settings = [part for setting in config for part in ("-c", setting)]
    command = ["git", "-C", str(cwd), *settings, *args]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AntoraError(f"`git {args[0]}` in {cwd} did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise AntoraError(f"git cannot be started ({exc}); Antora needs git installed") from exc
    if check and result.returncode != 0:
        raise AntoraError(f"`git {args[0]}` failed in {cwd}: {result.stderr.strip()}")
    return result
