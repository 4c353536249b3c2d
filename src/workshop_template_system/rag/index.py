"""The chat index: workshops indexed by section, searched by meaning and by words, listed and removed.

One `ChatIndex` per process holds the embedding model and the store (`ChatIndex.open`). Writes are
serialised twice: a thread lock in the process, and a workspace lock across the processes that share
a Milvus server (with Milvus Lite there is only one). Indexing is incremental: chunks whose id is
already stored are left alone, changed sections replace their old chunk, and chunks no longer in
the workshop are deleted, page by page, and the workshop is flushed once at the end.

Blocking: callers run every method off the event loop.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop_template_system.errors import ConfigurationError
from workshop_template_system.rag import sentences
from workshop_template_system.rag.chunking import Chunk, chunk_workshop
from workshop_template_system.rag.content import WorkshopContent
from workshop_template_system.rag.embeddings import Embedder, collection_name, embedder_from_settings
from workshop_template_system.rag.store import Hit, Record, VectorStore
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace, validate_id

AGENT_SLUG = "workshop-chat"
WRITE_LOCK = "rag-index"
CANDIDATES = 20
"""Chunks each search (dense and BM25) returns before fusion; more than top_k, so fusion can reorder."""
STORE_TIMEOUT = 30.0
"""Seconds one request to the Milvus server may take."""

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Counts:
    """What indexing did to a workshop's chunks."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class IndexReport:
    """The outcome of indexing one workshop."""

    workshop: str
    title: str
    pages: int
    chunks: Counts
    seconds: float
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Found:
    """A section found for a question: the stored hit, and its cosine similarity to the question."""

    hit: Hit
    similarity: float

    @property
    def meta(self) -> dict[str, Any]:
        return self.hit.metadata


@dataclass(frozen=True)
class Search:
    """What a search found for a question, best first, and the question's vector."""

    question_vector: Sequence[float]
    found: list[Found]


class ChatIndex:
    """The embedding model and the vector store of one process, and what the chat skills do with them."""

    def __init__(self, embedder: Embedder, store: VectorStore, workspace: Workspace, lock_timeout: float) -> None:
        self.embedder = embedder
        self.store = store
        self.workspace = workspace
        self.lock_timeout = lock_timeout
        self._writing = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, workspace: Workspace) -> ChatIndex:
        """Load the embedding model and open the store that ``MILVUS_ENDPOINT`` names (Milvus Lite when unset).

        Raises `ConfigurationError` (RAG_ENABLED is false, a setting cannot work), `StoreLocked` (another
        process has the Lite database), `VectorStoreError` or `ModelError`.
        """
        if not settings.rag_enabled:
            raise ConfigurationError("workshop chat is switched off (RAG_ENABLED=false)")
        from workshop_template_system.rag.milvus import check_lite_free  # a second or more to import

        if not settings.milvus_endpoint:
            check_lite_free(lite_path(workspace))  # say so before the model loads
        embedder = embedder_from_settings(settings)
        token = settings.milvus_token.reveal() if settings.milvus_token else None
        try:
            return cls.with_embedder(
                embedder, workspace, lock_timeout=settings.lock_timeout, endpoint=settings.milvus_endpoint, token=token
            )
        except BaseException:
            embedder.close()
            raise

    @classmethod
    def with_embedder(
        cls,
        embedder: Embedder,
        workspace: Workspace,
        *,
        lock_timeout: float,
        endpoint: str | None = None,
        token: str | None = None,
    ) -> ChatIndex:
        """An index over `embedder`'s collection: on the Milvus server at `endpoint`, else in the workspace's Lite."""
        from workshop_template_system.rag.milvus import MilvusStore

        store = MilvusStore.open(
            collection_name(embedder),
            embedder.dimension,
            endpoint=endpoint,
            token=token,
            lite_path=lite_path(workspace),
            timeout=STORE_TIMEOUT,
        )
        return cls(embedder, store, workspace, lock_timeout)

    def close(self) -> None:
        """Close the store (releasing a Lite database) and the model."""
        try:
            self.store.close()
        finally:
            self.embedder.close()

    def index(self, workshop: str, content: WorkshopContent, progress: Progress | None = None) -> IndexReport:
        """Bring the stored chunks of `workshop` in line with `content`, embedding only new or changed sections."""
        validate_id(workshop, "workshop name")
        started = time.monotonic()
        chunks = chunk_workshop(workshop, content)
        by_page: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in chunks:
            by_page[chunk.page].append(chunk)
        with self._write_lock():
            stored = self.store.stored(workshop)
            stored_pages = {key.partition("#")[0] for key in stored}
            added = updated = unchanged = 0
            pages = list(by_page) + sorted(stored_pages - set(by_page))
            for number, page in enumerate(pages, 1):
                fresh = [chunk for chunk in by_page.get(page, []) if stored.get(chunk.key) != chunk.id]
                gone = {chunk.key for chunk in by_page.get(page, [])}
                stale = [key for key in stored if key.partition("#")[0] == page and key not in gone]
                replaced = [stored[chunk.key] for chunk in fresh if chunk.key in stored]
                self.store.write(workshop, self._records(fresh), [stored[key] for key in stale] + replaced)
                updated += len(replaced)
                added += len(fresh) - len(replaced)
                unchanged += len(by_page.get(page, [])) - len(fresh)
                if progress is not None:
                    progress(f"indexed {page} ({number}/{len(pages)})", number / max(len(pages), 1))
            self.store.flush(workshop)
            removed = len(set(stored) - {chunk.key for chunk in chunks})
        counts = Counts(added, updated, removed, unchanged)
        return IndexReport(
            workshop, content.title, len(content.pages), counts, time.monotonic() - started, content.warnings
        )

    def search(self, question: str, workshop: str | None, limit: int) -> Search:
        """The sections that best answer `question`, best first, each with its similarity to it."""
        vector = self.embedder.embed([question])[0]
        hits = self.store.search(vector, question, workshop, limit, max(limit, CANDIDATES))
        return Search(vector, [Found(hit, _dot(vector, hit.vector)) for hit in hits])

    def workshops(self) -> list[dict[str, Any]]:
        """Every indexed workshop with its title, page and chunk counts, by name."""
        summary: dict[str, dict[str, Any]] = {}
        for row in self.store.rows(["workshop", "page", "meta"]):
            entry = summary.setdefault(row["workshop"], {"pages": set(), "chunks": 0, "title": ""})
            entry["pages"].add(row["page"])
            entry["chunks"] += 1
            entry["title"] = (row.get("meta") or {}).get("workshop_title") or entry["title"]
        return [
            {"workshop": name, "title": entry["title"], "pages": len(entry["pages"]), "chunks": entry["chunks"]}
            for name, entry in sorted(summary.items())
        ]

    def remove(self, workshop: str) -> int:
        """Delete a workshop's chunks; how many there were (0 when it was not indexed)."""
        validate_id(workshop, "workshop name")
        with self._write_lock():
            return self.store.delete_workshop(workshop)

    def _records(self, chunks: list[Chunk]) -> list[Record]:
        """The chunks with their vectors and their sentences' vectors, embedded in one call."""
        if not chunks:
            return []
        said = [sentences.embedding_texts(chunk.text) for chunk in chunks]
        vectors = self.embedder.embed([chunk.text for chunk in chunks] + [text for texts in said for text in texts])
        sentence_vectors = iter(vectors[len(chunks) :])
        return [
            Record(
                chunk.id,
                chunk.workshop,
                chunk.key,
                chunk.page,
                chunk.text,
                chunk.metadata(),
                vector,
                sentences.encode([next(sentence_vectors) for _ in texts]),
            )
            for chunk, vector, texts in zip(chunks, vectors, said, strict=False)
        ]

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        with self._writing, self.workspace.lock(WRITE_LOCK, agent=AGENT_SLUG, timeout=self.lock_timeout):
            yield


def lite_path(workspace: Workspace) -> Path:
    """Where Milvus Lite keeps the index when no Milvus server is configured."""
    return workspace.root / "rag" / "milvus.db"


def _dot(left: Any, right: Any) -> float:
    return float(sum(a * b for a, b in zip(left, right, strict=False))) if len(right) else 0.0
