"""Fixtures of the chat index tests: the fixture workshop, one embedding model per session, indexes in Milvus Lite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rag_support import FIXTURE, RAG_VARIABLES, RememberingEmbedder, open_index

from workshop_template_system.rag.content import read_workshop
from workshop_template_system.rag.index import ChatIndex


@pytest.fixture(autouse=True)
def no_rag_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Milvus or model setting leaks in from the developer's shell."""
    for name in RAG_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def embedder() -> RememberingEmbedder:
    return RememberingEmbedder()


@pytest.fixture
def chat_index(tmp_path: Path, embedder: RememberingEmbedder) -> Iterator[ChatIndex]:
    index = open_index(tmp_path / "workspace", embedder)
    yield index
    index.close()


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory, embedder: RememberingEmbedder) -> Iterator[ChatIndex]:
    """The fixture workshop indexed once for the session as ``trailhead``; tests must not change it."""
    index = open_index(tmp_path_factory.mktemp("indexed") / "workspace", embedder)
    index.index("trailhead", read_workshop(FIXTURE))
    yield index
    index.close()


@pytest.fixture
def workshop_copy(tmp_path: Path) -> Path:
    """A copy of the fixture workshop that a test may edit."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "trailhead"))
