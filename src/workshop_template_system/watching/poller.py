"""Checking every watch on a schedule (``--poll-interval`` / ``POLL_INTERVAL``), in the agent's process.

Each round runs check_updates for all watches off the event loop, and logs one line per watch whose
branch moved since the poller last logged it (a pending update is not repeated every round). A watch
that cannot be checked is logged (once while the reason stays the same) and skipped; a round that
fails is logged and the next one runs.
The poller stops when `stop` is set (a check already running finishes first).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from workshop_template_system.settings import Settings
from workshop_template_system.watching.updates import CheckResults, check_updates
from workshop_template_system.workspace import Workspace

logger = logging.getLogger(__name__)


async def run_poller(
    settings: Settings, workspace: Workspace, stop: asyncio.Event, *, interval: float | None = None
) -> None:
    """Check all watches now and then every `interval` seconds (``settings.poll_interval``) until `stop`."""
    interval = interval or settings.poll_interval
    if not interval:
        return
    logger.info("checking watched repositories every %gs", interval)
    reported: dict[str, str] = {}
    while not stop.is_set():
        try:
            results = await asyncio.to_thread(check_updates, workspace, settings)
        except Exception:
            # A broken round (an unreadable watches.json, a full disk) must not end the schedule.
            logger.exception("checking the watches failed; trying again in %gs", interval)
        else:
            _log(results, reported)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
    logger.info("stopped checking watched repositories")


def _log(results: CheckResults, reported: dict[str, str]) -> None:
    """One line per watch with news; `reported` remembers what was last logged of each watch (head or error)."""
    for report in results.reports:
        if report.up_to_date:
            reported.pop(report.workshop, None)
        elif reported.get(report.workshop) != report.to:
            reported[report.workshop] = report.to
            logger.info("update pending for workshop %s: %s", report.workshop, report.summary())
    for error in results.errors:
        if reported.get(error["workshop"]) != error["error"]:  # a lasting failure is logged once
            reported[error["workshop"]] = error["error"]
            logger.warning("cannot check workshop %s: %s", error["workshop"], error["error"])
