"""Helpers of the chat index tests: the fixture workshop, a remembering embedding model, a Lite index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workshop_template_system.rag.index import ChatIndex
from workshop_template_system.rag.minilm import MiniLMEmbedder
from workshop_template_system.workspace import Workspace

FIXTURE = Path(__file__).parent / "fixture_workshop"
RAG_VARIABLES = (
    "MILVUS_ENDPOINT",
    "MILVUS_TOKEN",
    "RAG_ENABLED",
    "EMBEDDING_MODEL_ID",
    "LLAMA_STACK_ENDPOINT",
    "INFERENCE_MODEL_ID",
)


class RememberingEmbedder:
    """The bundled model, remembering the vectors it computed: a session embeds each text once."""

    def __init__(self) -> None:
        self._model = MiniLMEmbedder()
        self.model_id = self._model.model_id
        self.dimension = self._model.dimension
        self._known: dict[str, list[float]] = {}
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(text for text in texts if text not in self._known))
        if missing:
            self._known.update(zip(missing, self._model.embed(missing), strict=True))
            self.embedded += len(missing)
        return [self._known[text] for text in texts]

    def close(self) -> None:
        """Shared by the whole session: nothing to close per test."""


def open_index(root: Path, embedder: RememberingEmbedder) -> ChatIndex:
    """A chat index in Milvus Lite under ``root``, with the session's embedding model."""
    workspace = Workspace(root)
    workspace.ensure()
    return ChatIndex.with_embedder(embedder, workspace, lock_timeout=10)
