"""The Gitea forge: REST API v1 with ``Authorization: token <GITEA_TOKEN>``, and git over HTTP(S).

Endpoints used (Gitea's swagger, ``/api/swagger``):

    GET  /api/v1/user                             the token's user (the owner without an organization)
    GET  /api/v1/repos/{owner}/{repo}             a repository, 404 when missing
    POST /api/v1/orgs/{org}/repos                 create in an organization (201; 409 exists; 422 bad name)
    POST /api/v1/user/repos                       create for the user
    GET  /api/v1/orgs/{org}/repos, /user/repos    list (``page``/``limit``)
    GET  /api/v1/repos/{owner}/{repo}/tags        tags: name, commit {sha, created}
    POST /api/v1/repos/{owner}/{repo}/pulls       open a pull request (201: number, html_url)

Failures become `ForgeError` with Gitea's own ``message``. Git gets the token as an ``http.extraHeader``
scoped to the Gitea URL (see `GitAccess`), never in a URL, a file or argv.
"""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import quote, urlsplit

import httpx

from workshop_template_system.errors import ConfigurationError, ForgeError
from workshop_template_system.integrations.forge import (
    DEFAULT_BRANCH,
    GitAccess,
    PullRequest,
    RepositoryInfo,
    Tag,
    validate_organization,
    validate_repository_name,
)
from workshop_template_system.settings import Secret

PAGE_SIZE = 50
MAX_TITLE = 255  # Gitea refuses longer pull request titles
MAX_PAGES = 200
_REASONS = {
    401: "the token was refused (check GITEA_TOKEN)",
    403: "the token's user may not do this",
    404: "not found",
    409: "conflict",
    422: "the values were refused",
}


class GiteaForge:
    """A Gitea server, reached with one token; repositories go to `organization`, or to the token's user."""

    kind = "gitea"

    def __init__(
        self,
        url: str,
        token: Secret,
        *,
        organization: str | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"GITEA_URL must be an http(s) URL, got {url!r}")
        self.url = url.rstrip("/")
        self.organization = validate_organization(organization) if organization else None
        self._token = token
        self._http = httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"token {token.reveal()}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            follow_redirects=False,
        )
        self._user: str | None = None

    def __repr__(self) -> str:
        return f"GiteaForge({self.url!r})"

    def ensure_repository(self, organization: str | None, name: str, description: str) -> RepositoryInfo:
        """The repository; created empty (no README, default branch ``main``) when missing."""
        existing = self.get_repository(organization, name)
        if existing is not None:
            return existing
        org = self._organization(organization)
        path = f"/orgs/{_segment(org)}/repos" if org else "/user/repos"
        body = {"name": name, "description": description[:2048], "private": False, "auto_init": False}
        response = self._request("POST", path, json={**body, "default_branch": DEFAULT_BRANCH}, allow=(409,))
        if response.status_code == 409:  # made by someone else since we looked
            existing = self.get_repository(organization, name)
            if existing is not None:
                return existing
            _raise(response, f"creating repository {name!r}")
        return _repository(self._json(response))

    def get_repository(self, organization: str | None, name: str) -> RepositoryInfo | None:
        """The repository, or None when Gitea answers 404."""
        response = self._request("GET", self._repo_path(organization, name), allow=(404,))
        return None if response.status_code == 404 else _repository(self._json(response))

    def list_repositories(self, organization: str | None) -> list[RepositoryInfo]:
        """The organization's repositories (or the user's own), by name."""
        org = self._organization(organization)
        items = self._pages(f"/orgs/{_segment(org)}/repos" if org else "/user/repos")
        repositories = [_repository(item) for item in items]
        if not org:
            user = self._owner(None)
            repositories = [repo for repo in repositories if repo.organization == user]
        return sorted(repositories, key=lambda repo: repo.name)

    def list_tags(self, organization: str | None, name: str) -> list[Tag]:
        """The repository's tags with the commit each names and that commit's date."""
        items = self._pages(f"{self._repo_path(organization, name)}/tags")
        tags = []
        for item in items:
            commit = item.get("commit") or {}
            tags.append(Tag(name=str(item["name"]), commit=str(commit.get("sha", "")), date=commit.get("created")))
        return tags

    def open_pull_request(
        self, organization: str | None, name: str, *, head: str, base: str, title: str, body: str
    ) -> PullRequest | None:
        """Open a pull request from branch `head` into `base` of the same repository."""
        path = f"{self._repo_path(organization, name)}/pulls"
        pull = {"head": head, "base": base, "title": title[:MAX_TITLE], "body": body}
        response = self._request("POST", path, json=pull)
        data = self._json(response)
        return PullRequest(number=int(data["number"]), url=data.get("html_url"))

    def git_access(self) -> GitAccess:
        """http(s) to the Gitea host, with the token as a header scoped to the Gitea URL."""
        protocols = "https" if self.url.startswith("https:") else "http:https"
        header = {f"http.{self.url}/.extraHeader": f"Authorization: token {self._token.reveal()}"}
        return GitAccess(protocols=protocols, secret_config=header)

    def __enter__(self) -> GiteaForge:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    # Helpers

    def _organization(self, organization: str | None) -> str | None:
        return validate_organization(organization) if organization else self.organization

    def _repo_path(self, organization: str | None, name: str) -> str:
        return f"/repos/{_segment(self._owner(organization))}/{_segment(validate_repository_name(name))}"

    def _owner(self, organization: str | None) -> str:
        org = self._organization(organization)
        if org:
            return org
        if self._user is None:
            self._user = str(self._json(self._request("GET", "/user"))["login"])
        return self._user

    def _pages(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            batch = self._json(self._request("GET", path, params={"page": page, "limit": PAGE_SIZE}))
            if not isinstance(batch, list):
                raise ForgeError(f"Gitea at {self.url} answered GET {path} with something other than a list")
            items.extend(batch)
            if len(batch) < PAGE_SIZE:
                break
        return items

    def _request(self, method: str, path: str, *, allow: tuple[int, ...] = (), **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ForgeError(f"Gitea at {self.url} did not answer {method} {path} in time") from exc
        except httpx.HTTPError as exc:
            raise ForgeError(f"cannot reach Gitea at {self.url}: {type(exc).__name__}: {exc}") from exc
        if not (response.is_success or response.status_code in allow):
            _raise(response, f"{method} {self.url}/api/v1{path}")
        return response

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ForgeError(f"Gitea at {self.url} answered {response.request.url.path} with invalid JSON") from exc


def _raise(response: httpx.Response, action: str) -> NoReturn:
    """`ForgeError` with the status, what it means, and Gitea's own message."""
    try:
        message = response.json().get("message") or ""
    except (ValueError, AttributeError):
        message = response.text[:200]
    reason = _REASONS.get(response.status_code, "failed")
    detail = f": {message}" if message else ""
    raise ForgeError(f"Gitea {response.status_code} on {action}: {reason}{detail}")


def _repository(data: dict[str, Any]) -> RepositoryInfo:
    owner = (data.get("owner") or {}).get("login") or str(data.get("full_name", "/")).split("/")[0]
    return RepositoryInfo(
        organization=owner,
        name=str(data["name"]),
        clone_url=str(data["clone_url"]),
        web_url=data.get("html_url"),
        default_branch=data.get("default_branch") or DEFAULT_BRANCH,
        description=data.get("description") or "",
    )


def _segment(value: str | None) -> str:
    return quote(value or "", safe="")
