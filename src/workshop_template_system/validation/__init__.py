"""Validating a Showroom/Antora workshop with real checks: the build, references, code, links and versions.

validate_folder(copy, ...)      → Report: findings (error, warning, info) with file and line, counts, the build
from_pipeline / from_folder / from_repository → Snapshot: the private copy validation works on
declared_versions(analysis)     → the versions the source repository's build files declare
"""

from workshop_template_system.validation.report import Finding, Report, Severity
from workshop_template_system.validation.sources import (
    VALIDATION_AGENT,
    Snapshot,
    copy_workshop,
    from_folder,
    from_pipeline,
    from_repository,
)
from workshop_template_system.validation.validate import ValidationOptions, validate_folder
from workshop_template_system.validation.versions import Declared, declared_versions

__all__ = [
    "VALIDATION_AGENT",
    "Declared",
    "Finding",
    "Report",
    "Severity",
    "Snapshot",
    "ValidationOptions",
    "copy_workshop",
    "declared_versions",
    "from_folder",
    "from_pipeline",
    "from_repository",
    "validate_folder",
]
