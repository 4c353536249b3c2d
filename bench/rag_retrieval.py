"""Indexing throughput and retrieval-only ``ask`` latency of a real workshop_chat at 10,000 chunks, against raw Milvus.

1. **Fill:** ``CHUNKS - SAMPLE`` chunks in 9 generated workshops are stored in the agent's Milvus Lite
   database by the project's `ChatIndex` (vectors of the same model, cached on disk: `chat_fill`).
2. **Index:** the agent, started with the deployment command and no model configured, indexes a
   generated workshop of ``SAMPLE`` chunks through ``index_workshop`` over A2A; chunks per second
   against the bundled model embedding the same chunk texts in this process.
3. **Ask:** with no LLM configured ``ask`` is retrieval-only: the question is embedded, hybrid search
   (dense + BM25, RRF) runs over the collection, and the answer is picked from the sections' sentences
   (``mode: "extractive"``, which embeds those sentences). ``QUESTIONS`` questions, one at a time over
   A2A ``message/send``, first in the question's workshop (a filter keeping about 1/9 of the chunks),
   then over all workshops.
4. **Baselines, same collection, same run:** once the agent has stopped (Milvus Lite lets one process
   open the database), the project's ``chat.ask`` in this process (the ask without A2A), and pymilvus
   ``hybrid_search`` with the requests ``MilvusStore.search`` sends (one to the workshop's collection,
   or one to each workshop's) and the question vectors computed beforehand (the search alone).

Run alone: ``python bench/rag_retrieval.py [--quick] [--chunks N] [--profile]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pymilvus import AnnSearchRequest, MilvusClient, RRFRanker

from a2a_calls import Caller
from chat_fill import fill, quiet
from embedding_cache import DEFAULT_CACHE
from generated_workshop import Question, write_workshop
from profiling import sampled
from report import Row, machine, percentile, ratio, rows_table, table
from runtime_http import agent_command, agent_env
from servers import free_port, running
from workshop_template_system.rag import chat
from workshop_template_system.rag.chunking import chunk_workshop
from workshop_template_system.rag.content import read_workshop
from workshop_template_system.rag.embeddings import collection_name
from workshop_template_system.rag.index import CANDIDATES, ChatIndex, lite_path
from workshop_template_system.rag.milvus import RRF_K, MilvusStore
from workshop_template_system.rag.minilm import MiniLMEmbedder
from workshop_template_system.workspace import Workspace

GOAL_P95_MS = 50.0  # issue 7: retrieval-only ask at 10,000 chunks


@dataclass(frozen=True)
class Size:
    chunks: int
    sample: int
    questions: int
    warmup: int


FULL = Size(chunks=10_000, sample=300, questions=200, warmup=10)
QUICK = Size(chunks=600, sample=60, questions=30, warmup=3)
SAMPLE_SEED = 99
_OUTPUT = ["id", "workshop", "page", "text", "meta", "dense", "sentences"]  # what MilvusStore.search asks for
TOP_K = 5  # what ask asks for


@dataclass
class Timings:
    """Milliseconds of each kind of call, by label, in order of measurement."""

    ms: dict[str, list[float]]

    def add(self, label: str, values: list[float]) -> None:
        self.ms[label] = sorted(values)

    def p(self, label: str, fraction: float) -> float:
        return percentile(self.ms[label], fraction)


def run(quick: bool = False, size: Size | None = None, profile: bool = False, cache: Path = DEFAULT_CACHE) -> list[Row]:
    """The whole benchmark; prints its details and returns the summary rows."""
    size = size or (QUICK if quick else FULL)
    timings = Timings({})
    with tempfile.TemporaryDirectory(prefix="bench-rag-") as name:
        tmp = Path(name)
        workspace = tmp / "workspace"
        filled = fill(workspace, size.chunks - size.sample, cache)
        print(
            f"\nRAG: filled {sum(filled.chunks.values()):,} chunks in {len(filled.chunks)} workshops in "
            f"{filled.seconds:.1f} s ({filled.computed} vectors computed, the rest from {cache})"
        )
        wanted, rng = size.questions + size.warmup, random.Random(1)
        pool = filled.questions
        questions = rng.sample(pool, wanted) if len(pool) >= wanted else rng.choices(pool, k=wanted)
        sample = tmp / "sample"
        write_workshop(sample, "sample", size.sample, SAMPLE_SEED)
        indexed = _agent_side(tmp, workspace, sample, questions, size, timings, profile)
        embed_rate = _model_rate(sample)
        _in_process_side(workspace, questions[size.warmup :], timings)
    return _report(filled.chunks, indexed, embed_rate, timings)


def _agent_side(
    tmp: Path, workspace: Path, sample: Path, questions: list[Question], size: Size, timings: Timings, profile: bool
) -> tuple[int, float]:
    """Index the sample and ask every question over A2A; (chunks indexed, seconds)."""
    port = free_port()
    with running(agent_command(port), agent_env(workspace, port), port, "/agent-card", tmp / "agent.log") as pid:
        caller = Caller(port)
        try:
            _, listed = caller.call("list_workshops", {})  # opens the index: the model loads here, not below
            print(f"agent lists {len(listed['workshops'])} workshops before indexing the sample")
            seconds, report = caller.call("index_workshop", {"workshop": "sample", "source": {"path": str(sample)}})
            added = int(report["chunks"]["added"])  # JSON numbers come back as floats through A2A data parts
            print(f"index_workshop: {added} chunks of {int(report['pages'])} pages in {seconds:.2f} s over A2A")
            for question in questions[: size.warmup]:
                _ask(caller, question, filtered=True)
            measured = questions[size.warmup :]
            timings.add("ask over A2A, in its workshop", [_ask(caller, q, filtered=True) for q in measured])
            timings.add("ask over A2A, all workshops", [_ask(caller, q, filtered=False) for q in measured])
            if profile:
                with sampled(pid, "the agent answering ask (in its workshop), one caller"):
                    for question in measured:
                        _ask(caller, question, filtered=True)
        finally:
            caller.close()
    return added, seconds


def _ask(caller: Caller, question: Question, *, filtered: bool) -> float:
    data = {"question": question.text, **({"workshop": question.workshop} if filtered else {})}
    seconds, answer = caller.call("ask", data)
    if answer["mode"] != "extractive" or not answer["found"]:
        raise RuntimeError(f"ask of {question} found nothing: {answer}")
    return seconds * 1000


def _model_rate(sample: Path) -> float:
    """Chunks per second of the bundled model embedding the sample's chunk texts in this process."""
    texts = [chunk.text for chunk in chunk_workshop("sample", read_workshop(sample))]
    model = MiniLMEmbedder()
    model.embed(texts[:16])  # warm-up
    started = time.perf_counter()
    model.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def _in_process_side(workspace: Path, questions: list[Question], timings: Timings) -> None:
    """`chat.ask` in this process, then raw pymilvus hybrid_search, on the database the agent used."""
    quiet()
    embedder = MiniLMEmbedder()
    vectors = embedder.embed([question.text for question in questions])
    path = lite_path(Workspace(workspace))
    store = MilvusStore.open(
        collection_name(embedder), embedder.dimension, endpoint=None, token=None, lite_path=path, timeout=30
    )
    index = ChatIndex(embedder, store, Workspace(workspace), lock_timeout=30)
    try:
        timings.add("chat.ask in process, in its workshop", asyncio.run(_asks(index, questions)))
        embed_ms = []
        for question in questions:
            started = time.perf_counter()
            embedder.embed([question.text])
            embed_ms.append((time.perf_counter() - started) * 1000)
        timings.add("embed the question (MiniLM)", embed_ms)
    finally:
        index.close()
    collections = {workshop: store.collection_of(workshop) for workshop in {q.workshop for q in questions}}
    client = MilvusClient(str(path))
    try:
        everything = [name for name in client.list_collections() if name.startswith(collection_name(embedder) + "__")]
        for name in everything:
            client.load_collection(name)
        for filtered, label in ((True, "in its workshop"), (False, "all workshops")):
            _raw_search(client, collections, everything, questions, vectors, filtered)  # warm-up
            ms = _raw_search(client, collections, everything, questions, vectors, filtered)
            timings.add(f"pymilvus hybrid_search, {label}", ms)
    finally:
        client.close()
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(str(path))


async def _asks(index: ChatIndex, questions: list[Question]) -> list[float]:
    ms = []
    for question in questions:
        started = time.perf_counter()
        answer = await chat.ask(index, question.text, question.workshop, TOP_K, None)
        ms.append((time.perf_counter() - started) * 1000)
        if not answer.found:
            raise RuntimeError(f"chat.ask of {question} found nothing")
    return ms


def _raw_search(
    client: MilvusClient,
    collections: dict[str, str],
    everything: list[str],
    questions: list[Question],
    vectors: list[list[float]],
    filtered: bool,
) -> list[float]:
    """Milliseconds of each question's hybrid searches: in its workshop's collection, or in every collection."""
    ms = []
    for question, vector in zip(questions, vectors, strict=True):
        dense = AnnSearchRequest([vector], "dense", {"metric_type": "COSINE"}, CANDIDATES)
        words = AnnSearchRequest([question.text], "sparse", {"metric_type": "BM25"}, CANDIDATES)
        started = time.perf_counter()
        found = [
            client.hybrid_search(name, [dense, words], RRFRanker(RRF_K), limit=TOP_K, output_fields=_OUTPUT)[0]
            for name in ([collections[question.workshop]] if filtered else everything)
        ]
        ms.append((time.perf_counter() - started) * 1000)
        if not any(found):
            raise RuntimeError(f"hybrid_search found nothing for {question}")
    return ms


def _report(chunks: dict[str, int], indexed: tuple[int, float], embed_rate: float, timings: Timings) -> list[Row]:
    added, seconds = indexed
    total = sum(chunks.values()) + added
    agent_rate = added / seconds
    print(
        f"index_workshop over A2A: {agent_rate:.1f} chunks/s; the bundled model alone on the same "
        f"{added} texts: {embed_rate:.1f} chunks/s"
    )
    cells = [
        [label, str(len(ms)), *(f"{timings.p(label, q):.1f}" for q in (0.5, 0.95, 0.99)), f"{statistics.mean(ms):.1f}"]
        for label, ms in timings.ms.items()
    ]
    print(f"\nretrieval at {total:,} chunks ({len(chunks) + 1} workshops), one question at a time, ms")
    print(table(["what", "n", "p50", "p95", "p99", "mean"], cells))
    agent, raw = "ask over A2A, in its workshop", "pymilvus hybrid_search, in its workshop"
    agent_all, raw_all = "ask over A2A, all workshops", "pymilvus hybrid_search, all workshops"
    p95 = timings.p(agent, 0.95)
    verdict = "met" if p95 <= GOAL_P95_MS else "NOT met"
    print(f"goal (issue 7): ask p95 <= {GOAL_P95_MS:g} ms at 10,000 chunks; at {total:,}: {p95:.1f} ms, {verdict}")
    at = f"{total:,} chunks"
    rows = [Row("RAG index_workshop chunks/s", f"{agent_rate:.1f}", f"{embed_rate:.1f}", ratio(agent_rate, embed_rate))]
    for label, base, name in ((agent, raw, "in workshop"), (agent_all, raw_all, "all workshops")):
        for fraction in (0.5, 0.95):
            figure, baseline = timings.p(label, fraction), timings.p(base, fraction)
            rows.append(
                Row(
                    f"RAG ask {at}, {name}, p{fraction * 100:.0f} ms",
                    f"{figure:.1f}",
                    f"{baseline:.1f}",
                    ratio(figure, baseline),
                )
            )
    in_process = timings.p("chat.ask in process, in its workshop", 0.95)
    label = f"RAG ask {at}, A2A / in process, p95 ms"
    rows.append(Row(label, f"{p95:.1f}", f"{in_process:.1f}", ratio(p95, in_process)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK.chunks} chunks, {QUICK.questions} questions")
    parser.add_argument("--chunks", type=int, help=f"chunks in the collection (default {FULL.chunks:,})")
    parser.add_argument("--questions", type=int, help="questions asked each way")
    parser.add_argument("--profile", action="store_true", help="sample the agent with py-spy during a third pass")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where vectors are kept between runs")
    args = parser.parse_args()
    base = QUICK if args.quick else FULL
    chunks = args.chunks or base.chunks
    questions = args.questions or base.questions
    sample = min(base.sample, max(chunks // 10, 1))
    if chunks < 20 or questions < 1:
        parser.error("--chunks must be at least 20 and --questions at least 1")
    size = Size(chunks, sample, questions, base.warmup)
    print(f"Machine: {machine()}")
    print(rows_table(run(size=size, profile=args.profile, cache=args.cache)))
    print(f"Machine after: {machine()}")


if __name__ == "__main__":
    sys.exit(main())
