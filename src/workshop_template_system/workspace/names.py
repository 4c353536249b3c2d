"""Validation of ids and names that become paths in the shared workspace."""

from __future__ import annotations

import re

from workshop_template_system.errors import InvalidNameError

MAX_LENGTH = 128
_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_RULE = f"use 1-{MAX_LENGTH} characters: letters, digits, '.', '_' or '-', starting with a letter or digit, and no '..'"


def validate_id(value: str, kind: str = "pipeline id") -> str:
    """Return ``value`` when it is safe as one path component; raise `InvalidNameError` otherwise."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH or ".." in value or _PATTERN.fullmatch(value) is None:
        raise InvalidNameError(f"invalid {kind} {_shown(value)}: {_RULE}")
    return value


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
