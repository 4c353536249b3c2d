"""`VectorStore` on Milvus through pymilvus: a server at ``MILVUS_ENDPOINT``, else Milvus Lite in the workspace.

One collection per workshop (`collection_of`: the model's prefix, then the workshop's name): a
question about one workshop searches that workshop only, and removing a workshop drops its
collection. Milvus Lite 3 runs every search in Python and walks every row of the collection it
searches (versions, deletions, BM25), so with all workshops in one collection a question about one
workshop among ten cost as much as a search of all ten (p50 75 ms against 38 ms for its own 1,100
rows, measured here). A question about all workshops searches each and merges the fused results by
score. An index written by an older version (one collection for every workshop, named by the prefix
alone) is moved into per-workshop collections when the store opens, vectors and all.

Facts this follows (pymilvus 3.0.2, milvus-lite 3.2.2): one process only may open a Lite database,
and a second gets an opaque "Open local milvus failed" (`StoreLocked` says what it means); closing
the client does not release the database, so `close` stops Lite's in-process server too; a
collection must be loaded after every open; rows are flushed after each workshop is written, as
unflushed rows make searches slow; FLAT is exact, where filtered HNSW in Lite missed true hits; BM25 works with the
``standard`` analyzer, and its scores come back negated (they only rank here, fused by RRF).
Lite computes BM25's IDF per segment (each flush makes one, merged four at a time): one flush per
indexed workshop keeps a workshop in few segments, and a small update may rank lower by words until
the next merge. A Milvus server keeps these statistics for the whole collection.

Every pymilvus (and gRPC) exception becomes a `VectorStoreError` naming the store, here and nowhere else.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import grpc
from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, MilvusException, RRFRanker

from workshop_template_system.errors import StoreLocked, VectorStoreError
from workshop_template_system.rag.store import Hit, Record

log = logging.getLogger(__name__)

RRF_K = 60
QUERY_LIMIT = 16_384  # Milvus's cap on one query's offset + limit
MAX_TEXT_BYTES = 60_000
MAX_SENTENCES_CHARS = 65_535
"""More sentence vectors than fit here (about 125 sentences) are not stored: the answer embeds them instead."""
SENTENCES = "sentences"
_FIELDS = ["id", "workshop", "page", "text", "meta", "dense", SENTENCES]
_MOVED_FIELDS = ["id", "workshop", "key", "page", "meta", "text", "dense"]
"""What a collection of an older version holds besides BM25's sparse vectors (which Milvus computes)."""


class MilvusStore:
    """Chunks of one embedding model, a collection per workshop, on a Milvus server or in Milvus Lite."""

    def __init__(self, client: MilvusClient, prefix: str, dimension: int, where: str, lite_path: Path | None) -> None:
        self._client = client
        self.prefix = prefix
        self.dimension = dimension
        self.where = where
        self._lite_path = lite_path
        self._loaded: set[str] = set()

    @classmethod
    def open(
        cls,
        prefix: str,
        dimension: int,
        *,
        endpoint: str | None,
        token: str | None,
        lite_path: Path,
        timeout: float,
    ) -> MilvusStore:
        """Connect (or open the Lite database), move an older version's index, and load every workshop."""
        where = endpoint or str(lite_path)
        if endpoint:
            client = _call(where, lambda: MilvusClient(uri=endpoint, token=token or "", timeout=timeout))
            store = cls(client, prefix, dimension, where, None)
        else:
            lite_path.parent.mkdir(parents=True, exist_ok=True)
            store = cls(_open_lite(lite_path), prefix, dimension, where, lite_path)
        try:
            store._move_single_collection()
            for name in store._collections():
                store._load(name)
        except BaseException:
            store.close()
            raise
        return store

    def collection_of(self, workshop: str) -> str:
        """The workshop's collection: the prefix, the name in the characters Milvus allows, a hash keeping it unique."""
        digest = hashlib.sha256(workshop.encode()).hexdigest()[:12]
        return f"{self.prefix}__{re.sub(r'[^A-Za-z0-9_]', '_', workshop)[:64]}_{digest}"

    def stored(self, workshop: str) -> dict[str, str]:
        """The workshop's chunks as ``{key: id}``."""
        name = self.collection_of(workshop)
        if not self._exists(name):
            return {}
        return {row["key"]: row["id"] for row in self._query(name, ["id", "key"])}

    def write(self, workshop: str, records: Sequence[Record], delete: Sequence[str]) -> None:
        """Insert the workshop's `records` and delete its chunks with the ids in `delete`; `flush` makes it durable."""
        client, name = self._client, self.collection_of(workshop)
        if records and not self._exists(name):
            self._create(name)
        if delete and self._exists(name):
            _call(self.where, lambda: client.delete(name, ids=list(delete)))
        if records:
            rows = [_row(record) for record in records]
            _call(self.where, lambda: client.insert(name, rows))

    def flush(self, workshop: str) -> None:
        """Seal what was written: rows left unflushed are searched very slowly."""
        client, name = self._client, self.collection_of(workshop)
        if self._exists(name):
            _call(self.where, lambda: client.flush(name))

    def search(
        self, vector: Sequence[float], text: str, workshop: str | None, limit: int, candidates: int
    ) -> list[Hit]:
        """Dense (cosine) and BM25 searches of `candidates` each, fused by reciprocal rank; in one workshop or all."""
        if workshop is not None:
            name = self.collection_of(workshop)
            return self._search(name, vector, text, limit, candidates) if self._exists(name) else []
        hits = [hit for name in self._collections() for hit in self._search(name, vector, text, limit, candidates)]
        return sorted(hits, key=lambda hit: -hit.score)[:limit]

    def rows(self, fields: Sequence[str]) -> list[dict[str, Any]]:
        """Some fields of every stored chunk."""
        return [row for name in self._collections() for row in self._query(name, list(fields))]

    def delete_workshop(self, workshop: str) -> int:
        """Drop the workshop's collection; how many chunks it held."""
        count = len(self.stored(workshop))
        client, name = self._client, self.collection_of(workshop)
        if self._exists(name):
            _call(self.where, lambda: client.drop_collection(name))
        self._loaded.discard(name)
        return count

    def ping(self) -> None:
        """Raise `VectorStoreError` when Milvus does not answer."""
        _call(self.where, self._client.list_collections)

    def close(self) -> None:
        """Close the client; for Lite, also stop its in-process server, which holds the database's lock."""
        with contextlib.suppress(MilvusException):
            self._client.close()
        if self._lite_path is not None:
            from milvus_lite.server_manager import server_manager_instance  # the one way to release the lock

            server_manager_instance.release_server(str(self._lite_path))

    def _search(self, name: str, vector: Sequence[float], text: str, limit: int, candidates: int) -> list[Hit]:
        dense = AnnSearchRequest([list(vector)], "dense", {"metric_type": "COSINE"}, candidates)
        words = AnnSearchRequest([text], "sparse", {"metric_type": "BM25"}, candidates)
        client = self._client
        found = _call(
            self.where,
            lambda: client.hybrid_search(name, [dense, words], RRFRanker(RRF_K), limit=limit, output_fields=_FIELDS),
        )
        return [_hit(item) for item in (found[0] if found else [])]

    def _collections(self) -> list[str]:
        """Every workshop's collection (another replica may have made some): all are searched and listed."""
        everything = _call(self.where, self._client.list_collections)
        names = sorted(name for name in everything if name.startswith(self.prefix + "__"))
        for name in names:
            self._load(name)
        return names

    def _exists(self, name: str) -> bool:
        if name in self._loaded:
            return True
        client = self._client
        if not _call(self.where, lambda: client.has_collection(name)):
            return False
        self._load(name)
        return True

    def _create(self, name: str) -> None:
        client, schema = self._client, _schema(self.dimension)
        _call(self.where, lambda: client.create_collection(name, schema=schema, index_params=_indexes(client)))
        log.info("created the collection %s in %s", name, self.where)
        self._load(name)

    def _load(self, name: str) -> None:
        if name not in self._loaded:
            client = self._client
            _call(self.where, lambda: client.load_collection(name))
            self._loaded.add(name)

    def _move_single_collection(self) -> None:
        """Move the chunks of an older version's single collection into per-workshop ones, then drop it.

        Upserts by id, so a move cut short is finished by the next open without doubles.
        """
        client, old = self._client, self.prefix
        if not _call(self.where, lambda: client.has_collection(old)):
            return
        _call(self.where, lambda: client.load_collection(old))
        by_workshop: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in self._query(old, _MOVED_FIELDS):
            by_workshop[row["workshop"]].append({**row, SENTENCES: ""})
        for workshop, rows in by_workshop.items():
            name = self.collection_of(workshop)
            if not self._exists(name):
                self._create(name)
            _call(self.where, partial(client.upsert, name, rows))
            _call(self.where, partial(client.flush, name))
        _call(self.where, lambda: client.drop_collection(old))
        log.warning("moved %d workshops from the collection %s to a collection each", len(by_workshop), old)

    def _query(self, name: str, fields: list[str]) -> list[dict[str, Any]]:
        client = self._client
        rows = _call(self.where, lambda: client.query(name, filter='id != ""', output_fields=fields, limit=QUERY_LIMIT))
        if len(rows) < QUERY_LIMIT:
            return list(rows)
        return list(self._iterate(name, fields))  # more than one query may return

    def _iterate(self, name: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        client = self._client
        iterator = _call(
            self.where,
            lambda: client.query_iterator(name, batch_size=4096, filter='id != ""', output_fields=fields),
        )
        try:
            while batch := _call(self.where, iterator.next):
                yield from batch
        finally:
            iterator.close()


def check_lite_free(path: Path) -> None:
    """Raise `StoreLocked` when another process has the Lite database at `path` open (before loading anything)."""
    if _locked(path):
        raise StoreLocked(
            f"another process has the Milvus Lite database {path} open: Milvus Lite (the default when "
            "MILVUS_ENDPOINT is unset) serves one workshop_chat process only; stop the other one, or set "
            "MILVUS_ENDPOINT to a Milvus server to run several chat replicas"
        )


def _open_lite(path: Path) -> MilvusClient:
    try:
        return MilvusClient(str(path))
    except MilvusException as exc:
        check_lite_free(path)  # the opaque "Open local milvus failed" usually means this
        raise VectorStoreError(f"cannot open the Milvus Lite database {path}: {_message(exc)}") from exc


def _locked(path: Path) -> bool:
    """Whether another process holds the Lite database's lock file (Lite takes an exclusive ``flock``)."""
    lock = path / "LOCK"
    if not lock.exists():
        return False
    descriptor = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return False
    finally:
        os.close(descriptor)


def _call[T](where: str, action: Callable[[], T]) -> T:
    """Run one pymilvus call; its exceptions (and gRPC's, which some calls let through) become one
    `VectorStoreError` naming the store."""
    try:
        return action()
    except (MilvusException, grpc.RpcError) as exc:
        raise VectorStoreError(f"Milvus at {where} failed: {_message(exc)}") from exc


def _message(exc: MilvusException | grpc.RpcError) -> str:
    details = getattr(exc, "details", None)
    message = getattr(exc, "message", "") or (details() if callable(details) else "") or str(exc)
    return " ".join(str(message).split())[:300]


def _schema(dimension: int) -> Any:
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("workshop", DataType.VARCHAR, max_length=128)
    schema.add_field("key", DataType.VARCHAR, max_length=1024)
    schema.add_field("page", DataType.VARCHAR, max_length=512)
    schema.add_field("meta", DataType.JSON)
    analyzer = {"type": "standard"}  # "english" is an unknown tokenizer to Milvus Lite
    schema.add_field("text", DataType.VARCHAR, max_length=65_535, enable_analyzer=True, analyzer_params=analyzer)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field(SENTENCES, DataType.VARCHAR, max_length=65_535)
    bm25 = Function(
        name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]
    )
    schema.add_function(bm25)
    return schema


def _indexes(client: MilvusClient) -> Any:
    indexes = client.prepare_index_params()
    indexes.add_index(field_name="dense", index_type="FLAT", metric_type="COSINE")
    indexes.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    return indexes


def _row(record: Record) -> dict[str, Any]:
    text = record.text.encode()[:MAX_TEXT_BYTES].decode(errors="ignore")
    sentences = record.sentence_vectors if len(record.sentence_vectors) <= MAX_SENTENCES_CHARS else ""
    return {
        "id": record.id,
        "workshop": record.workshop,
        "key": record.key[:1024],
        "page": record.page[:512],
        "meta": record.metadata,
        "text": text,
        "dense": list(record.vector),
        SENTENCES: sentences,
    }


def _hit(item: dict[str, Any]) -> Hit:
    entity = item["entity"]
    return Hit(
        id=str(item["id"]),
        workshop=entity["workshop"],
        page=entity["page"],
        text=entity["text"],
        metadata=dict(entity["meta"] or {}),
        score=float(item["distance"]),
        vector=entity.get("dense") or (),
        sentence_vectors=entity.get(SENTENCES) or "",
    )
