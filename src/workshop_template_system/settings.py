"""Configuration: the one place that reads the environment.

Names are kept from the seed's manifests (``AGENT_NAME``, ``WORKSPACE_PATH``, ...).
Everything else receives a `Settings` object; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from workshop_template_system.errors import ConfigurationError

AGENT_NAMES: tuple[str, ...] = (
    "workshop_chat",
    "template_converter",
    "content_creator",
    "research_validation",
    "source_manager",
    "documentation_pipeline",
)
CONTAINER_WORKSPACE = Path("/workspace/shared-data")
DEFAULT_PORT = 8080


def normalize_agent_name(name: str) -> str:
    """``content-creator`` → ``content_creator``; raises for names that are not agents."""
    normalized = name.strip().lower().replace("-", "_")
    if normalized not in AGENT_NAMES:
        raise ConfigurationError(f"unknown agent {name!r}; agents are: {', '.join(AGENT_NAMES)}")
    return normalized


def peer_url_variable(agent_name: str) -> str:
    """The environment variable that holds an agent's URL: ``content_creator`` → ``CONTENT_CREATOR_URL``."""
    return f"{agent_name.upper()}_URL"


class Secret:
    """A secret value: its repr and str never show it; `reveal()` does, where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """Every setting of the system, read once at start and passed down."""

    workspace_path: Path
    agent_name: str | None = None
    agent_port: int = DEFAULT_PORT
    agent_public_url: str | None = None
    task_store_url: str | None = None
    a2a_auth_token: Secret | None = None
    peer_urls: Mapping[str, str] = field(default_factory=dict)
    log_level: str = "INFO"
    lock_timeout: float = 30.0
    peer_timeout: float = 300.0
    max_request_bytes: int = 1024 * 1024
    shutdown_grace: float = 10.0
    allow_local_repositories: bool = True
    clone_timeout: float = 300.0
    clone_max_files: int = 50_000
    clone_max_bytes: int = 500_000_000
    llama_stack_endpoint: str | None = None
    inference_model_id: str | None = None
    llm_timeout: float = 120.0
    gitea_url: str | None = None
    gitea_token: Secret | None = None
    gitea_organization: str | None = None
    allow_private_urls: bool = False
    search_provider: str | None = None
    poll_interval: float | None = None
    milvus_endpoint: str | None = None
    milvus_token: Secret | None = None
    rag_enabled: bool = True
    embedding_model_id: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from the environment (``os.environ`` unless given)."""
        env = os.environ if environ is None else environ
        agent_name = env.get("AGENT_NAME") or None
        return cls(
            workspace_path=_workspace_path(env.get("WORKSPACE_PATH")),
            agent_name=normalize_agent_name(agent_name) if agent_name else None,
            agent_port=_number(env, "AGENT_PORT", DEFAULT_PORT, int),
            agent_public_url=env.get("AGENT_PUBLIC_URL") or None,
            task_store_url=env.get("TASK_STORE_URL") or None,
            a2a_auth_token=Secret(env["A2A_AUTH_TOKEN"]) if env.get("A2A_AUTH_TOKEN") else None,
            peer_urls={
                name: env[peer_url_variable(name)].rstrip("/")
                for name in AGENT_NAMES
                if env.get(peer_url_variable(name))
            },
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            lock_timeout=_number(env, "LOCK_TIMEOUT", 30.0, float),
            peer_timeout=_number(env, "PEER_TIMEOUT", 300.0, float),
            max_request_bytes=_number(env, "MAX_REQUEST_BYTES", 1024 * 1024, int),
            shutdown_grace=_number(env, "SHUTDOWN_GRACE", 10.0, float),
            allow_local_repositories=_flag(env, "ALLOW_LOCAL_REPOSITORIES", True),
            clone_timeout=_number(env, "CLONE_TIMEOUT", 300.0, float),
            clone_max_files=_number(env, "CLONE_MAX_FILES", 50_000, int),
            clone_max_bytes=_number(env, "CLONE_MAX_BYTES", 500_000_000, int),
            llama_stack_endpoint=(env.get("LLAMA_STACK_ENDPOINT") or "").rstrip("/") or None,
            inference_model_id=env.get("INFERENCE_MODEL_ID") or None,
            llm_timeout=_number(env, "LLM_TIMEOUT", 120.0, float),
            gitea_url=(env.get("GITEA_URL") or "").rstrip("/") or None,
            gitea_token=Secret(env["GITEA_TOKEN"]) if env.get("GITEA_TOKEN") else None,
            gitea_organization=env.get("GITEA_ORGANIZATION") or None,
            allow_private_urls=_flag(env, "ALLOW_PRIVATE_URLS", False),
            search_provider=env.get("SEARCH_PROVIDER") or None,
            poll_interval=_number(env, "POLL_INTERVAL", 0.0, float) or None,
            milvus_endpoint=_milvus_endpoint(env.get("MILVUS_ENDPOINT")),
            milvus_token=Secret(env["MILVUS_TOKEN"]) if env.get("MILVUS_TOKEN") else None,
            rag_enabled=_flag(env, "RAG_ENABLED", True),
            embedding_model_id=env.get("EMBEDDING_MODEL_ID") or None,
        )

    @property
    def model_configured(self) -> bool:
        """A language model is available: ``LLAMA_STACK_ENDPOINT`` and ``INFERENCE_MODEL_ID`` are both set."""
        return bool(self.llama_stack_endpoint and self.inference_model_id)

    def with_changes(self, **changes: object) -> Settings:
        """A copy with some values replaced (command-line options win over the environment)."""
        return replace(self, **changes)


def _workspace_path(value: str | None) -> Path:
    if value:
        return Path(value).expanduser().resolve()
    if CONTAINER_WORKSPACE.is_dir():
        return CONTAINER_WORKSPACE
    return (Path.cwd() / "workspace").resolve()


def _milvus_endpoint(value: str | None) -> str | None:
    """A Milvus server's ``http(s)://host:port``; unset means Milvus Lite in the workspace."""
    endpoint = (value or "").strip().rstrip("/")
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise ConfigurationError(f"MILVUS_ENDPOINT must be an http:// or https:// URL, got {value!r}")
    return endpoint or None


def _number[T: (int, float)](env: Mapping[str, str], name: str, default: T, kind: type[T]) -> T:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise ConfigurationError(f"{name} must be {noun}, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be greater than 0, got {raw!r}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {env[name]!r}")


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment plus `extra`, for agent processes started by ``up``."""
    return {**os.environ, **extra}
