"""A small Showroom workshop written by the tests, in the layout of rhpds/showroom_template_nookbag."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from workshop_template_system.integrations.antora import BuildReport, build_site

SITE_YML = """\
site:
  title: Container Basics
  url: https://example.com/container-basics
  start_page: modules::index.adoc

content:
  sources:
  - url: .
    start_path: content

output:
  dir: ./www
"""

ANTORA_YML = """\
name: modules
title: Container Basics
version: ~
nav:
- modules/ROOT/nav.adoc

asciidoc:
  attributes:
    lab_name: Container Basics
    guid: my-guid
    ssh_user: lab-user
"""

INDEX = """\
= Welcome to {lab_name}

In this workshop you build a container image and run it on your lab's bastion host.

Start with xref:module-01.adoc[the first module].
"""

MODULE_01 = """\
= Module 1: Log in to your lab

== Objectives

* Connect to the bastion host of your lab.

== Steps

. Open a terminal and connect to the bastion:
+
[source,bash,role=execute,subs="attributes"]
----
ssh {ssh_user}@bastion.{guid}.example.com
----

== Verification

The prompt shows `{ssh_user}@bastion`.
"""


def _write_workshop(root: Path, pages: dict[str, str] | None = None, *, site_yml: str = SITE_YML) -> Path:
    """Write the workshop into ``root``: index and module 1, plus or instead of ``pages`` (name → AsciiDoc)."""
    pages = {"index.adoc": INDEX, "module-01.adoc": MODULE_01, **(pages or {})}
    module = root / "content" / "modules" / "ROOT"
    (module / "pages").mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(site_yml)
    (root / "content" / "antora.yml").write_text(ANTORA_YML)
    nav = "".join(f"* xref:{name}[]\n" for name in pages)
    (module / "nav.adoc").write_text(nav)
    for name, text in pages.items():
        (module / "pages" / name).write_text(text)
    return root


@pytest.fixture
def write_workshop() -> Callable[..., Path]:
    """Write the workshop, with changed or added pages: ``write_workshop(root, {"index.adoc": "..."})``."""
    return _write_workshop


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    """The workshop in a plain folder (not yet a git repository)."""
    return _write_workshop(tmp_path / "workshop")


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., BuildReport]:
    """`build_site` with Antora's cache kept in the test's folder instead of the home directory."""
    return partial(build_site, cache_dir=tmp_path / "antora-cache")
