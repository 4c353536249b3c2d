"""`VectorStore` on Milvus through pymilvus: a server at ``MILVUS_ENDPOINT``, else Milvus Lite in the workspace.

Facts this follows (pymilvus 3.0.2, milvus-lite 3.2.2): one process only may open a Lite database,
and a second gets an opaque "Open local milvus failed" (`StoreLocked` says what it means); closing
the client does not release the database, so `close` stops Lite's in-process server too; a
collection must be loaded after every open; rows are flushed after each workshop is written, as
unflushed rows make searches slow; FLAT is exact, where filtered HNSW in Lite missed true hits; BM25 works with the
``standard`` analyzer, and its scores come back negated (they only rank here, fused by RRF).
Lite computes BM25's IDF per segment (each flush makes one, merged four at a time): one flush per
indexed workshop keeps a workshop in few segments, and a small update may rank lower by words until
the next merge. A Milvus server keeps these statistics for the whole collection.

Every pymilvus exception becomes a `VectorStoreError` naming the store, here and nowhere else.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pymilvus import AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, MilvusException, RRFRanker

from workshop_template_system.errors import StoreLocked, VectorStoreError
from workshop_template_system.rag.store import Hit, Record

log = logging.getLogger(__name__)

RRF_K = 60
QUERY_LIMIT = 16_384  # Milvus's cap on one query's offset + limit
MAX_TEXT_BYTES = 60_000
_FIELDS = ["id", "workshop", "page", "text", "meta", "dense"]


class MilvusStore:
    """Chunks of one embedding model in one collection, on a Milvus server or in Milvus Lite."""

    def __init__(self, client: MilvusClient, collection: str, where: str, lite_path: Path | None) -> None:
        self._client = client
        self.collection = collection
        self.where = where
        self._lite_path = lite_path

    @classmethod
    def open(
        cls,
        collection: str,
        dimension: int,
        *,
        endpoint: str | None,
        token: str | None,
        lite_path: Path,
        timeout: float,
    ) -> MilvusStore:
        """Connect (or open the Lite database), create the collection when missing, and load it."""
        where = endpoint or str(lite_path)
        if endpoint:
            client = _call(where, lambda: MilvusClient(uri=endpoint, token=token or "", timeout=timeout))
            store = cls(client, collection, where, None)
        else:
            lite_path.parent.mkdir(parents=True, exist_ok=True)
            store = cls(_open_lite(lite_path), collection, where, lite_path)
        try:
            store._prepare(dimension)
        except BaseException:
            store.close()
            raise
        return store

    def _prepare(self, dimension: int) -> None:
        client, name = self._client, self.collection
        if not _call(self.where, lambda: client.has_collection(name)):
            _call(
                self.where,
                lambda: client.create_collection(name, schema=_schema(dimension), index_params=_indexes(client)),
            )
            log.info("created the collection %s in %s", name, self.where)
        _call(self.where, lambda: client.load_collection(name))

    def stored(self, workshop: str) -> dict[str, str]:
        """The workshop's chunks as ``{key: id}``."""
        rows = self._query(f"workshop == {_quoted(workshop)}", ["id", "key"])
        return {row["key"]: row["id"] for row in rows}

    def write(self, records: Sequence[Record], delete: Sequence[str]) -> None:
        """Insert and delete; `flush` makes the writes durable."""
        client, name = self._client, self.collection
        if delete:
            _call(self.where, lambda: client.delete(name, ids=list(delete)))
        if records:
            rows = [_row(record) for record in records]
            _call(self.where, lambda: client.insert(name, rows))

    def flush(self) -> None:
        """Seal what was written: rows left unflushed are searched very slowly."""
        client, name = self._client, self.collection
        _call(self.where, lambda: client.flush(name))

    def search(self, vector: Sequence[float], text: str, workshop: str | None, limit: int) -> list[Hit]:
        """Dense (cosine) and BM25 searches over the same chunks, fused by reciprocal rank (RRF)."""
        expression = f"workshop == {_quoted(workshop)}" if workshop else ""
        dense = AnnSearchRequest([list(vector)], "dense", {"metric_type": "COSINE"}, limit, expr=expression)
        words = AnnSearchRequest([text], "sparse", {"metric_type": "BM25"}, limit, expr=expression)
        client, name = self._client, self.collection
        found = _call(
            self.where,
            lambda: client.hybrid_search(name, [dense, words], RRFRanker(RRF_K), limit=limit, output_fields=_FIELDS),
        )
        hits = []
        for item in found[0] if found else []:
            entity = item["entity"]
            hits.append(
                Hit(
                    id=str(item["id"]),
                    workshop=entity["workshop"],
                    page=entity["page"],
                    text=entity["text"],
                    metadata=dict(entity["meta"] or {}),
                    score=float(item["distance"]),
                    vector=entity.get("dense") or (),
                )
            )
        return hits

    def rows(self, fields: Sequence[str]) -> list[dict[str, Any]]:
        """Some fields of every stored chunk."""
        return self._query('workshop != ""', list(fields))

    def delete_workshop(self, workshop: str) -> int:
        """Delete all of a workshop's chunks; how many there were."""
        ids = list(self.stored(workshop).values())
        if ids:
            self.write((), ids)
            self.flush()
        return len(ids)

    def ping(self) -> None:
        """Raise `VectorStoreError` when Milvus does not answer or the collection is gone."""
        client, name = self._client, self.collection
        if not _call(self.where, lambda: client.has_collection(name)):
            raise VectorStoreError(f"Milvus at {self.where} has no collection {name} any more")

    def close(self) -> None:
        """Close the client; for Lite, also stop its in-process server, which holds the database's lock."""
        with contextlib.suppress(MilvusException):
            self._client.close()
        if self._lite_path is not None:
            from milvus_lite.server_manager import server_manager_instance  # the one way to release the lock

            server_manager_instance.release_server(str(self._lite_path))

    def _query(self, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        client, name = self._client, self.collection
        rows = _call(self.where, lambda: client.query(name, filter=expression, output_fields=fields, limit=QUERY_LIMIT))
        if len(rows) < QUERY_LIMIT:
            return list(rows)
        return list(self._iterate(expression, fields))  # more than one query may return

    def _iterate(self, expression: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        client, name = self._client, self.collection
        iterator = _call(
            self.where, lambda: client.query_iterator(name, batch_size=4096, filter=expression, output_fields=fields)
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
    """Run one pymilvus call; its exceptions become one `VectorStoreError` naming the store."""
    try:
        return action()
    except MilvusException as exc:
        raise VectorStoreError(f"Milvus at {where} failed: {_message(exc)}") from exc


def _message(exc: MilvusException) -> str:
    message = getattr(exc, "message", "") or str(exc)
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
    return {
        "id": record.id,
        "workshop": record.workshop,
        "key": record.key[:1024],
        "page": record.page[:512],
        "meta": record.metadata,
        "text": text,
        "dense": list(record.vector),
    }


def _quoted(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
