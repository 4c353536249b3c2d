"""docker-compose.yaml: checked by the real Compose v2 parser, and against the settings the agents actually read."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from compose_cli import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    ROOT,
    enable_profile,
    env_assignments,
    normalized_config,
    run_compose,
)

from support import free_port
from workshop_template_system.settings import AGENT_NAMES, Settings, peer_url_variable

Config = dict[str, Any]
PROFILES = ("gitea", "llama-stack")
BASE_PORT = 8080  # `workshop-template-system up` gives AGENT_NAMES ports from here, in that order
SECRET_NAME = re.compile(r"TOKEN|PASSWORD|SECRET|ACCESS_KEY|API_KEY")
FROM_ENV_FILE = re.compile(r"\$\{[A-Z][A-Z0-9_]*(:-|:\?[^}]*)\}")  # ${NAME:-} (empty default) or ${NAME:?why}
VARIABLE_REFERENCE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


class _NamesRead(Mapping[str, str]):
    """An empty environment that remembers every name looked up in it."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.names.add(name)
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def setting_names() -> set[str]:
    """Every variable `Settings.from_env` reads."""
    environ = _NamesRead()
    Settings.from_env(environ)
    return environ.names


def agent_services(config: Config) -> dict[str, str]:
    """Agent name → the service that runs it (found by the ``--agent-name`` of its command)."""
    found = {}
    for service_name, service in config["services"].items():
        command = service.get("command") or []
        if "--agent-name" in command:
            found[command[command.index("--agent-name") + 1]] = service_name
    return found


def container_port(service: Mapping[str, Any]) -> int:
    command = service["command"]
    return int(command[command.index("--port") + 1])


def write_env(directory: Path, text: str) -> Path:
    path = directory / ".env"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def example_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_env(tmp_path_factory.mktemp("compose"), ENV_EXAMPLE.read_text())


@pytest.fixture(scope="module")
def config(example_env: Path) -> Config:
    """No profile, .env.example as it is."""
    return normalized_config(example_env)


@pytest.fixture(scope="module")
def full_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Every profile on, with the lines .env.example says to uncomment for them."""
    text = ENV_EXAMPLE.read_text()
    for profile in PROFILES:
        text = enable_profile(text, profile)
    return normalized_config(write_env(tmp_path_factory.mktemp("compose-all"), text), PROFILES)


@pytest.mark.parametrize("profiles", [(), ("gitea",), ("llama-stack",), PROFILES], ids=str)
def test_compose_accepts_the_file_with_every_profile(example_env: Path, profiles: tuple[str, ...]) -> None:
    result = run_compose(["config", "-q"], env_file=example_env, profiles=profiles)
    assert (result.returncode, result.stderr) == (0, "")


def test_without_an_env_file_compose_says_which_secret_to_set(tmp_path: Path) -> None:
    result = run_compose(["config", "-q"], env_file=write_env(tmp_path, ""))
    assert result.returncode != 0
    assert re.search(r"MINIO_ROOT_(USER|PASSWORD) is missing a value: set MINIO_ROOT_\w+ in \.env", result.stderr)


@pytest.mark.parametrize(
    ("original", "broken", "complaint"),
    [
        (
            "      milvus:\n        condition: service_healthy",
            "      milvus-server:\n        condition: service_healthy",
            'depends on undefined service "milvus-server"',
        ),
        ("- workspace:/workspace", "- workspce:/workspace", "refers to undefined volume workspce"),
    ],
    ids=["undefined-service", "undefined-volume"],
)
def test_compose_rejects_a_broken_copy(
    tmp_path: Path, example_env: Path, original: str, broken: str, complaint: str
) -> None:
    text = COMPOSE_FILE.read_text()
    assert text.count(original) == 1
    copy = tmp_path / "docker-compose.yaml"
    copy.write_text(text.replace(original, broken))
    result = run_compose(["config", "-q"], env_file=example_env, compose_file=copy)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_six_agents_run_the_deployment_command_on_the_ports_up_uses(config: Config) -> None:
    agents = agent_services(config)
    assert sorted(agents) == sorted(AGENT_NAMES)
    for index, name in enumerate(AGENT_NAMES):
        service = config["services"][agents[name]]
        assert agents[name] == name.replace("_", "-")
        assert service["command"] == [
            *("python", "-m", "demos.workshop_template_system"),
            *("--agent-name", name, "--port", "8080"),
        ]
        published = [(port["host_ip"], port["published"], port["target"]) for port in service["ports"]]
        assert published == [("127.0.0.1", str(BASE_PORT + index), 8080)]
        assert service["environment"]["AGENT_PUBLIC_URL"] == f"http://localhost:{BASE_PORT + index}/"
        assert service["build"]["context"] == str(ROOT)
        assert service["image"] == "workshop-template-system:dev"


def test_every_agent_is_healthchecked_on_its_card_in_exec_form(config: Config) -> None:
    checks = set()
    for service_name in agent_services(config).values():
        service = config["services"][service_name]
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"]
        assert f"http://127.0.0.1:{container_port(service)}/agent-card" in test[3]
        checks.add(test[3])
    # With nothing listening, the check fails (urlopen raises, python exits 1).
    closed = checks.pop().replace("127.0.0.1:8080", f"127.0.0.1:{free_port()}")
    assert subprocess.run([sys.executable, "-c", closed], capture_output=True, timeout=30).returncode != 0


@pytest.mark.slow  # an agent's start costs ~8 s of CPU: 24-49 s measured on the shared 2-core machine
def test_the_healthcheck_passes_against_the_agent_it_guards(
    config: Config, start_agent: Callable[..., Any], workspace_path: Path
) -> None:
    service = config["services"][agent_services(config)["template_converter"]]
    port = free_port()
    command = [sys.executable, *service["command"][1:-1], str(port)]
    env = {**service["environment"], "WORKSPACE_PATH": str(workspace_path)}
    agent = start_agent("template_converter", port=port, command=command, **env)
    check = [sys.executable, "-c", service["healthcheck"]["test"][3].replace(":8080/", f":{port}/")]
    assert subprocess.run(check, capture_output=True, timeout=30).returncode == 0
    agent.stop()
    assert subprocess.run(check, capture_output=True, timeout=30).returncode != 0


def test_peer_urls_name_the_services_that_run_those_agents(config: Config) -> None:
    agents = agent_services(config)
    for service_name in agents.values():
        environment = config["services"][service_name]["environment"]
        for peer, peer_service in agents.items():
            url = urlsplit(environment[peer_url_variable(peer)])
            assert (url.scheme, url.hostname) == ("http", peer_service)
            assert url.port == container_port(config["services"][peer_service])
        assert set(Settings.from_env(environment).peer_urls) == set(AGENT_NAMES)


def test_every_address_an_agent_is_given_is_a_service(full_config: Config) -> None:
    for service_name in agent_services(full_config).values():
        for name, value in full_config["services"][service_name]["environment"].items():
            url = urlsplit(value or "")
            if name != "AGENT_PUBLIC_URL" and url.scheme in ("http", "https"):
                assert url.hostname in full_config["services"], f"{service_name}: {name}={value}"


def test_workshop_chat_uses_the_milvus_standalone_server(config: Config) -> None:
    chat = config["services"][agent_services(config)["workshop_chat"]]
    milvus = config["services"]["milvus"]
    assert Settings.from_env(chat["environment"]).milvus_endpoint == "http://milvus:19530"
    assert chat["depends_on"]["milvus"]["condition"] == "service_healthy"
    assert milvus["command"] == ["milvus", "run", "standalone"]
    assert milvus["image"].startswith("milvusdb/milvus:v2.5.")
    assert milvus["healthcheck"]["test"] == ["CMD", "curl", "-f", "http://localhost:9091/healthz"]
    assert {name: dep["condition"] for name, dep in milvus["depends_on"].items()} == {
        "etcd": "service_healthy",
        "minio": "service_healthy",
    }
    assert (milvus["environment"]["ETCD_ENDPOINTS"], milvus["environment"]["MINIO_ADDRESS"]) == (
        "etcd:2379",
        "minio:9000",
    )
    minio = config["services"]["minio"]["environment"]
    assert milvus["environment"]["MINIO_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"]
    assert milvus["environment"]["MINIO_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]
    assert config["services"]["etcd"]["image"] == "quay.io/coreos/etcd:v3.5.18"


def test_one_workspace_volume_is_shared_by_all_six_and_state_lives_in_named_volumes(config: Config) -> None:
    for service_name in agent_services(config).values():
        service = config["services"][service_name]
        mounts = [(mount["type"], mount["source"], mount["target"]) for mount in service["volumes"]]
        assert mounts == [("volume", "workspace", "/workspace")]
        assert Settings.from_env(service["environment"]).workspace_path == Path("/workspace")
    for service_name, target in {"milvus": "/var/lib/milvus", "etcd": "/etcd", "minio": "/minio_data"}.items():
        mounts = [(mount["type"], mount["target"]) for mount in config["services"][service_name]["volumes"]]
        assert mounts == [("volume", target)]
    assert {"workspace", "milvus-data", "etcd-data", "minio-data"} <= set(config["volumes"])


def test_every_image_is_pinned_and_every_service_restarts(full_config: Config) -> None:
    assert len(full_config["services"]) == 11
    for service_name, service in full_config["services"].items():
        _, _, tag = service["image"].rpartition(":")
        assert tag and "/" not in tag and tag != "latest", f"{service_name}: {service['image']}"
        assert service["restart"] == "unless-stopped", service_name
    assert ":latest" not in COMPOSE_FILE.read_text()


def test_secrets_only_come_from_variables() -> None:
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    secrets = {
        (service_name, key): value
        for service_name, service in services.items()
        for key, value in (service.get("environment") or {}).items()
        if SECRET_NAME.search(key)
    }
    assert {"A2A_AUTH_TOKEN", "GITEA_TOKEN", "MINIO_ROOT_PASSWORD", "MINIO_SECRET_ACCESS_KEY"} <= {
        key for _, key in secrets
    }
    assert {where: value for where, value in secrets.items() if not FROM_ENV_FILE.fullmatch(str(value))} == {}


def test_env_example_documents_every_variable_and_holds_no_secret() -> None:
    text = ENV_EXAMPLE.read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert set(VARIABLE_REFERENCE.findall(COMPOSE_FILE.read_text())) - documented == set()
    for name, value in env_assignments(text).items():
        if SECRET_NAME.search(name):
            assert value == "" or value.startswith("change-me"), name


def test_env_is_ignored_by_git_and_env_example_is_not() -> None:
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", path], timeout=30).returncode == 0

    assert ignored(".env")
    assert not ignored(".env.example")


def test_agents_are_given_only_real_settings(full_config: Config) -> None:
    known = setting_names()
    assert {"AGENT_PUBLIC_URL", "WORKSPACE_PATH", "GITEA_URL", "MILVUS_ENDPOINT", "WORKSHOP_CHAT_URL"} <= known
    for service_name in agent_services(full_config).values():
        unknown = set(full_config["services"][service_name]["environment"]) - known
        assert unknown == set(), f"{service_name} is given variables no setting reads: {sorted(unknown)}"


def test_profiles_are_off_until_asked_and_empty_values_mean_unset(config: Config) -> None:
    assert not {"gitea", "llamastack"} & set(config["services"])
    for service_name in agent_services(config).values():
        settings = Settings.from_env(config["services"][service_name]["environment"])
        assert (settings.gitea_url, settings.gitea_token, settings.gitea_organization) == (None, None, None)
        assert (settings.llama_stack_endpoint, settings.inference_model_id, settings.embedding_model_id) == (
            None,
            None,
            None,
        )
        assert (settings.a2a_auth_token, settings.search_provider, settings.poll_interval) == (None, None, None)


def test_the_gitea_profile_wires_source_manager_to_gitea(tmp_path: Path) -> None:
    text, count = re.subn(
        r"^GITEA_TOKEN=$",
        "GITEA_TOKEN=token-from-env-file",
        enable_profile(ENV_EXAMPLE.read_text(), "gitea"),
        flags=re.MULTILINE,
    )
    assert count == 1
    config = normalized_config(write_env(tmp_path, text), ["gitea"])
    gitea = config["services"]["gitea"]
    environment = config["services"][agent_services(config)["source_manager"]]["environment"]
    url = urlsplit(environment["GITEA_URL"])
    assert (url.hostname, url.port) == ("gitea", int(gitea["environment"]["GITEA__server__HTTP_PORT"]))
    # Gitea's clone URLs start with ROOT_URL: it must be the address the token is scoped to and the agents reach.
    assert gitea["environment"]["GITEA__server__ROOT_URL"].rstrip("/") == environment["GITEA_URL"].rstrip("/")
    assert f":{url.port}/api/healthz" in " ".join(gitea["healthcheck"]["test"])
    settings = Settings.from_env(environment)
    assert settings.gitea_url == "http://gitea:3000"
    assert settings.gitea_token is not None and settings.gitea_token.reveal() == "token-from-env-file"


def test_the_llama_stack_profile_wires_every_agent_to_the_server(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, enable_profile(ENV_EXAMPLE.read_text(), "llama-stack"))
    config = normalized_config(env_file, ["llama-stack"])
    stack = config["services"]["llamastack"]
    port = stack["ports"][0]["target"]
    assert f"http://127.0.0.1:{port}/v1/health" in stack["healthcheck"]["test"][-1]
    for service_name in agent_services(config).values():
        settings = Settings.from_env(config["services"][service_name]["environment"])
        assert settings.llama_stack_endpoint == f"http://llamastack:{port}"
        assert settings.model_configured, service_name
