"""Troubleshooting derived from what a module runs: the tools, the ports, the environment variables.

Each entry names a concrete check for something in the module's own commands, with the versions
the repository declares when a prerequisite matches the tool. Nothing is said about a module that
runs nothing: no entry is better than a generic one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from workshop_template_system.workshop.outline import Module, Outline, Prerequisite


@dataclass(frozen=True, slots=True)
class Tool:
    """How to check a tool, what that shows, and the prerequisite names it stands for (lowercase words)."""

    check: str
    shows: str
    needs: tuple[str, ...]


_JAVA = ("java", "jdk", "openjdk", "jre")
_MAVEN = Tool("mvn -v", "the Maven version and the Java version Maven runs on", ("maven", *_JAVA))
_MAVEN_WRAPPER = Tool("./mvnw -v", "the Maven version of the wrapper and the Java version it runs on", _MAVEN.needs)
_GRADLE_WRAPPER = Tool("./gradlew --version", "the Gradle version of the wrapper and its JVM", ("gradle", *_JAVA))
_NODE = Tool("node --version && npm --version", "the Node.js and npm versions", ("node", "nodejs", "npm"))
_PYTHON = Tool("python3 --version", "the Python version on your PATH", ("python",))
_PIP = Tool("python3 -m pip --version", "the pip version and the Python it belongs to", ("pip", "python"))
TOOLS: dict[str, Tool] = {
    "mvn": _MAVEN,
    "./mvnw": _MAVEN_WRAPPER,
    "mvnw": _MAVEN_WRAPPER,
    "gradle": Tool("gradle --version", "the Gradle version and the JVM it runs on", ("gradle", *_JAVA)),
    "./gradlew": _GRADLE_WRAPPER,
    "gradlew": _GRADLE_WRAPPER,
    "java": Tool("java -version", "the Java version on your PATH", _JAVA),
    "node": _NODE,
    "npm": _NODE,
    "npx": _NODE,
    "yarn": Tool("yarn --version", "the Yarn version", ("yarn", "node", "nodejs")),
    "pnpm": Tool("pnpm --version", "the pnpm version", ("pnpm", "node", "nodejs")),
    "python": _PYTHON,
    "python3": _PYTHON,
    "pip": _PIP,
    "pip3": _PIP,
    "go": Tool("go version", "the Go version", ("go", "golang")),
    "cargo": Tool("cargo --version", "the Cargo version of your Rust toolchain", ("rust", "cargo")),
    "docker": Tool("docker version", "the Docker client version and whether the daemon answers", ("docker",)),
    "podman": Tool("podman --version", "the Podman version", ("podman",)),
    "kubectl": Tool("kubectl version --client", "the kubectl version", ("kubectl", "kubernetes")),
    "oc": Tool("oc version --client", "the OpenShift client version", ("oc", "openshift")),
    "helm": Tool("helm version", "the Helm version", ("helm",)),
    "curl": Tool("curl --version", "that curl is installed and its version", ("curl",)),
    "jq": Tool("jq --version", "that jq is installed and its version", ("jq",)),
    "git": Tool("git --version", "the git version", ("git",)),
    "make": Tool("make --version", "the make version", ("make",)),
}
# Shell built-ins and core utilities: present wherever a shell is, nothing to check.
_SHELL_WORDS = """
    cd echo export cat ls mkdir rm cp mv grep sed awk tee chmod chown source . set unset sleep true false test [
    printf head tail wc sort uniq xargs env pwd touch find tr cut which read exit for done if fi
    while until case esac sh bash wait kill ps less more diff open
"""
_EVERYWHERE = frozenset(_SHELL_WORDS.split())
# Words that come before the program a line runs (with their options, which start with "-").
_PREFIXES = frozenset({"sudo", "time", "exec", "nohup", "command", "do", "then", "else", "!"})
_HEREDOC = re.compile(r"(<<-?\s*(['\"]?)(\w+)\2[^\n]*)\n.*?^\s*\3\s*$", re.DOTALL | re.MULTILINE)
_SEGMENT = re.compile(r"\|\|?|&&|;|\$\(|`|\n")
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
_PORT = re.compile(
    r"(?:localhost|127\.0\.0\.1|0\.0\.0\.0):(\d{2,5})\b|--(?:[\w.]*\.)?port[= ](\d{2,5})\b|-p (\d{2,5}):"
)
_VARIABLE = re.compile(r"\$\{?([A-Za-z_]\w*)")
# NAME=..., export NAME=..., for NAME in ..., read [-r] NAME
_SET_VARIABLE = re.compile(
    r"(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_]\w*)=|\bfor\s+([A-Za-z_]\w*)\s+in\b|\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*)"
)
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_SHELL_VARIABLES = frozenset({"HOME", "PATH", "PWD", "USER", "SHELL", "TMPDIR", "HOSTNAME", "RANDOM", "OLDPWD", "UID"})


def entries(outline: Outline, module: Module) -> Iterator[str]:
    """One sentence per thing to check for ``module``, as plain text with backtick code spans."""
    commands = module_commands(module)
    for tool in dict.fromkeys(name for command in commands for name in tools(command)):
        yield _tool_entry(tool, outline.prerequisites)
    for port in dict.fromkeys(port for command in commands for port in ports(command)):
        yield f"Port {port} must be free for this module: `ss -ltnp 'sport = :{port}'` lists a process listening on it."
    before = outline.modules[: outline.modules.index(module)]
    earlier = {name for other in before for command in module_commands(other) for name in assigned(command)}
    here = {name for command in commands for name in assigned(command)}
    for name in dict.fromkeys(name for command in commands for name in variables(command)):
        if name not in here:
            where = "an earlier module sets it" if name in earlier else "nothing in this workshop sets it"
            yield f'`echo "${name}"` must print a value before you run the commands that use `${name}`: {where}.'


def module_commands(module: Module) -> list[str]:
    return [*(command for step in module.steps for command in step.commands), *module.verification.commands]


def tools(command: str) -> Iterator[str]:
    """The programs a command line runs (first word of each pipeline part, after assignments and ``sudo``)."""
    for segment in _SEGMENT.split(_SINGLE_QUOTED.sub("''", _HEREDOC.sub(r"\1", command))):
        words = [word for word in segment.split() if not _ASSIGNMENT.match(word)]
        while words and (words[0] in _PREFIXES or words[0].startswith("-")):
            words.pop(0)
        if words and words[0] not in _EVERYWHERE and re.match(r"^[\w./-]+$", words[0]):
            yield words[0]


def ports(command: str) -> Iterator[str]:
    for match in _PORT.finditer(command):
        yield next(group for group in match.groups() if group)


def variables(command: str) -> Iterator[str]:
    """Variables a command reads (outside single quotes), except the ones every shell sets."""
    for match in _VARIABLE.finditer(_SINGLE_QUOTED.sub("''", command)):
        if match.group(1) not in _SHELL_VARIABLES:
            yield match.group(1)


def assigned(command: str) -> set[str]:
    """Variables a command line sets."""
    return {name for names in _SET_VARIABLE.findall(_SINGLE_QUOTED.sub("''", command)) for name in names if name}


def _tool_entry(name: str, prerequisites: list[Prerequisite]) -> str:
    tool = TOOLS.get(name)
    if tool is None:
        if "/" in name:
            return f"`ls -l {name}` must show the script as executable: run the commands from the repository's root."
        return f"`command -v {name}` must print where `{name}` is installed: this module runs it."
    matching = [p for p in prerequisites if set(re.findall(r"[a-z]+", p.name.lower())) & set(tool.needs)]
    if not matching:
        return f"`{tool.check}` shows {tool.shows}: this module runs `{name}`."
    declared = ", ".join(f"{p.name} {p.version}" if p.version else p.name for p in matching)
    sources = sorted({p.source_file for p in matching if p.source_file})
    where = f" (in {', '.join(f'`{source}`' for source in sources)})" if sources else ""
    return f"`{tool.check}` shows {tool.shows}: the repository declares {declared}{where}."
