"""``/healthz`` (the process answers) and ``/readyz`` (its dependencies answer)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from workshop_template_system.errors import WorkshopSystemError

Check = Callable[[], Awaitable[None]]
CHECK_TIMEOUT_SECONDS = 5.0


async def healthz(request: Request) -> JSONResponse:
    """Alive: the event loop answers."""
    return JSONResponse({"status": "ok", "agent": request.app.state.agent_name})


class Readiness:
    """Runs each named check; ready only when every one passes in time."""

    def __init__(self, checks: dict[str, Check]) -> None:
        self.checks = checks

    async def endpoint(self, request: Request) -> JSONResponse:
        """``GET /readyz``: 200 with each check's outcome, or 503 naming what failed."""
        results = await asyncio.gather(*(self._run(check) for check in self.checks.values()))
        report = dict(zip(self.checks, results, strict=True))
        ready = all(outcome == "ok" for outcome in report.values())
        return JSONResponse({"ready": ready, "checks": report}, status_code=200 if ready else 503)

    @staticmethod
    async def _run(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            return f"no answer within {CHECK_TIMEOUT_SECONDS:g}s"
        except WorkshopSystemError as exc:  # ours: the message is written for the operator and names the cause
            return str(exc)
        except Exception as exc:  # a readiness probe reports every failure, whatever raised it
            return f"{type(exc).__name__}: {exc}"
        return "ok"
