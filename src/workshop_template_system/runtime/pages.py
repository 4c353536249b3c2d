"""An agent's web page for people: a packaged folder of static files, served under a strict Content-Security-Policy.

``pages/<name>/`` is served at ``/<name>`` (its ``index.html``) and ``/<name>/<file>`` (its other files). The files are
read once when the app is built and looked up by name, so no request reaches anything else on disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePosixPath

from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from workshop_template_system.errors import ConfigurationError

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # always revalidated, cheaply: the ETag answers 304 until the agent is upgraded
}
INDEX = "index.html"


@dataclass(frozen=True)
class StaticFile:
    """One file of a page, with the ETag of its content."""

    body: bytes
    content_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, content_type: str) -> StaticFile:
        return cls(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')

    def response(self, request: Request) -> Response:
        """The file, or 304 when the browser's copy (``If-None-Match``) is this one."""
        headers = {**HEADERS, "ETag": self.etag}
        known = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
        if self.etag in known or "*" in known:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.content_type, headers=headers)


def read_page(name: str) -> dict[str, StaticFile]:
    """The files of ``pages/<name>/`` with a known content type, by file name; it must have an ``index.html``."""
    folder = resources.files("workshop_template_system") / "pages" / name
    files = {
        entry.name: StaticFile.of(entry.read_bytes(), CONTENT_TYPES[suffix])
        for entry in (folder.iterdir() if folder.is_dir() else ())
        if entry.is_file() and (suffix := PurePosixPath(entry.name).suffix) in CONTENT_TYPES
    }
    if INDEX not in files:
        raise ConfigurationError(f"the page '{name}' has no {INDEX} in the package (pages/{name}/)")
    return files


def add_page(app: FastAPI, name: str) -> None:
    """Serve the page ``name`` at ``/<name>``; ``app.state.page_paths`` lists its paths, which need no token."""
    files = read_page(name)
    index = files.pop(INDEX)  # only at /<name>: its relative links are written for that address

    async def page(request: Request) -> Response:
        """The page itself (HTML); it talks to this agent's A2A endpoint."""
        return index.response(request)

    async def to_page(request: Request) -> Response:
        """``/<name>/`` → ``/<name>``, relatively, so that it works behind a proxy's path prefix too."""
        return RedirectResponse(f"../{name}?{request.url.query}" if request.url.query else f"../{name}")

    async def page_file(request: Request, file: str) -> Response:
        found = files.get(file)
        if found is None:
            return JSONResponse({"error": "not_found", "message": f"the {name} page has no such file"}, 404)
        return found.response(request)

    router = APIRouter()
    router.add_api_route(
        f"/{name}", page, methods=["GET"], response_class=HTMLResponse, tags=["Pages"], summary=f"The {name} page"
    )
    router.add_api_route(f"/{name}/{{file}}", page_file, methods=["GET"], include_in_schema=False)
    router.add_api_route(f"/{name}/", to_page, methods=["GET"], include_in_schema=False)
    app.router.routes[:0] = router.routes  # first: the A2A REST binding's mount /{tenant}/… would take /<name>/<file>
    app.state.page_paths = frozenset({f"/{name}", f"/{name}/", *(f"/{name}/{file}" for file in files)})
