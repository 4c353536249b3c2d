"""Every skill input that takes a URL, a repository, a path, or a name that becomes a path, with hostile values
for each kind. `input_fields` reads the live agents' input schemas, so a new field must be classified here."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from security_support import MARKER

from workshop_template_system.settings import AGENT_NAMES

SAFE_SOURCE = "http://127.0.0.1:1/safe.git"
"""A source every check accepts; nothing listens on port 1, so nothing is ever cloned from it."""
PIPELINE = "{pipeline}"
"""Stands for the pipeline with a written workshop (`workshop` fixture), where a check needs one to be reached."""


@dataclass(frozen=True)
class EntryPoint:
    """One input field of one skill: hostile values go into `field`, the other inputs are valid (`base`)."""

    agent: str
    skill: str
    field: str
    kind: str
    base: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.agent}.{self.skill}.{self.field}"

    def input(self, value: str, pipeline_id: str) -> dict[str, Any]:
        data = _filled(copy.deepcopy(self.base), pipeline_id)
        *outer, last = self.field.split(".")
        target = data
        for name in outer:
            target = target.setdefault(name, {})
        target[last] = value
        return data


def _filled(data: dict[str, Any], pipeline_id: str) -> dict[str, Any]:
    for key, value in data.items():
        if value == PIPELINE:
            data[key] = pipeline_id
        elif isinstance(value, dict):
            _filled(value, pipeline_id)
    return data


def _entry(agent: str, skill: str, field_path: str, kind: str, **base: Any) -> EntryPoint:
    return EntryPoint(agent, skill, field_path, kind, base)


TC, CC, RV, SM, DP, WC = AGENT_NAMES[1], AGENT_NAMES[2], AGENT_NAMES[3], AGENT_NAMES[4], AGENT_NAMES[5], AGENT_NAMES[0]
ENTRY_POINTS = (
    *(_entry(agent, "workspace_status", "pipeline_id", "name") for agent in AGENT_NAMES),
    # template_converter
    _entry(TC, "analyze_repository", "repository", "source"),
    _entry(TC, "analyze_repository", "ref", "ref", repository=SAFE_SOURCE),
    _entry(TC, "analyze_repository", "pipeline_id", "name", repository=SAFE_SOURCE),
    _entry(TC, "convert_repository", "repository", "source"),
    _entry(TC, "convert_repository", "ref", "ref", repository=SAFE_SOURCE),
    _entry(TC, "convert_repository", "pipeline_id", "name", repository=SAFE_SOURCE),
    _entry(TC, "run_pipeline", "repository", "source", name="w"),
    _entry(TC, "run_pipeline", "ref", "ref", repository=SAFE_SOURCE, name="w"),
    _entry(TC, "run_pipeline", "name", "name", repository=SAFE_SOURCE),
    _entry(TC, "resume_pipeline", "pipeline_id", "name"),
    _entry(TC, "approve_pipeline", "pipeline_id", "name"),
    _entry(TC, "reject_pipeline", "pipeline_id", "name", reason="no"),
    _entry(TC, "pipeline_status", "pipeline_id", "name"),
    # content_creator
    _entry(CC, "create_workshop", "pipeline_id", "name"),
    _entry(CC, "enhance_workshop", "pipeline_id", "name"),
    # research_validation
    _entry(RV, "validate_workshop", "pipeline_id", "name"),
    _entry(RV, "validate_workshop", "path", "path"),
    _entry(RV, "validate_workshop", "repository", "source"),
    _entry(RV, "validate_workshop", "ref", "ref", repository=SAFE_SOURCE),
    # source_manager
    _entry(SM, "publish_workshop", "pipeline_id", "name", repository="r"),
    _entry(SM, "publish_workshop", "repository", "name", pipeline_id=PIPELINE),
    _entry(SM, "publish_workshop", "organization", "name", pipeline_id=PIPELINE, repository="r"),
    _entry(SM, "publish_workshop", "version", "ref", pipeline_id=PIPELINE, repository="r"),
    _entry(SM, "publish_branch", "pipeline_id", "name", repository="r", branch="b"),
    _entry(SM, "publish_branch", "repository", "name", pipeline_id=PIPELINE, branch="b"),
    _entry(SM, "publish_branch", "organization", "name", pipeline_id=PIPELINE, repository="r", branch="b"),
    _entry(SM, "publish_branch", "branch", "ref", pipeline_id=PIPELINE, repository="r"),
    _entry(SM, "list_repositories", "organization", "name"),
    _entry(SM, "list_versions", "repository", "name"),
    _entry(SM, "list_versions", "organization", "name", repository="r"),
    _entry(SM, "rollback", "repository", "name", version="v1"),
    _entry(SM, "rollback", "organization", "name", repository="r", version="v1"),
    _entry(SM, "rollback", "version", "ref", repository="r"),
    _entry(SM, "sync_repository", "source", "source", repository="r"),
    _entry(SM, "sync_repository", "repository", "name", source=SAFE_SOURCE),
    _entry(SM, "sync_repository", "organization", "name", source=SAFE_SOURCE, repository="r"),
    # documentation_pipeline
    _entry(DP, "watch_repository", "repository", "source", workshop="w", pipeline_id=PIPELINE),
    _entry(DP, "watch_repository", "workshop", "name", repository=SAFE_SOURCE, pipeline_id=PIPELINE),
    _entry(DP, "watch_repository", "pipeline_id", "name", repository=SAFE_SOURCE, workshop="w"),
    _entry(DP, "watch_repository", "branch", "ref", repository=SAFE_SOURCE, workshop="w", pipeline_id=PIPELINE),
    _entry(DP, "unwatch", "workshop", "name"),
    _entry(DP, "check_updates", "workshop", "name"),
    _entry(DP, "propose_update", "workshop", "name"),
    # workshop_chat
    _entry(WC, "index_workshop", "workshop", "name", source={"pipeline_id": PIPELINE}),
    _entry(WC, "index_workshop", "source.pipeline_id", "name", workshop="w"),
    _entry(WC, "index_workshop", "source.path", "path", workshop="w"),
    _entry(WC, "index_workshop", "source.repository", "source", workshop="w"),
    _entry(WC, "index_workshop", "source.ref", "ref", workshop="w", source={"repository": SAFE_SOURCE}),
    _entry(WC, "ask", "workshop", "name", question="how?"),
    _entry(WC, "remove_workshop", "workshop", "name"),
)
CONTENT_FIELDS = frozenset(
    {
        "run_pipeline.approval",
        "approve_pipeline.note",
        "reject_pipeline.reason",
        "create_workshop.outline",  # text only: module ids are slugs; written escaped (test_hostile_inputs)
        "create_workshop.topic",
        "create_workshop.objectives",
        "research_topic.query",  # sent to the operator's SEARCH_PROVIDER only
        "publish_workshop.message",
        "publish_branch.message",
        "publish_branch.title",
        "publish_branch.body",
        "ask.question",
        "ask.top_k",
    }
)
"""Fields that never become a path, a URL or a git argument."""

NAME_VALUES = (f"../../{MARKER}", f"-{MARKER}\x00", MARKER + "a" * 300)
"""Traversal (and a separator), an option with a NUL, a name too long for one path component."""
REF_VALUES = (f"--upload-pack=touch /tmp/{MARKER}", f"../../{MARKER}", f"{MARKER}..main", f"{MARKER}\x00")
PATH_VALUES = {"/etc": "local", f"../../{MARKER}": "local"}
SOURCE_VALUES = {
    f"ext::sh -c touch% /tmp/{MARKER}": "remote helper",
    f"--upload-pack=touch /tmp/{MARKER}": "git option",
    f"ssh://-oProxyCommand=touch%20/tmp/{MARKER}/r": "no valid host",
    f"git@-oProxyCommand=touch:/tmp/{MARKER}": "option",
    "file:///etc": "local paths are not allowed",
    f"/tmp/{MARKER}": "local paths are not allowed",
    f"https://example.invalid/{MARKER}\x00.git": "control characters",
    f"gopher://127.0.0.1:1/{MARKER}": "not supported",
    "https://" + "a" * 2100 + f".{MARKER}/r.git": "2048",
}
"""Each refused before any connection, with (part of) the reason given."""


def input_fields(schema: dict[str, Any]) -> set[str]:
    """The dotted paths of a skill's input fields, into nested objects (``source.repository``) but not content."""
    definitions = schema.get("$defs", {})

    def walk(node: dict[str, Any], prefix: str) -> set[str]:
        found: set[str] = set()
        for name, spec in node.get("properties", {}).items():
            path = prefix + name
            found.add(path)
            refs = [spec.get("$ref"), *(choice.get("$ref") for choice in spec.get("anyOf", []))]
            nested = [definitions[ref.rsplit("/", 1)[-1]] for ref in refs if ref]
            if nested and path != "outline":
                found.discard(path)
                found |= walk(nested[0], path + ".")
        return found

    return walk(schema, "")
