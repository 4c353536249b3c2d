"""Shell commands in documentation code blocks: what a learner types, without prompts or output.

A block is a shell block when its language says so (``bash``, ``sh``, ``console``, ...) or, without a
language, when its lines carry ``$`` prompts or start with a well-known command. In a block with
prompts only the prompted lines are commands (the rest is output); otherwise every line that is not
a comment is. A command continued with ``\\``, ``&&``, ``||`` or ``|`` at the end of a line, or with
a here-document, is kept whole, verbatim, newlines included.
"""

from __future__ import annotations

import re

from workshop_template_system.workshop.document import CodeBlock

SHELL_LANGUAGES = frozenset(
    {"bash", "sh", "shell", "console", "shell-session", "shellsession", "zsh", "terminal", "shell-script"}
)
_PROMPT = re.compile(r"^\s*(?:\(\S+\)\s*)?(?:\[[^\]]*\]|[\w.@~:/-]+)?[$%]\s")
_PROMPT_ONLY = re.compile(r"^\s*[$%]\s*$")
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")
_CONTINUED = re.compile(r"(\\|&&|\|\||\|)\s*$")
KNOWN_COMMANDS = frozenset(
    {
        "git", "mvn", "./mvnw", "mvnw", "gradle", "./gradlew", "gradlew", "java", "jbang", "quarkus",
        "npm", "npx", "yarn", "pnpm", "node", "deno", "bun",
        "python", "python3", "pip", "pip3", "pipx", "uv", "poetry", "pytest", "tox", "jupyter",
        "go", "cargo", "rustup", "dotnet", "make", "cmake",
        "docker", "podman", "docker-compose", "buildah", "skopeo",
        "kubectl", "oc", "helm", "kustomize", "kind", "minikube", "odo", "tkn", "argocd", "ansible-playbook",
        "curl", "wget", "http", "cd", "export", "source", "mkdir", "cp", "mv", "cat", "echo", "ls", "chmod",
        "sudo", "brew", "apt", "apt-get", "dnf", "yum", "terraform", "aws", "az", "gcloud", "ollama",
    }
)  # fmt: skip


def is_shell_block(block: CodeBlock) -> bool:
    """Whether the block holds commands for a terminal."""
    if block.language in SHELL_LANGUAGES:
        return True
    if block.language:
        return False
    lines = [line for line in block.code.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return False
    if any(_PROMPT.match(line) for line in lines):
        return True
    return all(_looks_like_command(_first_word(line)) for line in _logical_lines(lines))


def shell_commands(block: CodeBlock) -> list[str]:
    """The commands of a shell block, verbatim (prompts removed); ``[]`` for other blocks."""
    if not is_shell_block(block):
        return []
    lines = block.code.splitlines()
    if any(_PROMPT.match(line) for line in lines):
        return _prompted(lines)
    return [command for command in _logical_lines(lines) if not command.lstrip().startswith("#")]


def _prompted(lines: list[str]) -> list[str]:
    """Lines after a prompt, with their continuation lines; everything else is output."""
    commands: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        prompt = _PROMPT.match(line)
        if prompt is None or _PROMPT_ONLY.match(line):
            continue
        command, index = _whole(line[prompt.end() :], lines, index)
        if command.strip():
            commands.append(command)
    return commands


def _logical_lines(lines: list[str]) -> list[str]:
    """Non-empty lines joined into whole commands (continuations and here-documents included)."""
    commands: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip():
            command, index = _whole(line, lines, index)
            commands.append(command)
    return commands


def _whole(first: str, lines: list[str], index: int) -> tuple[str, int]:
    """The command starting with `first`, extended over its continuation lines; the next index."""
    parts = [first.rstrip()]
    heredoc = _HEREDOC.search(first)
    while index < len(lines):
        if heredoc is not None:
            parts.append(lines[index].rstrip())
            index += 1
            if lines[index - 1].strip() == heredoc.group(2):
                heredoc = None
                if not _CONTINUED.search(parts[-1]):
                    break
            continue
        if not _CONTINUED.search(parts[-1]) and not _open_quote("\n".join(parts)):
            break
        parts.append(lines[index].rstrip())
        heredoc = _HEREDOC.search(lines[index])
        index += 1
    return "\n".join(parts).strip(), index


def _open_quote(text: str) -> bool:
    """Whether a shell quote opened in `text` is still open (a quoted argument continues on the next line)."""
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if quote == "'":
            quote = "" if char == "'" else quote
        elif char == "\\":
            index += 1  # the next character is escaped (outside single quotes)
        elif quote == '"':
            quote = "" if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1].isspace()):
            newline = text.find("\n", index)  # a comment: quotes in it open nothing
            index = len(text) if newline < 0 else newline
        index += 1
    return bool(quote)


def _looks_like_command(word: str) -> bool:
    """A well-known command, or a program run by its path (``./demo``)."""
    return word in KNOWN_COMMANDS or (word.startswith("./") and len(word) > 2)


def _first_word(command: str) -> str:
    words = command.split()
    while words and ("=" in words[0] and not words[0].startswith("=")):  # FOO=bar cmd
        words = words[1:]
    return words[0] if words else ""
