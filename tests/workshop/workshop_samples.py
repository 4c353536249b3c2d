"""The sample repositories of the analysis tests: a Spring app, a Node app with a tutorial, a Python
package and an existing Showroom workshop. Each is a mapping of file path to content."""

from __future__ import annotations

FENCE = "```"

SPRING_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.5</version>
    <relativePath/>
  </parent>
  <groupId>com.example</groupId>
  <artifactId>greeting-service</artifactId>
  <version>0.0.1-SNAPSHOT</version>
  <properties>
    <java.version>17</java.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-web</artifactId>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-test</artifactId>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-maven-plugin</artifactId>
      </plugin>
    </plugins>
  </build>
</project>
"""

SPRING_README = f"""# Greeting Service

[![build](https://img.shields.io/badge/build-passing-green.svg)](https://ci.example.com/greeting)

A small Spring Boot service that greets people by name over HTTP.

## Architecture

The service exposes one REST endpoint, `/greeting`, implemented by `GreetingController`. It keeps no
state, so any number of replicas can run behind a Kubernetes Service, and it reads its port from
`application.properties`.

## Build

Build the application with the Maven wrapper:

{FENCE}bash
./mvnw -B package
{FENCE}

The build writes `target/greeting-service-0.0.1-SNAPSHOT.jar`.

## Run

Start the service locally:

{FENCE}bash
java -jar target/greeting-service-0.0.1-SNAPSHOT.jar
{FENCE}

In a second terminal, ask for a greeting:

{FENCE}console
$ curl -s 'http://localhost:8080/greeting?name=Ada'
{{"message":"Hello, Ada!"}}
{FENCE}

## Deploy to Kubernetes

To build the container image, run:

{FENCE}bash
podman build -t quay.io/example/greeting-service:1.0 .
{FENCE}

Then apply the manifests and wait for the rollout:

{FENCE}bash
kubectl apply -f k8s/deployment.yaml
kubectl rollout status deployment/greeting-service \\
  --timeout=120s
{FENCE}

## License

Apache License 2.0, see the LICENSE file:

{FENCE}bash
cat LICENSE
{FENCE}
"""

SPRING_APP = {
    "README.md": SPRING_README,
    "LICENSE": "Apache License\nVersion 2.0, January 2004\n",
    "pom.xml": SPRING_POM,
    "mvnw": '#!/bin/sh\nexec mvn "$@"\n',
    ".mvn/wrapper/maven-wrapper.properties": (
        "distributionUrl=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.6/"
        "apache-maven-3.9.6-bin.zip\n"
    ),
    "src/main/java/com/example/greeting/GreetingApplication.java": (
        "package com.example.greeting;\n\nimport org.springframework.boot.SpringApplication;\n"
        "import org.springframework.boot.autoconfigure.SpringBootApplication;\n\n@SpringBootApplication\n"
        "public class GreetingApplication {\n    public static void main(String[] args) {\n"
        "        SpringApplication.run(GreetingApplication.class, args);\n    }\n}\n"
    ),
    "src/main/java/com/example/greeting/GreetingController.java": (
        "package com.example.greeting;\n\nimport java.util.Map;\nimport org.springframework.web.bind.annotation.*;\n\n"
        '@RestController\npublic class GreetingController {\n    @GetMapping("/greeting")\n'
        "    public Map<String, String> greeting(@RequestParam String name) {\n"
        '        return Map.of("message", "Hello, " + name + "!");\n    }\n}\n'
    ),
    "src/main/resources/application.properties": "server.port=8080\n",
    "src/test/java/com/example/greeting/GreetingControllerTest.java": (
        "package com.example.greeting;\n\nimport org.junit.jupiter.api.Test;\n\n"
        "class GreetingControllerTest {\n    @Test\n    void greets() {}\n}\n"
    ),
    "Dockerfile": (
        "FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.18\n"
        "COPY target/greeting-service-0.0.1-SNAPSHOT.jar /deployments/app.jar\nEXPOSE 8080\n"
    ),
    "k8s/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: greeting-service\nspec:\n  replicas: 2\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: greeting-service\n"
    ),
    "node_modules/left-pad/index.js": "module.exports = () => 'vendored, never counted';\n" * 50,
}

NODE_PACKAGE = """{
  "name": "todo-api",
  "version": "1.0.0",
  "engines": {"node": ">=18"},
  "scripts": {"start": "node src/server.js", "test": "jest"},
  "dependencies": {"express": "^4.19.2"},
  "devDependencies": {"jest": "^29.7.0"}
}
"""

MKDOCS_YML = """site_name: Build a Todo API
nav:
  - Home: index.md
  - Setup: tutorial/01-setup.md
  - Add routes: tutorial/02-routes.md
  - Testing: tutorial/03-testing.md
  - Express docs: https://expressjs.com/
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
"""

NODE_TUTORIAL = {
    "docs/index.md": (
        "# Todo API tutorial\n\nIn this tutorial you build a small REST API for a todo list with Express, "
        "and test it with Jest.\n"
    ),
    "docs/tutorial/01-setup.md": (
        f"# Set up the project\n\nClone the repository and install the dependencies:\n\n{FENCE}bash\n"
        f"git clone https://github.com/example/todo-api.git\ncd todo-api\nnpm install\n{FENCE}\n"
    ),
    "docs/tutorial/02-routes.md": (
        f"# Add the routes\n\nThe routes live in `src/routes.js`:\n\n{FENCE}js\n"
        f"router.get('/todos', (req, res) => res.json(todos));\n{FENCE}\n\n"
        f"Start the server:\n\n{FENCE}bash\nnpm start\n{FENCE}\n\n"
        "The API now answers on http://localhost:3000/todos.\n"
    ),
    "docs/tutorial/03-testing.md": (
        f"# Test the API\n\nRun the test suite:\n\n{FENCE}console\n$ npm test\n\n> todo-api@1.0.0 test\n> jest\n\n"
        f"PASS test/server.test.js\n{FENCE}\n"
    ),
    "docs/tutorial/99-notes.md": f"# Notes\n\nNot in the nav.\n\n{FENCE}bash\necho hidden\n{FENCE}\n",
}

NODE_APP = {
    "README.md": "# Todo API\n\nA REST API for todo lists, with a step-by-step tutorial in `docs/`.\n",
    "package.json": NODE_PACKAGE,
    "package-lock.json": '{"name": "todo-api", "lockfileVersion": 3, "packages": {}}\n',
    "src/server.js": "const express = require('express');\nconst app = express();\napp.listen(3000);\n",
    "src/routes.js": "const router = require('express').Router();\nmodule.exports = router;\n",
    "test/server.test.js": "test('lists todos', () => { expect([]).toEqual([]); });\n",
    "mkdocs.yml": MKDOCS_YML,
    **NODE_TUTORIAL,
}

PYTHON_PYPROJECT = """[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "textstats"
version = "0.3.0"
requires-python = ">=3.10"
dependencies = ["click>=8.1"]

[project.optional-dependencies]
test = ["pytest>=8"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

PYTHON_README = f"""# textstats

Count words, lines and sentences in text files from the command line.

## Installation

{FENCE}bash
pip install -e '.[test]'
{FENCE}

## Usage

{FENCE}console
$ textstats README.md
words: 42
lines: 12
{FENCE}

## Development

Run the test suite with pytest:

{FENCE}sh
pytest -q
{FENCE}
"""

PYTHON_PACKAGE = {
    "README.md": PYTHON_README,
    "pyproject.toml": PYTHON_PYPROJECT,
    "src/textstats/__init__.py": '"""Text statistics."""\n',
    "src/textstats/cli.py": "import click\n\n\n@click.command()\ndef main() -> None:\n    click.echo('words: 0')\n",
    "tests/test_counts.py": "def test_counts() -> None:\n    assert len('a b'.split()) == 2\n",
}

SHOWROOM_NAV = """* xref:index.adoc[Welcome]
* xref:module-01.adoc[1. Create a pipeline]
** xref:module-01.adoc#run[Run the pipeline]
* xref:module-02.adoc[2. Add a trigger]
"""

SHOWROOM_WORKSHOP = {
    "README.adoc": "= OpenShift Pipelines Workshop\n\nShowroom content for the OpenShift Pipelines lab.\n",
    "site.yml": (
        "site:\n  title: OpenShift Pipelines Workshop\n  start_page: modules::index.adoc\n"
        "content:\n  sources:\n  - url: ./\n    start_path: content\n"
    ),
    "ui-config.yml": "type: showroom\nview_switch: true\n",
    "content/antora.yml": (
        "name: modules\ntitle: OpenShift Pipelines Workshop\nversion: master\nnav:\n- modules/ROOT/nav.adoc\n"
        "asciidoc:\n  attributes:\n    lab_name: OpenShift Pipelines\n    user: user1\n"
    ),
    "content/modules/ROOT/nav.adoc": SHOWROOM_NAV,
    "content/modules/ROOT/pages/index.adoc": (
        "= Welcome\n\nIn this lab you build and run a Tekton pipeline on OpenShift.\n"
    ),
    "content/modules/ROOT/pages/module-01.adoc": (
        "= Create a pipeline\n\n== Objectives\n\n* Create a Tekton pipeline\n* Run it and follow its logs\n\n"
        "== Create the pipeline\n\nApply the pipeline definition to your project:\n\n"
        '[source,bash,role=execute,subs="attributes"]\n----\noc apply -f pipeline.yaml -n {user}-cicd\n----\n\n'
        "[#run]\n== Run the pipeline\n\n.Start a run\n[source,bash,role=execute]\n----\n"
        "tkn pipeline start build-and-deploy --showlog\n----\n"
    ),
    "content/modules/ROOT/pages/module-02.adoc": (
        "= Add a trigger\n\nCreate the trigger template:\n\n[source,yaml]\n----\n"
        "apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerTemplate\n----\n\n"
        "Apply it:\n\n[source,bash,role=execute]\n----\n"
        "oc apply -f trigger-template.yaml\n----\n"
    ),
}


def generated_repository(count: int) -> dict[str, str]:
    """A repository of `count` files shaped like a real service: sources, tests, docs, manifests, a README."""
    files: dict[str, str] = dict(SPRING_APP)
    files.pop("node_modules/left-pad/index.js")
    kinds = (
        ("src/main/java/com/example/shop/module{group}/Service{number}.java", "class Service{number} {{}}\n" * 40),
        (
            "src/test/java/com/example/shop/module{group}/Service{number}Test.java",
            "class Service{number}Test {{}}\n" * 20,
        ),
        ("frontend/src/components/group{group}/Widget{number}.tsx", "export const Widget{number} = () => null;\n" * 30),
        (
            "docs/guide/section{group}/page{number}.md",
            "# Page {number}\n\nText.\n\n```bash\nmake step{number}\n```\n" * 3,
        ),
        (
            "deploy/overlays/env{group}/resource{number}.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{number}\n",
        ),
        ("scripts/tool{group}/task{number}.py", "def task_{number}():\n    return {number}\n" * 10),
    )
    number = 0
    while len(files) < count:
        path, text = kinds[number % len(kinds)]
        files[path.format(group=number % 40, number=number)] = text.format(number=number)
        number += 1
    return files
