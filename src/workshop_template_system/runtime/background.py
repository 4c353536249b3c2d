"""An agent's background work (`AgentSpec.background`): one named task, its failure logged, stopped with the app."""

from __future__ import annotations

import asyncio
import logging

from workshop_template_system.agents.base import AgentSpec, BackgroundContext

logger = logging.getLogger(__name__)


class Background:
    """Starts the agent's background work, if it has any, and stops it within a grace period."""

    def __init__(self, spec: AgentSpec, context: BackgroundContext) -> None:
        self.context = context
        self.task: asyncio.Task[None] | None = None
        if spec.background is not None:
            self.task = asyncio.create_task(spec.background(context), name=f"{spec.name}-background")
            self.task.add_done_callback(_log_failure)

    async def stop(self, grace: float) -> None:
        """Ask the work to stop; cancel it if it has not stopped after `grace` seconds."""
        if self.task is None or self.task.done():
            return
        self.context.stop.set()
        done, _ = await asyncio.wait({self.task}, timeout=grace)
        if not done:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("background work %s stopped: %r", task.get_name(), task.exception(), exc_info=task.exception())
