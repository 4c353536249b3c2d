"""Links checked live on a server on 127.0.0.1 (the guard relaxed for it): dead, redirected, slow, HEAD-refusing."""

from __future__ import annotations

import time

from workshop_template_system.integrations.web import WebClient
from workshop_template_system.validation.links import Link, LinkChecker, LinkStatus, link_findings


async def _check(urls: list[str], *, timeout: float = 5, concurrency: int = 8) -> dict:
    async with WebClient(timeout=timeout, allow_private=True) as client:
        return await LinkChecker(client, concurrency=concurrency).check_all(urls)


def _findings(statuses: dict, own_repository: str | None = None) -> dict[str, tuple[str, str]]:
    links = [Link(url, "content/modules/ROOT/pages/index.adoc", number) for number, url in enumerate(statuses, 1)]
    found = link_findings(links, statuses, own_repository)
    return {finding.message.split(": ", 1)[0]: (finding.severity, finding.message) for finding in found}


async def test_dead_redirected_and_healthy_links(web) -> None:
    urls = [web.url("/ok"), web.url("/missing"), web.url("/moved"), web.url("/chain/3"), web.url("/loop")]
    statuses = await _check(urls)
    assert (statuses[web.url("/ok")].status, statuses[web.url("/ok")].redirects) == (200, ())
    assert statuses[web.url("/missing")].status == 404
    assert statuses[web.url("/moved")].redirects == (web.url("/ok"),)
    assert statuses[web.url("/moved")].status == 200
    assert statuses[web.url("/chain/3")].redirects == (web.url("/chain/2"), web.url("/chain/1"), web.url("/ok"))
    assert "more than 5 redirects" in (statuses[web.url("/loop")].problem or "")

    findings = _findings(statuses)
    assert web.url("/ok") not in findings
    assert findings[web.url("/missing")] == ("warning", f"{web.url('/missing')}: dead link: 404 Not Found")
    severity, message = findings[web.url("/moved")]
    assert severity == "info" and f"redirects to {web.url('/ok')} (answers 200)" in message
    assert findings[web.url("/loop")][0] == "warning"


async def test_a_slow_link_is_reported_after_the_timeout(web) -> None:
    started = time.monotonic()
    statuses = await _check([web.url("/slow")], timeout=0.5)
    assert time.monotonic() - started < 2
    status = statuses[web.url("/slow")]
    assert status.status is None and status.problem == "no answer from 127.0.0.1 within 0.5 s"
    severity, message = _findings(statuses)[web.url("/slow")]
    assert severity == "warning" and "cannot be reached: no answer" in message


async def test_head_refused_then_get(web) -> None:
    statuses = await _check([web.url("/no-head")])
    assert statuses[web.url("/no-head")].status == 200
    assert (web.hits("/no-head", "HEAD"), web.hits("/no-head", "GET")) == (1, 1)
    assert web.hits("/ok", "GET") == 0  # a page that answers HEAD is never fetched


async def test_each_url_is_checked_once_a_run(web) -> None:
    async with WebClient(timeout=5, allow_private=True) as client:
        checker = LinkChecker(client)
        first = await checker.check_all([web.url("/ok"), web.url("/ok#intro"), web.url("/ok#usage")])
        again = await checker.check(web.url("/ok"))
    assert web.hits("/ok") == 1
    assert first[web.url("/ok#intro")] is first[web.url("/ok")] is again


async def test_checks_run_at_most_concurrency_at_once(web) -> None:
    urls = [web.url(f"/pause/{n}") for n in range(8)]
    statuses = await _check(urls, concurrency=2)
    assert all(status.status == 200 for status in statuses.values())
    assert web.served.most_in_flight == 2


async def test_unreachable_forbidden_and_own_repository_links(web) -> None:
    repository = web.url("/example/workshop")
    urls = ["http://no-such-host.invalid/page", web.url("/forbidden"), f"{repository}/blob/HEAD/gone.adoc"]
    findings = _findings(await _check(urls), own_repository=repository)
    severity, message = findings["http://no-such-host.invalid/page"]
    assert severity == "warning" and "cannot resolve no-such-host.invalid" in message
    assert findings[web.url("/forbidden")] == (
        "info",
        f"{web.url('/forbidden')}: answers 403 Forbidden to an automated check",
    )
    severity, message = findings[f"{repository}/blob/HEAD/gone.adoc"]
    assert severity == "warning" and "inside the workshop's own repository" in message


def test_one_finding_per_link_and_page_naming_the_other_lines() -> None:
    url = "https://example.org/gone"
    links = [Link(url, "a.adoc", 3), Link(url, "a.adoc", 9), Link(url, "a.adoc", 12), Link(url, "b.adoc", 1)]
    found = link_findings(links, {url: LinkStatus(url, 404, "Not Found")}, None)
    assert [(f.file, f.line) for f in found] == [("a.adoc", 3), ("b.adoc", 1)]
    assert found[0].message.endswith("(also on lines 9, 12)")
