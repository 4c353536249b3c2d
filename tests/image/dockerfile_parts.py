"""Read the Dockerfile as instructions and answer what `.dockerignore` keeps out of the build context."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction with its continuation lines joined: ``RUN``, ``apt-get update && ...``."""

    keyword: str
    arguments: str


def instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    """The instructions in order; comments and blank lines dropped, ``\\`` continuations joined."""
    found: list[Instruction] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        found.append(Instruction(keyword.upper(), re.sub(r"\s+", " ", arguments).strip()))
        pending = ""
    return found


def last(keyword: str, path: Path = DOCKERFILE) -> Instruction:
    """The last instruction with this keyword (the one the final image keeps)."""
    matching = [instruction for instruction in instructions(path) if instruction.keyword == keyword]
    assert matching, f"no {keyword} in {path}"
    return matching[-1]


def final_stage(path: Path = DOCKERFILE) -> list[Instruction]:
    """The instructions of the last stage, from its ``FROM`` on."""
    everything = instructions(path)
    start = max(index for index, instruction in enumerate(everything) if instruction.keyword == "FROM")
    return everything[start:]


def excluded(relative: str, path: Path = DOCKERIGNORE) -> bool:
    """Whether the build context leaves out ``relative`` (a top-level name), by `.dockerignore` rules.

    Docker's rules: patterns are matched against the path from the context root (``**`` matches any
    number of directories), a leading ``!`` re-includes, and the last matching line wins.
    """
    verdict = False
    for line in path.read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        keep = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        candidates = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch.fnmatchcase(relative, candidate) for candidate in candidates):
            verdict = not keep
    return verdict
