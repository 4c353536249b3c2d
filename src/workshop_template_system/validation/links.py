"""External links of a workshop, checked live through the SSRF-guarded `WebClient`.

Each distinct URL (without its fragment) is checked once per run: ``HEAD``, then ``GET`` when the
server does not allow ``HEAD`` (405, 501); redirects are followed here, up to ``max_redirects``, each
hop passing the guard again; at most ``concurrency`` checks run at once, each hop within the timeout.

What the findings say, and why:

- a link that fails (4xx or 5xx, the name does not resolve, no connection, no answer in time) is a
  *warning*: whether a remote site answers depends on the network and the moment, not only on the
  workshop, and a link is not a step the learner runs. A 404 inside the workshop's own repository
  (``repository_url``) says so, as it often means a wrong ref or a private repository;
- 401, 403 and 429 are *info*: the site refuses automated checks, not the learner;
- a redirect is *info*, with the final URL to link to instead;
- a link to a loopback or private address is *info* "not checked": such links point at the lab's own
  machines; a public link redirecting to such an address is a *warning* (the guard refused to follow).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from workshop_template_system.errors import UrlRefused, WebError
from workshop_template_system.integrations.web import WebClient
from workshop_template_system.validation.report import Finding, Severity
from workshop_template_system.validation.workshop_files import AdocFile, substitute
from workshop_template_system.workshop.showroom.scanner import without_passthroughs

_URL = re.compile(r"(?<![\w/\\])(?:link:)?(https?://[^\s\[\]<>\"'`|]+)")
_TRAILING = ".,;:!?)*_"
_NOT_DEAD = frozenset({401, 403, 429})


@dataclass(frozen=True, slots=True)
class Link:
    """An external link as the learner sees it (attributes resolved), and where it is."""

    url: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """The outcome of checking one URL: the last status, the redirects followed, or what went wrong."""

    url: str
    status: int | None = None
    reason: str = ""
    redirects: tuple[str, ...] = ()
    problem: str | None = None
    refused: str | None = None

    @property
    def final_url(self) -> str:
        return self.redirects[-1] if self.redirects else self.url


def find_links(file: AdocFile) -> list[Link]:
    """The http(s) links in the text of ``file`` (not in code blocks), with attributes resolved."""
    links = []
    for line, attributes in file.attributed_lines():
        if line.kind != "text":
            continue
        text = substitute(without_passthroughs(line.text), attributes)
        for match in _URL.finditer(text):
            url = match.group(1).rstrip(_TRAILING)
            if "{" not in url:
                links.append(Link(url, file.path, line.number))
    return links


@dataclass
class LinkChecker:
    """Checks URLs through ``client``, each once (a per-run cache), ``concurrency`` at a time."""

    client: WebClient
    concurrency: int = 8
    max_redirects: int = 5
    _cache: dict[str, asyncio.Task[LinkStatus]] = field(default_factory=dict)
    _slots: asyncio.Semaphore | None = None

    async def check_all(self, urls: Iterable[str]) -> dict[str, LinkStatus]:
        """The status of each URL (its fragment ignored)."""
        wanted = {url: url.split("#", 1)[0] for url in urls}
        statuses = await asyncio.gather(*(self.check(url) for url in dict.fromkeys(wanted.values())))
        by_url = {status.url: status for status in statuses}
        return {url: by_url[key] for url, key in wanted.items()}

    async def check(self, url: str) -> LinkStatus:
        url = url.split("#", 1)[0]
        if url not in self._cache:
            self._cache[url] = asyncio.create_task(self._limited(url), name=f"check-link {url[:80]}")
        return await self._cache[url]

    async def _limited(self, url: str) -> LinkStatus:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        async with self._slots:
            return await self._follow(url)

    async def _follow(self, url: str) -> LinkStatus:
        redirects: list[str] = []
        current = url
        while True:
            try:
                reply = await self.client.send("HEAD", current)
                if reply.status in (405, 501):
                    reply = await self.client.send("GET", current)
            except UrlRefused as exc:
                return LinkStatus(url, redirects=tuple(redirects), refused=str(exc))
            except WebError as exc:
                return LinkStatus(url, redirects=tuple(redirects), problem=str(exc))
            if not reply.is_redirect or reply.location is None:
                return LinkStatus(url, reply.status, reply.reason, tuple(redirects))
            if len(redirects) >= self.max_redirects:
                problem = f"more than {self.max_redirects} redirects (last to {reply.location})"
                return LinkStatus(url, reply.status, reply.reason, tuple(redirects), problem=problem)
            redirects.append(reply.location)
            current = reply.location


def link_findings(links: list[Link], statuses: dict[str, LinkStatus], own_repository: str | None) -> list[Finding]:
    """A finding for each file with a link that is dead, redirected, refused or not checked: at the link's
    first line there, naming the others."""
    lines: dict[tuple[str, str], list[int]] = {}
    for link in links:
        lines.setdefault((link.url, link.file), []).append(link.line)
    findings = []
    for (url, file), numbers in lines.items():
        status = statuses.get(url.split("#", 1)[0])
        verdict = _verdict(status, own_repository) if status is not None else None
        if verdict is None:
            continue
        others = sorted(set(numbers) - {numbers[0]})
        also = f" (also on line{'s' if len(others) > 1 else ''} {', '.join(map(str, others))})" if others else ""
        findings.append(Finding(verdict[0], "link", file, numbers[0], f"{url}: {verdict[1]}{also}"))
    return findings


def _verdict(status: LinkStatus, own_repository: str | None) -> tuple[Severity, str] | None:
    via = f" (redirected to {status.final_url})" if status.redirects else ""
    if status.refused is not None:
        if status.redirects:
            return "warning", f"redirects to {status.final_url}, and {status.refused}"
        return "info", f"not checked: {status.refused}"
    if status.problem is not None:
        return "warning", f"cannot be reached: {status.problem}{via}"
    assert status.status is not None
    if status.status in _NOT_DEAD:
        return "info", f"answers {status.status} {status.reason} to an automated check{via}"
    if status.status >= 400:
        own = own_repository and status.url.startswith(own_repository.rstrip("/") + "/")
        note = " — inside the workshop's own repository: is the ref right, is the repository public?" if own else ""
        return "warning", f"dead link: {status.status} {status.reason}{via}{note}"
    if status.redirects:
        return "info", f"redirects to {status.final_url} (answers {status.status}); link to that instead"
    return None
