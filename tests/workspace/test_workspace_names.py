"""Ids and names that become paths: what is accepted, what is refused and how it is said."""

from __future__ import annotations

import pytest

from workshop_template_system.errors import InvalidNameError
from workshop_template_system.workspace import validate_id


@pytest.mark.parametrize(
    "value",
    ["p", "pipeline-20261127-183000-ab12cd", "content_creator", "v1.2.3", "A-b_c.d", "9" * 128, "a.b-"],
)
def test_accepts_safe_ids(value: str) -> None:
    assert validate_id(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "..",
        "../etc",
        "a/../b",
        "a..b",
        "a/b",
        "a\\b",
        "/abs",
        "/",
        ".hidden",
        "-rf",
        "_x",
        "a b",
        " a",
        "a\n",
        "a\x00b",
        "tab\t",
        "café",
        "ｐｉｐｅ",
        "9" * 129,
    ],
)
def test_refuses_unsafe_ids(value: str) -> None:
    with pytest.raises(InvalidNameError):
        validate_id(value)


def test_message_is_one_line_naming_kind_value_and_rule() -> None:
    with pytest.raises(InvalidNameError) as caught:
        validate_id("../secrets\n", kind="resource")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("invalid resource '../secrets\\n':")
    assert "no '..'" in message


def test_long_values_are_truncated_in_the_message() -> None:
    with pytest.raises(InvalidNameError) as caught:
        validate_id("x" * 1000)
    assert len(str(caught.value)) < 200


def test_non_strings_are_refused() -> None:
    with pytest.raises(InvalidNameError):
        validate_id(None)  # type: ignore[arg-type]
