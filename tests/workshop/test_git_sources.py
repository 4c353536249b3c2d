"""Which repository sources are accepted, how they are shown, and which are refused (with one readable line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop_template_system.errors import GitError, RepositoryRefused
from workshop_template_system.integrations.git import validate_repository_source


@pytest.mark.parametrize(
    ("source", "transport", "display", "name"),
    [
        ("https://github.com/org/app.git", "https", "https://github.com/org/app.git", "app"),
        (
            "https://user:s3cret@gitea.example.com:3000/org/app",
            "https",
            "https://gitea.example.com:3000/org/app",
            "app",
        ),
        ("http://gitea-http.gitea.svc:3000/org/app.git", "http", "http://gitea-http.gitea.svc:3000/org/app.git", "app"),
        ("ssh://git@example.com:2222/org/app.git", "ssh", "ssh://example.com:2222/org/app.git", "app"),
        ("git+ssh://git@example.com/org/app", "ssh", "git+ssh://example.com/org/app", "app"),
        ("git@github.com:org/app.git", "ssh", "git@github.com:org/app.git", "app"),
        ("git://example.com/org/app.git", "git", "git://example.com/org/app.git", "app"),
        ("  https://github.com/org/app/  ", "https", "https://github.com/org/app/", "app"),
    ],
)
def test_accepted_sources(source: str, transport: str, display: str, name: str) -> None:
    accepted = validate_repository_source(source, allow_local=False)
    assert (accepted.transport, accepted.display, accepted.name) == (transport, display, name)
    assert "s3cret" not in accepted.display


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ext::sh -c touch% /tmp/pwned", "remote helper"),
        ("fd::17", "remote helper"),
        ("ext::ssh -o ProxyCommand=x", "remote helper"),
        ("--upload-pack=touch /tmp/pwned", "git option"),
        ("-uhttps://example.com/x", "git option"),
        ("ftp://example.com/repo.git", "'ftp://' scheme is not supported"),
        ("rsync://example.com/repo.git", "'rsync://' scheme is not supported"),
        ("https://example.com/repo\n.git", "control characters"),
        ("https://example.com/re po.git", "spaces"),
        ("https://github.com", "no repository path"),
        ("https://github.com/", "no repository path"),
        ("ssh://-oProxyCommand=touch%20x/repo", "no valid host"),
        ("https://example.com:99999/repo", "host or port"),
        ("git@-oProxyCommand=x:repo", "git option"),
        ("file:///etc", "local paths are not allowed"),
        ("/srv/repos/app", "local paths are not allowed"),
        ("./app", "local paths are not allowed"),
    ],
)
def test_refused_sources(source: str, reason: str) -> None:
    with pytest.raises(RepositoryRefused) as refused:
        validate_repository_source(source, allow_local=False)
    message = str(refused.value)
    assert reason in message
    assert "\n" not in message


def test_refusals_never_show_credentials() -> None:
    with pytest.raises(RepositoryRefused) as refused:
        validate_repository_source("ftp://user:s3cret@example.com/repo.git", allow_local=False)
    assert "s3cret" not in str(refused.value)


def test_local_paths_when_allowed(tmp_path: Path) -> None:
    repo = tmp_path / "my-app"
    repo.mkdir()
    for given in (str(repo), repo.as_uri(), f"{tmp_path}/./my-app"):
        accepted = validate_repository_source(given, allow_local=True)
        assert (accepted.transport, accepted.url, accepted.name, accepted.is_local) == (
            "file",
            str(repo),
            "my-app",
            True,
        )
    with pytest.raises(GitError, match="does not exist"):
        validate_repository_source(str(tmp_path / "missing"), allow_local=True)
    with pytest.raises(RepositoryRefused, match="must name a path on this machine"):
        validate_repository_source("file://other-host/srv/app", allow_local=True)
