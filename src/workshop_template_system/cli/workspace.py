"""``workspace``: the shared workspace from a shell, a Tekton step or ``oc exec`` (the seed's scripts).

Exit codes: 0 done; 1 the workspace cannot do it (missing pipeline, unwritable, ...); 2 a bad id,
name or value; 75 a lock not acquired in time. ``lock`` exits with its command's code.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click

from workshop_template_system.cli.errors import exit_on_error
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import LockOwner, Workspace, parse_duration

_FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_TIMEOUT = click.FloatRange(min=0)
_GLOBAL_HELP = "The resource is global (shared/coordination/locks/), not a pipeline's: omit PIPELINE_ID."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    "workspace_path",
    type=click.Path(file_okay=False, path_type=Path),
    help="The workspace folder (default: WORKSPACE_PATH, else /workspace/shared-data, else ./workspace).",
)
@click.pass_context
def workspace(ctx: click.Context, workspace_path: Path | None) -> None:
    """The shared workspace: pipelines, agents' statuses, locks, archives.

    \b
    Layout under the workspace folder:
      pipelines/<id>/{workspace-content,agent-artifacts,metadata,final-output}
      agents/<agent>/{working,cache}   shared/   completed/<YYYY-MM-DD>/<id>

    Exit codes: 0 done, 1 the workspace cannot do it, 2 a bad id, name or value,
    75 a lock not acquired in time; `lock` exits with its command's code.
    """
    ctx.meta["workspace_path"] = workspace_path


@workspace.command()
@click.argument("pipeline_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the pipeline's id, path and info as JSON.")
@click.pass_context
def init(ctx: click.Context, pipeline_id: str | None, as_json: bool) -> None:
    """Create a pipeline (a new id when none is given); print its id and path.

    On an existing pipeline nothing is changed.
    """
    with exit_on_error():
        space = _workspace(ctx)
        info = space.init_pipeline(pipeline_id)
        created_id = str(info["pipeline_id"])
        path = space.pipeline_dir(created_id)
        if as_json:
            _print_json({"pipeline_id": created_id, "path": str(path), "info": info})
        else:
            click.echo(created_id)
            click.echo(path)


@workspace.command("status")
@click.argument("pipeline_id")
@click.argument("agent")
@click.argument("state", metavar="STATUS")
@click.option("--message", "-m", help="A line saying what the agent is doing.")
@click.pass_context
def status_command(ctx: click.Context, pipeline_id: str, agent: str, state: str, message: str | None) -> None:
    """Record AGENT's STATUS in the pipeline's agent-status.json; print the new entry."""
    with exit_on_error():
        entry = _workspace(ctx).set_agent_status(pipeline_id, agent, state, message)
        _print_json({agent: entry}, indent=None)


@workspace.command()
@click.argument("pipeline_id", required=False)
@click.pass_context
def show(ctx: click.Context, pipeline_id: str | None) -> None:
    """Print the workspace (or one pipeline) as JSON: statuses, lock holders, disk use."""
    with exit_on_error():
        _print_json(_workspace(ctx).status_summary(pipeline_id))


@workspace.command(context_settings={"ignore_unknown_options": True})
@click.argument("pipeline_id")
@click.argument("resource")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.option("--timeout", type=_TIMEOUT, help="Seconds to wait for the lock (default: LOCK_TIMEOUT, else 30).")
@click.option("--agent", default="cli", show_default=True, help="Who holds the lock, as others will see it.")
@click.option("--global", "is_global", is_flag=True, help=_GLOBAL_HELP)
@click.pass_context
def lock(
    ctx: click.Context,
    pipeline_id: str,
    resource: str,
    command: tuple[str, ...],
    timeout: float | None,
    agent: str,
    is_global: bool,
) -> None:
    """Run COMMAND while holding the lock on RESOURCE of a pipeline, like flock(1).

    \b
      workspace lock pipeline-1 content -- git commit -am "update"
      workspace lock --global templates -- ./refresh-templates.sh

    Exits with COMMAND's exit code, or 75 when the lock stays held past the timeout
    (stderr then names the holder), 127 when COMMAND is not found. Put -- before
    COMMAND. The lock is released when COMMAND ends: SIGTERM and SIGHUP are passed
    on to it and waited for; Ctrl-C reaches it from the terminal.
    """
    # With --global there is no PIPELINE_ID: the words shift one place to the left.
    scope = None if is_global else pipeline_id
    if is_global:
        resource, command = pipeline_id, (resource, *command)
    if not command:
        raise click.UsageError("missing COMMAND: put it after --")
    with exit_on_error():
        space, settings = _workspace_and_settings(ctx)
        wait = settings.lock_timeout if timeout is None else timeout
        with space.lock(resource, scope, agent=agent, timeout=wait):
            code = _run(command)
    ctx.exit(code)


@workspace.command()
@click.argument("pipeline_id")
@click.argument("resource", required=False)
@click.option("--global", "is_global", is_flag=True, help=_GLOBAL_HELP)
@click.option("--json", "as_json", is_flag=True, help='Print {"resource", "held", "holder"} as JSON.')
@click.pass_context
def check(ctx: click.Context, pipeline_id: str, resource: str | None, is_global: bool, as_json: bool) -> None:
    """Print who holds the lock on RESOURCE right now, or "free".

    Exits 0 whether the lock is held or free (1 only when it cannot be checked):
    read the answer from the output, or from --json.
    """
    if is_global == (resource is not None):
        raise click.UsageError("give PIPELINE_ID RESOURCE, or --global RESOURCE")
    scope, name = (None, pipeline_id) if is_global else (pipeline_id, str(resource))
    with exit_on_error():
        holder = _workspace(ctx).holder(name, scope)
    if as_json:
        _print_json({"resource": name, "held": holder is not None, "holder": _owner(holder)})
    else:
        click.echo(f"held by {holder.describe()}" if holder else "free")


@workspace.command()
@click.argument("pipeline_id")
@click.option("--timeout", type=_TIMEOUT, help="Seconds to wait for the pipeline's metadata lock.")
@click.pass_context
def archive(ctx: click.Context, pipeline_id: str, timeout: float | None) -> None:
    """Move a finished pipeline to completed/<YYYY-MM-DD>/ (UTC); print its new path.

    Refused while another of the pipeline's locks is held.
    """
    with exit_on_error():
        space, settings = _workspace_and_settings(ctx)
        click.echo(space.archive(pipeline_id, timeout=settings.lock_timeout if timeout is None else timeout))


@workspace.command()
@click.option("--older-than", required=True, help="Age of archives to delete: 7d, 12h, 30m, 45s, 2w, 1d12h.")
@click.pass_context
def cleanup(ctx: click.Context, older_than: str) -> None:
    """Delete archived pipelines archived longer ago than --older-than; print each removed path.

    Active pipelines (pipelines/) are never touched.
    """
    with exit_on_error():
        space, settings = _workspace_and_settings(ctx)
        for path in space.cleanup(parse_duration(older_than), timeout=settings.lock_timeout):
            click.echo(path)


def _workspace(ctx: click.Context) -> Workspace:
    return _workspace_and_settings(ctx)[0]


def _workspace_and_settings(ctx: click.Context) -> tuple[Workspace, Settings]:
    settings = Settings.from_env()
    path = ctx.meta.get("workspace_path")
    if path is not None:
        settings = settings.with_changes(workspace_path=Path(path).expanduser().resolve())
    return Workspace(settings.workspace_path), settings


def _run(command: tuple[str, ...]) -> int:
    """Run ``command`` to its end; its exit code, shell style (127 not found, 128+N killed by signal N)."""
    try:
        child = subprocess.Popen(command)
    except (FileNotFoundError, PermissionError) as exc:
        problem = "not found" if isinstance(exc, FileNotFoundError) else "not executable"
        click.echo(f"error: command {problem}: {command[0]}", err=True)
        return 127 if isinstance(exc, FileNotFoundError) else 126
    with _signals_for(child):
        code = child.wait()
    return 128 - code if code < 0 else code


@contextmanager
def _signals_for(child: subprocess.Popen[bytes]) -> Iterator[None]:
    # The lock must outlive the command: a termination signal for us goes on to the command and
    # we keep waiting; Ctrl-C already reaches it through the terminal's process group.
    def forward(signum: int, _frame: FrameType | None) -> None:
        child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in _FORWARDED_SIGNALS}
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _owner(owner: LockOwner | None) -> dict[str, object] | None:
    return owner.to_dict() if owner else None


def _print_json(data: object, indent: int | None = 2) -> None:
    click.echo(json.dumps(data, indent=indent, ensure_ascii=False))
