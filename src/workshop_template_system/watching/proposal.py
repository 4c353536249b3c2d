"""Proposing an update: regenerate, validate and publish the workshop on a review branch, over A2A.

    check_updates                          what changed since the last seen commit (nothing: stop here)
    template_converter.analyze_repository  the repository at the new head, into a new pipeline
    content_creator.create_workshop        the workshop regenerated (enhance_workshop for an existing one)
    research_validation.validate_workshop  its checks; a failure is reported in the review, not fatal
    source_manager.publish_branch          the branch ``update/<YYYYMMDD>-<short sha>`` and its pull request

Each step's outcome is kept (``steps``). A step that fails before the branch is published ends the
proposal with a `PeerError` naming it (no branch, no proposal); the steps are then in the watch's
``last_proposal`` and in the new pipeline's ``agent-artifacts/documentation-pipeline/proposal.json``.
The last seen commit advances only once the branch is published; nothing is ever pushed to ``main``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel

from workshop_template_system.errors import PeerError, WorkshopSystemError
from workshop_template_system.peer_calls import Peers, ProgressReporter
from workshop_template_system.settings import Settings
from workshop_template_system.watching.review import review_body, review_title
from workshop_template_system.watching.updates import UpdateReport, check_updates
from workshop_template_system.watching.watches import AGENT, WatchStore, validate_workshop_name
from workshop_template_system.workspace import Workspace, atomic_write_json, validate_id
from workshop_template_system.workspace.clock import now_iso, utc_now


class Step(BaseModel):
    """One call of the proposal: to whom, whether it did its job, and what it said."""

    agent: str
    skill: str
    ok: bool
    detail: str


class _Steps:
    """Runs the proposal's calls one by one and keeps each outcome."""

    def __init__(self, peers: Peers, progress: ProgressReporter) -> None:
        self.peers = peers
        self.progress = progress
        self.done: list[Step] = []

    async def call(
        self,
        agent: str,
        skill: str,
        input: dict[str, Any],
        fraction: float,
        describe: Callable[[dict[str, Any]], str],
    ) -> dict[str, Any] | None:
        """The peer's result, or None when the call failed (the step records why)."""
        await self.progress(f"asking {agent} to {skill.replace('_', ' ')}", fraction)
        try:
            result = await self.peers.call(agent, skill, input, on_progress=self.progress)
        except WorkshopSystemError as exc:
            return self._keep(agent, skill, None, str(exc))
        try:
            detail = describe(result)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            return self._keep(agent, skill, None, f"answered without the expected fields ({type(exc).__name__}: {exc})")
        return self._keep(agent, skill, result, detail)

    def _keep(self, agent: str, skill: str, result: dict[str, Any] | None, detail: str) -> dict[str, Any] | None:
        self.done.append(Step(agent=agent, skill=skill, ok=result is not None, detail=detail))
        return result

    def summary(self) -> str:
        return "; ".join(f"{s.agent}.{s.skill} {'ok' if s.ok else 'failed'}" for s in self.done)


async def propose_update(
    workspace: Workspace, settings: Settings, peers: Peers, workshop: str, progress: ProgressReporter
) -> dict[str, Any]:
    """Propose the update of one watched workshop (see the module's docstring)."""
    validate_workshop_name(workshop)
    # One proposal per workshop at a time: a second one fails at once, naming who is proposing.
    with workspace.lock(f"proposal-{workshop}", agent=AGENT, timeout=0):
        await progress(f"checking {workshop} for changes", 0.05)
        results = await asyncio.to_thread(check_updates, workspace, settings, workshop)
        [report] = results.reports
        if report.up_to_date:
            return _result(report, "up-to-date", steps=[])
        return await _propose(workspace, settings, report, _Steps(peers, progress))


async def _propose(workspace: Workspace, settings: Settings, report: UpdateReport, steps: _Steps) -> dict[str, Any]:
    """The four calls, in order; `_fail` ends the proposal at the first one it cannot do without."""
    store = WatchStore(workspace, lock_timeout=settings.lock_timeout)
    watch = await asyncio.to_thread(store.get, report.workshop)
    analysis = await steps.call(
        "template_converter",
        "analyze_repository",
        {"repository": watch.repository, "ref": report.to},
        0.1,
        lambda r: f"pipeline {validate_id(r['pipeline_id'])}: {len(r['outline']['modules'])} modules outlined",
    )
    if analysis is None:
        await _fail(workspace, store, report, steps, None)
    pipeline_id = str(analysis["pipeline_id"])
    writer = "create_workshop" if analysis.get("workflow", "new-workshop") == "new-workshop" else "enhance_workshop"
    written = await steps.call("content_creator", writer, {"pipeline_id": pipeline_id}, 0.3, _describe_workshop)
    if written is None:
        await _fail(workspace, store, report, steps, pipeline_id)
    validation = await steps.call(
        "research_validation", "validate_workshop", {"pipeline_id": pipeline_id}, 0.6, _describe_validation
    )
    validation_error = None if validation is not None else steps.done[-1].detail
    published = await steps.call(
        "source_manager",
        "publish_branch",
        _publish_input(report, pipeline_id, validation, validation_error),
        0.8,
        lambda r: f"branch {r['branch']} at {str(r['commit'])[:12]}" + _pull_request_text(r.get("pull_request")),
    )
    if published is None:
        await _fail(workspace, store, report, steps, pipeline_id)
    outcome = _result(
        report,
        "proposed",
        steps=steps.done,
        pipeline_id=pipeline_id,
        branch=published["branch"],
        commit=published.get("commit"),
        pull_request=published.get("pull_request"),
        validation=validation.get("summary") if validation else None,
    )
    outcome["record"] = str(await asyncio.to_thread(_save_record, workspace, pipeline_id, outcome))
    await asyncio.to_thread(_accept, store, report, outcome)
    await steps.progress(f"proposed {outcome['branch']} for review", 1.0)
    return outcome


def _publish_input(
    report: UpdateReport, pipeline_id: str, validation: dict[str, Any] | None, validation_error: str | None
) -> dict[str, Any]:
    """What source_manager.publish_branch is asked: the new pipeline on the review branch, with its summary."""
    return {
        "pipeline_id": pipeline_id,
        "repository": report.workshop,
        "branch": f"update/{utc_now():%Y%m%d}-{report.to[:7]}",
        "message": f"Update from {report.repository} at {report.to[:12]}",
        "title": review_title(report),
        "body": review_body(report, pipeline_id, validation, validation_error),
    }


def _accept(store: WatchStore, report: UpdateReport, outcome: dict[str, Any]) -> None:
    """The branch is published: count changes from the new head on, against the workshop written from it."""
    proposal = {key: outcome[key] for key in ("pipeline_id", "branch", "commit", "pull_request")}
    proposal |= {"at": now_iso(), "ok": True, "to": report.to}
    store.update(
        report.workshop,
        only_if_seen=report.from_commit,
        seen_commit=report.to,
        pipeline_id=outcome["pipeline_id"],
        last_proposal=proposal,
    )


async def _fail(
    workspace: Workspace, store: WatchStore, report: UpdateReport, steps: _Steps, pipeline_id: str | None
) -> NoReturn:
    """Record the failed proposal and raise `PeerError` naming the step that failed; the watch stays where it was."""
    failed = steps.done[-1]
    outcome = _result(report, "failed", steps=steps.done, pipeline_id=pipeline_id)
    record = await asyncio.to_thread(_save_record, workspace, pipeline_id, outcome) if pipeline_id else None
    proposal = {
        "at": now_iso(),
        "ok": False,
        "to": report.to,
        "pipeline_id": pipeline_id,
        "failed_step": f"{failed.agent}.{failed.skill}",
        "reason": failed.detail,
        "steps": [step.model_dump() for step in steps.done],
    }
    await asyncio.to_thread(lambda: store.update(report.workshop, last_proposal=proposal))
    where = f"; the record is in {record}" if record else ""
    raise PeerError(
        f"no update proposed for {report.workshop}: {failed.agent}.{failed.skill} failed: {failed.detail} "
        f"(steps: {steps.summary()}); the last seen commit stays {report.from_commit[:12]}{where}"
    )


def _result(report: UpdateReport, status: str, *, steps: list[Step], **fields: Any) -> dict[str, Any]:
    """The propose_update result: each step's outcome and the changes it was made for."""
    return {
        "workshop": report.workshop,
        "status": status,
        "branch": None,
        "commit": None,
        "pull_request": None,
        "pipeline_id": None,
        "validation": None,
        **fields,
        "changes": report.model_dump(mode="json"),
        "steps": [step.model_dump() for step in steps],
    }


def _save_record(workspace: Workspace, pipeline_id: str, outcome: dict[str, Any]) -> Path:
    """Keep the proposal's outcome next to the workshop it regenerated."""
    path = workspace.pipeline_dir(pipeline_id) / "agent-artifacts" / AGENT / "proposal.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(path, outcome)
    return path


def _describe_workshop(result: dict[str, Any]) -> str:
    build = result.get("build") or {}
    problems = len(build.get("diagnostics") or []) + len(build.get("findings") or [])
    if build.get("error"):
        built = f"not built: {build['error']}"
    else:
        built = "built with Antora" if build.get("ok") else f"built with {problems} problems to review"
    return f"{len(result['pages'])} pages written, {built}"


def _describe_validation(result: dict[str, Any]) -> str:
    summary = result["summary"]
    return f"{summary['errors']} errors, {summary['warnings']} warnings"


def _pull_request_text(pull_request: Any) -> str:
    if isinstance(pull_request, dict) and pull_request.get("url"):
        return f", pull request #{pull_request.get('number')} {pull_request['url']}"
    return ", no pull request (local git)"
