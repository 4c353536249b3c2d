"""Answers: extractive ones quote the sections found, "not found" names the closest pages, a model cites by number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rag_model_server import CHAT_MODEL, EMBEDDING_MODEL, ModelServer, running_model_server
from rag_support import FIXTURE

from workshop_template_system.errors import ModelError
from workshop_template_system.integrations.llama_stack import LlamaStackChatModel
from workshop_template_system.rag.answer import extractive_answer, not_found_answer, relevant
from workshop_template_system.rag.content import read_workshop
from workshop_template_system.rag.embeddings import collection_name, embedder_from_settings
from workshop_template_system.rag.index import ChatIndex, lite_path
from workshop_template_system.rag.milvus import MilvusStore
from workshop_template_system.rag.model_answer import model_answer
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace

ROUTE = "How do I make the app reachable from outside the cluster?"


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    with running_model_server() as server:
        yield server


def test_an_extractive_answer_quotes_the_best_section_with_its_command(indexed: ChatIndex) -> None:
    search = indexed.search(ROUTE, "trailhead", 5)
    answer = extractive_answer(ROUTE, search.question_vector, search.found, indexed.embedder.embed)
    assert (answer.mode, answer.found) == ("extractive", True)
    assert "```bash\noc create route edge trailhead --service trailhead\n```" in answer.text
    first = answer.citations[0]
    assert (first["page"], first["anchor"], first["title"]) == (
        "module-03-deploy.adoc",
        "expose",
        "Expose the application with a route",
    )
    assert first["url"] == "https://showroom.example.com/trailhead/modules/module-03-deploy.html#expose"
    texts = [item.hit.text for item in search.found]
    for piece in answer.pieces:  # every piece is the workshop's own words
        quoted = re.sub(r" \[\d+\]$", "", piece)
        assert any(quoted in text for text in texts), piece
        if not piece.startswith("```"):
            assert re.search(r" \[\d+\]$", piece), piece


def test_a_question_the_workshop_does_not_answer_gets_the_closest_pages(indexed: ChatIndex) -> None:
    question = "What is the capital of France?"
    found = indexed.search(question, "trailhead", 5).found
    assert relevant(question, found) == []
    answer = not_found_answer("the workshop 'trailhead'", found)
    assert answer.found is False
    assert answer.text.startswith("I could not find an answer to this in the workshop 'trailhead'. The closest pages")
    assert 1 <= len(answer.citations) <= 3
    assert len({citation["page"] for citation in answer.citations}) == len(answer.citations)


async def test_a_model_answers_from_the_sections_only_and_its_citations_are_renumbered(
    indexed: ChatIndex, model_server: ModelServer
) -> None:
    found = indexed.search(ROUTE, "trailhead", 5).found
    sections = relevant(ROUTE, found)
    async with LlamaStackChatModel(model_server.url, CHAT_MODEL, 10) as model:
        answer = await model_answer(ROUTE, found, model)
    assert (answer.mode, answer.found) == ("llm", True)
    assert answer.text == "A Route makes the Service reachable from outside the cluster. [1] See also the last section."
    assert [citation["anchor"] for citation in answer.citations] == ["expose"]
    prompt = model_server.requests[-1]["messages"][-1]["content"]
    assert prompt.count("\n[") + prompt.startswith("[") == len(sections)  # the numbered sections, nothing else
    assert all(item.hit.text in prompt for item in sections)
    assert ROUTE in prompt


async def test_a_failing_model_is_a_model_error(indexed: ChatIndex, model_server: ModelServer) -> None:
    model_server.behavior = "error"
    try:
        async with LlamaStackChatModel(model_server.url, CHAT_MODEL, 10, max_retries=0) as model:
            with pytest.raises(ModelError, match="500"):
                await model_answer(ROUTE, indexed.search(ROUTE, "trailhead", 5).found, model)
    finally:
        model_server.behavior = "grounded"


def test_llama_stack_embeddings_have_a_collection_of_their_own(tmp_path: Path, model_server: ModelServer) -> None:
    settings = Settings(
        workspace_path=tmp_path, llama_stack_endpoint=model_server.url + "/v1", embedding_model_id=EMBEDDING_MODEL
    )
    embedder = embedder_from_settings(settings)
    assert (embedder.model_id, embedder.dimension) == (EMBEDDING_MODEL, 64)
    assert collection_name(embedder) == "chunks_test_embedder_64"
    workspace = Workspace(tmp_path)
    store = MilvusStore.open(
        "chunks_test_embedder_64", 64, endpoint=None, token=None, lite_path=lite_path(workspace), timeout=10
    )
    index = ChatIndex(embedder, store, workspace, lock_timeout=10)
    try:
        assert index.index("trailhead", read_workshop(FIXTURE)).chunks.added == 46
        found = index.search("oc login fails with x509 certificate signed by unknown authority", "trailhead", 5).found
        assert found[0].hit.page == "troubleshooting.adoc"
        assert abs(found[0].similarity) <= 1.0
    finally:
        index.close()
    asked = [body for body in model_server.requests if body.get("input")]
    assert all(body["model"] == EMBEDDING_MODEL for body in asked)


def test_an_unknown_embedding_model_says_which_setting_to_check(tmp_path: Path, model_server: ModelServer) -> None:
    settings = Settings(workspace_path=tmp_path, llama_stack_endpoint=model_server.url, embedding_model_id="nope")
    with pytest.raises(ModelError, match="has no embedding model 'nope': check EMBEDDING_MODEL_ID"):
        embedder_from_settings(settings)


def test_a_list_of_file_names_is_not_an_answer() -> None:
    from workshop_template_system.rag import sentences

    chunk = "Files\n\n- `k8s/deployment.yaml`\n- `README.md`, `pom.xml`\n\n"
    chunk += "Then apply the manifests and wait:\n\n```\nx\n```"
    readable = sentences.prose(sentences.units(0, chunk))
    assert [unit.text for unit in readable] == ["Then apply the manifests and wait:"]
    assert sentences.embedding_texts(chunk) == ["Then apply the manifests and wait:\n```\nx\n```"]


def test_a_step_with_several_commands_is_answered_with_all_of_them(indexed: ChatIndex) -> None:
    from workshop_template_system.rag.index import Found
    from workshop_template_system.rag.store import Hit

    commands = ["oc apply -f k8s/deployment.yaml", "oc expose deployment/todo-api --port 8000", "oc get route"]
    text = "Deploy and expose\n\nCreate the deployment and expose it with a route:\n\n" + "\n\n".join(
        f"```bash\n{command}\n```" for command in commands
    )
    text += "\n\nThe route's host name is the address of the API."
    hit = Hit("c1", "todo", "deploy.adoc", text, {"page": "deploy.adoc", "anchor": "deploy", "title": "Deploy"}, 1.0)
    question = "How do I deploy and expose the API?"
    found = [Found(hit, similarity=0.8)]
    answer = extractive_answer(question, indexed.embedder.embed([question])[0], found, indexed.embedder.embed)
    assert answer.pieces[0] == "Create the deployment and expose it with a route: [1]"
    assert list(answer.pieces[1:4]) == [f"```bash\n{command}\n```" for command in commands]


def test_an_objective_that_repeats_a_step_is_answered_with_the_step_and_its_command(indexed: ChatIndex) -> None:
    from workshop_template_system.rag.index import Found
    from workshop_template_system.rag.store import Hit

    objectives = "Objectives\n\n- Check the rollout of the deployment\n- Read the logs of the previous container"
    step = "Read the logs of the previous container\n\nRead the logs of the previous container:\n\n"
    step += "```bash\noc logs deployment/todo-api --previous\n```"
    meta = {"page": "troubleshooting.adoc", "anchor": "", "title": "Objectives"}
    hits = [
        Hit("o1", "todo", "troubleshooting.adoc", objectives, meta, 1.0),
        Hit("s1", "todo", "troubleshooting.adoc", step, {**meta, "title": "Read the logs"}, 0.9),
    ]
    question = "The pod keeps restarting, how do I read the logs of the previous container?"
    found = [Found(hits[0], similarity=0.8), Found(hits[1], similarity=0.6)]  # the objectives rank first
    answer = extractive_answer(question, indexed.embedder.embed([question])[0], found, indexed.embedder.embed)
    assert answer.pieces[0] == "Read the logs of the previous container: [2]"
    assert answer.pieces[1] == "```bash\noc logs deployment/todo-api --previous\n```"
