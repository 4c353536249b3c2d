"""A workspace whose chat index holds generated workshops, written by the project's own `ChatIndex`.

The workshops are generated (`generated_workshop`), read and chunked by the project (`read_workshop`,
`ChatIndex.index`) and stored in the Milvus Lite database a workshop_chat agent opens in that
workspace (``<workspace>/rag/milvus.db``, the collection of the bundled model). Only the vectors come
from `CachedEmbedder`: the same model, computed once and kept on disk.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from embedding_cache import DEFAULT_CACHE, CachedEmbedder
from generated_workshop import Question, write_workshop
from workshop_template_system.rag.content import read_workshop
from workshop_template_system.rag.index import ChatIndex
from workshop_template_system.workspace import Workspace

WORKSHOP_CHUNKS = 1100
"""Chunks of each filled workshop but the last: 10,000 chunks make 9 workshops, each about 1/9 of the collection.

Workshop n is always generated from the same seed, and a smaller one is the first pages of the full
one, so every size of fill shares the vectors cached by the others."""
FILL_SEED = 7000


@dataclass(frozen=True)
class Filled:
    """What the fill stored: chunks per workshop, the questions about them, and how long it took."""

    chunks: dict[str, int]
    questions: list[Question]
    seconds: float
    computed: int  # vectors the model computed because the cache lacked them


def workshop_sizes(chunks: int) -> list[int]:
    """`WORKSHOP_CHUNKS` per workshop, the rest in the last one."""
    full, rest = divmod(chunks, WORKSHOP_CHUNKS)
    return [WORKSHOP_CHUNKS] * full + ([rest] if rest else [])


def quiet() -> None:
    """Milvus Lite logs every compaction at INFO: only warnings, please, in a benchmark's output."""
    for name in ("milvus_lite", "workshop_template_system"):
        logging.getLogger(name).setLevel(logging.WARNING)


def fill(workspace_root: Path, chunks: int, cache: Path = DEFAULT_CACHE) -> Filled:
    """Store `chunks` chunks in workshops of `WORKSHOP_CHUNKS`; the Lite database is closed after."""
    quiet()
    started = time.perf_counter()
    workspace = Workspace(workspace_root)
    workspace.ensure()
    embedder = CachedEmbedder(cache)
    index = ChatIndex.with_embedder(embedder, workspace, lock_timeout=30)
    stored: dict[str, int] = {}
    questions: list[Question] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-fill-") as scratch:
            for number, wanted in enumerate(workshop_sizes(chunks)):
                name = f"fill-{number + 1:02}"
                questions += write_workshop(Path(scratch) / name, name, wanted, FILL_SEED + number)
                report = index.index(name, read_workshop(Path(scratch) / name))
                stored[name] = report.chunks.added + report.chunks.unchanged
                embedder.save()  # what was computed survives an interrupted fill
    finally:
        index.close()
    return Filled(stored, questions, time.perf_counter() - started, embedder.computed)
