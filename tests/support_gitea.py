"""A Gitea test double: the REST API v1 endpoints source_manager uses, and real git over HTTP.

Gitea cannot run on the test machine, so this serves, on 127.0.0.1, what Gitea's documented API
(``/api/swagger``) answers for the endpoints used, with its status codes and JSON shapes:

    GET  /api/v1/user                                 200 {id, login, ...}; 401 without a valid token
    GET  /api/v1/repos/{owner}/{repo}                 200 Repository; 404 {"message", "url"}
    POST /api/v1/orgs/{org}/repos, /api/v1/user/repos 201 Repository; 401; 404 unknown org; 409 exists; 422 bad name
    GET  /api/v1/orgs/{org}/repos, /api/v1/user/repos 200 [Repository] (page, limit, X-Total-Count)
    GET  /api/v1/repos/{owner}/{repo}/tags            200 [Tag {name, id, message, commit {sha, url, created}}]
    POST /api/v1/repos/{owner}/{repo}/pulls           201 PullRequest {number, html_url, head, base, ...};
                                                      404 unknown branch; 409 already open; 422 no title
    GET  /api/v1/repos/{owner}/{repo}/pulls/{index}   200 PullRequest; 404

A token is accepted as ``Authorization: token <t>``, ``Bearer <t>``, or HTTP Basic with the token as
password (or as user name); a wrong one is 401 everywhere, git included. Repositories are public:
anonymous API reads and clones work, anonymous writes and pushes are 401.

Git's smart HTTP protocol (``/{owner}/{repo}.git/info/refs``, ``git-upload-pack``, ``git-receive-pack``) is
served by git itself: each request runs ``git http-backend`` (CGI) with ``GIT_PROJECT_ROOT`` on real bare
repositories under ``root/<owner>/<repo>.git`` and ``REMOTE_USER`` set for an authenticated request
(http-backend only takes pushes from one). So pushes and clones are real.

Against a real Gitea: set ``GITEA_TEST_URL`` and ``GITEA_TEST_TOKEN`` (and ``GITEA_TEST_ORGANIZATION``, an
existing organization the token's user may create repositories in; default ``workshops``) and the
``gitea`` fixture of ``tests/publishing`` uses that server instead (`RealGitea`); the tests that look
inside the double's bare repositories are skipped. See ``tests/publishing/README.md``.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support import free_port

USER = "workshop-bot"
ORGANIZATIONS = ("workshops", "reviews")
_NAME = re.compile(r"[-_.A-Za-z0-9]+")
_RESERVED_SUFFIXES = (".git", ".wiki", ".rss", ".atom")
_SWAGGER = "/api/swagger"


@dataclass
class _Pull:
    number: int
    title: str
    body: str
    head: str
    base: str
    state: str = "open"


@dataclass
class _Repo:
    id: int
    owner: str
    name: str
    description: str
    created: str
    pulls: list[_Pull] = field(default_factory=list)


class GiteaDouble:
    """The double's state and its ASGI app; `start()` serves it on a free port of 127.0.0.1."""

    def __init__(self, root: Path, token: str, *, user: str = USER, organizations: tuple[str, ...] = ORGANIZATIONS):
        self.root = root
        self.token = token
        self.user = user
        self.organizations = set(organizations)
        self.organization = organizations[0]
        self.repos: dict[tuple[str, str], _Repo] = {}
        self.requests: list[tuple[str, str, int, bool]] = []
        """(method, path, status, authenticated) of every request, for tests."""
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.app = Starlette(
            routes=[
                Route("/api/v1/user", self.get_user, methods=["GET"]),
                Route("/api/v1/user/repos", self.list_user_repos, methods=["GET"]),
                Route("/api/v1/user/repos", self.create_user_repo, methods=["POST"]),
                Route("/api/v1/orgs/{org}/repos", self.list_org_repos, methods=["GET"]),
                Route("/api/v1/orgs/{org}/repos", self.create_org_repo, methods=["POST"]),
                Route("/api/v1/repos/{owner}/{repo}", self.get_repo, methods=["GET"]),
                Route("/api/v1/repos/{owner}/{repo}/tags", self.list_tags, methods=["GET"]),
                Route("/api/v1/repos/{owner}/{repo}/pulls", self.create_pull, methods=["POST"]),
                Route("/api/v1/repos/{owner}/{repo}/pulls/{index:int}", self.get_pull, methods=["GET"]),
                Route("/{owner}/{repo}.git/{rest:path}", self.git, methods=["GET", "POST"]),
            ]
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def bare_path(self, owner: str, name: str) -> Path:
        return self.root / owner / f"{name}.git"

    # Serving

    def start(self) -> GiteaDouble:
        self.port = free_port()
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="gitea-double", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Gitea double did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    # Authentication

    def _auth(self, request: Request) -> bool | None:
        """True for the right token, False for a wrong one, None for none (Gitea's token forms)."""
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if not header:
            return None
        if scheme.lower() in ("token", "bearer"):
            return value.strip() == self.token
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value).decode().partition(":")
            except ValueError:
                return False
            return self.token in (password, user)
        return False

    def _log(self, request: Request, response: Response, authenticated: bool | None) -> Response:
        self.requests.append((request.method, request.url.path, response.status_code, bool(authenticated)))
        return response

    def _error(self, request: Request, status: int, message: str, auth: bool | None) -> Response:
        body = {"message": message, "url": f"{self.url}{_SWAGGER}"}
        return self._log(request, JSONResponse(body, status_code=status), auth)

    def _require(self, request: Request, *, write: bool) -> Response | None:
        auth = self._auth(request)
        if auth is False:
            return self._error(request, 401, "invalid username, password or token", auth)
        if auth is None and write:
            return self._error(request, 401, "token is required", auth)
        return None

    # API

    async def get_user(self, request: Request) -> Response:
        if self._auth(request) is not True:
            return self._error(request, 401, "token is required", self._auth(request))
        return self._log(request, JSONResponse({"id": 1, "login": self.user, "username": self.user}), True)

    async def create_org_repo(self, request: Request) -> Response:
        org = request.path_params["org"]
        if (refused := self._require(request, write=True)) is not None:
            return refused
        if org not in self.organizations:
            return self._error(request, 404, "The target couldn't be found.", True)
        return await self._create(request, org)

    async def create_user_repo(self, request: Request) -> Response:
        if (refused := self._require(request, write=True)) is not None:
            return refused
        return await self._create(request, self.user)

    async def _create(self, request: Request, owner: str) -> Response:
        try:
            option = await request.json()
        except ValueError:
            return self._error(request, 422, "invalid JSON", True)
        name = str(option.get("name", ""))
        if not _NAME.fullmatch(name) or len(name) > 100:
            return self._error(request, 422, "[Name]: AlphaDashDot, MaxSize(100)", True)
        if name in (".", "..") or name.lower().endswith(_RESERVED_SUFFIXES):
            return self._error(request, 422, f"name is reserved [name: {name}]", True)
        with self._lock:
            if (owner, name) in self.repos:
                return self._error(request, 409, "The repository with the same name already exists.", True)
            path = self.bare_path(owner, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            branch = option.get("default_branch") or "main"
            subprocess.run(["git", "init", "-q", "--bare", "-b", branch, str(path)], check=True)
            created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            repo = _Repo(next(self._ids), owner, name, str(option.get("description", "")), created)
            self.repos[(owner, name)] = repo
        return self._log(request, JSONResponse(self._repo_json(repo), status_code=201), True)

    async def get_repo(self, request: Request) -> Response:
        if (refused := self._require(request, write=False)) is not None:
            return refused
        repo = self.repos.get((request.path_params["owner"], request.path_params["repo"]))
        if repo is None:
            return self._error(request, 404, "The target couldn't be found.", self._auth(request))
        return self._log(request, JSONResponse(self._repo_json(repo)), self._auth(request))

    async def list_org_repos(self, request: Request) -> Response:
        if (refused := self._require(request, write=False)) is not None:
            return refused
        org = request.path_params["org"]
        if org not in self.organizations:
            return self._error(request, 404, "The target couldn't be found.", self._auth(request))
        return self._page(request, [self._repo_json(r) for (owner, _), r in sorted(self.repos.items()) if owner == org])

    async def list_user_repos(self, request: Request) -> Response:
        if self._auth(request) is not True:
            return self._error(request, 401, "token is required", self._auth(request))
        return self._page(request, [self._repo_json(repo) for _, repo in sorted(self.repos.items())])

    async def list_tags(self, request: Request) -> Response:
        if (refused := self._require(request, write=False)) is not None:
            return refused
        repo = self.repos.get((request.path_params["owner"], request.path_params["repo"]))
        if repo is None:
            return self._error(request, 404, "The target couldn't be found.", self._auth(request))
        return self._page(request, self._tags(repo))

    async def create_pull(self, request: Request) -> Response:
        if (refused := self._require(request, write=True)) is not None:
            return refused
        repo = self.repos.get((request.path_params["owner"], request.path_params["repo"]))
        if repo is None:
            return self._error(request, 404, "The target couldn't be found.", True)
        option = await request.json()
        head, base, title = option.get("head", ""), option.get("base", ""), option.get("title", "")
        if not title:
            return self._error(request, 422, "[Title]: Required", True)
        branches = self._branches(repo)
        if head not in branches or base not in branches:
            return self._error(request, 404, "The target couldn't be found.", True)
        with self._lock:
            if any(p.head == head and p.base == base and p.state == "open" for p in repo.pulls):
                return self._error(request, 409, f"pull request already exists for these targets [head: {head}]", True)
            number = len(repo.pulls) + 1
            pull = _Pull(number, title, str(option.get("body", "")), head, base)
            repo.pulls.append(pull)
        return self._log(request, JSONResponse(self._pull_json(repo, pull, branches), status_code=201), True)

    async def get_pull(self, request: Request) -> Response:
        if (refused := self._require(request, write=False)) is not None:
            return refused
        repo = self.repos.get((request.path_params["owner"], request.path_params["repo"]))
        index = request.path_params["index"]
        if repo is None or not 0 < index <= len(repo.pulls):
            return self._error(request, 404, "The target couldn't be found.", self._auth(request))
        body = self._pull_json(repo, repo.pulls[index - 1], self._branches(repo))
        return self._log(request, JSONResponse(body), self._auth(request))

    # Git over HTTP

    async def git(self, request: Request) -> Response:
        owner, name, rest = (request.path_params[key] for key in ("owner", "repo", "rest"))
        auth = self._auth(request)
        push = rest == "git-receive-pack" or request.query_params.get("service") == "git-receive-pack"
        if auth is False or (auth is None and push):
            response = Response("Unauthorized\n", status_code=401, headers={"WWW-Authenticate": 'Basic realm="Gitea"'})
            return self._log(request, response, auth)
        if (owner, name) not in self.repos:
            return self._log(request, Response("Not found\n", status_code=404), auth)
        body = await request.body()
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.root),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": request.method,
            "PATH_INFO": f"/{owner}/{name}.git/{rest}",
            "QUERY_STRING": request.url.query,
            "CONTENT_TYPE": request.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": request.headers.get("git-protocol", ""),
            "HTTP_CONTENT_ENCODING": request.headers.get("content-encoding", ""),
        }
        if auth:
            env["REMOTE_USER"] = self.user
        process = await asyncio.create_subprocess_exec(
            "git",
            "http-backend",
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, _ = await process.communicate(body)
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.split()[0])
            elif key:
                headers[key] = value.strip()
        return self._log(request, Response(payload, status_code=status, headers=headers), auth)

    # JSON shapes

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        page = max(int(request.query_params.get("page", 1)), 1)
        limit = min(max(int(request.query_params.get("limit", 30)), 1), 50)
        chunk = items[(page - 1) * limit : page * limit]
        response = JSONResponse(chunk, headers={"X-Total-Count": str(len(items))})
        return self._log(request, response, self._auth(request))

    def _repo_json(self, repo: _Repo) -> dict[str, Any]:
        path = self.bare_path(repo.owner, repo.name)
        head = (path / "HEAD").read_text().strip().removeprefix("ref: refs/heads/")
        empty = not _git(path, "for-each-ref", "--count=1", "refs/heads")
        return {
            "id": repo.id,
            "owner": {"id": 2, "login": repo.owner, "username": repo.owner},
            "name": repo.name,
            "full_name": f"{repo.owner}/{repo.name}",
            "description": repo.description,
            "empty": empty,
            "private": False,
            "fork": False,
            "mirror": False,
            "html_url": f"{self.url}/{repo.owner}/{repo.name}",
            "clone_url": f"{self.url}/{repo.owner}/{repo.name}.git",
            "ssh_url": f"git@127.0.0.1:{repo.owner}/{repo.name}.git",
            "default_branch": head,
            "created_at": repo.created,
            "updated_at": repo.created,
        }

    def _tags(self, repo: _Repo) -> list[dict[str, Any]]:
        fields = "%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(*committerdate:iso-strict)"
        fields += "%00%(committerdate:iso-strict)%00%(contents:subject)"
        path = self.bare_path(repo.owner, repo.name)
        listing = _git(path, "for-each-ref", "--sort=-creatordate", f"--format={fields}", "refs/tags")
        tags = []
        for line in listing.splitlines():
            name, obj, peeled, peeled_date, date, subject = line.split("\0")
            base = f"{self.url}/{repo.owner}/{repo.name}"
            tags.append(
                {
                    "name": name,
                    "id": obj,
                    "message": subject,
                    "commit": {
                        "sha": peeled or obj,
                        "url": f"{self.url}/api/v1/repos/{repo.owner}/{repo.name}/git/commits/{peeled or obj}",
                        "created": peeled_date or date,
                    },
                    "zipball_url": f"{base}/archive/{name}.zip",
                    "tarball_url": f"{base}/archive/{name}.tar.gz",
                }
            )
        return tags

    def _branches(self, repo: _Repo) -> dict[str, str]:
        path = self.bare_path(repo.owner, repo.name)
        listing = _git(path, "for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads")
        return dict(line.split(" ", 1) for line in listing.splitlines() if line)

    def _pull_json(self, repo: _Repo, pull: _Pull, branches: dict[str, str]) -> dict[str, Any]:
        html = f"{self.url}/{repo.owner}/{repo.name}/pulls/{pull.number}"
        return {
            "id": repo.id * 1000 + pull.number,
            "number": pull.number,
            "url": html,
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "state": pull.state,
            "title": pull.title,
            "body": pull.body,
            "user": {"id": 1, "login": self.user},
            "head": {"label": pull.head, "ref": pull.head, "sha": branches.get(pull.head, ""), "repo_id": repo.id},
            "base": {"label": pull.base, "ref": pull.base, "sha": branches.get(pull.base, ""), "repo_id": repo.id},
            "mergeable": True,
            "merged": False,
        }


@dataclass
class RealGitea:
    """A real Gitea named by ``GITEA_TEST_URL``/``GITEA_TEST_TOKEN``: the same fields as the double, no bare repos."""

    url: str
    token: str
    organization: str

    def bare_path(self, owner: str, name: str) -> Path | None:
        return None


def _git(path: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(path), *args], capture_output=True, text=True, check=True).stdout
