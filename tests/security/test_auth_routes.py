"""With ``A2A_AUTH_TOKEN`` set, every route and every JSON-RPC method of every agent refuses a caller without the
token, with a wrong one, or with the token but not the ``Bearer`` scheme; only the card, health, metrics and the
agent's page answer anyone. The routes are read from the app (`app_routes`), so a new one is covered at once.

tests/runtime/test_peers.py checks a few routes by hand; this checks them all."""

from __future__ import annotations

import inspect
import socket

import httpx
import pytest
from app_routes import PUBLIC_PATHS, Served, concrete, page_files, served
from security_support import BEARER, TOKEN, WRONG_TOKENS

from workshop_template_system.runtime import auth
from workshop_template_system.settings import AGENT_NAMES

REFUSED_HEADERS = (
    {},
    {"Authorization": f"Bearer {WRONG_TOKENS[0]}"},
    {"Authorization": TOKEN},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": f"bearer {TOKEN}"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Bearer {TOKEN}0"},
    {"Authorization": "Bearer"},
)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
UNKNOWN_PATHS = ("/admin", "/.env", "/skills/", "/SKILLS", "/tasks/x/y/z", "/agent-card/x", "/metrics/x", "/chat/x/y")


@pytest.fixture(scope="module", params=AGENT_NAMES)
def agent(request: pytest.FixtureRequest, deployment, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Served]:
    url = deployment.url(request.param)
    return url, served(request.param, url, BEARER, tmp_path_factory.mktemp(f"app-{request.param}"))


def _status(client: httpx.Client, method: str, url: str, headers: dict[str, str]) -> httpx.Response:
    """The answer's status and headers only: a stream a route might open is closed at once."""
    with client.stream(method, url, headers=headers) as response:
        return response


def _public(path: str, method: str, page: list[str]) -> bool:
    """The card, health and metrics; and GETs of the page and its files, for people's browsers."""
    return path in PUBLIC_PATHS or (method == "GET" and path in page)


def _refusal_problems(response: httpx.Response, what: str) -> list[str]:
    if response.status_code != 401:
        return [f"{what}: {response.status_code}, not 401"]
    if response.headers.get("www-authenticate") != 'Bearer realm="a2a"':
        return [f"{what}: 401 without the Bearer challenge"]
    return []


def test_every_route_refuses_without_the_token_and_serves_with_it(agent: tuple[str, Served]) -> None:
    url, routes = agent
    page = page_files(routes.page) if routes.page else []
    problems: list[str] = []
    with httpx.Client(timeout=20) as client:
        for template, method in sorted(routes.routes):
            path = concrete(template)
            if _public(path, method, page):
                answer = _status(client, method, url + path, {})
                problems += [f"{method} {path} (public): {answer.status_code}"] if answer.status_code >= 400 else []
                continue
            for headers in REFUSED_HEADERS:
                answer = _status(client, method, url + path, {**headers, "content-type": "application/json"})
                problems += _refusal_problems(answer, f"{method} {path} with {headers or 'no header'}")
            served_answer = _status(client, method, url + path, {**BEARER, "content-type": "application/json"})
            if served_answer.status_code == 401 or served_answer.status_code >= 500:
                problems.append(f"{method} {path} with the token: {served_answer.status_code}")
    assert problems == []
    assert len(routes.routes) >= 30, "the REST binding, JSON-RPC, card, health, metrics, skills and docs routes"


def test_methods_a_route_does_not_allow_and_unknown_paths_are_refused_too(agent: tuple[str, Served]) -> None:
    """Before routing: a caller without the token learns nothing, not even which paths and methods exist."""
    url, routes = agent
    page = page_files(routes.page) if routes.page else []
    paths = {concrete(template) for template, _ in routes.routes} | set(UNKNOWN_PATHS) | set(page)
    problems: list[str] = []
    with httpx.Client(timeout=20) as client:
        for path in sorted(paths):
            for method in METHODS:
                answer = _status(client, method, url + path, {})
                if path in PUBLIC_PATHS or _public(path, method, page):  # any method may reach a public route
                    problems += [f"{method} {path} (public): {answer.status_code}"] if answer.is_server_error else []
                else:
                    problems += _refusal_problems(answer, f"{method} {path}")
    assert problems == []


@pytest.mark.parametrize("version", ["1.0", "0.3"])
def test_every_jsonrpc_method_of_both_versions_refuses_without_the_token(
    agent: tuple[str, Served], version: str
) -> None:
    url, routes = agent
    methods = routes.rpc_1_0 if version == "1.0" else routes.rpc_0_3
    assert methods, f"the agent serves JSON-RPC {version}"
    versioned = {"A2A-Version": "1.0"} if version == "1.0" else {}
    problems: list[str] = []
    with httpx.Client(timeout=20) as client:
        for method in sorted(methods):
            call = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {}}
            for headers in REFUSED_HEADERS:
                answer = client.post(url + "/", json=call, headers={**headers, **versioned})
                problems += _refusal_problems(answer, f"{method} with {headers or 'no header'}")
            with client.stream("POST", url + "/", json=call, headers={**BEARER, **versioned}) as answer:
                body = answer.read() if "json" in answer.headers.get("content-type", "") else b""
            if answer.status_code != 200:
                problems.append(f"{method} with the token: HTTP {answer.status_code}")
            elif body and httpx.Response(200, content=body).json().get("error", {}).get("code") == -32601:
                problems.append(f"{method} with the token: method not found (the enumeration is wrong)")
    assert problems == []


def _raw_get(url: str, target: str) -> int:
    """The status of ``GET <target>`` sent byte for byte (an HTTP client would normalise the path first)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])


@pytest.mark.parametrize(
    "target",
    ["/chat/../skills", "/agent-card/../skills", "/healthz/%2e%2e/skills", "/%73kills", "//skills", "/metrics%00"],
)
def test_dot_segments_and_encodings_do_not_reach_a_route_without_the_token(deployment, target: str) -> None:
    assert _raw_get(deployment.url("workshop_chat"), target) == 401


def test_a_header_that_is_not_ascii_is_a_401_not_a_crash(deployment) -> None:
    url = deployment.url("source_manager")
    for value in (b"Bearer \xff\xfe\xfd", "Bearer " + TOKEN[:-1] + "\u00e9", b"\xc3\xa9"):
        headers = [(b"Authorization", value.encode("latin-1") if isinstance(value, str) else value)]
        assert httpx.post(url + "/", json={}, headers=headers, timeout=20).status_code == 401, value


def test_the_token_is_compared_in_constant_time() -> None:
    """A guard on the source: the comparison is ``hmac.compare_digest``, and the token is compared nowhere else
    (timing cannot be measured reliably on a shared machine)."""
    source = inspect.getsource(auth)
    assert "hmac.compare_digest(" in source
    assert "==" not in inspect.getsource(auth.BearerAuthMiddleware.__call__)
