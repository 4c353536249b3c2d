"""The SSRF guard: addresses it refuses, names resolving to them, redirects into them, and the pinned connection."""

from __future__ import annotations

import socket
from ipaddress import ip_address

import pytest

from workshop_template_system.errors import UrlRefused, WebError
from workshop_template_system.integrations.web import WebClient, origin, refusal
from workshop_template_system.validation.links import LinkChecker


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "not a public address"),
        ("::ffff:127.0.0.1", "loopback address (127.0.0.1) inside an IPv6 address"),
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("2002:a00:1::", "private address (10.0.0.1) inside an IPv6 address"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
    ],
)
def test_the_classifier_names_why_an_address_is_refused(address: str, reason: str) -> None:
    assert reason in (refusal(ip_address(address)) or "")


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ip_address(address)) is None


async def test_the_guard_refuses_private_addresses_and_names_without_connecting(web) -> None:
    port = web.port
    refused = {
        f"http://127.0.0.1:{port}/ok": "127.0.0.1 is a loopback address",
        "http://10.0.0.1/": "10.0.0.1 is a private address",
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a cloud metadata address",
        f"http://[::1]:{port}/ok": "::1 is a loopback address",
        f"http://localhost:{port}/ok": "localhost resolves to",  # a DNS name resolving to loopback
        f"http://2130706433:{port}/ok": "resolves to 127.0.0.1",  # 127.0.0.1 as one number
    }
    async with WebClient(timeout=5) as client:
        for url, reason in refused.items():
            with pytest.raises(UrlRefused, match="refused by the SSRF guard") as caught:
                await client.send("GET", url)
            assert reason in str(caught.value), url
        for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/", "http:///nohost"):
            with pytest.raises(UrlRefused):
                await client.send("GET", url)
    assert sum(web.served.hits.values()) == 0, "nothing reached the server"


async def test_relaxed_the_guard_lets_private_addresses_through(web) -> None:
    async with WebClient(timeout=5, allow_private=True) as client:
        reply = await client.send("HEAD", web.url("/ok"))
        by_name = await client.send("GET", f"http://localhost:{web.port}/ok")
    assert (reply.status, reply.address) == (200, "127.0.0.1")
    assert by_name.status == 200
    assert web.served.hosts == [f"127.0.0.1:{web.port}", f"localhost:{web.port}"]  # the name, not the address


async def test_every_redirect_hop_passes_the_guard(web, other_web) -> None:
    """The first address is trusted (as SEARCH_PROVIDER is); where it redirects to is not."""
    async with WebClient(timeout=5, trusted_origins={origin(web.url())}) as client:
        checker = LinkChecker(client)
        statuses = await checker.check_all(
            [web.url("/ok"), web.url("/to-private"), web.url("/to-metadata"), web.url(f"/to-port/{other_web.port}")]
        )
    assert statuses[web.url("/ok")].status == 200
    private = statuses[web.url("/to-private")]
    assert private.redirects == ("http://10.0.0.1/secret",)
    assert private.refused == "10.0.0.1 is a private address: refused by the SSRF guard"
    metadata = statuses[web.url("/to-metadata")]
    assert "cloud metadata" in (metadata.refused or "")
    other = statuses[web.url(f"/to-port/{other_web.port}")]
    assert "loopback" in (other.refused or "")
    assert sum(other_web.served.hits.values()) == 0


async def test_the_connection_goes_to_the_address_that_was_checked(web, monkeypatch) -> None:
    """DNS rebinding: a name answering 127.0.0.1, then 10.255.255.1. One lookup is made, and it is used."""
    real = socket.getaddrinfo
    answers = ["127.0.0.1", "10.255.255.1"]
    asked: list[str] = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = answers[min(len(asked) - 1, 1)]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    async with WebClient(timeout=2, allow_private=True) as client:
        reply = await client.send("GET", f"http://rebind.test:{web.port}/ok")
    assert (reply.status, reply.address, asked) == (200, "127.0.0.1", ["rebind.test"])
    assert web.served.hosts == [f"rebind.test:{web.port}"]


async def test_a_name_that_does_not_resolve_is_a_web_error() -> None:
    async with WebClient(timeout=5) as client:
        with pytest.raises(WebError, match=r"cannot resolve no-such-host\.invalid"):
            await client.send("HEAD", "https://no-such-host.invalid/")
