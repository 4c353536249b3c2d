"""Publishing a pipeline's workshop to both forges, verified by cloning what was published."""

from __future__ import annotations

import threading

import pytest
from publish_helpers import WORKSHOP, Gitea, MakeWorkshop, clone, git, history, tree_files, write_pipeline_files

from workshop_template_system.errors import ForgeError, InvalidNameError, WorkspaceError
from workshop_template_system.integrations.forge import GitForge
from workshop_template_system.workshop.pipeline_steps import final_output
from workshop_template_system.workshop.publishing import Publisher
from workshop_template_system.workspace import Workspace


def _token(forge: GitForge, gitea: Gitea) -> str | None:
    return gitea.token if forge.kind == "gitea" else None


def test_a_published_workshop_clones_to_the_same_files(
    publisher: Publisher, make_workshop: MakeWorkshop, workspace: Workspace, repository: str, gitea: Gitea, tmp_path
) -> None:
    pipeline_id = make_workshop()
    folder = final_output(workspace, pipeline_id)
    assert (folder / ".git").is_dir(), "the Antora repository is there, and must not be published"

    result = publisher.publish(pipeline_id, repository)

    assert result["changed"] is True and result["version"] == "v1"
    assert result["repository"] == repository and result["default_branch"] == "main"
    assert result["previous_commit"] is None
    published = clone(result["clone_url"], tmp_path / "clone", token=_token(publisher.forge, gitea))
    assert tree_files(published) == tree_files(folder)
    assert ".workshop-files.json" in tree_files(published)
    assert history(published) == [result["commit"]], "one commit of ours, none of the Antora repository's"
    assert git("rev-parse", "v1^{commit}", cwd=published) == result["commit"]
    assert git("log", "-1", "--format=%an <%ae>|%s", cwd=published) == (
        f"Workshop Template System <source-manager@workshop-template-system.invalid>|"
        f"Publish Container Basics from pipeline {pipeline_id}"
    )
    if publisher.forge.kind == "gitea":
        assert result["web_url"] == f"{gitea.url}/{gitea.organization}/{repository}"
    else:
        assert result["web_url"] is None
        assert result["clone_url"] == (workspace.root / "git" / "workshops" / f"{repository}.git").as_uri()


def test_republishing_adds_a_commit_only_when_something_changed(
    publisher: Publisher, make_workshop: MakeWorkshop, workspace: Workspace, repository: str, gitea: Gitea, tmp_path
) -> None:
    pipeline_id = make_workshop()
    first = publisher.publish(pipeline_id, repository)

    again = publisher.publish(pipeline_id, repository)
    assert again["changed"] is False
    assert (again["commit"], again["version"]) == (first["commit"], "v1")
    assert "nothing changed" in again["note"]

    write_pipeline_files(workspace, pipeline_id, {**WORKSHOP, "content/modules/ROOT/pages/index.adoc": "= Hello\n"})
    second = publisher.publish(pipeline_id, repository, message="Reword the welcome")
    assert second["changed"] is True and second["version"] == "v2"
    assert second["previous_commit"] == first["commit"]

    with pytest.raises(ForgeError, match="version 'v1' already exists"):
        write_pipeline_files(workspace, pipeline_id, {**WORKSHOP, "extra.adoc": "= Extra\n"})
        publisher.publish(pipeline_id, repository, version="v1")
    named = publisher.publish(pipeline_id, repository, version="2026.11")
    assert named["version"] == "2026.11"

    published = clone(first["clone_url"], tmp_path / "clone", token=_token(publisher.forge, gitea))
    assert history(published) == [named["commit"], second["commit"], first["commit"]]
    assert git("log", "-1", "--format=%s", second["commit"], cwd=published) == "Reword the welcome"
    assert set(git("tag", cwd=published).split()) == {"v1", "v2", "2026.11"}
    assert tree_files(published) == tree_files(final_output(workspace, pipeline_id))


def test_rollback_is_a_new_commit_with_the_old_tree(
    publisher: Publisher, make_workshop: MakeWorkshop, workspace: Workspace, repository: str, gitea: Gitea, tmp_path
) -> None:
    pipeline_id = make_workshop()
    v1 = publisher.publish(pipeline_id, repository)
    write_pipeline_files(workspace, pipeline_id, {**WORKSHOP, "content/modules/ROOT/pages/index.adoc": "= Broken\n"})
    v2 = publisher.publish(pipeline_id, repository)

    rolled = publisher.rollback(repository, "v1")

    assert rolled["changed"] is True and rolled["version"] == "v3" and rolled["rolled_back_to"] == "v1"
    token = _token(publisher.forge, gitea)
    main = clone(v1["clone_url"], tmp_path / "main", token=token)
    old = clone(v1["clone_url"], tmp_path / "v1", ref="v1", token=token)
    assert tree_files(main) == tree_files(old)
    assert history(main) == [rolled["commit"], v2["commit"], v1["commit"]], "history kept"
    assert git("rev-parse", "HEAD^{tree}", cwd=main) == git("rev-parse", "v1^{tree}", cwd=main)
    assert git("rev-parse", "v3^{commit}", cwd=main) == rolled["commit"]

    again = publisher.rollback(repository, "v1")
    assert again["changed"] is False and again["commit"] == rolled["commit"] and again["version"] == "v3"
    with pytest.raises(ForgeError, match=r"no version 'v9' \(versions: v1, v2, v3\)"):
        publisher.rollback(repository, "v9")

    versions = publisher.versions(repository)["versions"]
    assert [v["version"] for v in versions] == ["v3", "v2", "v1"], "newest first"
    assert [v["commit"] for v in versions] == [rolled["commit"], v2["commit"], v1["commit"]]
    assert all(v["date"] for v in versions)


def test_a_branch_is_proposed_and_main_is_untouched(
    publisher: Publisher, make_workshop: MakeWorkshop, workspace: Workspace, repository: str, gitea: Gitea, tmp_path
) -> None:
    pipeline_id = make_workshop()
    published = publisher.publish(pipeline_id, repository)
    changed = {**WORKSHOP, "content/modules/ROOT/pages/01-build.adoc": "= Build\n\nNow with Buildah.\n"}
    folder = write_pipeline_files(workspace, pipeline_id, changed)
    branch = "update/20261127-ab12cd3"

    result = publisher.publish_branch(pipeline_id, repository, branch, title="Refresh the build module", body="Why")

    assert result["changed"] is True and result["branch"] == branch
    assert result["compare"] == {
        "base": "main",
        "base_commit": published["commit"],
        "head": branch,
        "files": [{"status": "M", "path": "content/modules/ROOT/pages/01-build.adoc"}],
    }
    token = _token(publisher.forge, gitea)
    proposed = clone(published["clone_url"], tmp_path / "branch", ref=branch, token=token)
    assert tree_files(proposed) == tree_files(folder)
    assert history(proposed) == [result["commit"], published["commit"]]
    main = clone(published["clone_url"], tmp_path / "main", token=token)
    assert history(main) == [published["commit"]], "nothing reaches main without a person merging"
    assert git("tag", cwd=main) == "v1", "a proposal is not a version"
    if publisher.forge.kind == "gitea":
        pull = result["pull_request"]
        assert pull["number"] >= 1 and pull["url"].endswith(f"/{repository}/pulls/{pull['number']}")
        import httpx

        answer = httpx.get(
            f"{gitea.url}/api/v1/repos/{gitea.organization}/{repository}/pulls/{pull['number']}",
            headers={"Authorization": f"token {gitea.token}"},
        ).json()
        assert (answer["head"]["ref"], answer["base"]["ref"], answer["title"]) == (
            branch,
            "main",
            "Refresh the build module",
        )
        assert answer["head"]["sha"] == result["commit"]
    else:
        assert result["pull_request"] is None
        assert "no pull requests" in result["note"]

    repeated = publisher.publish_branch(pipeline_id, repository, branch)
    assert repeated["changed"] is False and repeated["commit"] == result["commit"]
    write_pipeline_files(workspace, pipeline_id, {**changed, "more.adoc": "= More\n"})
    with pytest.raises(ForgeError, match="already exists"):
        publisher.publish_branch(pipeline_id, repository, branch)
    with pytest.raises(InvalidNameError, match="default branch"):
        publisher.publish_branch(pipeline_id, repository, "main")
    write_pipeline_files(workspace, pipeline_id, WORKSHOP)
    unchanged = publisher.publish_branch(pipeline_id, repository, "update/nothing")
    assert unchanged["branch"] is None and unchanged["changed"] is False
    assert "update/nothing" not in git("ls-remote", "--heads", published["clone_url"], token=token)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p, pid: p.publish(pid, "../x"), "invalid repository name '../x'"),
        (lambda p, pid: p.publish(pid, "a/b/c"), "invalid repository name 'a/b/c'"),
        (lambda p, pid: p.publish(pid, "site.git"), "not ending in '.git'"),
        (lambda p, pid: p.publish(pid, "x", organization="../org"), "invalid organization"),
        (lambda p, pid: p.publish(pid, "x", version="v1/x"), "invalid version"),
        (lambda p, pid: p.publish_branch(pid, "x", "a/b/c"), "invalid branch name 'a/b/c'"),
        (lambda p, pid: p.publish_branch(pid, "x", "update/../main"), "invalid branch name"),
        (lambda p, pid: p.publish_branch(pid, "x", "-f"), "invalid branch name"),
        (lambda p, pid: p.rollback("x", "--force"), "invalid version"),
    ],
)
def test_names_are_validated_before_anything_is_made(
    publisher: Publisher, make_workshop: MakeWorkshop, workspace: Workspace, call, message: str
) -> None:
    pipeline_id = make_workshop()
    with pytest.raises(InvalidNameError, match=message):
        call(publisher, pipeline_id)
    if publisher.forge.kind == "local":
        assert not (workspace.root / "git").exists(), "no repository was made"


def test_an_empty_or_missing_workshop_is_refused(
    publisher: Publisher, make_workshop: MakeWorkshop, repository: str
) -> None:
    with pytest.raises(WorkspaceError, match="has no workshop in final-output/"):
        publisher.publish(make_workshop({}), repository)
    with pytest.raises(WorkspaceError, match="does not exist"):
        publisher.publish("pipeline-missing", repository)
    assert publisher.forge.get_repository(None, repository) is None


def test_concurrent_publishes_of_one_repository_are_serialized(
    forge: GitForge, make_workshop: MakeWorkshop, workspace: Workspace, repository: str, gitea: Gitea, tmp_path
) -> None:
    pipelines = [
        make_workshop({**WORKSHOP, "content/modules/ROOT/pages/index.adoc": f"= Version {n}\n"}) for n in (1, 2)
    ]
    start = threading.Barrier(2)
    results: dict[str, dict] = {}
    errors: list[BaseException] = []

    def publish(pipeline_id: str) -> None:
        # Each thread has its own publisher, as two agent processes would.
        own = Publisher(forge, workspace, lock_timeout=60, git_timeout=60)
        start.wait()
        try:
            results[pipeline_id] = own.publish(pipeline_id, repository)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(pipeline_id,)) for pipeline_id in pipelines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(result["version"] for result in results.values()) == ["v1", "v2"]
    first, second = sorted(results.values(), key=lambda result: result["version"])
    assert second["previous_commit"] == first["commit"], "the second publish is on top of the first"
    published = clone(first["clone_url"], tmp_path / "clone", token=_token(forge, gitea))
    assert history(published) == [second["commit"], first["commit"]], "no commit lost"
    for result in results.values():
        expected = tree_files(final_output(workspace, next(p for p in pipelines if results[p] is result)))
        git("checkout", "-q", result["version"], cwd=published)
        assert tree_files(published) == expected


def test_nested_repositories_are_not_published(
    publisher: Publisher, make_workshop: MakeWorkshop, workspace: Workspace, repository: str
) -> None:
    pipeline_id = make_workshop()
    nested = final_output(workspace, pipeline_id) / "content" / "vendored"
    git("init", "-q", str(nested))
    with pytest.raises(WorkspaceError, match="holds other git repositories: content/vendored"):
        publisher.publish(pipeline_id, repository)
