"""workshop_chat: answers participants' questions from the workshop's own pages."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from workshop_template_system.agents.base import (
    AgentSpec,
    BackgroundContext,
    ReadinessCheck,
    Skill,
    SkillContext,
    SkillInput,
)
from workshop_template_system.agents.pipeline_input import PipelineId
from workshop_template_system.errors import StoreLocked, WorkshopSystemError
from workshop_template_system.integrations.llama_stack import model_from_settings
from workshop_template_system.rag import chat
from workshop_template_system.rag.index import ChatIndex
from workshop_template_system.rag.sources import read_source
from workshop_template_system.settings import Settings
from workshop_template_system.workspace import Workspace, validate_id

logger = logging.getLogger(__name__)
WorkshopName = Annotated[str, Field(max_length=128), AfterValidator(lambda value: validate_id(value, "workshop name"))]


class OpenIndex:
    """This process's `ChatIndex`: opened when the agent starts, closed when it stops.

    A Milvus server that does not answer at start does not stop the agent: the index is opened again by
    the next skill or readiness check that needs it. Milvus Lite held by another process does stop it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: ChatIndex | None = None

    def get(self, settings: Settings, workspace: Workspace) -> ChatIndex:
        """The open index, opening it if it is not (blocking: model load, Milvus connection)."""
        with self._lock:
            if self._index is None:
                self._index = ChatIndex.open(settings, workspace)
            return self._index

    def check(self, settings: Settings, workspace: Workspace) -> None:
        """Readiness: the index is open and its store answers."""
        self.get(settings, workspace).store.ping()

    def close(self) -> None:
        """Close the index (releasing a Milvus Lite database for the next process)."""
        with self._lock:
            index, self._index = self._index, None
        if index is not None:
            index.close()


@asynccontextmanager
async def open_index(holder: OpenIndex, context: BackgroundContext) -> AsyncIterator[dict[str, ReadinessCheck]]:
    """The agent's lifespan: open the index before serving; a locked Lite database stops the agent right away."""
    settings, workspace = context.settings, context.workspace
    if not settings.rag_enabled:
        yield {}
        return
    try:
        await asyncio.to_thread(holder.get, settings, workspace)
    except StoreLocked:
        raise
    except WorkshopSystemError as exc:
        logger.warning("the chat index is not open yet (retried on first use): %s", exc)
    try:
        yield {"vector_store": partial(asyncio.to_thread, holder.check, settings, workspace)}
    finally:
        await asyncio.to_thread(holder.close)


class Source(SkillInput):
    pipeline_id: PipelineId | None = Field(default=None, description="the workshop a pipeline wrote")
    path: str | None = Field(default=None, max_length=4096, description="a local workshop folder")
    repository: str | None = Field(default=None, max_length=2048, description="a git URL of a workshop repository")
    ref: str | None = Field(default=None, max_length=256, description="branch, tag or commit of the repository")

    @model_validator(mode="after")
    def _one_source(self) -> Source:
        given = [name for name in ("pipeline_id", "path", "repository") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError('give exactly one of {"pipeline_id"}, {"path"} or {"repository", "ref"}')
        if self.ref is not None and self.repository is None:
            raise ValueError("ref goes with repository")
        return self


class IndexInput(SkillInput):
    workshop: WorkshopName = Field(description="the name questions will use for this workshop")
    source: Source


class AskInput(SkillInput):
    question: str = Field(min_length=2, max_length=2000)
    workshop: WorkshopName | None = Field(default=None, description="only this workshop; all of them if absent")
    top_k: int = Field(default=5, ge=1, le=20, description="sections to consider and cite at most")


class ListInput(SkillInput):
    pass


class RemoveInput(SkillInput):
    workshop: WorkshopName


async def index_workshop(indexes: OpenIndex, context: SkillContext, request: IndexInput) -> dict[str, Any]:
    """Read the workshop from its source, split it by section, and bring its stored chunks up to date."""
    index = await _index(indexes, context)
    await context.progress(f"reading the workshop '{request.workshop}'", 0.05)
    source = request.source.model_dump(exclude_none=True)
    content = await context.run_blocking(lambda: read_source(context.settings, context.workspace, **source))
    await context.progress(f"indexing {len(content.pages)} pages of '{content.title}'", 0.1)
    report = await context.run_blocking_with_progress(
        lambda progress: index.index(request.workshop, content, progress), start=0.1, span=0.9
    )
    return {
        "workshop": report.workshop,
        "title": report.title,
        "pages": report.pages,
        "chunks": vars(report.chunks),
        "seconds": round(report.seconds, 3),
        "model": index.embedder.model_id,
        "warnings": list(report.warnings),
    }


async def ask(indexes: OpenIndex, context: SkillContext, request: AskInput) -> dict[str, Any]:
    """Answer from the indexed sections, streaming the answer piece by piece, with citations."""
    index = await _index(indexes, context)
    async with AsyncExitStack() as stack:
        model = await context.run_blocking(model_from_settings, context.settings)  # imports the client: off the loop
        if model is not None:
            await stack.enter_async_context(model)
        answer = await chat.ask(index, request.question, request.workshop, request.top_k, model)
    pieces = answer.joined_pieces()
    for number, piece in enumerate(pieces, 1):
        await context.stream_text("answer", piece, last=number == len(pieces))
    return {
        "question": request.question,
        "workshop": request.workshop,
        "answer": answer.text,
        "citations": list(answer.citations),
        "mode": answer.mode,
        "found": answer.found,
        "warnings": list(answer.warnings),
    }


async def list_workshops(indexes: OpenIndex, context: SkillContext, request: ListInput) -> dict[str, Any]:
    """The indexed workshops, with their titles and sizes."""
    index = await _index(indexes, context)
    return {"workshops": await context.run_blocking(index.workshops)}


async def remove_workshop(indexes: OpenIndex, context: SkillContext, request: RemoveInput) -> dict[str, Any]:
    """Delete a workshop from the index; removing one that is not indexed removes nothing."""
    index = await _index(indexes, context)
    removed = await context.run_blocking(index.remove, request.workshop)
    return {"workshop": request.workshop, "removed": removed}


async def _index(indexes: OpenIndex, context: SkillContext) -> ChatIndex:
    return await context.run_blocking(indexes.get, context.settings, context.workspace)


def build_agent() -> AgentSpec:
    """The agent, with an `OpenIndex` of its own that its skills share."""
    indexes = OpenIndex()
    return AgentSpec(
        name="workshop_chat",
        title="Workshop Chat",
        summary="answers participants' questions from the workshop, with citations",
        description=(
            "Answers participants' questions about a workshop from its published pages, with citations to the page "
            "and section (retrieval over Milvus; a Llama Stack model writes the answer when one is configured)."
        ),
        skills=(
            Skill(
                id="ask",
                name="Ask",
                description=(
                    "Answers a question from the indexed workshops' own sections and cites them (page, section, "
                    "anchor, and the page URL when the workshop's site URL is known). mode is 'llm' when a Llama "
                    "Stack model wrote the answer from the sections, 'extractive' when it quotes them; when nothing "
                    "relevant is found it says so and names the closest pages. Streaming sends the answer piece by "
                    'piece. Input: {"question", "workshop"?, "top_k"?: 5}, or the question as plain text.'
                ),
                input_model=AskInput,
                handler=partial(ask, indexes),
                examples=(
                    "How do I expose the application with a route?",
                    '{"question": "...", "workshop": "trailhead"}',
                ),
                tags=("chat", "rag", "questions"),
                from_text=lambda rest: {"question": rest},
            ),
            Skill(
                id="index_workshop",
                name="Index workshop",
                description=(
                    "Reads a Showroom/Antora workshop (antora.yml, navigation, pages with partials and attributes "
                    "resolved), splits it by section with code blocks kept whole, embeds and stores it. Re-indexing "
                    "changes only the sections that changed. Input: "
                    '{"workshop", "source": {"pipeline_id"} | {"path"} | {"repository", "ref"?}}.'
                ),
                input_model=IndexInput,
                handler=partial(index_workshop, indexes),
                examples=('{"workshop": "trailhead", "source": {"pipeline_id": "pipeline-20261127-183000-ab12cd"}}',),
                tags=("chat", "rag", "index"),
            ),
            Skill(
                id="list_workshops",
                name="List workshops",
                description="Lists the indexed workshops with their titles, pages and chunks. Input: {}.",
                input_model=ListInput,
                handler=partial(list_workshops, indexes),
                examples=("list workshops",),
                tags=("chat", "rag"),
                from_text=lambda rest: {},
            ),
            Skill(
                id="remove_workshop",
                name="Remove workshop",
                description='Deletes a workshop from the index. Input: {"workshop"}.',
                input_model=RemoveInput,
                handler=partial(remove_workshop, indexes),
                examples=('{"workshop": "trailhead"}',),
                tags=("chat", "rag"),
                from_text=lambda rest: {"workshop": rest},
            ),
        ),
        text_skill="ask",
        page="chat",
        lifespan=partial(open_index, indexes),
    )


AGENT = build_agent()
