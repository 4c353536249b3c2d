"""The chat page as the runtime serves it: headers, files, refusals, and which requests need the token.

An agent with ``page="chat"`` is built by the real app factory and run with its lifespan, in this process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest
import pytest_asyncio

from workshop_template_system.agents.base import AgentSpec
from workshop_template_system.agents.workspace_status import WORKSPACE_STATUS
from workshop_template_system.errors import ConfigurationError
from workshop_template_system.runtime.app import create_app
from workshop_template_system.runtime.pages import read_page
from workshop_template_system.settings import Settings

TOKEN = "chat-page-test-token"
BASE = "http://127.0.0.1:8080"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SPEC = AgentSpec(
    name="chat_page_host",
    title="Chat page host",
    summary="serves the chat page's tests",
    description="An agent with the chat page, to test how pages are served.",
    skills=(WORKSPACE_STATUS,),
    page="chat",
)
STATUS_CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "message/send",
    "params": {
        "message": {
            "messageId": "m1",
            "role": "user",
            "parts": [{"kind": "data", "data": {"skill": "workspace_status", "input": {}}}],
        }
    },
}


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The agent's app with ``A2A_AUTH_TOKEN`` set, started (lifespan) and called over ASGI.

    Built once: the task store declares its table when the app is built, so a process builds an agent once.
    """
    workspace = tmp_path_factory.mktemp("workspace")
    app = create_app(SPEC, Settings.from_env({"WORKSPACE_PATH": str(workspace), "A2A_AUTH_TOKEN": TOKEN}), BASE)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


class _Resources(HTMLParser):
    """What a page loads, and anything the CSP would block: inline scripts, styles and event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.loads.append(values["src"] or "") if values.get("src") else self.inline.append("<script>")
        if tag == "link" and values.get("href"):
            self.loads.append(values["href"] or "")
        if tag == "style":
            self.inline.append("<style>")
        self.inline += [f"{tag} {name}=" for name in values if name == "style" or name.startswith("on")]


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return dict(directive.strip().split(" ", 1) for directive in policy.split(";"))


async def test_the_page_is_served_without_a_token_under_a_strict_policy(client: httpx.AsyncClient) -> None:
    page = await client.get("/chat")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert _csp(page) == {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "connect-src": "'self'",
        "img-src": "'self'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["etag"].startswith('"')
    resources = _Resources()
    resources.feed(page.text)
    assert resources.inline == []  # nothing the policy would refuse
    assert sorted(resources.loads) == ["chat/chat.css", "chat/chat.js", "chat/icon.svg"]


@pytest.mark.parametrize(
    ("file", "content_type"),
    [
        ("chat.js", "text/javascript; charset=utf-8"),
        ("chat.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ],
)
async def test_the_page_files_are_served_with_their_types(
    client: httpx.AsyncClient, file: str, content_type: str
) -> None:
    served = await client.get(f"/chat/{file}")
    assert (served.status_code, served.headers["content-type"]) == (200, content_type)
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in served.headers["content-security-policy"]
    assert served.content == read_page("chat")[file].body


async def test_the_folder_address_leads_to_the_page(client: httpx.AsyncClient) -> None:
    for asked, location in (("/chat/", "../chat"), ("/chat/?q=a%20b&workshop=w", "../chat?q=a%20b&workshop=w")):
        redirect = await client.get(asked)
        assert (redirect.status_code, redirect.headers["location"]) == (307, location)
    followed = await client.get("/chat/?q=hello", follow_redirects=True)
    assert (followed.status_code, str(followed.url)) == (200, BASE + "/chat?q=hello")


async def test_an_unchanged_file_is_revalidated_with_its_etag(client: httpx.AsyncClient) -> None:
    first = await client.get("/chat/chat.js")
    etag = first.headers["etag"]
    again = await client.get("/chat/chat.js", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert (await client.get("/chat/chat.js", headers={"If-None-Match": f"W/{etag}"})).status_code == 304
    changed = await client.get("/chat/chat.js", headers={"If-None-Match": '"something-else"'})
    assert (changed.status_code, changed.content) == (200, first.content)
    assert (await client.get("/chat/chat.css")).headers["etag"] != etag


@pytest.mark.parametrize(
    "path",
    [
        "/chat/nothing.js",
        "/chat/index.html",  # the page lives at /chat only: its relative links are written for that address
        "/chat/CHAT.JS",
        "/chat/%2e%2e",
        "/chat/%2e%2e%2fruntime%2fpages.py",
        "/chat/..%2f..%2fpyproject.toml",
        "/chat/%2e%2e%2f%2e%2e%2f%2e%2e%2fsettings.py",
        "/chat/chat.js%00.py",
    ],
)
async def test_unknown_files_and_traversal_are_not_found(client: httpx.AsyncClient, path: str) -> None:
    refused = await client.get(path, headers=AUTH)
    assert refused.status_code == 404
    assert "import" not in refused.text and "[project]" not in refused.text


async def test_a2a_calls_need_the_token_the_page_does_not(client: httpx.AsyncClient) -> None:
    for public in ("/chat", "/chat/chat.js", "/chat/chat.css", "/chat/icon.svg"):
        assert (await client.get(public)).status_code == 200, public
    refused = await client.post("/", json=STATUS_CALL)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="a2a"'
    for protected in ("/chat/nothing.js", "/skills", "/openapi.json"):
        assert (await client.get(protected)).status_code == 401, protected
    assert (await client.post("/chat")).status_code == 401  # only GETs of the page are public
    answered = await client.post("/", json=STATUS_CALL, headers=AUTH)
    assert answered.json()["result"]["status"]["state"] == "completed"


async def test_openapi_lists_the_page_as_html_and_hides_its_files(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json", headers=AUTH)).json()["paths"]
    operation = paths["/chat"]["get"]
    assert operation["tags"] == ["Pages"]
    assert list(operation["responses"]["200"]["content"]) == ["text/html"]
    assert [path for path in paths if path.startswith("/chat/")] == []


async def test_a_page_missing_from_the_package_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match=r"the page 'nothing' has no index.html in the package"):
        read_page("nothing")
