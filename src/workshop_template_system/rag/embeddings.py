"""Text embeddings for the chat index: the port, and the choice between the bundled model and Llama Stack.

Each model writes to its own collection (`collection_name`): vectors of two models are never
compared, and switching models starts an index of its own rather than mixing the two.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from workshop_template_system.errors import ConfigurationError
from workshop_template_system.settings import Settings


class Embedder(Protocol):
    """Texts in, one unit-length vector per text out (cosine similarity is their dot product)."""

    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order; `ModelError` or `ConfigurationError` when the model cannot answer."""
        ...

    def close(self) -> None:
        """Release the model (an HTTP client, an inference session)."""
        ...


def embedder_from_settings(settings: Settings) -> Embedder:
    """Llama Stack's embeddings with ``EMBEDDING_MODEL_ID``, else the bundled all-MiniLM-L6-v2.

    The backends are imported here, not at the top: onnxruntime takes a third of a second to import,
    and every agent process imports the agent modules, the chat agent's included.
    """
    if settings.embedding_model_id:
        if not settings.llama_stack_endpoint:
            raise ConfigurationError(
                "EMBEDDING_MODEL_ID names a model of a Llama Stack server: set LLAMA_STACK_ENDPOINT too, "
                "or unset EMBEDDING_MODEL_ID to use the bundled embedding model"
            )
        from workshop_template_system.rag.llama_stack_embeddings import LlamaStackEmbedder

        return LlamaStackEmbedder(settings.llama_stack_endpoint, settings.embedding_model_id, settings.llm_timeout)
    from workshop_template_system.rag.minilm import MiniLMEmbedder

    return MiniLMEmbedder()


def collection_name(embedder: Embedder) -> str:
    """``chunks_<model slug>_<dimension>``: one Milvus collection per embedding model."""
    slug = re.sub(r"[^a-z0-9]+", "_", embedder.model_id.lower()).strip("_")[:120] or "model"
    return f"chunks_{slug}_{embedder.dimension}"
