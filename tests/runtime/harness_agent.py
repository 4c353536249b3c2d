"""A small agent served by the real runtime, for what the six agents cannot show yet on demand:
a skill that runs as long as the test wants (streaming, cancel, shutdown) and one that calls a peer.

Run: python tests/runtime/harness_agent.py --port N
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from pydantic import Field

from workshop_template_system.agents.base import AgentSpec, Skill, SkillContext, SkillInput
from workshop_template_system.agents.workspace_status import WORKSPACE_STATUS
from workshop_template_system.runtime.server import serve
from workshop_template_system.settings import Settings


class CountInput(SkillInput):
    n: int = Field(ge=1, le=1000)
    delay: float = Field(default=0.2, ge=0, le=10)


async def count(context: SkillContext, request: CountInput) -> dict[str, Any]:
    for step in range(1, request.n + 1):
        await asyncio.sleep(request.delay)
        await context.progress(f"counted {step} of {request.n}", step / request.n)
    return {"counted": request.n}


class RelayInput(SkillInput):
    agent: str
    skill: str
    input: dict[str, Any] = Field(default_factory=dict)


async def relay(context: SkillContext, request: RelayInput) -> dict[str, Any]:
    result = await context.peers.call(request.agent, request.skill, request.input, on_progress=context.progress)
    return {"peer": request.agent, "peer_result": result}


HARNESS = AgentSpec(
    name="harness",
    title="Test harness",
    summary="serves the runtime's tests",
    description="Counts slowly and relays calls to peers, to test the runtime.",
    skills=(
        Skill(
            "count",
            "Count",
            "Counts to n, one step per delay.",
            CountInput,
            count,
            from_text=lambda rest: {"n": int(rest)},
        ),
        Skill("relay", "Relay", "Calls a skill of a peer agent.", RelayInput, relay),
        WORKSPACE_STATUS,
    ),
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    serve(HARNESS, Settings.from_env(), "127.0.0.1", parser.parse_args().port)
