"""The one A2A executor: runs a skill for a message, reports progress, ends with artifacts or a reason."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from a2a.helpers import new_data_part, new_task_from_user_message, new_text_part, new_url_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.tasks import TaskUpdater
from a2a.types import Message, TaskState
from a2a.utils.errors import InvalidParamsError

from workshop_template_system.agents.base import AgentSpec, Peers, SkillContext, SkillResult
from workshop_template_system.errors import SkillInputError, WorkshopSystemError
from workshop_template_system.runtime.calls import parse_call
from workshop_template_system.runtime.logs import current_task_id
from workshop_template_system.runtime.metrics import Metrics
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace
from workshop_template_system.workspace.layout import UNWRITABLE

logger = logging.getLogger(__name__)


@dataclass
class _Running:
    skill: str
    updater: TaskUpdater
    runner: asyncio.Task[Any]
    ending: asyncio.Event = field(default_factory=asyncio.Event)


class SkillExecutor(AgentExecutor):
    """Turns A2A messages into skill calls, and skill progress and results into task events."""

    def __init__(
        self, spec: AgentSpec, settings: Settings, workspace: Workspace, peers: Peers, metrics: Metrics
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.workspace = workspace
        self.peers = peers
        self.metrics = metrics
        self._running: dict[str, _Running] = {}

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        """Run the skill the message asks for; every outcome ends the task with a readable state."""
        task = context.current_task
        if task is None:
            try:
                task = new_task_from_user_message(context.message)
            except ValueError as exc:  # not a user's message, or an empty text: the caller's mistake
                raise InvalidParamsError(message=f"invalid message: {exc}") from exc
            await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        token = current_task_id.set(task.id)
        try:
            await self._run(context, updater)
        finally:
            current_task_id.reset(token)

    async def _run(self, context: RequestContext, updater: TaskUpdater) -> None:
        try:
            call = parse_call(self.spec.skills, self.spec.text_skill, context.message)
        except SkillInputError as exc:
            logger.info("rejected: %s", exc)
            self.metrics.tasks("unknown", "rejected").inc()
            await updater.reject(message=self._text(updater, str(exc)))
            return
        skill_id = call.skill.id
        running = _Running(skill_id, updater, asyncio.current_task())  # type: ignore[arg-type]
        self._running[updater.task_id] = running
        self.metrics.running(skill_id).inc()
        started = time.perf_counter()
        state = "failed"
        logger.info("skill %s started", skill_id)
        try:
            await updater.start_work(message=self._text(updater, f"running {skill_id}"))
            skill_context = SkillContext(
                settings=self.settings,
                workspace=self.workspace,
                agent_name=self.spec.name,
                task_id=updater.task_id,
                peers=self.peers,
                report=lambda text, fraction: self._progress(updater, text, fraction),
                streamer=_TextArtifacts(updater).append,
            )
            outcome = await call.skill.handler(skill_context, call.input)
            result = outcome if isinstance(outcome, SkillResult) else SkillResult(outcome)
            await self._finish(updater, result)
            state = "completed"
        except asyncio.CancelledError:
            state = "canceled"
            raise
        except Exception as exc:
            await self._fail(updater, skill_id, exc)
        finally:
            running.ending.set()
            self._running.pop(updater.task_id, None)
            self.metrics.running(skill_id).dec()
            self.metrics.tasks(skill_id, state).inc()
            self.metrics.task_seconds(skill_id).observe(time.perf_counter() - started)
            logger.info("skill %s %s in %.3fs", skill_id, state, time.perf_counter() - started)

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        """Stop a running skill at its next await and mark the task canceled."""
        running = self._running.get(context.task_id or "")
        updater = running.updater if running else TaskUpdater(event_queue, context.task_id, context.context_id)
        await updater.cancel(message=self._text(updater, "canceled on request"))
        if running is not None:
            running.runner.cancel()

    async def fail_running(self, grace: float) -> None:
        """At shutdown: let running skills finish within `grace` seconds, then fail them with a reason."""
        if not self._running:
            return
        waiting = [running.ending.wait() for running in self._running.values()]
        await asyncio.wait([asyncio.ensure_future(wait) for wait in waiting], timeout=grace)
        for running in list(self._running.values()):
            logger.warning("skill %s interrupted by shutdown", running.skill)
            await running.updater.failed(
                message=self._text(running.updater, "the agent shut down before the task finished")
            )
            running.runner.cancel()

    async def _fail(self, updater: TaskUpdater, skill_id: str, exc: Exception) -> None:
        """One readable reason: a full or read-only disk first (whoever met it), then our message, else a crash."""
        if (refused := _unwritable(exc)) is not None:
            reason = _unwritable_reason(refused, self.workspace)
            logger.warning("skill %s failed: %s (%s)", skill_id, reason, exc)
        elif isinstance(exc, WorkshopSystemError):
            reason = str(exc)
            logger.info("skill %s failed: %s", skill_id, reason)
        else:
            logger.exception("skill %s crashed", skill_id)
            reason = f"internal error in skill '{skill_id}': {type(exc).__name__}: {exc}"
        await updater.failed(message=self._text(updater, reason))

    @staticmethod
    async def _progress(updater: TaskUpdater, text: str, fraction: float | None) -> None:
        metadata = {"progress": round(fraction, 4)} if fraction is not None else None
        await updater.update_status(
            TaskState.TASK_STATE_WORKING,
            message=updater.new_agent_message([new_text_part(text)]),
            metadata=metadata,
        )

    @staticmethod
    async def _finish(updater: TaskUpdater, result: SkillResult) -> None:
        await updater.add_artifact([new_data_part(result.data)], name="result")
        if result.files:
            parts = [new_url_part(path.resolve().as_uri(), filename=path.name) for path in result.files]
            await updater.add_artifact(parts, name="files")
        await updater.complete()

    @staticmethod
    def _text(updater: TaskUpdater, text: str) -> Message:
        return updater.new_agent_message([new_text_part(text)])


def _unwritable(exc: BaseException) -> OSError | None:
    """The disk-full, over-quota or read-only error behind `exc`, following its causes; None when there is none."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and current.errno in UNWRITABLE:
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _unwritable_reason(error: OSError, workspace: Workspace) -> str:
    """``the workspace is full: no space left on device writing <path>`` (the disk, for a path outside it)."""
    state, cause = UNWRITABLE[error.errno or 0]
    path = Path(str(error.filename)) if error.filename else None
    inside = path is None or path.is_relative_to(workspace.root)
    where = f" writing {path}" if path is not None else ""
    return f"the {'workspace' if inside else 'disk'} is {state}: {cause}{where}"


class _TextArtifacts:
    """A task's streamed text artifacts: the first piece of each opens it, the next ones append to it."""

    def __init__(self, updater: TaskUpdater) -> None:
        self.updater = updater
        self.ids: dict[str, str] = {}

    async def append(self, name: str, text: str, last: bool) -> None:
        appending = name in self.ids
        artifact_id = self.ids.setdefault(name, f"{self.updater.task_id}-{name}")
        await self.updater.add_artifact(
            [new_text_part(text)], artifact_id=artifact_id, name=name, append=appending, last_chunk=last
        )
