"""Hostile values in every skill input that becomes a path, a URL or a git argument, sent over A2A to the live
agents (local sources off, as in a container): each is refused with a readable reason, and nothing named after it
appears anywhere on disk.

tests/properties/ fuzz the validators in process and tests/workshop, tests/watching and tests/publishing refuse a few
values at some entry points; this sends them to every entry point (`entry_points.ENTRY_POINTS`)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from entry_points import (
    CONTENT_FIELDS,
    ENTRY_POINTS,
    NAME_VALUES,
    PATH_VALUES,
    REF_VALUES,
    SAFE_SOURCE,
    SOURCE_VALUES,
    EntryPoint,
    input_fields,
)
from security_support import BEARER, MARKER, Outcome, call_all, call_skill, private_links, traces

from workshop_template_system.settings import AGENT_NAMES

REFUSAL_WORDS = ("invalid", "refused", "not a valid", "not allowed")
VALUES = {
    "name": dict.fromkeys(NAME_VALUES, ""),
    "ref": dict.fromkeys(REF_VALUES, ""),
    "source": SOURCE_VALUES,
    "path": PATH_VALUES,
}
"""Hostile values by kind of input, each with (part of) the reason its refusal must give."""


@pytest.fixture(scope="module")
def refusals(deployment, workshop: dict[str, Any]) -> dict[str, list[tuple[str, str, Outcome]]]:
    """Every hostile value sent to every entry point, eight calls at a time (sixteen make an agent's SQLite task
    store answer "database is locked" on a loaded machine): (value, reason, outcome) by entry point."""
    calls = [(entry, value, reason) for entry in ENTRY_POINTS for value, reason in VALUES[entry.kind].items()]
    outcomes = call_all(
        [(deployment.url(e.agent), e.skill, e.input(value, workshop["pipeline_id"])) for e, value, _ in calls]
    )
    by_entry: dict[str, list[tuple[str, str, Outcome]]] = defaultdict(list)
    for (entry, value, reason), outcome in zip(calls, outcomes, strict=True):
        by_entry[entry.id].append((value, reason, outcome))
    return by_entry


def _entries(kind: str) -> list[pytest.param]:
    return [pytest.param(entry, id=entry.id) for entry in ENTRY_POINTS if entry.kind == kind]


def _problems(refused: list[tuple[str, str, Outcome]], *, field: str = "") -> list[str]:
    """The values not refused with their reason; one without a reason of its own must be refused with a reason
    naming `field` and the rule broken (`REFUSAL_WORDS`)."""
    return [
        f"{value[:60]!r}: {outcome.state}: {outcome.reason[:200]}"
        for value, reason, outcome in refused
        if not outcome.refused(reason or field) or not (reason or any(word in outcome.reason for word in REFUSAL_WORDS))
    ]


def test_every_input_that_can_become_a_path_or_url_is_in_the_table(deployment) -> None:
    """Read from the live agents' /skills: a new field must be added to ENTRY_POINTS (and so tested) or be content."""
    unclassified, stale = [], set()
    for agent in AGENT_NAMES:
        skills = httpx.get(deployment.url(agent) + "/skills", headers=BEARER, timeout=30).json()
        fields = {f"{skill['id']}.{path}" for skill in skills for path in input_fields(skill["input_schema"])}
        tabled = {f"{entry.skill}.{entry.field}" for entry in ENTRY_POINTS if entry.agent == agent}
        unclassified += sorted(f"{agent}: {name}" for name in fields - tabled - CONTENT_FIELDS)
        stale |= tabled - fields
    assert unclassified == []
    assert stale == set()


@pytest.mark.parametrize("entry", _entries("name"))
def test_names_that_become_paths_are_refused(deployment, refusals, entry: EntryPoint) -> None:
    assert _problems(refusals[entry.id], field=entry.field.rsplit(".", 1)[-1]) == []
    assert traces(MARKER, deployment.folder) == []


@pytest.mark.parametrize("entry", _entries("ref"))
def test_refs_branches_and_versions_that_git_would_misread_are_refused(deployment, refusals, entry: EntryPoint) -> None:
    assert _problems(refusals[entry.id]) == []
    assert traces(MARKER, deployment.folder) == []


@pytest.mark.parametrize("entry", _entries("source"))
def test_sources_with_other_transports_options_or_local_paths_are_refused(
    deployment, refusals, entry: EntryPoint
) -> None:
    assert _problems(refusals[entry.id]) == []
    assert traces(MARKER, deployment.folder) == []


@pytest.mark.parametrize("entry", _entries("path"))
def test_local_paths_are_refused_when_local_sources_are_off(deployment, refusals, entry: EntryPoint) -> None:
    assert _problems(refusals[entry.id]) == []
    assert "ALLOW_LOCAL_REPOSITORIES=false" in refusals[entry.id][0][2].reason, "the reason names the setting"
    assert traces(MARKER, deployment.folder) == []


@pytest.mark.parametrize("entry", _entries("source"))
def test_sources_at_loopback_addresses_are_refused_like_links(deployment, workshop, entry: EntryPoint) -> None:
    values = [SAFE_SOURCE, "git://[::1]:1/r.git", "http://localhost:1/r.git", "ssh://git@127.0.0.1:1/r.git"]
    url = deployment.url(entry.agent)
    outcomes = call_all([(url, entry.skill, entry.input(value, workshop["pipeline_id"])) for value in values])
    assert all(outcome.state in ("rejected", "failed") for outcome in outcomes), outcomes
    assert [outcome for outcome in outcomes if "SSRF" not in outcome.reason and "loopback" not in outcome.reason] == []


def test_plain_text_calls_are_checked_like_data_calls(deployment) -> None:
    """The text form of a call (``analyze repository <source>``) becomes the same input and passes the same checks."""
    calls = {
        "template_converter": f"analyze repository ext::sh -c touch% /tmp/{MARKER}",
        "research_validation": f"validate workshop /tmp/{MARKER}",
        "source_manager": f"list versions ../../{MARKER}",
        "content_creator": f"create workshop ../../{MARKER}",
        "workshop_chat": f"workspace status /tmp/{MARKER}",
    }
    for agent, text in calls.items():
        message = {"messageId": MARKER + agent, "role": "user", "parts": [{"kind": "text", "text": text}]}
        payload = {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {"message": message}}
        task = httpx.post(deployment.url(agent) + "/", json=payload, headers=BEARER, timeout=60).json()["result"]
        reason = task["status"]["message"]["parts"][0]["text"]
        assert Outcome(task["status"]["state"], reason).refused(""), (agent, task["status"])
        assert any(word in reason for word in REFUSAL_WORDS), reason
    assert traces(MARKER, deployment.folder) == []


def test_an_outline_cannot_pull_files_into_the_workshop(workshop) -> None:
    """An outline is the caller's text: an include directive in it is written as text, and the source files it
    names outside the repository are never read (the built site holds no line of /etc/passwd)."""
    pages = "\n".join(path.read_text(errors="replace") for path in Path(workshop["build"]["site"]).rglob("*.html"))
    assert "include::/etc/passwd[" in pages
    assert "root:x:0:0" not in pages
    written = "\n".join(path.read_text(errors="replace") for path in Path(workshop["path"]).rglob("*.adoc"))
    assert "root:x:0:0" not in written


def test_link_checks_refuse_loopback_addresses_in_a_live_agent(deployment, workshop, listener) -> None:
    """The workshop links to a server on 127.0.0.1 by address, by name and as one number: validate_workshop
    (ALLOW_PRIVATE_URLS off) reports each as not checked, refused by the SSRF guard, and never reaches it.
    tests/validation/test_ssrf_guard.py checks the guard in process; the live agent there allows private URLs."""
    port, hits = listener
    url = deployment.url("research_validation")
    outcome = call_skill(url, "validate_workshop", {"pipeline_id": workshop["pipeline_id"]}, timeout=120)
    assert outcome.state == "completed" and outcome.result is not None, outcome
    messages = {finding["message"].split(": ", 1)[0]: finding["message"] for finding in outcome.result["findings"]}
    for link in private_links(port):
        assert "refused by the SSRF guard" in messages.get(link, ""), (link, messages)
    assert hits == []


def test_run_pipeline_refuses_a_bad_ref_before_making_a_pipeline(deployment) -> None:
    """The ref is checked up front: the task fails with the reason at once, and no pipeline is left to resume."""
    pipelines = deployment.workspace / "pipelines"
    before = sorted(pipelines.iterdir())
    request = {"repository": "https://wts-never.invalid/r.git", "ref": "main..other", "name": "w"}
    outcome = call_skill(deployment.url("template_converter"), "run_pipeline", request)
    assert outcome.refused("refused ref 'main..other'"), outcome
    assert "resume" not in outcome.reason
    assert sorted(pipelines.iterdir()) == before
