"""The chat page in a real headless Chromium, against a live workshop_chat with the fixture workshop indexed.

A participant opens the page, is asked for the token, asks a question and watches the answer stream in with its
sources; a deep link asks on load; a narrow window still fits; a refused question reads as an error.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from chat_browser import Browser, Tab, chromium

from support import AgentProcess, rpc

TOKEN = "participants-token"
FIXTURE = Path(__file__).parents[1] / "rag" / "fixture_workshop"
QUESTION = "How do I make the app reachable from outside the cluster?"
ROUTE_URL = "https://showroom.example.com/trailhead/modules/module-03-deploy.html#expose"
OBSERVE = """(() => {
  window.seen = [];
  const log = (records) => { for (const record of records) window.seen.push([record.target.id,
    Array.from(record.addedNodes, (node) => node.textContent).join("")]); };
  for (const id of ["answer-text", "citations"])
    new MutationObserver(log).observe(document.getElementById(id), {childList: true});
  return true;
})()"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    executable = chromium()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: CI must install it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium): the chat page's browser test needs it")
    browser = Browser(executable, tmp_path / "profile", tmp_path / "chromium.log")
    yield browser
    browser.close()


def _index_trailhead(chat: AgentProcess, tmp_path: Path) -> None:
    """Index a small part of the fixture workshop (quicker), as the participants' instructor would."""
    workshop = shutil.copytree(FIXTURE, tmp_path / "trailhead")
    for page in ("index", "module-01-setup", "module-02-build", "module-04-operate", "conclusion"):
        (workshop / f"content/modules/ROOT/pages/{page}.adoc").unlink()
    (workshop / "content/modules/appendix/pages/cli-reference.adoc").unlink()
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "message/send",
        "params": {
            "message": {
                "messageId": "index",
                "role": "user",
                "parts": [
                    {
                        "kind": "data",
                        "data": {
                            "skill": "index_workshop",
                            "input": {"workshop": "trailhead", "source": {"path": str(workshop)}},
                        },
                    }
                ],
            }
        },
    }
    reply = rpc(chat.url, call, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120).json()
    assert reply["result"]["status"]["state"] == "completed", reply


def _text(tab: Tab, selector: str) -> str:
    return tab.evaluate(f"document.querySelector({selector!r}).innerText.trim()")


def _enter_token(tab: Tab, token: str) -> None:
    tab.wait_for("!document.getElementById('token-form').hidden")
    tab.type("#token", token)
    tab.click("#token-form button")


@pytest.mark.slow  # 45-50 s measured on a busy 2-core machine: ~40 s of it starting the agent and indexing
def test_a_participant_asks_and_the_answer_streams_in_with_sources(
    start_agent, browser: Browser, tmp_path: Path
) -> None:
    started = time.monotonic()
    chat = start_agent("workshop_chat", A2A_AUTH_TOKEN=TOKEN)
    _index_trailhead(chat, tmp_path)
    ready = time.monotonic()

    tab = browser.open(chat.url + "/chat")
    tab.wait_for("document.getElementById('error').innerText === 'This chat needs an access token.'")
    _enter_token(tab, "not-the-token")  # refused: asked again, with the reason
    tab.wait_for("document.getElementById('error').innerText.includes('token was not accepted')")
    tab.screenshot(tmp_path / "token.png")
    _enter_token(tab, TOKEN)
    tab.wait_for("document.querySelectorAll('#workshop option').length === 2")
    assert tab.evaluate("Array.from(document.querySelectorAll('#workshop option'), (o) => o.textContent)") == [
        "All workshops",
        "Trailhead: cloud-native Java on OpenShift (trailhead)",
    ]
    assert tab.evaluate("document.getElementById('error').hidden")
    assert tab.evaluate("sessionStorage.getItem('workshop-chat-token')") == TOKEN

    tab.evaluate(OBSERVE)
    tab.type("#question", QUESTION)
    tab.click("#ask")
    tab.wait_for(
        "document.getElementById('answer').getAttribute('aria-busy') === 'false'"
        " && document.querySelectorAll('#citations li').length > 0"
    )
    asked = time.monotonic()

    answer = _text(tab, "#answer-text")
    assert answer.startswith("A Route makes the Service reachable from outside the cluster.")
    assert tab.evaluate("document.querySelector('#answer-text pre code').textContent") == (
        "oc create route edge trailhead --service trailhead"
    )
    assert _text(tab, "#mode") == "Quoted from the workshop"
    seen = tab.evaluate("window.seen")
    renders = [text for target, text in seen if target == "answer-text"]
    first_sources = next(number for number, (target, text) in enumerate(seen) if target == "citations" and text)
    assert len(renders) >= 3 and renders[-1] == tab.evaluate("document.getElementById('answer-text').textContent")
    assert renders[0] and renders[-1].startswith(renders[0]) and len(renders[0]) < len(renders[-1])  # piece by piece
    assert seen.index(["answer-text", renders[0]]) < first_sources  # the answer shows before its sources

    sources = tab.evaluate(
        "Array.from(document.querySelectorAll('#citations li'), (li) => { const a = li.querySelector('a');"
        " return [li.id, a && a.textContent, a && a.href, a && a.target]; })"
    )
    assert sources[0] == [
        "cite-1",
        "Module 3: Deploy to OpenShift — Expose the application with a route",
        ROUTE_URL,
        "_blank",
    ]
    assert _text(tab, "#citations-heading") == "Sources"
    tab.click("#answer-text a.cite-ref")  # the [1] marker leads to its source
    assert tab.evaluate("location.hash") == "#cite-1"
    assert tab.evaluate("document.getElementById('status').textContent") == ""
    tab.screenshot(tmp_path / "answer.png")

    tab.resize(360, 740)  # beside the workshop, a narrow window
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab.screenshot(tmp_path / "narrow.png")

    tab.go(chat.url + "/chat?" + urlencode({"q": "How do I bake sourdough bread?", "workshop": "trailhead"}))
    tab.wait_for("document.getElementById('mode').textContent === 'Not found in the workshop'")
    assert _text(tab, "#answer-text").startswith("I could not find an answer to this in")
    assert _text(tab, "#citations-heading") == "Closest pages"
    assert tab.evaluate("document.getElementById('workshop').value") == "trailhead"
    assert tab.evaluate("document.getElementById('question').value") == "How do I bake sourdough bread?"
    tab.screenshot(tmp_path / "not-found.png")

    tab.go(chat.url + "/chat?" + urlencode({"q": "What now?", "workshop": "not a name"}))
    tab.wait_for("!document.getElementById('error').hidden")
    error = _text(tab, "#error")
    assert error.startswith("The chat agent refused the question:") and "workshop" in error
    assert tab.evaluate("document.getElementById('answer').hidden")
    tab.screenshot(tmp_path / "refused.png")

    unexpected = [problem for problem in tab.problems() if not problem.startswith("network: ") or "401" not in problem]
    assert unexpected == []  # only the refused tokens: no script error, no missing file, nothing the CSP refused
    print(f"agent up and indexed in {ready - started:.1f}s, asked and answered in {asked - ready:.1f}s")
