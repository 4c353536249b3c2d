"""A chunk's sentences, list items and code blocks, and the sentence vectors stored with the chunk.

The extractive answer picks sentences by meaning. Embedding them at every question cost most of an
``ask`` (about 0.5 s for five sections on two cores), so the index embeds them once, with the chunk,
and stores their vectors beside it (`encode`): one int8 vector per readable sentence (`prose`), in
page order, each with its own scale. Ranking by their dot products changes nothing measurable
(cosines move by less than 0.01), and a sentence costs 388 bytes instead of 1,536.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_FENCE = re.compile(r"^```[^\n]*\n.*?\n```$", re.DOTALL | re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\[(\"'])")
_CODE_CONTEXT = 300
"""Characters of the command a sentence introduces that are embedded with it."""
_SCALE = np.dtype("<f4")


@dataclass(frozen=True)
class Unit:
    """A sentence, list item or code block of a section, in page order."""

    section: int
    position: int
    block: int
    text: str
    code: bool


def units(section: int, chunk_text: str) -> list[Unit]:
    """Sentences, list items and table rows, and code blocks kept whole, of a stored chunk, in order."""
    body = _body(chunk_text)
    found: list[Unit] = []
    cursor = block = 0
    for fence in [*_FENCE.finditer(body), None]:
        prose_text = body[cursor : fence.start() if fence else len(body)]
        for paragraph in prose_text.split("\n\n"):
            for line in _lines(paragraph):
                found.append(Unit(section, len(found), block, line, code=False))
            block += 1
        if fence is None:
            break
        found.append(Unit(section, len(found), block, fence.group(0), code=True))
        block += 1
        cursor = fence.end()
    return found


def prose(section_units: Sequence[Unit]) -> list[Unit]:
    """The units a participant can read as an answer: sentences with words, not code or bare file names."""
    return [unit for unit in section_units if not unit.code and _says_something(unit.text)]


def embedding_texts(chunk_text: str) -> list[str]:
    """What is embedded for each of a chunk's `prose` units: the sentence and the start of the command it introduces."""
    section_units = units(0, chunk_text)
    return [meaning(section_units, unit) for unit in prose(section_units)]


def meaning(section_units: Sequence[Unit], unit: Unit) -> str:
    """A sentence with the start of the command it introduces: what it means to a participant."""
    code = next(iter(code_run(section_units, unit)), None)
    return f"{unit.text}\n{code.text[:_CODE_CONTEXT]}" if code is not None else unit.text


def code_run(section_units: Sequence[Unit], unit: Unit) -> list[Unit]:
    """The code blocks right after the paragraph of `unit`, up to the next prose: the commands it introduces."""
    last = max(other.position for other in section_units if other.section == unit.section and other.block == unit.block)
    run: list[Unit] = []
    for following in (other for other in section_units if other.section == unit.section and other.position > last):
        if not following.code:
            break
        run.append(following)
    return run


def encode(vectors: Sequence[Sequence[float]]) -> str:
    """Vectors as one ASCII string: per vector a float32 scale and int8 components, base64."""
    if not len(vectors):
        return ""
    matrix = np.asarray(vectors, dtype=np.float32)
    scales = np.abs(matrix).max(axis=1) / 127
    scales[scales == 0] = 1.0
    quantized = np.round(matrix / scales[:, None]).astype(np.int8)
    rows = [scale.astype(_SCALE).tobytes() + row.tobytes() for scale, row in zip(scales, quantized, strict=True)]
    return base64.b64encode(b"".join(rows)).decode("ascii")


def decode(text: str, dimension: int) -> np.ndarray | None:
    """The vectors `encode` wrote, as a float32 matrix; None when `text` holds no vectors of `dimension`."""
    if not text or dimension <= 0:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    width = _SCALE.itemsize + dimension
    if len(raw) % width:
        return None
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(-1, width)
    scales = rows[:, : _SCALE.itemsize].copy().view(_SCALE)
    return rows[:, _SCALE.itemsize :].view(np.int8).astype(np.float32) * scales


def _body(text: str) -> str:
    """A stored chunk's text without its heading line."""
    return text.partition("\n\n")[2] or text


def _lines(block: str) -> list[str]:
    block = block.strip()
    if not block or block.startswith("#### "):
        return []
    if "\n" in block:  # a list or a table: one item or row at a time
        return [line.strip() for line in block.splitlines() if line.strip()]
    return [sentence.strip() for sentence in _SENTENCE_END.split(block) if sentence.strip()]


def _says_something(text: str) -> bool:
    """Words a participant can read, not only file names or values in code spans (a "Source files" list)."""
    return len(re.findall(r"[A-Za-z]{2,}", re.sub(r"`[^`]*`", " ", text))) >= 2
