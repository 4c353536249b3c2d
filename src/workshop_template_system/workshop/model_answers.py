"""Reading what a language model answered: the JSON object in it, and text that must never reach a page."""

from __future__ import annotations

import json
import re
from typing import Any

PLACEHOLDER = re.compile(
    r"\bTODO\b|\bTBD\b|\bFIXME\b|\blorem\b|\[\s*content to be|\bkey benefit|<\s*insert|\[\s*insert|your text here",
    re.IGNORECASE,
)
_FENCED = re.compile(r"```[A-Za-z]*\s*\n(.*?)```", re.DOTALL)


class InvalidAnswer(ValueError):
    """An answer that cannot be used; its message says why."""


def json_object(answer: str) -> dict[str, Any]:
    """The JSON object in the answer, inside a ```json fence or not, with any chatter around it ignored."""
    fenced = _FENCED.search(answer)
    text = fenced.group(1) if fenced else answer
    start = text.find("{")
    try:
        data = json.JSONDecoder().raw_decode(text, start)[0] if start >= 0 else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise InvalidAnswer("the model's answer was not valid JSON")
    return data
