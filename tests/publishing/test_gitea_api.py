"""GiteaForge against Gitea's documented answers (the double, or a real Gitea), and where the token goes."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import httpx
import pytest
from publish_helpers import WORKSHOP, Gitea, MakeWorkshop, clone, git, write_pipeline_files

from workshop_template_system.errors import ForgeError
from workshop_template_system.integrations.gitea import GiteaForge
from workshop_template_system.settings import Secret
from workshop_template_system.workshop.publishing import Publisher
from workshop_template_system.workspace import Workspace


def _api(gitea: Gitea, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"token {token}"} if token else {}
    return httpx.Client(base_url=f"{gitea.url}/api/v1", headers=headers, timeout=30)


def test_the_api_answers_with_giteas_statuses_and_shapes(gitea: Gitea, repository: str) -> None:
    org = gitea.organization
    with _api(gitea) as anonymous, _api(gitea, "not-the-token") as wrong, _api(gitea, gitea.token) as api:
        refused = anonymous.post(f"/orgs/{org}/repos", json={"name": repository})
        assert refused.status_code == 401 and set(refused.json()) >= {"message", "url"}
        assert wrong.get("/user").status_code == 401

        created = api.post(f"/orgs/{org}/repos", json={"name": repository, "default_branch": "main"})
        assert created.status_code == 201
        repo = created.json()
        assert (repo["name"], repo["full_name"], repo["default_branch"], repo["empty"]) == (
            repository,
            f"{org}/{repository}",
            "main",
            True,
        )
        assert repo["clone_url"] == f"{gitea.url}/{org}/{repository}.git"
        assert repo["html_url"] == f"{gitea.url}/{org}/{repository}"

        again = api.post(f"/orgs/{org}/repos", json={"name": repository})
        assert again.status_code == 409 and again.json()["message"]
        assert api.post(f"/orgs/{org}/repos", json={"name": "bad name!"}).status_code == 422
        assert api.post(f"/orgs/no-such-org-{secrets.token_hex(3)}/repos", json={"name": "x"}).status_code == 404
        missing = api.get(f"/repos/{org}/no-such-repo-{secrets.token_hex(3)}")
        assert missing.status_code == 404 and "message" in missing.json()
        assert api.get(f"/repos/{org}/{repository}").json()["id"] == repo["id"]
        assert api.get(f"/repos/{org}/{repository}/tags").json() == []
        no_branch = api.post(f"/repos/{org}/{repository}/pulls", json={"head": "x", "base": "main", "title": "t"})
        assert no_branch.status_code in (404, 422)


def test_a_wrong_token_is_a_clear_failure(
    gitea: Gitea, workspace: Workspace, make_workshop: MakeWorkshop, repository: str
) -> None:
    forge = GiteaForge(gitea.url, Secret("not-the-token"), organization=gitea.organization)
    with forge, pytest.raises(ForgeError, match=r"Gitea 401 on GET .*: the token was refused \(check GITEA_TOKEN\)"):
        Publisher(forge, workspace, lock_timeout=5, git_timeout=30).publish(make_workshop(), repository)
    with GiteaForge(gitea.url, Secret(gitea.token), organization=gitea.organization) as forge:
        assert forge.get_repository(None, repository) is None, "nothing was created"


def test_the_forge_maps_gitea_answers(gitea: Gitea, repository: str) -> None:
    with GiteaForge(gitea.url, Secret(gitea.token), organization=gitea.organization) as forge:
        assert forge.get_repository(None, repository) is None
        made = forge.ensure_repository(None, repository, "Workshop: Container Basics")
        assert forge.ensure_repository(None, repository, "ignored") == made, "the second call finds it"
        assert (made.organization, made.default_branch, made.description) == (
            gitea.organization,
            "main",
            "Workshop: Container Basics",
        )
        assert repository in [info.name for info in forge.list_repositories(None)]
        with pytest.raises(ForgeError, match=r"Gitea 404 on POST .*: not found"):
            forge.ensure_repository(f"no-such-org-{secrets.token_hex(3)}", repository, "")
        access = forge.git_access()
        assert gitea.token not in repr(access) and gitea.token not in repr(forge)
        assert access.scrub(f"fatal: bad header token {gitea.token}") == "fatal: bad header token ***"


def test_without_an_organization_repositories_belong_to_the_tokens_user(
    gitea: Gitea, workspace: Workspace, make_workshop: MakeWorkshop, repository: str
) -> None:
    with GiteaForge(gitea.url, Secret(gitea.token)) as forge:
        result = Publisher(forge, workspace, lock_timeout=5, git_timeout=30).publish(make_workshop(), repository)
        with _api(gitea, gitea.token) as api:
            user = api.get("/user").json()["login"]
        assert result["organization"] == user
        assert result["clone_url"] == f"{gitea.url}/{user}/{repository}.git"
        assert repository in [info.name for info in forge.list_repositories(None)]
        assert [tag.name for tag in forge.list_tags(None, repository)] == ["v1"]


def test_the_token_is_never_written_down(
    gitea: Gitea, workspace: Workspace, make_workshop: MakeWorkshop, repository: str, tmp_path: Path
) -> None:
    bare = gitea.bare_path(gitea.organization, repository)
    if bare is None:
        pytest.skip("a real Gitea's repositories are not on this machine")
    with GiteaForge(gitea.url, Secret(gitea.token), organization=gitea.organization) as forge:
        publisher = Publisher(forge, workspace, lock_timeout=5, git_timeout=30)
        pipeline_id = make_workshop()
        published = publisher.publish(pipeline_id, repository)
        write_pipeline_files(workspace, pipeline_id, {**WORKSHOP, "more.adoc": "= More\n"})
        publisher.publish_branch(pipeline_id, repository, "update/more")
    token = gitea.token.encode()
    for root in (workspace.root, bare):
        for path in root.rglob("*"):
            assert not path.is_file() or token not in path.read_bytes(), path
    assert gitea.url not in (bare / "config").read_text(), "no remote was recorded"

    # Pushing needs the token: the same push without it is refused by the server.
    copy = clone(published["clone_url"], tmp_path / "copy")
    git("commit", "-q", "--allow-empty", "-m", "anonymous", cwd=copy)
    pushed = subprocess.run(["git", "push", "-q", "origin", "HEAD:main"], cwd=copy, capture_output=True, check=False)
    assert pushed.returncode != 0
    assert ("GET", f"/{gitea.organization}/{repository}.git/info/refs", 401, False) in gitea.requests
    assert git("rev-parse", "main", cwd=bare) == published["commit"]
