"""Schemathesis against a live agent's OpenAPI: generated requests to every route, never a server error.

The agent's ``/openapi.json`` names path parameters (``/tasks/{id}``) without declaring them, which
Schemathesis refuses; they are declared here as strings before generating. Any 5xx fails.
"""

from __future__ import annotations

import re

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

from support import AgentProcess

FAST_EXAMPLES = 8
SLOW_EXAMPLES = 100


def open_schema(url: str) -> schemathesis.BaseSchema:
    """The agent's OpenAPI document with its path parameters declared."""
    raw = httpx.get(url + "/openapi.json").json()
    for path, operations in raw["paths"].items():
        for operation in operations.values():
            declared = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "path"}
            for name in sorted(set(re.findall(r"{(\w+)}", path)) - declared):
                parameter = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                operation.setdefault("parameters", []).append(parameter)
    schema = schemathesis.openapi.from_dict(raw)
    schema.config.update(base_url=url)
    return schema


def run(agent: AgentProcess, examples: int) -> tuple[list[str], int]:
    """Every operation with `examples` positive and negative cases: the server errors, and the requests sent."""
    schema = open_schema(agent.url)
    errors: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(operation.as_strategy(generation_mode=mode))
            def check(case: Case) -> None:
                nonlocal sent
                response = case.call(base_url=agent.url, timeout=30)
                sent += 1
                if response.status_code >= 500:
                    errors.append(f"{response.status_code} {case.as_curl_command()}\n  -> {response.text[:300]}")

            try:
                check()
            except Unsatisfiable:  # nothing negative to send: an operation without parameters or body
                assert mode is GenerationMode.NEGATIVE
    return errors, sent


def test_generated_requests_never_get_a_server_error(agent: AgentProcess) -> None:
    errors, sent = run(agent, FAST_EXAMPLES)
    assert sent > 100
    assert not errors, "\n".join(errors)
    assert httpx.get(agent.url + "/healthz").status_code == 200


@pytest.mark.slow
def test_many_generated_requests_never_get_a_server_error(agent: AgentProcess) -> None:
    errors, sent = run(agent, SLOW_EXAMPLES)
    assert sent > 1000
    assert not errors, "\n".join(errors)
