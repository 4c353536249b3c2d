"""The vector store port of the chat index: stored chunks, hybrid search, and the store's errors.

Implemented by `rag.milvus.MilvusStore` (a Milvus server, or Milvus Lite in the workspace).
Methods block: the index runs them off the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Record:
    """A chunk as stored: its text, where it is, what a citation needs, and its vector."""

    id: str
    workshop: str
    key: str
    page: str
    text: str
    metadata: dict[str, Any]
    vector: Sequence[float]
    sentence_vectors: str = ""
    """The vectors of the chunk's sentences (`rag.sentences.encode`)."""


@dataclass(frozen=True)
class Hit:
    """A stored chunk found by a search: its fused rank score and its vector, for a relevance check."""

    id: str
    workshop: str
    page: str
    text: str
    metadata: dict[str, Any]
    score: float
    vector: Sequence[float] = field(repr=False, default=())
    sentence_vectors: str = field(repr=False, default="")


class VectorStore(Protocol):
    """Chunks with a dense vector and a full-text (BM25) index, searched together, kept by workshop."""

    def stored(self, workshop: str) -> dict[str, str]:
        """The workshop's chunks as ``{key: id}``."""
        ...

    def write(self, workshop: str, records: Sequence[Record], delete: Sequence[str]) -> None:
        """Insert the workshop's `records` and delete its chunks with the ids in `delete`."""
        ...

    def flush(self, workshop: str) -> None:
        """Make the workshop's writes so far durable and quick to search."""
        ...

    def search(
        self, vector: Sequence[float], text: str, workshop: str | None, limit: int, candidates: int
    ) -> list[Hit]:
        """The `limit` best chunks for a question of `candidates` found by vector and by words, fused by rank.

        In one workshop when named.
        """
        ...

    def rows(self, fields: Sequence[str]) -> list[dict[str, Any]]:
        """Some fields of every stored chunk (for listing workshops)."""
        ...

    def delete_workshop(self, workshop: str) -> int:
        """Delete all of a workshop's chunks; how many there were."""
        ...

    def ping(self) -> None:
        """Raise when the store does not answer."""
        ...

    def close(self) -> None:
        """Release the connection (and, for Milvus Lite, the database's lock)."""
        ...
