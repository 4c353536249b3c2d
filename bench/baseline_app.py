"""The HTTP baseline: a bare FastAPI app with one GET and one POST route, served by uvicorn like an agent.

``python bench/baseline_app.py --port N --card card.json --results results.json``: ``GET /agent-card``
returns the card JSON and ``POST /`` parses the JSON body and returns ``{"jsonrpc", "id", "result"}``
with the result ``results.json`` holds for the request's method (``{"tasks/get": {...}, ...}``), so
both routes send the same bytes as the agent does. One process, one worker, no access log, log
level warning, no server header, like `workshop_template_system.runtime.server.serve`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request


def create_app(card: dict[str, Any], results: dict[str, Any]) -> FastAPI:
    """Two routes returning dicts, as a FastAPI app usually does."""
    app = FastAPI()

    @app.get("/agent-card")
    async def agent_card() -> dict[str, Any]:
        return card

    @app.post("/")
    async def rpc(request: Request) -> dict[str, Any]:
        call = await request.json()
        return {"id": call["id"], "jsonrpc": "2.0", "result": results[call["method"]]}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--card", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    args = parser.parse_args()
    app = create_app(json.loads(args.card.read_text()), json.loads(args.results.read_text()))
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.port,
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
