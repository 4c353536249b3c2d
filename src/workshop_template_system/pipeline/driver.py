"""Runs a pipeline's steps in order across the agents, stops at the approval gate, and resumes where it stopped.

Every change of state is written to the workspace before the next step starts, so a run that was
interrupted (an agent killed, this process restarted) resumes at the step that did not complete,
and nothing completed is done again. A step whose agent does not answer is retried with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from typing import Any

from workshop_template_system.errors import LockTimeout, PeerUnreachable, PipelineError
from workshop_template_system.peer_calls import ProgressReporter
from workshop_template_system.pipeline.state import STEPS, Approval, PipelineRun, load_run, mark, save_run
from workshop_template_system.pipeline.steps import AGENT_STEPS
from workshop_template_system.workspace import Workspace
from workshop_template_system.workspace.clock import now_iso

logger = logging.getLogger(__name__)

StepCaller = Callable[[str, str, dict[str, Any], ProgressReporter], Awaitable[dict[str, Any]]]
"""Runs ``skill`` of ``agent`` with an input and a progress channel; returns the skill's result."""

RUN_LOCK = "pipeline-run"
LOCK_AGENT = "template-converter"


class PipelineDriver:
    """Drives one workspace's pipelines through the agents' skills."""

    def __init__(
        self,
        workspace: Workspace,
        call: StepCaller,
        progress: ProgressReporter,
        *,
        attempts: int = 3,
        backoff: float = 5.0,
    ) -> None:
        self.workspace = workspace
        self.call = call
        self.progress = progress
        self.attempts = attempts
        self.backoff = backoff

    async def start(self, repository: str, ref: str | None, name: str, approval: Approval) -> tuple[str, PipelineRun]:
        """Create a pipeline for the repository and run it; its id and final state."""
        info = await asyncio.to_thread(self.workspace.init_pipeline, source=repository)
        pipeline_id = str(info["pipeline_id"])
        run = PipelineRun(repository=repository, ref=ref, name=name, approval=approval)
        await self._save(pipeline_id, run)
        await self.progress(f"pipeline {pipeline_id} started for {repository} (workshop '{name}')", 0.0)
        async with self._exclusive(pipeline_id):
            return pipeline_id, await self._drive(pipeline_id, run)

    async def resume(self, pipeline_id: str) -> PipelineRun:
        """Go on from the first step not completed; a completed run is returned as it is."""
        async with self._exclusive(pipeline_id):
            run = await asyncio.to_thread(load_run, self.workspace, pipeline_id)
            if run.status == "awaiting-approval":
                raise PipelineError(f"pipeline {pipeline_id} waits for approval: approve or reject it")
            if run.status == "rejected":
                raise PipelineError(f"pipeline {pipeline_id} was rejected: {run.message}")
            return await self._drive(pipeline_id, run)

    async def approve(self, pipeline_id: str, note: str | None) -> PipelineRun:
        """Pass the approval gate (also when validation found errors) and go on."""
        async with self._exclusive(pipeline_id):
            run = await self._waiting(pipeline_id)
            run.decision = {"approved": True, "note": note, "time": now_iso()}
            return await self._drive(pipeline_id, run)

    async def reject(self, pipeline_id: str, reason: str) -> PipelineRun:
        """Stop the run at the approval gate for good; nothing is published."""
        async with self._exclusive(pipeline_id):
            run = await self._waiting(pipeline_id)
            run.decision = {"approved": False, "reason": reason, "time": now_iso()}
            mark(run, "approve", "failed", error=f"rejected: {reason}")
            run.status, run.step, run.message = "rejected", None, f"rejected: {reason}"
            await self._save(pipeline_id, run)
        return run

    async def _drive(self, pipeline_id: str, run: PipelineRun) -> PipelineRun:
        """Run every step not yet done, in order; stop at the gate or at a failed step (`PipelineError`).

        The caller holds the run lock."""
        while (name := run.next_step()) is not None:
            run.status, run.step, run.message = "running", name, f"{name} running"
            if name == "approve":
                if not self._gate(run):
                    await self._save(pipeline_id, run)
                    await self.progress(f"pipeline {pipeline_id}: {run.message}", None)
                    return run
            elif name == "index" and run.summary("publish").get("indexed"):
                mark(run, name, "skipped", summary={"note": "source_manager had workshop_chat index it"})
            else:
                await self._step(pipeline_id, run, name)
            await self._save(pipeline_id, run)
        run.status, run.step = "completed", None
        run.message = _completed_message(run)
        await self._save(pipeline_id, run)
        await self.progress(f"pipeline {pipeline_id}: {run.message}", 1.0)
        return run

    async def _step(self, pipeline_id: str, run: PipelineRun, name: str) -> None:
        step, number = AGENT_STEPS[name], STEPS.index(name)
        skill = step.skill(run)
        request = {key: value for key, value in step.input(run, pipeline_id).items() if value is not None}

        async def relay(message: str, fraction: float | None) -> None:
            overall = (number + (fraction or 0.0)) / len(STEPS)
            await self.progress(f"{name}: {message}", overall)

        for attempt in range(1, self.attempts + 1):
            mark(run, name, "running")
            await self._save(pipeline_id, run)
            await self.progress(f"{name}: {step.agent}.{skill}", number / len(STEPS))
            try:
                result = await self.call(step.agent, skill, request, relay)
            except PeerUnreachable as exc:
                if attempt < self.attempts:
                    delay = self.backoff * 2 ** (attempt - 1)
                    await self.progress(f"{name}: {step.agent} does not answer; retrying in {delay:g}s", None)
                    await asyncio.sleep(delay)
                    continue
                await self._fail(pipeline_id, run, name, str(exc))
            except PipelineError:
                raise
            except Exception as exc:  # every failure of a step leaves the run resumable, with its reason
                await self._fail(pipeline_id, run, name, str(exc) or type(exc).__name__)
            else:
                mark(run, name, "completed", summary=step.summary(result))
                return

    async def _fail(self, pipeline_id: str, run: PipelineRun, name: str, reason: str) -> None:
        mark(run, name, "failed", error=reason)
        run.status, run.step, run.message = "failed", name, f"{name} failed: {reason}"
        await self._save(pipeline_id, run)
        raise PipelineError(
            f"pipeline {pipeline_id} stopped at {name}: {reason} (fix the cause, then resume: "
            f"`workshop-template-system pipeline resume {pipeline_id}`)"
        )

    @staticmethod
    def _gate(run: PipelineRun) -> bool:
        """Pass when approved, or when approval is automatic and validation found no errors."""
        errors = run.summary("validate").get("errors", 0)
        if run.decision and run.decision.get("approved"):
            mark(run, "approve", "completed", summary={"by": "approval", **run.decision, "errors": errors})
            return True
        if run.approval == "auto" and errors == 0:
            mark(run, "approve", "completed", summary={"by": "auto", "errors": 0})
            return True
        run.status, run.step = "awaiting-approval", "approve"
        found = f"validation found {errors} errors" if errors else "validation found no errors"
        run.message = f"awaiting approval ({found}): approve to publish, or reject"
        return False

    async def _waiting(self, pipeline_id: str) -> PipelineRun:
        run = await asyncio.to_thread(load_run, self.workspace, pipeline_id)
        if run.status != "awaiting-approval":
            raise PipelineError(f"pipeline {pipeline_id} is not waiting for approval (it is {run.status})")
        return run

    async def _save(self, pipeline_id: str, run: PipelineRun) -> None:
        await asyncio.to_thread(save_run, self.workspace, pipeline_id, run)

    def _exclusive(self, pipeline_id: str) -> _RunLock:
        return _RunLock(self.workspace, pipeline_id)


class _RunLock:
    """The pipeline's run lock, held by one driver at a time (across processes); says who has it otherwise."""

    def __init__(self, workspace: Workspace, pipeline_id: str) -> None:
        self.workspace, self.pipeline_id = workspace, pipeline_id
        self.stack = ExitStack()

    async def __aenter__(self) -> None:
        lock = self.workspace.lock(RUN_LOCK, self.pipeline_id, agent=LOCK_AGENT, timeout=1.0)
        try:
            await asyncio.to_thread(self.stack.enter_context, lock)
        except LockTimeout as exc:
            raise PipelineError(f"pipeline {self.pipeline_id} is being run already ({exc})") from None

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.to_thread(self.stack.close)


def _completed_message(run: PipelineRun) -> str:
    published = run.summary("publish")
    where = published.get("web_url") or published.get("clone_url")
    version = published.get("version") or (published.get("commit") or "")[:12]
    return f"completed: workshop '{run.name}' published as {version} at {where}"
