"""The command line: run one agent (the deployment command), ``up`` for all of them, ``workspace`` tools."""

from __future__ import annotations

import sys

import click

from workshop_template_system import __version__
from workshop_template_system.cli.errors import exit_on_error
from workshop_template_system.cli.pipeline import pipeline
from workshop_template_system.cli.workspace import workspace
from workshop_template_system.errors import ConfigurationError
from workshop_template_system.settings import AGENT_NAMES, Settings, normalize_agent_name


class AgentListingGroup(click.Group):
    """Lists the agents under ``--help``; the agent modules load only when help or an agent needs them."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from workshop_template_system.agents import AGENTS

        formatter.write_paragraph()
        formatter.write_text("Agents:")
        with formatter.indentation():
            formatter.write_dl([(name, spec.summary) for name, spec in AGENTS.items()], col_max=24)


class AgentName(click.ParamType):
    """One of the six agent names; dashes accepted (``content-creator``)."""

    name = "agent"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return normalize_agent_name(value)
        except ConfigurationError as exc:
            self.fail(str(exc), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "NAME"


@click.group(
    cls=AgentListingGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "terminal_width": 100, "max_content_width": 100},
)
@click.option("--agent-name", type=AgentName(), envvar=None, help="Run this agent (see the list below).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")  # noqa: S104
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: AGENT_PORT, else 8080).")
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=1),
    default=None,
    help="documentation_pipeline: check the watched repositories every this many seconds (POLL_INTERVAL).",
)
@click.version_option(__version__, prog_name="workshop-template-system")
@click.pass_context
def main(ctx: click.Context, agent_name: str | None, host: str, port: int | None, poll_interval: float | None) -> None:
    """Workshop Template System: six A2A agents that turn source repositories into hands-on workshops.

    \b
    Run one agent (what every deployment does):
      python -m demos.workshop_template_system --agent-name workshop_chat --port 8080
    Run all of them on this machine:
      workshop-template-system up
    """
    if ctx.invoked_subcommand is not None:
        if agent_name is not None:
            raise click.UsageError("--agent-name runs one agent; it cannot be combined with a subcommand")
        return
    if agent_name is None:
        click.echo(ctx.get_help())
        return
    with exit_on_error():
        from workshop_template_system.agents import AGENTS
        from workshop_template_system.runtime.server import serve  # the server stack loads only to serve

        settings = Settings.from_env()
        if poll_interval is not None:
            if agent_name != "documentation_pipeline":
                raise click.UsageError("--poll-interval applies to documentation_pipeline only")
            settings = settings.with_changes(poll_interval=poll_interval)
        serve(AGENTS[agent_name], settings, host, port or settings.agent_port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address every agent listens on.")
@click.option("--base-port", type=click.IntRange(1, 65535 - len(AGENT_NAMES)), default=8080, show_default=True)
@click.option(
    "--agents",
    "agent_names",
    type=AgentName(),
    multiple=True,
    help="Start only these agents (repeatable); all six by default.",
)
@click.option("--workspace", "workspace_path", type=click.Path(file_okay=False), help="Overrides WORKSPACE_PATH.")
def up(host: str, base_port: int, agent_names: tuple[str, ...], workspace_path: str | None) -> None:
    """Start every agent as its own process on one workspace; Ctrl-C stops them all."""
    from pathlib import Path

    from workshop_template_system.runtime.supervisor import Supervisor

    with exit_on_error():
        settings = Settings.from_env()
        if workspace_path:
            settings = settings.with_changes(workspace_path=Path(workspace_path).resolve())
        supervisor = Supervisor(settings, agent_names or AGENT_NAMES, host, base_port)
        click.echo(f"workspace: {settings.workspace_path}")
        try:
            supervisor.start(lambda child: click.echo(f"{child.name:<24}{child.url}   log: {child.log_path}"))
            click.echo("all agents ready; press Ctrl-C to stop them")
            supervisor.watch()
        finally:
            supervisor.stop()
        click.echo("all agents stopped")


main.add_command(workspace)
main.add_command(pipeline)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
