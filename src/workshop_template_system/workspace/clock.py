"""UTC timestamps as written in workspace metadata (ISO-8601, second precision)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """``2026-11-27T18:30:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    """The current UTC time as ISO-8601 text."""
    return iso(utc_now())


def parse_iso(text: str) -> datetime | None:
    """Parse a timestamp we (or the seed's ``date -Iseconds``) wrote; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
