"""Workshops for the validation tests: one broken in every way validation checks, and a small Java service
whose generated workshop is clean. Each is a mapping of file path to content."""

from __future__ import annotations

from pathlib import Path

FENCE = "```"

JAVA_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>hello-service</artifactId>
  <version>1.0.0</version>
  <properties>
    <java.version>17</java.version>
  </properties>
</project>
"""

JAVA_SERVICE = {
    "pom.xml": JAVA_POM,
    "README.md": (
        f"# Hello Service\n\nA small Java service that says hello.\n\n## Build\n\nBuild it with Maven:\n\n"
        f"{FENCE}bash\nmvn -B package\n{FENCE}\n\n## Run\n\nStart it:\n\n"
        f"{FENCE}bash\njava -jar target/hello-service-1.0.0.jar\n{FENCE}\n"
    ),
    "src/main/java/com/example/Hello.java": "package com.example;\n\nclass Hello {}\n",
}

NAV = "* xref:index.adoc[Welcome]\n* xref:module-01.adoc[Module 1]\n"

INDEX = """= Welcome
:experimental:

You need Java 11 for this lab.

Start with xref:module-01.adoc#setup[the setup] and read xref:missing-page.adoc[the missing page].

image::architecture.png[Architecture]

Read link:{docs_url}/missing[the old guide].
The new guide is at {docs_url}/moved[the docs site].

include::partial$missing-snippet.adoc[]
"""

MODULE = """= Module 1

[#setup]
== Setup

Log in:

[source,bash,role=execute,subs="+attributes"]
----
oc login -u {user} <1>
----
<1> Your user name.

Create the project:

[source,bash,role=execute]
----
if [ -d demo ]; then
  echo "exists"
----

Apply this manifest:

[source,yaml]
----
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
 data: broken
----

The answer looks like:

[source,json]
----
{"status": "ok",}
----

[source,python]
----
def greet(name)
    return f"Hello {name}"
----

[source,dockerfile]
----
RUN dnf install -y java-17-openjdk
COPY app.jar /deployments/
----
"""

ORPHAN = "= Extra notes\n\nNobody links to this page.\n"

PLAYBOOK = """site:
  title: Broken Workshop
  start_page: modules::index.adoc
content:
  sources:
  - url: .
    start_path: content
    branches: HEAD
"""


def broken_workshop(docs_url: str) -> dict[str, str]:
    """A Showroom workshop with one of each problem; ``docs_url`` serves its external links."""
    return {
        "site.yml": PLAYBOOK,
        "content/antora.yml": (
            "name: modules\ntitle: Broken Workshop\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n"
            f"asciidoc:\n  attributes:\n    user: user1\n    docs_url: {docs_url}\n"
        ),
        "content/modules/ROOT/nav.adoc": NAV,
        "content/modules/ROOT/pages/index.adoc": INDEX,
        "content/modules/ROOT/pages/module-01.adoc": MODULE,
        "content/modules/ROOT/pages/extra.adoc": ORPHAN,
    }


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def line_of(text: str, needle: str) -> int:
    """The number of the first line of ``text`` holding ``needle``."""
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)
