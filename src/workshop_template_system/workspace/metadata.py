"""Pipeline metadata files: ``pipeline-info.json`` and ``agent-status.json`` (the seed's fields)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.workspace.clock import now_iso, utc_now

PIPELINE_INFO = "pipeline-info.json"
AGENT_STATUS = "agent-status.json"
WORKSPACE_VERSION = "1.0.0"
METADATA_LOCK = "metadata"


def new_pipeline_id() -> str:
    """A sortable, unique id: ``pipeline-20261127-183000-ab12cd``."""
    return f"pipeline-{utc_now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def seed_info(pipeline_id: str, info: dict[str, object]) -> dict[str, object]:
    """The first ``pipeline-info.json`` of a pipeline: the seed's fields, then ``info``."""
    now = now_iso()
    seed: dict[str, object] = {
        "pipeline_id": pipeline_id,
        "start_time": now,
        "status": "initializing",
        "workspace_version": WORKSPACE_VERSION,
    }
    return {**seed, **info, "pipeline_id": pipeline_id, "updated_time": now}


def agent_entry(status: str, message: str | None, extra: dict[str, object]) -> dict[str, object]:
    """One agent's record in ``agent-status.json``."""
    if not status.strip():
        raise WorkspaceError("agent status must not be empty")
    entry: dict[str, object] = {"status": status, "updated_time": now_iso()}
    if message is not None:
        entry["message"] = message
    entry.update(extra)
    return entry


def read_object(path: Path) -> dict[str, object]:
    """A JSON object from a metadata file, or a `WorkspaceError` saying what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkspaceError(f"{path} is missing") from None
    except OSError as exc:
        raise WorkspaceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise WorkspaceError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise WorkspaceError(f"{path} does not hold a JSON object")
    return data
