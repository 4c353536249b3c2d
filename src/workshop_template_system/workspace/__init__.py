"""The shared workspace: layout, pipeline metadata, locks between processes, archive and cleanup."""

from workshop_template_system.workspace.archive import parse_duration
from workshop_template_system.workspace.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text
from workshop_template_system.workspace.layout import Workspace
from workshop_template_system.workspace.locks import LockOwner
from workshop_template_system.workspace.names import validate_id

__all__ = [
    "LockOwner",
    "Workspace",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "parse_duration",
    "validate_id",
]
