"""The two shapes agents and the domain share for work that reports progress and calls other agents.

Protocol-free on purpose: the runtime implements `Peers` over A2A; agents and domain code (a proposal
that chains several agents, a validation that reports as it goes) only depend on these shapes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

ProgressReporter = Callable[[str, float | None], Awaitable[None]]
"""Says what the work is doing, and how far along it is (0 to 1) when known."""


class Peers(Protocol):
    """Calls a skill of another agent and returns its JSON result; `PeerError` when it cannot."""

    async def call(
        self,
        agent: str,
        skill: str,
        input: Mapping[str, Any],
        on_progress: ProgressReporter | None = None,
    ) -> dict[str, Any]: ...
