"""HTTP to the open web behind an SSRF guard: one exchange at a time (link checks), and SearxNG search.

Every request goes to an address this module resolved and checked itself:

1. only ``http`` and ``https`` URLs are fetched;
2. the host is resolved here (``getaddrinfo`` in a thread). When any address it resolves to is
   loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10),
   a cloud metadata address (169.254.169.254, fd00:ec2::254), unspecified, multicast or otherwise
   not public — also inside an IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address — the URL is
   refused with `UrlRefused`, unless private addresses are allowed (``ALLOW_PRIVATE_URLS``);
3. the connection goes to the address that was checked: the request URL carries that IP, the
   ``Host`` header the name, and TLS the name as SNI (httpcore's ``sni_hostname`` extension), so
   certificates are still verified for the name. No second DNS lookup happens, so an answer that
   changes between the check and the connection (DNS rebinding) cannot move the request.

Redirects are never followed here: `WebClient.send` returns the ``Location`` and the caller sends the
next hop, which passes the same guard. Connections are not kept alive, since a pooled connection made
for one name (its SNI) could be reused for another name served at the same address; proxy variables
are ignored (``trust_env=False``) so that the guard checks where the connection really goes; cookies
are never stored.

Foreign exceptions (httpx, socket) become `WebError` here, once.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from types import TracebackType
from typing import Any

import httpx

from workshop_template_system.errors import ConfigurationError, UrlRefused, WebError

Address = IPv4Address | IPv6Address

USER_AGENT = "workshop-template-system/0.1 (workshop validation)"
SEARCH_BODY_LIMIT = 2_000_000
_METADATA = frozenset(
    ip_address(text)
    for text in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)
_NAT64 = ip_network("64:ff9b::/96")


def refusal(address: Address) -> str | None:
    """Why ``address`` may not be fetched (``"a loopback address"``, ...), or None for a public address."""
    if address in _METADATA:
        return "a cloud metadata address"
    if (inner := _embedded_ipv4(address)) is not None and (reason := refusal(inner)) is not None:
        return f"{reason} ({inner}) inside an IPv6 address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def _embedded_ipv4(address: Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64), if any."""
    if not isinstance(address, IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def origin(url: str) -> str:
    """``scheme://host:port`` of a URL (the port always written), for comparing origins."""
    parsed = _parse(url)
    host = parsed.raw_host.decode("ascii")
    return f"{parsed.scheme}://{f'[{host}]' if ':' in host else host}:{_port(parsed)}"


@dataclass(frozen=True, slots=True)
class Reply:
    """One HTTP exchange: the URL asked for, the status, the redirect target (absolute), and the address used."""

    url: str
    status: int
    reason: str
    location: str | None
    address: str
    body: bytes = b""

    @property
    def is_redirect(self) -> bool:
        return self.status in (301, 302, 303, 307, 308) and self.location is not None


class WebClient:
    """Sends single guarded requests; open it with ``async with``.

    ``trusted_origins`` (``scheme://host:port``, see `origin`) skip the address check: only for
    addresses the operator configured, never for addresses found in content.
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        allow_private: bool = False,
        trusted_origins: Collection[str] = (),
        max_connections: int = 16,
    ) -> None:
        self.timeout = timeout
        self.allow_private = allow_private
        self.trusted_origins = frozenset(trusted_origins)
        self._max_connections = max_connections
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> WebClient:
        self._client = httpx.AsyncClient(
            timeout=self.timeout,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=self._max_connections, max_keepalive_connections=0),
            headers={"User-Agent": USER_AGENT},
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(self, method: str, url: str, *, params: Mapping[str, str] | None = None, read: int = 0) -> Reply:
        """One request to the checked address of ``url``, within the timeout; up to ``read`` bytes of body.

        Raises `UrlRefused` for a scheme or address the guard refuses, `WebError` when the host does not
        resolve, the connection fails, no answer comes within the timeout, or the body is over ``read``.
        """
        if self._client is None:
            raise RuntimeError("WebClient is not open: use `async with WebClient(...)`")
        parsed = _parse(url, params)
        asked = str(parsed.copy_with(fragment=None, userinfo=b""))  # as shown: never with credentials
        host = parsed.host
        try:
            async with asyncio.timeout(self.timeout):
                address = await self._address(parsed)
                return await self._exchange(method, parsed, asked, address, read)
        except TimeoutError:
            raise WebError(f"no answer from {host} within {self.timeout:g} s") from None

    async def _address(self, url: httpx.URL) -> Address:
        """The address to connect to: resolved here, and checked unless allowed or trusted."""
        check = not self.allow_private and origin(str(url)) not in self.trusted_origins
        host = url.raw_host.decode("ascii")  # an IDN name in its ASCII (punycode) form
        try:
            addresses = [ip_address(host)]
        except ValueError:
            addresses = await _resolve(host, _port(url))
        for address in addresses:
            if check and (reason := refusal(address)) is not None:
                shown = host if str(address) == host else f"{host} resolves to {address}, which"
                raise UrlRefused(f"{shown} is {reason}: refused by the SSRF guard")
        return addresses[0]

    async def _exchange(self, method: str, url: httpx.URL, asked: str, address: Address, read: int) -> Reply:
        assert self._client is not None
        pinned = url.copy_with(host=str(address))
        headers = {"Host": url.netloc.decode("ascii")}
        extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}
        request = self._client.build_request(method, pinned, headers=headers, extensions=extensions)
        try:
            response = await self._client.send(request, stream=True)
            try:
                body = await _read(response, read, asked)
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise WebError(f"no answer from {url.host} within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise WebError(f"cannot fetch {asked}: {_reason(exc)}") from exc
        location = response.headers.get("location")
        try:
            target = str(url.join(location).copy_with(fragment=None)) if location else None
        except httpx.InvalidURL:
            raise WebError(f"{asked} redirects to an address that is not a URL: {location[:200]!r}") from None
        return Reply(asked, response.status_code, response.reason_phrase, target, str(address), body)


async def _resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to, looked up in a thread (``getaddrinfo`` blocks)."""
    try:
        infos = await asyncio.to_thread(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from None
    if not (addresses := unique_addresses(infos)):
        raise WebError(f"cannot resolve {host}: no address")
    return addresses


def unique_addresses(infos: list[tuple[Any, ...]]) -> list[Address]:
    """The distinct addresses of `socket.getaddrinfo` answers, in order (an IPv6 zone dropped)."""
    addresses: list[Address] = []
    for *_, sockaddr in infos:
        address = ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


async def _read(response: httpx.Response, limit: int, url: str) -> bytes:
    if limit <= 0:
        return b""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise WebError(f"the answer from {url} is larger than {limit:,} bytes")
    return bytes(body)


def _parse(url: str, params: Mapping[str, str] | None = None) -> httpx.URL:
    try:
        parsed = httpx.URL(url, params=params) if params else httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UrlRefused(f"refused {url[:200]!r}: not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise UrlRefused(f"refused {url[:200]!r}: only http and https URLs are fetched")
    if not parsed.host:
        raise UrlRefused(f"refused {url[:200]!r}: it names no host")
    return parsed


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _reason(exc: httpx.HTTPError) -> str:
    """The innermost cause of a transport error, which says what happened (refused, reset, certificate)."""
    cause: BaseException = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    return str(cause) or type(cause).__name__


# Search


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One web search result, as the provider gave it."""

    title: str
    url: str
    content: str


async def searxng_search(
    endpoint: str, query: str, *, limit: int = 10, seconds: float = 20.0, allow_private: bool = False
) -> list[SearchResult]:
    """Search through a SearxNG instance's JSON API (``GET <endpoint>/search?q=...&format=json``).

    The endpoint is operator configuration (``SEARCH_PROVIDER``), so its own origin is trusted even when
    it is a private address (a SearxNG beside the agents); a redirect elsewhere is not followed.
    ``seconds`` bounds each request.
    """
    base = endpoint.rstrip("/")
    url = base if base.endswith("/search") else f"{base}/search"
    try:
        trusted, shown = origin(url), str(_parse(url).copy_with(userinfo=b""))  # never show credentials
    except UrlRefused as exc:
        raise ConfigurationError(f"SEARCH_PROVIDER must be the http(s) URL of a SearxNG instance: {exc}") from None
    async with WebClient(timeout=seconds, allow_private=allow_private, trusted_origins=(trusted,)) as client:
        reply = await client.send("GET", url, params={"q": query, "format": "json"}, read=SEARCH_BODY_LIMIT)
    if reply.is_redirect:
        raise WebError(f"the search provider at {shown} redirected to {reply.location}: set SEARCH_PROVIDER to that")
    if reply.status == 403:
        raise WebError(
            f"the search provider at {shown} refused the JSON format (403): enable it in SearxNG's settings.yml "
            "(search.formats: [html, json])"
        )
    if reply.status != 200:
        raise WebError(f"the search provider at {shown} answered {reply.status} {reply.reason}")
    return _results(reply.body, shown, limit)


def _results(body: bytes, url: str, limit: int) -> list[SearchResult]:
    try:
        data = json.loads(body)
    except ValueError:
        raise WebError(f"the search provider at {url} did not answer JSON") from None
    items = data.get("results") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise WebError(f"the search provider at {url} answered JSON without a results list")
    results = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            title, content = item.get("title"), item.get("content")
            results.append(
                SearchResult(
                    title=title if isinstance(title, str) else "",
                    url=item["url"],
                    content=content if isinstance(content, str) else "",
                )
            )
    return results[:limit]


__all__ = ["Address", "Reply", "SearchResult", "WebClient", "origin", "refusal", "searxng_search"]
