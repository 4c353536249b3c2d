"""No secret in what is committed, built or served: no key or token in a tracked file, secret files ignored by git
and left out of the image's build context wherever they lie, no secret build setting, no token on any agent's card.

tests/kubernetes (Secrets and env of the manifests), tests/compose (secrets from variables, .env ignored, the
example's placeholders), tests/image (top-level names out of the build context) and tests/runtime/test_secrets.py
(one agent's card, metrics and logs) already check their part; this covers what they leave out."""

from __future__ import annotations

import re
import subprocess

import httpx
from security_support import BEARER, TOKEN

from support import ROOT
from workshop_template_system.settings import AGENT_NAMES

SECRET_FILES = ("agent.token", "deploy/a2a.token", "src/.env", "k8s/overlays/production/.env", "tests/.env")
KEY_OR_TOKEN = re.compile(
    r"-{5}BEGIN [A-Z ]*PRIVATE KEY-{5}"  # PEM private keys
    r"|\bAKIA[0-9A-Z]{16}\b"  # AWS access key ids
    r"|\bgh[pousr]_[A-Za-z0-9]{36}\b"  # GitHub tokens
    r"|\bglpat-[A-Za-z0-9_-]{20}\b"  # GitLab tokens
    r"|\bxox[abprs]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|\bsk-[A-Za-z0-9]{32,}\b"  # OpenAI-style API keys
)
SECRET_NAME = re.compile(r"TOKEN|PASSWORD|SECRET|API_KEY|ACCESS_KEY|CREDENTIAL", re.IGNORECASE)


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=30)


def test_git_ignores_env_and_token_files_at_any_depth() -> None:
    assert [name for name in SECRET_FILES if _git("check-ignore", "-q", "--no-index", name).returncode != 0] == []


def test_no_tracked_file_is_a_secret_file_or_holds_a_key_or_token() -> None:
    tracked = _git("ls-files", "-z").stdout.split("\0")
    assert [name for name in tracked if re.search(r"(^|/)\.env$|\.token$|\.pem$|id_rsa", name)] == []
    found = []
    for name in filter(None, tracked):
        path = ROOT / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            found += [f"{name}: {match[:12]}..." for match in KEY_OR_TOKEN.findall(path.read_text(errors="ignore"))]
    assert found == []


def test_the_image_takes_no_secret_as_a_build_argument_or_setting() -> None:
    """Build arguments and ENV values stay in the image's history for anyone who pulls it."""
    text = (ROOT / "Dockerfile").read_text()
    declared = re.findall(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", text, flags=re.MULTILINE)
    declared += re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", " ".join(re.findall(r"^\s*ENV\s+(.*)", text, re.MULTILINE)))
    assert [name for name in declared if SECRET_NAME.search(name)] == []


def _docker_pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker reads it: from the context root; ``**`` any folders, ``*`` within one."""
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern)
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def _left_out_of_the_build(relative: str) -> bool:
    """Whether `relative` (or a folder holding it) is excluded; the last matching line wins, ``!`` re-includes."""
    verdict = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        regex = _docker_pattern(pattern.removeprefix("!").strip("/"))
        parts = relative.split("/")
        if any(regex.fullmatch("/".join(parts[:end])) for end in range(1, len(parts) + 1)):
            verdict = not pattern.startswith("!")
    return verdict


def test_the_docker_pattern_reading_matches_dockers_rules() -> None:
    assert _left_out_of_the_build(".env") and _left_out_of_the_build("workspace/x/y")
    assert not _left_out_of_the_build("src/workshop_template_system/settings.py")
    assert _docker_pattern("**/.env").fullmatch("src/a/.env") and not _docker_pattern(".env").fullmatch("src/.env")


def test_secret_files_are_left_out_of_the_build_context_at_any_depth() -> None:
    assert [name for name in SECRET_FILES if not _left_out_of_the_build(name)] == []


def test_no_agents_card_skills_or_schema_shows_the_token(deployment) -> None:
    for agent in AGENT_NAMES:
        url = deployment.url(agent)
        card = httpx.get(url + "/agent-card", timeout=30)
        assert card.json()["securitySchemes"]["bearer"]["httpAuthSecurityScheme"]["scheme"] == "bearer", agent
        pages = [card.text, httpx.get(url + "/.well-known/agent-card.json", timeout=30).text]
        pages += [httpx.get(url + path, headers=BEARER, timeout=30).text for path in ("/skills", "/openapi.json")]
        pages += [httpx.get(url + path, timeout=30).text for path in ("/metrics", "/readyz", "/healthz")]
        assert [page for page in pages if TOKEN in page] == [], agent
