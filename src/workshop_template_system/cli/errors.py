"""How the command line reports our errors: one readable line and an exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from workshop_template_system.errors import (
    ConfigurationError,
    InvalidNameError,
    LockTimeout,
    PeerError,
    WorkshopSystemError,
)

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_TEMPFAIL = 75  # sysexits.h EX_TEMPFAIL, as flock(1) uses for a lock not acquired in time


def exit_code(error: WorkshopSystemError) -> int:
    """2 for mistakes in what was asked (also a value an agent rejected), 75 for a lock not acquired in time, 1 for
    everything else."""
    if isinstance(error, ConfigurationError | InvalidNameError):
        return EXIT_USAGE
    if isinstance(error, PeerError):
        # Only a peer call raises it, so the A2A stack is loaded by then: importing it here costs nothing.
        from workshop_template_system.runtime.peers import PeerRejected

        return EXIT_USAGE if isinstance(error, PeerRejected) else EXIT_FAILURE
    if isinstance(error, LockTimeout):
        return EXIT_TEMPFAIL
    return EXIT_FAILURE


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn our exceptions into ``error: <message>`` on stderr and the matching exit code."""
    try:
        yield
    except WorkshopSystemError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(exit_code(exc)) from None
