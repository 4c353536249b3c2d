"""Workshop chat retrieval: Showroom pages split by section, embedded, stored in Milvus, searched and quoted.

    content.py         a workshop folder → its component, pages (includes resolved) and URLs
    chunking.py        pages → section chunks with stable ids
    embeddings.py      the `Embedder` port; minilm.py (bundled, offline), llama_stack_embeddings.py
    store.py           the `VectorStore` port and its errors; milvus.py (a server, or Milvus Lite)
    index.py           `ChatIndex`: index, search, list, remove
    sentences.py       a chunk's sentences and code blocks, and their vectors stored with the chunk
    answer.py          extractive answers and "not found"; model_answer.py (a language model, cited)
    chat.py            one question: search, then the model's answer or the extractive one
    sources.py         where a workshop to index comes from

Nothing here imports pymilvus or onnxruntime at import time: `ChatIndex.open` does, when it is called.
"""

from workshop_template_system.errors import StoreLocked, VectorStoreError
from workshop_template_system.rag.answer import Answer, extractive_answer, not_found_answer, relevant
from workshop_template_system.rag.chunking import Chunk, chunk_workshop
from workshop_template_system.rag.content import WorkshopContent, read_workshop
from workshop_template_system.rag.index import ChatIndex, Counts, Found, IndexReport

__all__ = [
    "Answer",
    "ChatIndex",
    "Chunk",
    "Counts",
    "Found",
    "IndexReport",
    "StoreLocked",
    "VectorStoreError",
    "WorkshopContent",
    "chunk_workshop",
    "extractive_answer",
    "not_found_answer",
    "read_workshop",
    "relevant",
]
