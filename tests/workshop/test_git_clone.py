"""Real clones of local repositories: shallow at a branch, a tag, a commit; bad refs, limits and timeouts refused."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from workshop_repos import CloneRepo, MakeRepo, git, write_files

from workshop_template_system.errors import CloneTimeout, GitError, RefNotFound, RepositoryRefused
from workshop_template_system.integrations.git import GIT_NICENESS, clone, validate_repository_source


@pytest.fixture
def history(make_repo: MakeRepo) -> Path:
    """main: three commits (the first tagged v1.0, annotated); branch feature: one more commit."""
    repo = make_repo("history", {"README.md": "# History\n", "app.py": "print('one')\n"}, message="one")
    git(repo, "tag", "-a", "v1.0", "-m", "First release")
    for number in ("two", "three"):
        write_files(repo, {"app.py": f"print('{number}')\n"})
        git(repo, "commit", "-q", "-am", number)
    git(repo, "checkout", "-q", "-b", "feature")
    write_files(repo, {"feature.py": "FEATURE = True\n"})
    git(repo, "add", "feature.py")
    git(repo, "commit", "-q", "-m", "feature")
    git(repo, "checkout", "-q", "main")
    return repo


def commits_in(path: Path) -> int:
    return int(git(path, "rev-list", "--count", "HEAD"))


def test_default_branch_is_cloned_shallow(history: Path, clone_repo: CloneRepo) -> None:
    cloned = clone_repo(history)
    assert cloned.ref == "main"
    assert cloned.commit == git(history, "rev-parse", "main")
    assert (cloned.path / "app.py").read_text() == "print('three')\n"
    assert commits_in(cloned.path) == 1
    assert (cloned.files, cloned.bytes) == (2, len("# History\n") + len("print('three')\n"))
    assert git(cloned.path, "ls-files").splitlines() == ["README.md", "app.py"]


def test_a_branch_and_a_tag(history: Path, clone_repo: CloneRepo, tmp_path: Path) -> None:
    feature = clone_repo(history, ref="feature")
    assert (feature.ref, feature.commit) == ("feature", git(history, "rev-parse", "feature"))
    assert (feature.path / "feature.py").exists() and commits_in(feature.path) == 1

    source = validate_repository_source(str(history), allow_local=True)
    tagged = clone(source, tmp_path / "tagged", ref="v1.0", timeout=60, max_files=10, max_bytes=10_000)
    assert (tagged.ref, tagged.commit) == ("v1.0", git(history, "rev-parse", "v1.0^{commit}"))
    assert (tagged.path / "app.py").read_text() == "print('one')\n"
    assert commits_in(tagged.path) == 1


@pytest.mark.parametrize("length", [40, 10])
def test_a_commit_by_full_or_abbreviated_sha(history: Path, clone_repo: CloneRepo, length: int) -> None:
    first = git(history, "rev-parse", "main~2")
    cloned = clone_repo(history, ref=first[:length])
    assert cloned.commit == first
    assert cloned.ref == first[:length]
    assert (cloned.path / "app.py").read_text() == "print('one')\n"
    assert git(cloned.path, "rev-parse", "HEAD") == first


def test_an_unknown_ref_is_a_clear_error_and_leaves_nothing(history: Path, tmp_path: Path) -> None:
    source = validate_repository_source(str(history), allow_local=True)
    dest = tmp_path / "clone"
    for ref, message in (("no-such-branch", "has no branch or tag named 'no-such-branch'"), ("deadbeef", "commit")):
        with pytest.raises(RefNotFound, match=message):
            clone(source, dest, ref=ref, timeout=60, max_files=10, max_bytes=10_000)
        assert not dest.exists()
    for ref in ("-b", "main..feature", "a b", "refs/heads/../x", "bad~1"):
        with pytest.raises(RepositoryRefused, match="refused ref"):
            clone(source, dest, ref=ref, timeout=60, max_files=10, max_bytes=10_000)


def test_limits_are_checked_before_checkout(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo("many", {f"pkg/file{number}.txt": "x" * 100 for number in range(30)})
    source = validate_repository_source(str(repo), allow_local=True)
    dest = tmp_path / "clone"
    with pytest.raises(RepositoryRefused, match=r"has 30 files, above the limit of 20 \(max_files\)"):
        clone(source, dest, ref=None, timeout=60, max_files=20, max_bytes=10**6)
    assert not dest.exists()
    with pytest.raises(RepositoryRefused, match=r"3,000 bytes of files, above the limit of 2,000 \(max_bytes\)"):
        clone(source, dest, ref=None, timeout=60, max_files=100, max_bytes=2000)
    assert not dest.exists()
    assert clone(source, dest, ref=None, timeout=60, max_files=30, max_bytes=3000).files == 30


def test_an_empty_destination_folder_is_used_and_emptied_on_failure(history: Path, tmp_path: Path) -> None:
    source = validate_repository_source(str(history), allow_local=True)
    dest = tmp_path / "workspace-content"
    dest.mkdir()
    with pytest.raises(RefNotFound):
        clone(source, dest, ref="0123456789abcdef0123456789abcdef01234567", timeout=60, max_files=10, max_bytes=10**6)
    assert dest.is_dir() and list(dest.iterdir()) == []
    assert clone(source, dest, ref=None, timeout=60, max_files=10, max_bytes=10**6).path == dest
    with pytest.raises(GitError, match="not an empty folder"):
        clone(source, dest, ref=None, timeout=60, max_files=10, max_bytes=10**6)


def test_symbolic_links_are_checked_out_as_plain_files(make_repo: MakeRepo, clone_repo: CloneRepo) -> None:
    repo = make_repo("links", {"README.md": "# Links\n"})
    (repo / "secrets").symlink_to("/etc/passwd")
    git(repo, "add", "secrets")
    git(repo, "commit", "-q", "-m", "a link out of the repository")
    cloned = clone_repo(repo)
    link = cloned.path / "secrets"
    assert not link.is_symlink() and link.read_text() == "/etc/passwd"


def test_a_slow_clone_is_killed_at_its_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An ssh "server" that never answers: git waits on it, as on a stalled network.
    pid_file = tmp_path / "ssh.pid"
    fake_ssh = tmp_path / "fake-ssh"
    fake_ssh.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n")
    fake_ssh.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(fake_ssh))
    source = validate_repository_source("git@git.example.com:org/app.git", allow_local=False)
    dest = tmp_path / "clone"

    started = time.monotonic()
    with pytest.raises(CloneTimeout, match=r"took longer than 1 s; the partial clone was removed"):
        clone(source, dest, ref=None, timeout=1, max_files=10, max_bytes=10**6)
    assert time.monotonic() - started < 5
    assert not dest.exists()
    helper = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper), "the transport helper outlived the clone"


def test_git_and_its_helpers_run_nicer_than_the_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    niceness_file = tmp_path / "niceness"
    fake_ssh = tmp_path / "fake-ssh"
    fake_ssh.write_text(f"#!/bin/sh\nsleep 0.3\nnice > {niceness_file}\nexec sleep 60\n")
    fake_ssh.chmod(0o755)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(fake_ssh))
    source = validate_repository_source("git@git.example.com:org/app.git", allow_local=False)
    with pytest.raises(CloneTimeout):
        clone(source, tmp_path / "clone", ref=None, timeout=1, max_files=10, max_bytes=10**6)
    assert int(niceness_file.read_text()) == min(os.getpriority(os.PRIO_PROCESS, 0) + GIT_NICENESS, 19)


def test_git_errors_are_one_line_without_credentials(tmp_path: Path) -> None:
    source = validate_repository_source("https://user:s3cret@127.0.0.1:9/org/app.git", allow_local=False)
    with pytest.raises(GitError) as failed:
        clone(source, tmp_path / "clone", ref=None, timeout=30, max_files=10, max_bytes=10**6)
    message = str(failed.value)
    assert "s3cret" not in message and "\n" not in message
    assert message.startswith("git clone of https://127.0.0.1:9/org/app.git failed: fatal:")
    assert not (tmp_path / "clone").exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child not yet reaped by its (also killed) parent is a zombie: as good as gone.
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" not in status.read_text()
