"""A separate process for the lock tests (run as a script, not collected by pytest).

lock_worker.py count ROOT PIPELINE TIMES AGENT    add 1 to workspace-content/counter, TIMES times
lock_worker.py hold ROOT PIPELINE RESOURCE AGENT  take the lock, print "locked", wait to be killed
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from workshop_template_system.workspace import Workspace


def count(space: Workspace, pipeline: str, times: int, agent: str) -> None:
    counter = space.pipeline_dir(pipeline) / "workspace-content" / "counter"
    for _ in range(times):
        # A deliberately racy read-modify-write: only the lock keeps increments from being lost.
        # (Overwritten in place: the number only grows, and ext4 makes a truncating rewrite slow.)
        with space.lock("counter", pipeline, agent=agent, timeout=60), counter.open("r+") as handle:
            value = int(handle.read())
            handle.seek(0)
            handle.write(str(value + 1))


def hold(space: Workspace, pipeline: str, resource: str, agent: str) -> None:
    with space.lock(resource, pipeline, agent=agent, timeout=10):
        print("locked", flush=True)
        time.sleep(600)


if __name__ == "__main__":
    mode, root, pipeline, value, agent = sys.argv[1:6]
    space = Workspace(Path(root))
    if mode == "count":
        count(space, pipeline, int(value), agent)
    else:
        hold(space, pipeline, value, agent)
