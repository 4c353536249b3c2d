"""Embeddings from a Llama Stack server (``POST /v1/embeddings``, OpenAI-compatible) via ``llama-stack-client``.

The model's dimension is learnt from one embedding at start, since it names the collection.
Vectors are normalised here: servers differ in whether they normalise, and the index compares
vectors by their dot product.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import llama_stack_client
from llama_stack_client import LlamaStackClient

from workshop_template_system.errors import ModelError
from workshop_template_system.integrations.llama_stack import model_error

BATCH = 32


class LlamaStackEmbedder:
    """`Embedder` of a model served by Llama Stack (or any OpenAI-compatible ``/v1/embeddings``)."""

    def __init__(self, endpoint: str, model_id: str, timeout: float) -> None:
        self.endpoint = endpoint.strip().rstrip("/").removesuffix("/v1")
        self.model_id = model_id
        self.timeout = timeout
        self._client = LlamaStackClient(base_url=self.endpoint, timeout=timeout, max_retries=1)
        self.dimension = len(self._request(["dimension probe"])[0])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors, requested in batches of `BATCH` texts."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            vectors.extend(self._request(texts[start : start + BATCH]))
        return vectors

    def _request(self, texts: Sequence[str]) -> list[list[float]]:
        try:
            response = self._client.embeddings.create(model=self.model_id, input=list(texts), encoding_format="float")
        except llama_stack_client.NotFoundError as exc:
            raise ModelError(
                f"the server at {self.endpoint} has no embedding model '{self.model_id}': check EMBEDDING_MODEL_ID"
            ) from exc
        except llama_stack_client.LlamaStackClientError as exc:
            raise model_error(exc, self.endpoint, self.model_id, self.timeout) from exc
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts) or any(not isinstance(item.embedding, list) for item in data):
            raise ModelError(
                f"the embedding model '{self.model_id}' at {self.endpoint} answered {len(data)} vectors "
                f"for {len(texts)} texts"
            )
        return [_unit(item.embedding) for item in data]  # type: ignore[arg-type]  # lists, checked above

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]
