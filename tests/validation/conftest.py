"""A real HTTP server on 127.0.0.1 for the link and search tests: dead, redirected, slow and HEAD-refusing pages,
and a SearxNG-shaped JSON search endpoint. It counts what it was asked, and how many requests ran at once."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Served:
    """What the server saw: requests by (method, path), their Host headers, and the most in flight at once."""

    hits: Counter[tuple[str, str]] = field(default_factory=Counter)
    hosts: list[str] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class WebServer:
    def __init__(self) -> None:
        self.served = Served()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.served))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-web-server", daemon=True
        )

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str, method: str | None = None) -> int:
        return sum(n for (m, p), n in self.served.hits.items() if p == path and method in (None, m))


def _handler(served: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer("HEAD")

        def do_GET(self) -> None:
            self._answer("GET")

        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            with served.lock:
                served.hits[(method, parts.path)] += 1
                served.hosts.append(self.headers.get("Host", ""))
                served.in_flight += 1
                served.most_in_flight = max(served.most_in_flight, served.in_flight)
            try:
                self._route(method, parts.path, parse_qs(parts.query))
            finally:
                with served.lock:
                    served.in_flight -= 1

        def _route(self, method: str, path: str, query: dict[str, list[str]]) -> None:
            host = self.headers.get("Host", "")
            if path == "/missing" or path.endswith("/gone.adoc"):
                return self._send(404)
            if path == "/moved":
                return self._send(301, location="/ok")
            if path.startswith("/chain/"):
                left = int(path.rsplit("/", 1)[1])
                return self._send(302, location=f"/chain/{left - 1}" if left > 1 else f"http://{host}/ok")
            if path == "/loop":
                return self._send(302, location="/loop")
            if path == "/to-private":
                return self._send(302, location="http://10.0.0.1/secret")
            if path == "/to-metadata":
                return self._send(307, location="http://169.254.169.254/latest/meta-data/")
            if path.startswith("/to-port/"):
                return self._send(302, location=f"http://127.0.0.1:{path.rsplit('/', 1)[1]}/ok")
            if path == "/slow":
                time.sleep(3)
                return self._send(200)
            if path.startswith("/pause/"):
                time.sleep(0.2)
                return self._send(200)
            if path == "/no-head" and method == "HEAD":
                return self._send(405)
            if path == "/forbidden":
                return self._send(403)
            if path == "/search":
                return self._search(query)
            return self._send(200)

        def _search(self, query: dict[str, list[str]]) -> None:
            if query.get("format") != ["json"]:
                return self._send(403)
            words = query.get("q", [""])[0]
            results = [
                {"title": f"{words} — result {n}", "url": f"https://docs.example.org/{n}", "content": f"About {words}"}
                for n in range(1, 4)
            ]
            body = json.dumps({"query": words, "results": [*results, {"title": "no url"}]}).encode()
            return self._send(200, body=body, content_type="application/json")

        def _send(
            self, status: int, *, location: str | None = None, body: bytes = b"", content_type: str = "text/html"
        ) -> None:
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler


@pytest.fixture
def web() -> Iterator[WebServer]:
    """A live HTTP server on 127.0.0.1 (a free port), stopped after the test."""
    server = WebServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def other_web() -> Iterator[WebServer]:
    """A second server, to redirect to."""
    server = WebServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
