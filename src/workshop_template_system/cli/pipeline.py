"""``pipeline``: run the workshop pipeline on the agents and follow it, from a terminal or a script.

Every command is an A2A call to template_converter, which drives the other agents and keeps the run's
state in the workspace, so a run survives this command being interrupted and is seen by every tool.
Exit codes: 0 done (completed, waiting for approval, rejected as asked); 1 the run failed or an agent
cannot be reached; 2 a bad value.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from workshop_template_system.cli.errors import exit_on_error
from workshop_template_system.errors import ConfigurationError, PeerUnreachable
from workshop_template_system.pipeline.state import STEPS
from workshop_template_system.settings import Settings, peer_url_variable

DRIVER = "template_converter"
DEFAULT_DRIVER_URL = "http://127.0.0.1:8081"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--agents-url-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Lines of <AGENT>_URL=<url> (as `up` writes to <workspace>/agents/urls.env); "
    "default: TEMPLATE_CONVERTER_URL, else that file of `up`, else http://127.0.0.1:8081.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON instead of a summary.")
@click.pass_context
def pipeline(ctx: click.Context, agents_url_file: Path | None, as_json: bool) -> None:
    """Turn a repository into a published workshop across the agents, and follow the run.

    \b
    Steps: analyze → build → validate → approve → publish → index → watch.
    With --approval manual (or when validation finds errors) the run stops at the gate
    until `pipeline approve ID` or `pipeline reject ID --reason ...`; a failed step is
    retried from where it stopped with `pipeline resume ID`.
    """
    ctx.obj = {"urls_file": agents_url_file, "as_json": as_json}


@pipeline.command("run")
@click.argument("repository")
@click.option("--ref", help="Branch, tag or commit (default: the default branch).")
@click.option("--name", help="The workshop's name (default: the repository's).")
@click.option(
    "--approval",
    type=click.Choice(["auto", "manual"]),
    default="auto",
    show_default=True,
    help="auto publishes when validation found no errors; manual always waits for `pipeline approve`.",
)
@click.pass_obj
def run(options: dict[str, Any], repository: str, ref: str | None, name: str | None, approval: str) -> None:
    """Run the whole pipeline on REPOSITORY (a git URL, or a local path when the agents allow it)."""
    if Path(repository).exists():  # a path on this machine: the agents get it absolute
        repository = str(Path(repository).resolve())
    request = {"repository": repository, "ref": ref, "name": name, "approval": approval}
    _drive(options, "run_pipeline", {key: value for key, value in request.items() if value is not None})


@pipeline.command()
@click.argument("pipeline_id")
@click.pass_obj
def resume(options: dict[str, Any], pipeline_id: str) -> None:
    """Go on with a run from the step that failed or was interrupted."""
    _drive(options, "resume_pipeline", {"pipeline_id": pipeline_id})


@pipeline.command()
@click.argument("pipeline_id")
@click.option("--note", help="Why it is approved (kept in the run).")
@click.pass_obj
def approve(options: dict[str, Any], pipeline_id: str, note: str | None) -> None:
    """Approve a run waiting at the gate, and publish it."""
    _drive(options, "approve_pipeline", {"pipeline_id": pipeline_id} | ({"note": note} if note else {}))


@pipeline.command()
@click.argument("pipeline_id")
@click.option("--reason", required=True, help="Why it is rejected (kept in the run).")
@click.pass_obj
def reject(options: dict[str, Any], pipeline_id: str, reason: str) -> None:
    """Reject a run waiting at the gate: it ends, nothing is published."""
    _drive(options, "reject_pipeline", {"pipeline_id": pipeline_id, "reason": reason})


@pipeline.command()
@click.argument("pipeline_id", required=False)
@click.pass_obj
def status(options: dict[str, Any], pipeline_id: str | None) -> None:
    """One run's steps and agents, or one line per run."""
    with exit_on_error():
        result = _call(options, "pipeline_status", {"pipeline_id": pipeline_id} if pipeline_id else {}, None)
    if options["as_json"]:
        click.echo(json.dumps(result, indent=2))
    elif pipeline_id is None:
        for line in result["pipelines"]:
            click.echo(f"{line['pipeline_id']}  {line['name']:<24} {line['status']:<18} {line['message']}")
    else:
        _print_run(result)


def _drive(options: dict[str, Any], skill: str, request: dict[str, Any]) -> None:
    display = ProgressDisplay(sys.stderr)
    with exit_on_error():
        try:
            result = _call(options, skill, request, display)
        finally:
            display.close()
    if options["as_json"]:
        click.echo(json.dumps(result, indent=2))
    else:
        _print_run(result)


def _call(options: dict[str, Any], skill: str, request: dict[str, Any], display: ProgressDisplay | None) -> Any:
    from workshop_template_system.runtime.peers import PeerClient  # the A2A stack loads only to call

    settings = Settings.from_env()
    url = _driver_url(settings, options["urls_file"])
    settings = settings.with_changes(peer_urls={**settings.peer_urls, DRIVER: url})

    async def call() -> dict[str, Any]:
        async with PeerClient.http_client(settings) as http:
            progress = display.show if display else None
            return await PeerClient(settings, http).call(DRIVER, skill, request, on_progress=progress)

    try:
        return asyncio.run(call())
    except PeerUnreachable as exc:
        raise PeerUnreachable(f"{exc}; are the agents running (`workshop-template-system up`)?") from None


def _driver_url(settings: Settings, urls_file: Path | None) -> str:
    """Where template_converter is: the file given, the setting, the file `up` wrote, or the default."""
    if urls_file is not None:
        return _read_urls(urls_file).get(peer_url_variable(DRIVER)) or _missing(urls_file)
    if DRIVER in settings.peer_urls:
        return settings.peer_urls[DRIVER]
    from workshop_template_system.runtime.supervisor import URLS_FILE

    written_by_up = settings.workspace_path / URLS_FILE
    if written_by_up.is_file():
        return _read_urls(written_by_up).get(peer_url_variable(DRIVER), DEFAULT_DRIVER_URL)
    return DEFAULT_DRIVER_URL


def _read_urls(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read {path}: {exc}") from None
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def _missing(path: Path) -> str:
    raise ConfigurationError(f"{path} has no {peer_url_variable(DRIVER)}=<url> line")


def _print_run(result: dict[str, Any]) -> None:
    pipeline_id, status = result["pipeline_id"], result["status"]
    click.echo(f"pipeline {pipeline_id} ({result['name']} from {result['repository']}): {status}")
    for name in STEPS:  # the result went through a protobuf Struct, which does not keep the key order
        step = result["steps"][name]
        detail = step.get("error") or _brief(step.get("summary") or {})
        tries = f" ({step['attempts']} attempts)" if step.get("attempts", 0) > 1 else ""
        click.echo(f"  {name:<9} {step['status']:<10}{tries} {detail}".rstrip())
    click.echo(result["message"])
    if status == "awaiting-approval":
        click.echo(f"approve: workshop-template-system pipeline approve {pipeline_id}")
        click.echo(f"reject:  workshop-template-system pipeline reject {pipeline_id} --reason '...'")
    elif status == "failed":
        click.echo(f"resume:  workshop-template-system pipeline resume {pipeline_id}")
        raise SystemExit(1)


def _brief(summary: dict[str, Any]) -> str:
    shown = [f"{key}={value}" for key, value in summary.items() if isinstance(value, str | int | float | bool)]
    return ", ".join(shown[:5])


class ProgressDisplay:
    """The agents' progress: one line redrawn in place on a terminal, plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.last = ""

    async def show(self, message: str, fraction: float | None) -> None:
        """Show one progress message (``fraction`` of the whole run, when known)."""
        message = message.removeprefix(f"{DRIVER}: ")
        if message == self.last:
            return
        self.last = message
        line = f"[{fraction:4.0%}] {message}" if fraction is not None else f"       {message}"
        if self.live:
            width = shutil.get_terminal_size().columns - 1
            self.stream.write(f"\r\x1b[K{line[:width]}")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the redrawn line, so what follows starts on a line of its own."""
        if self.live and self.last:
            self.stream.write("\n")
            self.stream.flush()
