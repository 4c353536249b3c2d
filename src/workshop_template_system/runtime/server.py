"""Serving one agent with uvicorn on a socket we bind ourselves, so a busy port is one clear error."""

from __future__ import annotations

import errno
import socket

import uvicorn

from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.errors import ServeError
from workshop_template_system.runtime.app import create_app
from workshop_template_system.runtime.card import public_url
from workshop_template_system.runtime.logs import log_config
from workshop_template_system.settings import Settings


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; `ServeError` in one line when the address is taken or invalid."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the listening
    # socket says it is TCP; without it every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is already in use; choose another with --port") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(spec: AgentSpec, settings: Settings, host: str, port: int) -> None:
    """Run the agent until SIGINT/SIGTERM; running tasks get `shutdown_grace` seconds, then fail with a reason.

    Raises the agent's own error when it could not start (its `AgentSpec.lifespan` refused).
    """
    sock = bind(host, port)
    app = create_app(spec, settings, public_url(settings, host, port))
    config = uvicorn.Config(
        app,
        log_config=log_config(spec.name, settings.log_level),
        timeout_graceful_shutdown=int(settings.shutdown_grace),
        server_header=False,
        proxy_headers=False,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except SystemExit:  # uvicorn's way to say the startup failed
        if app.state.startup_error is not None:
            raise app.state.startup_error from None
        raise
