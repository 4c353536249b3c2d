"""What a module runs, read from its commands: the programs, the ports and the variables it needs."""

from __future__ import annotations

import pytest

from workshop_template_system.workshop.showroom.troubleshooting import assigned, ports, tools, variables


@pytest.mark.parametrize(
    ("command", "programs"),
    [
        ("./mvnw -q package", ["./mvnw"]),
        ("curl -s localhost:8080/actuator/health | jq .status", ["curl", "jq"]),
        ("FOO=1 sudo -E make run && npm test", ["make", "npm"]),
        ("if true; then ./gradlew build; fi", ["./gradlew"]),
        ("cat <<-EOF | kubectl apply -f -\n  kind: Pod\n  ----\n  EOF", ["kubectl"]),
        ("echo '{\"a\": 1}' | jq '.a | {b}'", ["jq"]),
        ("mkdir -p ${HOME}/x && find . -exec ls {} \\;", []),
    ],
)
def test_the_programs_a_command_runs(command: str, programs: list[str]) -> None:
    assert list(tools(command)) == programs


def test_ports_and_variables() -> None:
    assert list(ports("java -jar app.jar --server.port=8081 && curl 127.0.0.1:9090/x")) == ["8081", "9090"]
    assert list(ports("docker run -p 5432:5432 postgres")) == ["5432"]
    assert list(variables("echo $TOKEN ${REGION} $HOME '$LITERAL' \"$QUOTED\"")) == ["TOKEN", "REGION", "QUOTED"]
    assert assigned("export A=1; B=2 make; for C in x; do read -r D; done") == {"A", "B", "C", "D"}
