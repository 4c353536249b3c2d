"""The address check of repository sources (`integrations.git.repository_source`), in process: the addresses the
link checks' SSRF guard refuses are refused for git too, in every way a host can be written, unless
ALLOW_PRIVATE_URLS is on or the source is the operator's Gitea or a peer agent (host and port). An http(s) fetch
stays on the checked address and follows no redirect. test_hostile_inputs.py sends such sources to the live agents.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from workshop_template_system.errors import GitError, RepositoryRefused
from workshop_template_system.integrations.git import clone, repository_source, validate_repository_source
from workshop_template_system.settings import Settings

REFUSED = {
    "http://127.0.0.1:1/r.git": "127.0.0.1 is a loopback address",
    "git://[::1]:1/r.git": "::1 is a loopback address",
    "http://localhost:1/r.git": "localhost resolves to 127.0.0.1, which is a loopback address",
    "ssh://git@127.0.0.1:1/r.git": "127.0.0.1 is a loopback address",
    "git@localhost:org/r.git": "localhost resolves to 127.0.0.1, which is a loopback address",
    "http://2130706433:1/r.git": "2130706433 resolves to 127.0.0.1, which is a loopback address",
    "http://0x7f.1/r.git": "resolves to 127.0.0.1, which is a loopback address",
    "https://10.1.2.3/r.git": "10.1.2.3 is a private address",
    "https://[fe80::1]/r.git": "fe80::1 is a link-local address",
    "http://169.254.169.254/latest/r.git": "169.254.169.254 is a cloud metadata address",
    "https://[::ffff:192.168.1.1]/r.git": "a private address (192.168.1.1) inside an IPv6 address",
    "git://0.0.0.0/r.git": "0.0.0.0 is an unspecified address",
}


def _settings(**changes: object) -> Settings:
    return Settings(workspace_path=Path("/nonexistent"), allow_local_repositories=False).with_changes(**changes)


@pytest.mark.parametrize("text", REFUSED)
def test_sources_at_addresses_the_link_guard_refuses_are_refused(text: str) -> None:
    with pytest.raises(RepositoryRefused) as refused:
        repository_source(text, _settings())
    reason = str(refused.value)
    assert REFUSED[text] in reason and "(SSRF guard); ALLOW_PRIVATE_URLS=true allows it" in reason
    assert "\n" not in reason


def test_allow_private_urls_lets_every_address_through_unpinned() -> None:
    for text in REFUSED:
        assert repository_source(text, _settings(allow_private_urls=True)).git_config == ()


def test_gitea_and_the_peer_agents_are_allowed_at_their_own_port_only() -> None:
    settings = _settings(gitea_url="http://127.0.0.1:3000", peer_urls={"workshop_chat": "https://localhost"})
    assert repository_source("http://127.0.0.1:3000/org/r.git", settings).host == "127.0.0.1"
    assert repository_source("https://localhost/org/r.git", settings).port == 443
    for other_port in ("http://127.0.0.1:3001/org/r.git", "ssh://git@127.0.0.1/org/r.git"):
        with pytest.raises(RepositoryRefused, match="loopback"):
            repository_source(other_port, settings)


def test_a_public_http_source_follows_no_redirect_and_local_paths_follow_their_own_setting(tmp_path: Path) -> None:
    public = repository_source("https://93.184.215.14/org/r.git", _settings())  # checked only: nothing connects
    assert dict(public.git_config) == {"http.followRedirects": "false"}
    assert repository_source("ssh://git@93.184.215.14/org/r.git", _settings()).git_config == ()
    assert repository_source(str(tmp_path), _settings(), allow_local=True).is_local
    with pytest.raises(RepositoryRefused, match="local paths are not allowed"):
        repository_source(str(tmp_path), _settings())


@pytest.mark.parametrize("text", ["https://localhost./r.git", "https://bücher.example/r.git"])
def test_a_host_written_in_a_form_no_pin_would_match_is_refused(text: str) -> None:
    with pytest.raises(RepositoryRefused, match="write its host in ASCII"):
        repository_source(text, _settings())


def test_a_host_that_does_not_resolve_is_a_one_line_error() -> None:
    with pytest.raises(GitError, match=r"^cannot resolve the host of https://wts-nowhere\.invalid/r\.git"):
        repository_source("https://wts-nowhere.invalid/r.git", _settings())


class _Redirect(BaseHTTPRequestHandler):
    target: ClassVar[str] = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.target + self.path)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class _Served(SimpleHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def _serve(handler: type[BaseHTTPRequestHandler] | partial[SimpleHTTPRequestHandler]) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="git-http", daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def dumb_http(tmp_path: Path) -> Iterator[int]:
    """A bare repository served over git's dumb HTTP protocol on 127.0.0.1: its port (``/r.git``)."""
    work, bare = tmp_path / "work", tmp_path / "site" / "r.git"
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    (work / "README.md").write_text("# served\n")
    identity = ["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(work), *identity, "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    subprocess.run(["git", "-C", str(work), "add", "."], check=True)
    subprocess.run(["git", "-C", str(work), *identity, "commit", "-q", "-m", "two"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "update-server-info"], check=True)
    _Served.hits.clear()
    yield from _serve(partial(_Served, directory=str(tmp_path / "site")))


def _clone(text: str, dest: Path, config: dict[str, str]) -> str:
    source = replace(validate_repository_source(text, allow_local=False), git_config=tuple(config.items()))
    return clone(source, dest, ref=None, depth=None, timeout=30, max_files=100, max_bytes=10**6).commit


def test_the_checked_address_is_the_one_git_connects_to(dumb_http: int, tmp_path: Path) -> None:
    """A name that resolves nowhere is cloned from the address pinned for it: git does not look the name up."""
    pinned = {"http.followRedirects": "false", "http.curloptResolve": f"wts-pinned.invalid:{dumb_http}:127.0.0.1"}
    assert len(_clone(f"http://wts-pinned.invalid:{dumb_http}/r.git", tmp_path / "pinned", pinned)) == 40
    with pytest.raises(GitError, match=r"wts-pinned\.invalid"):
        _clone(f"http://wts-pinned.invalid:{dumb_http}/r.git", tmp_path / "unpinned", {})


def test_a_redirect_is_not_followed_to_another_address(dumb_http: int, tmp_path: Path) -> None:
    _Redirect.target = f"http://127.0.0.1:{dumb_http}"
    for port in _serve(_Redirect):
        source = f"http://127.0.0.1:{port}/r.git"
        with pytest.raises(GitError, match=r"returned error: 302 \(a redirect, not followed from a checked address"):
            _clone(source, tmp_path / "guarded", {"http.followRedirects": "false"})
        assert _Served.hits == [], "git followed the redirect"
        assert len(_clone(source, tmp_path / "unguarded", {})) == 40  # the same clone with redirects on: it works
        assert _Served.hits != []
