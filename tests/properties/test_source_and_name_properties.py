"""Properties of the checks on outside names: repository sources, refs, and workspace ids.

Whatever a caller sends, a source is either refused with a `GitError` (most often `RepositoryRefused`)
or accepted as something git can only read as a repository of an allowed transport; an id is either
refused with `InvalidNameError` or safe as one path component.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workshop_template_system.errors import GitError, InvalidNameError, RepositoryRefused
from workshop_template_system.integrations.git import clone, validate_repository_source
from workshop_template_system.workspace import validate_id

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = st.sampled_from(
    ["https://", "http://", "ssh://", "git://", "file://", "ext::", "fd::", "git+ssh://", "HTTPS://", "ftp://", "-",
     "--upload-pack=touch x", "-oProxyCommand=x", "git@", "user:pw@", "example.com", "localhost", "[::1]", "[", "]",
     ":", ":22", ":99999", "/", "//", "..", ".", ".git", "@", "%2e%2e", "%2F", "%00", "?q=1", "#frag", " ", "\x00",
     "\n", "\x7f", "~", "\\", "C:", "é", "a" * 300, "/tmp"]
)  # fmt: skip
SOURCE = st.lists(st.one_of(PIECES, st.text(max_size=6)), min_size=1, max_size=8).map("".join)
REMOTE_HELPER = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*::")
SAFE_NAME = re.compile(r"[^./\\\x00-\x1f\x7f-][^/\\\x00-\x1f\x7f]*")
URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
ALLOWED_SCHEMES = {"https", "http", "ssh", "git+ssh", "ssh+git", "git", "file"}
ID_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@FAST
@given(SOURCE, st.booleans())
@example("https://example.com/org/..", False)  # was accepted, named '..'
@example("git@example.com:org/..git", False)  # was accepted, named '.'
@example("https://[example.com/org/repo", False)  # was ValueError from urlsplit
@example("file:///tmp/%00repo", True)  # was ValueError: embedded null byte
@example("a" * 5000, True)  # was OSError: file name too long
def test_a_source_is_refused_or_safe_for_git(text: str, allow_local: bool) -> None:
    try:
        source = validate_repository_source(text, allow_local=allow_local)
    except GitError as refused:
        assert str(refused) and "Traceback" not in str(refused)
        return
    assert source.transport in ("https", "http", "ssh", "git", "file")
    assert allow_local or source.transport != "file"
    assert not source.url.startswith("-") and not REMOTE_HELPER.match(source.url)
    assert not re.search(r"[\x00-\x1f\x7f]", source.url)
    if scheme := URL_SCHEME.match(text.strip()):
        assert scheme.group(1).lower() in ALLOWED_SCHEMES
    assert SAFE_NAME.fullmatch(source.name) and ".." not in source.name, source


@FAST
@given(st.sampled_from(["ext::sh -c touch% /tmp/x", "fd::17", "--upload-pack=touch /tmp/x", "-c", "ftp://h/r"]), SOURCE)
def test_helpers_options_and_other_schemes_are_always_refused(dangerous: str, tail: str) -> None:
    with pytest.raises(RepositoryRefused):
        validate_repository_source(dangerous + tail.replace("\x00", ""), allow_local=True)


@FAST
@given(st.sampled_from(["/", "./", "file://", "file://localhost/", "~/"]), st.text(max_size=20))
def test_local_paths_are_refused_when_not_allowed(prefix: str, rest: str) -> None:
    with pytest.raises(RepositoryRefused):
        validate_repository_source(prefix + rest, allow_local=False)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=30), st.sampled_from(["-b", "--upload-pack=x", "a..b", "a/", "x.lock", "a//b"])))
def test_a_bad_ref_is_refused_before_git_runs(tmp_path_factory: pytest.TempPathFactory, ref: str) -> None:
    source = validate_repository_source("https://example.invalid/org/repo.git", allow_local=False)
    dest = tmp_path_factory.mktemp("clone") / "repo"
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._/+-]*", ref) and not re.search(r"\.\.|//|/$|\.$|\.lock$", ref):
        return  # a valid name: git would be asked for it (the clone tests cover that)
    with pytest.raises(RepositoryRefused, match="refused ref"):
        clone(source, dest, ref=ref, timeout=5, max_files=10, max_bytes=1000)
    assert not dest.exists()


@FAST
@given(st.one_of(st.text(max_size=140), st.from_regex(ID_RULE, fullmatch=True), st.integers(), st.none()))
def test_an_id_is_refused_with_invalid_name_error_or_is_one_safe_path_component(value: object) -> None:
    try:
        accepted = validate_id(value)  # type: ignore[arg-type]
    except InvalidNameError as refused:
        assert "invalid pipeline id" in str(refused)
        return
    assert isinstance(value, str) and accepted == value
    assert ID_RULE.fullmatch(value) and ".." not in value
    assert Path(value).name == value and not Path(value).is_absolute()


@FAST
@given(
    st.text(alphabet="abc.-_09", max_size=10),
    st.sampled_from(["/", "\\", "..", "\x00", "\n", "\x7f", " ", "\u200b", "é"]),
    st.text(alphabet="abc.-_09", max_size=10),
    st.sampled_from(["", ".", "-", "_"]),
)
def test_separators_dots_controls_and_leading_punctuation_are_refused(
    before: str, bad: str, after: str, lead: str
) -> None:
    for value in (before + bad + after, lead + before + bad + after, "." + before, "-" + before, "x" * 129):
        with pytest.raises(InvalidNameError):
            validate_id(value, "workshop name")
