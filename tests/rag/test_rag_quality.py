"""Retrieval quality on the fixture workshop's question set: recall of the answering page, and "not found"."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from workshop_template_system.rag import sentences
from workshop_template_system.rag.answer import extractive_answer, relevant
from workshop_template_system.rag.index import ChatIndex, Found

QUESTIONS: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text())
MIN_RECALL_AT_5 = 0.8


def test_the_question_set_is_big_enough() -> None:
    assert len(QUESTIONS["questions"]) >= 40
    assert len({question["pages"][0] for question in QUESTIONS["questions"]}) == 8  # every page answers some


def test_recall_of_the_answering_page(indexed: ChatIndex, capsys: pytest.CaptureFixture[str]) -> None:
    first = top_five = 0
    missed = []
    for item in QUESTIONS["questions"]:
        pages = [found.hit.page for found in indexed.search(item["question"], "trailhead", 5).found]
        first += pages[0] in item["pages"]
        top_five += any(page in item["pages"] for page in pages)
        if not any(page in item["pages"] for page in pages):
            missed.append(item["question"])
    count = len(QUESTIONS["questions"])
    with capsys.disabled():
        print(f"\nrecall over {count} questions: R@1 {first / count:.3f}, R@5 {top_five / count:.3f}")
    assert top_five / count >= MIN_RECALL_AT_5, missed


def test_answerable_questions_are_found_and_off_topic_ones_are_not(indexed: ChatIndex) -> None:
    unanswered = [
        item["question"]
        for item in QUESTIONS["questions"]
        if not relevant(item["question"], indexed.search(item["question"], "trailhead", 5).found)
    ]
    answered = [
        question
        for question in QUESTIONS["off_topic"]
        if relevant(question, indexed.search(question, "trailhead", 5).found)
    ]
    assert (unanswered, answered) == ([], [])


def test_stored_sentence_vectors_pick_the_sentences_fresh_ones_pick(indexed: ChatIndex) -> None:
    """The int8 vectors stored at index time choose the same answer as the model's own vectors at question time."""
    same = stored_answers = 0
    for item in QUESTIONS["questions"]:
        search = indexed.search(item["question"], "trailhead", 5)
        stored_answers += all(sentences.decode(found.hit.sentence_vectors, 384) is not None for found in search.found)
        fresh = [Found(replace(found.hit, sentence_vectors=""), found.similarity) for found in search.found]
        answers = [
            extractive_answer(item["question"], search.question_vector, hits, indexed.embedder.embed).pieces
            for hits in (search.found, fresh)
        ]
        same += answers[0] == answers[1]
    count = len(QUESTIONS["questions"])
    assert stored_answers == count
    assert same / count >= 0.95, f"{same} of {count} answers alike"
