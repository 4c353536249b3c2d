"""What an agent module declares: its card text and its skills as typed async functions.

Protocol-free on purpose: the runtime turns these into an A2A card and task events,
so an agent module reads like a menu and never imports ``a2a`` or ``fastapi``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from workshop_template_system.peer_calls import Peers, ProgressReporter
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace

TextStreamer = Callable[[str, str, bool], Awaitable[None]]
"""Appends text to a named artifact of the task as it is produced: ``(artifact, text, last)``."""


class SkillInput(BaseModel):
    """Base of every skill's input model: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class SkillResult:
    """A skill's outcome: a JSON document, and the workspace files it made."""

    data: dict[str, Any]
    files: tuple[Path, ...] = ()


@dataclass
class SkillContext:
    """What a running skill may use: settings, the workspace, peers, and a progress channel."""

    settings: Settings
    workspace: Workspace
    agent_name: str
    task_id: str
    peers: Peers
    report: ProgressReporter
    streamer: TextStreamer

    async def progress(self, message: str, fraction: float | None = None) -> None:
        """Tell the caller what the skill is doing (a ``working`` status update)."""
        await self.report(message, fraction)

    async def stream_text(self, artifact: str, text: str, *, last: bool = False) -> None:
        """Send a piece of a text artifact (an answer, say) as soon as it exists; the pieces add up to the artifact."""
        await self.streamer(artifact, text, last)

    async def run_blocking[T](self, function: Callable[..., T], *args: Any) -> T:
        """Run blocking work (git, files, Antora, locks) off the event loop."""
        return await asyncio.to_thread(function, *args)

    async def run_blocking_with_progress[T](
        self, work: Callable[[Callable[[str, float], None]], T], *, start: float = 0.0, span: float = 1.0
    ) -> T:
        """Run blocking `work` off the loop; the progress it reports from its thread (0 to 1) is relayed in order,
        mapped onto ``start`` … ``start + span`` of this skill's progress."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, float] | None] = asyncio.Queue()

        def report(message: str, fraction: float) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (message, fraction))

        running = asyncio.ensure_future(self.run_blocking(work, report))
        running.add_done_callback(lambda _: queue.put_nowait(None))
        while (item := await queue.get()) is not None:
            await self.progress(item[0], start + span * item[1])
        return await running


SkillHandler = Callable[[SkillContext, Any], Awaitable[SkillResult | dict[str, Any]]]


@dataclass(frozen=True)
class BackgroundContext:
    """What an agent's background work may use; it returns soon after `stop` is set."""

    settings: Settings
    workspace: Workspace
    peers: Peers
    stop: asyncio.Event


BackgroundWork = Callable[[BackgroundContext], Awaitable[None]]
ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises when something the agent needs does not answer; ``/readyz`` reports the exception's message."""
AgentLifespan = Callable[[BackgroundContext], AbstractAsyncContextManager[Mapping[str, ReadinessCheck]]]


@dataclass(frozen=True)
class Skill:
    """One capability of an agent, callable as ``{"skill": id, "input": {...}}``."""

    id: str
    name: str
    description: str
    input_model: type[SkillInput]
    handler: SkillHandler
    examples: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    from_text: Callable[[str], dict[str, Any]] | None = None
    """Builds the input from a plain-text message, for skills people call by typing."""


@dataclass(frozen=True)
class AgentSpec:
    """An agent: its name, what it is for, and its own skills."""

    name: str
    title: str
    summary: str
    """One line for ``--help``."""
    description: str
    skills: tuple[Skill, ...] = field(default=())
    text_skill: str | None = None
    """The skill that plain text goes to when it names no skill."""
    background: BackgroundWork | None = None
    """Work the agent runs for as long as it is up (a poller, say), started and stopped by the runtime."""
    page: str | None = None
    """A web page of the agent for people: its folder in ``workshop_template_system/pages/``, served at ``/<page>``."""
    lifespan: AgentLifespan | None = None
    """Opens what the skills share (an index, say) before the agent serves and closes it at stop; yields the
    named readiness checks of what it opened. A `WorkshopSystemError` it raises stops the agent with that message."""

    @property
    def slug(self) -> str:
        """The agent's name in workspace paths: ``content_creator`` → ``content-creator``."""
        return self.name.replace("_", "-")
