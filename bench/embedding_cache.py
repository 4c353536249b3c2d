"""The bundled embedding model with its vectors kept on disk, so a benchmark embeds each text once, ever.

Filling a chat index with 10,000 chunks takes the model about 12 minutes on 2 cores; the vectors do
not change between runs (the model is pinned by its sha256, the generated text is seeded), so they
are stored in ``<cache>/<model id>.npz`` keyed by the sha256 of each text. A text missing from the
cache is embedded by the real model, in the same batches the index uses. Only the benchmark's fill
uses this; what is measured (``index_workshop`` and ``ask`` in the agent) runs the model itself.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from workshop_template_system.rag.minilm import MiniLMEmbedder

DEFAULT_CACHE = Path(__file__).resolve().parent.parent / "build" / "bench-cache"


class CachedEmbedder:
    """`Embedder` of the bundled model that looks each text up on disk first and stores what it computes."""

    def __init__(self, cache: Path = DEFAULT_CACHE) -> None:
        self._model: MiniLMEmbedder | None = None
        self.model_id = MiniLMEmbedder.model_id
        self.dimension = MiniLMEmbedder.dimension
        self.path = cache / f"{self.model_id}.npz"
        self._known: dict[str, np.ndarray] = _load(self.path)
        self.computed = 0
        self._unsaved = False

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in self._known}
        if missing:
            self._model = self._model or MiniLMEmbedder(threads=1)  # no spinning threads on a shared machine
            vectors = self._model.embed(list(missing.values()))
            self._known.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
            self.computed += len(missing)
            self._unsaved = True
        return [self._known[key].tolist() for key in keys]

    def save(self) -> None:
        """Write the cache (atomically, merged with the file as it is now) when this run computed anything."""
        if not self._unsaved:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.npz")
        known = {**_load(self.path), **self._known}  # what another run saved meanwhile is kept
        keys = np.array(list(known), dtype="U64")
        np.savez(partial, keys=keys, vectors=np.stack(list(known.values())))
        partial.replace(self.path)
        self._unsaved = False

    def close(self) -> None:
        self.save()


def _load(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as stored:
        return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
