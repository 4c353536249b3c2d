"""Watching the source repositories of published workshops, and proposing their updates.

    watch_repository / list_watches / unwatch   `registration` (state in `watches`, mirrors in `cache`)
    check_updates                               `updates`: commits and changed files (`mirror`), assessed
                                                for the workshop's modules (`changes`, `sections`, `inventory`)
    propose_update                              `proposal`: regenerate, validate, publish a review branch
    run_poller                                  `poller`: check_updates on a schedule

Blocking functions (git, files, locks) are meant for a worker thread; `propose_update` and
`run_poller` are coroutines. Nothing here imports the A2A protocol: peers come in as `peer_calls.Peers`.
"""

from workshop_template_system.watching.changes import AffectedModule, ChangedFile, Priority
from workshop_template_system.watching.poller import run_poller
from workshop_template_system.watching.proposal import Step, propose_update
from workshop_template_system.watching.registration import list_watches, unwatch, watch_repository
from workshop_template_system.watching.updates import CheckResults, UpdateReport, check_updates
from workshop_template_system.watching.watches import Watch, WatchStore, validate_workshop_name

__all__ = [
    "AffectedModule",
    "ChangedFile",
    "CheckResults",
    "Priority",
    "Step",
    "UpdateReport",
    "Watch",
    "WatchStore",
    "check_updates",
    "list_watches",
    "propose_update",
    "run_poller",
    "unwatch",
    "validate_workshop_name",
    "watch_repository",
]
