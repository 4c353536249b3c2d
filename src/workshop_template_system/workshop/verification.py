"""A concrete check for each module: a check the page already runs, else one derived from what it does.

In order: the last checking command of the module (``curl``, ``kubectl get``, ``mvn test``, ...);
else a check of the effect of its commands (``kubectl apply -f x`` → ``kubectl get -f x``,
``podman build -t img`` → ``podman image inspect img``, a server started while the text names a
``http://localhost:<port>`` URL → ``curl`` it, ``mvn package`` → the archive in ``target/``); else the
build system's test command; else the module's last command, which must finish without errors.
A module without commands (an introduction page) has nothing to check.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from workshop_template_system.workshop.build_systems import BuildSystem
from workshop_template_system.workshop.outline import Verification

_CHECKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(curl|wget|http)\b"), "The application answers the request."),
    (re.compile(r"^(kubectl|oc)\s+(rollout\s+status|wait)\b"), "The rollout completes."),
    (re.compile(r"^(kubectl|oc)\s+(get|describe|logs|status)\b"), "The resources are listed and ready."),
    (re.compile(r"^helm\s+(status|list|ls|test)\b"), "The Helm release is deployed."),
    (re.compile(r"^(podman|docker)\s+(ps|images|image\s+(ls|inspect|exists))\b"), "The container or image is there."),
    (
        re.compile(r"^(\./mvnw|mvn|\./gradlew|gradle)\b.*\b(test|verify|check)\b|^(npm|yarn|pnpm)\s+(run\s+)?test\b"),
        "The tests pass.",
    ),
    (re.compile(r"^(pytest|tox|go\s+test|cargo\s+test|python\s+-m\s+(pytest|unittest))\b"), "The tests pass."),
)
_LOCAL_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1)(?::\d+)?[^\s)\"'`<>,]*")
_SERVER = re.compile(
    r"(spring-boot:run|quarkus:dev|bootRun|\b(npm|yarn|pnpm)\s+(start|run\s+dev)|\bnode\s+\S+|java\s+-jar|"
    r"uvicorn|flask\s+run|manage\.py\s+runserver|go\s+run|cargo\s+run|(podman|docker)\s+run)"
)


def verification_for(
    commands: list[str], texts: list[str], build_systems: list[BuildSystem]
) -> tuple[Verification, bool]:
    """The check for a module that runs `commands` and explains them with `texts`, and whether it is
    derived (True) rather than one of the module's own commands; empty for a module without commands."""
    if not commands:
        return Verification(), False
    for command in reversed(commands):
        for pattern, text in _CHECKS:
            if pattern.search(_first_line(command)):
                return Verification(text=text, commands=[command]), False
    for command in reversed(commands):
        for derive in _DERIVED:
            if found := derive(_words(command), texts):
                return found, True
    tests = next((system for system in build_systems if system.test_command), None)
    if tests is not None and tests.test_command is not None:
        command = (
            f"cd {shlex.quote(tests.directory)} && {tests.test_command}" if tests.directory else tests.test_command
        )
        return Verification(text=f"The project's tests pass ({tests.name}).", commands=[command]), True
    return Verification(text=f"`{_first_line(commands[-1])}` finishes without errors."), True


def _from_apply(words: list[str], texts: list[str]) -> Verification | None:
    if len(words) > 3 and words[0] in ("kubectl", "oc") and words[1] in ("apply", "create") and "-f" in words:
        target = words[words.index("-f") + 1] if words.index("-f") + 1 < len(words) else None
        if target:
            return Verification(text="The resources exist in the cluster.", commands=[f"{words[0]} get -f {target}"])
    if len(words) > 1 and words[0] in ("kubectl", "oc") and words[1] == "apply" and "-k" in words:
        target = words[words.index("-k") + 1] if words.index("-k") + 1 < len(words) else None
        if target:
            return Verification(text="The resources exist in the cluster.", commands=[f"{words[0]} get -k {target}"])
    return None


def _from_helm(words: list[str], texts: list[str]) -> Verification | None:
    if len(words) > 3 and words[0] == "helm" and words[1] in ("install", "upgrade"):
        names = [word for word in words[2:] if not word.startswith("-")]
        if names:
            return Verification(text="The Helm release is deployed.", commands=[f"helm status {names[0]}"])
    return None


def _from_image_build(words: list[str], texts: list[str]) -> Verification | None:
    if len(words) > 2 and words[0] in ("podman", "docker") and words[1] == "build":
        for flag in ("-t", "--tag"):
            if flag in words and words.index(flag) + 1 < len(words):
                image = words[words.index(flag) + 1]
                return Verification(text="The image was built.", commands=[f"{words[0]} image inspect {image}"])
    return None


def _from_server(words: list[str], texts: list[str]) -> Verification | None:
    command = " ".join(words)
    if not _SERVER.search(command):
        return None
    urls = [url.rstrip(".,;:!?") for text in texts for url in _LOCAL_URL.findall(text)]
    if not urls and (port := re.search(r"-p\s+(\d+):\d+", command)):
        urls = [f"http://localhost:{port.group(1)}/"]
    if urls:
        return Verification(text="The application answers on its local address.", commands=[f"curl -s {urls[0]}"])
    return None


def _from_build(words: list[str], texts: list[str]) -> Verification | None:
    if words and words[0] in ("mvn", "./mvnw") and {"package", "install", "verify"} & set(words):
        return Verification(text="The build wrote the application archive to `target/`.", commands=["ls target/*.jar"])
    if words and words[0] in ("gradle", "./gradlew") and {"build", "assemble", "bootJar"} & set(words):
        return Verification(
            text="The build wrote the application archive to `build/libs/`.", commands=["ls build/libs/"]
        )
    if len(words) > 1 and words[0] in ("npm", "yarn", "pnpm") and words[1] in ("install", "ci", "i"):
        return Verification(text="The dependencies are installed.", commands=[f"{words[0]} ls --depth=0"])
    if len(words) > 1 and words[0] in ("pip", "pip3") and words[1] == "install":
        return Verification(text="The installed packages have compatible dependencies.", commands=["pip check"])
    arguments = [word for word in words[2:] if not word.startswith("-")]
    if words[:2] == ["git", "clone"] and arguments:
        folder = arguments[1] if len(arguments) > 1 else arguments[0].rstrip("/").rsplit("/", 1)[-1]
        folder = folder.removesuffix(".git")
        return Verification(text="The repository is cloned.", commands=[f"git -C {folder} log -1 --oneline"])
    return None


_DERIVED: tuple[Callable[[list[str], list[str]], Verification | None], ...] = (
    _from_apply,
    _from_helm,
    _from_image_build,
    _from_server,
    _from_build,
)


def _words(command: str) -> list[str]:
    try:
        words = shlex.split(command.replace("\\\n", " "))
    except ValueError:
        words = command.split()
    while words and "=" in words[0] and not words[0].startswith(("-", "=")):
        words = words[1:]
    return words[1:] if words[:1] == ["sudo"] else words


def _first_line(command: str) -> str:
    return command.strip().splitlines()[0].rstrip(" \\") if command.strip() else ""
