"""A source repository for the pipeline tests, and the command line and workspace views of a run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from support import CONSOLE_SCRIPT

FENCE = "```"
README = f"""# Greeting Service

A small Python web service that greets people by name. It keeps no state, so it scales out freely.

## Prerequisites

- Python 3.12
- kubectl, logged in to a cluster

## Install

Install the dependencies:

{FENCE}bash
pip install -r requirements.txt
{FENCE}

## Run

Start the service on port 8080:

{FENCE}bash
python app.py
{FENCE}

## Deploy to Kubernetes

Apply the manifest, then wait for the rollout to finish:

{FENCE}bash
kubectl apply -f k8s/deployment.yaml
kubectl rollout status deployment/greeting
{FENCE}

## Troubleshooting

When the pod does not become ready, read its logs:

{FENCE}bash
kubectl logs deployment/greeting
{FENCE}
"""
APP = '''"""The greeting service."""

from flask import Flask, request

app = Flask(__name__)


@app.get("/greeting")
def greeting() -> dict[str, str]:
    return {"message": f"Hello, {request.args.get('name', 'world')}!"}


if __name__ == "__main__":
    app.run(port=8080)
'''
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: greeting
spec:
  replicas: 2
  selector:
    matchLabels: {app: greeting}
  template:
    metadata:
      labels: {app: greeting}
    spec:
      containers:
        - name: greeting
          image: quay.io/example/greeting:1.0
          ports: [{containerPort: 8080}]
"""
FILES = {"README.md": README, "app.py": APP, "requirements.txt": "flask==3.1.0\n", "k8s/deployment.yaml": DEPLOYMENT}


def make_source(root: Path) -> Path:
    """The greeting service as a git repository on ``main``."""
    repo = root / "greeting-service"
    for name, text in FILES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Greeting service"]):
        subprocess.run(
            ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.invalid", *command],
            cwd=repo,
            check=True,
        )
    return repo


def pipeline_cli(*args: str, env: dict[str, str], timeout: float = 400) -> subprocess.CompletedProcess[str]:
    """``workshop-template-system pipeline ARGS`` as an author runs it."""
    return subprocess.run(
        [CONSOLE_SCRIPT, "pipeline", *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_state(workspace: Path, pipeline_id: str) -> dict[str, Any]:
    """The run as other tools see it: ``run`` in the pipeline's pipeline-info.json."""
    info = workspace / "pipelines" / pipeline_id / "metadata" / "pipeline-info.json"
    return json.loads(info.read_text())["run"]


def pipeline_id_of(output: str) -> str:
    """The id the command printed first (``pipeline <id> (...)``)."""
    for line in output.splitlines():
        if line.startswith("pipeline pipeline-"):
            return line.split()[1]
    raise AssertionError(f"no pipeline id in:\n{output}")
