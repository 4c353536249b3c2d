"""The configuration files of a Showroom workshop: ``site.yml``, ``ui-config.yml`` and ``content/antora.yml``.

Laid out as in rhpds/showroom_template_nookbag, minus its Antora extensions (not installable
here, and a missing extension is fatal to the build). The lab attributes are example values that a
Showroom deployment replaces with the learner's own: nothing secret is written.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from workshop_template_system.workshop.outline import Outline, Source

# The theme the Showroom template builds with; our tests build with the offline bundle instead.
SHOWROOM_UI_BUNDLE = "https://github.com/rhpds/rhdp_showroom_theme/releases/download/rh-one-2025/ui-bundle.zip"
COMPONENT_NAME = "modules"
NAV_FILE = "modules/ROOT/nav.adoc"

UI_CONFIG = """\
---
type: showroom

# Width of the instructions column, in percent
default_width: 30
# Keep the layout when the page is reloaded
persist_url_state: true

tabs:
- name: Terminal
  path: /wetty
  port: 443
"""

_ANTORA_REFERENCE = re.compile(r"\{(\w[\w-]*)\}")  # what Antora resolves in attribute values of antora.yml


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes null as ``~``, as Antora's descriptors do (``version: ~``)."""


_Dumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "~"))


def lab_attributes(outline: Outline) -> dict[str, str | bool]:
    """The attributes every page may use: the lab's (example values) and the repository's.

    Values may refer to attributes defined before them (Antora resolves ``{guid}`` in ``ssh_command``);
    text from the outline has its references escaped so it stays as written.
    """
    return {
        "lab_name": _literal(outline.title),
        "guid": "my-guid",
        "ssh_user": "lab-user",
        "ssh_command": "ssh {ssh_user}@bastion.{guid}.example.com",
        "repository_url": _literal(repository_url(outline.source)),
        "repository_ref": _literal(repository_ref(outline.source)),
        "page-pagination": True,
    }


def repository_url(source: Source) -> str:
    """The repository as people see it; a web address without its ``.git`` ending, so paths can be appended."""
    url = source.repository.strip()
    if is_web(url):
        url = url.rstrip("/").removesuffix(".git")
    return url


def repository_ref(source: Source) -> str:
    """The branch, tag or commit the workshop was made from; ``HEAD`` when none is known."""
    return source.ref or source.commit or "HEAD"


def is_web(url: str) -> bool:
    return re.match(r"https?://", url) is not None


def playbook(title: str) -> str:
    """``site.yml``: the Antora playbook building the ``content`` folder of this repository."""
    return _dump(
        {
            "site": {"title": title, "start_page": f"{COMPONENT_NAME}::index.adoc"},
            "content": {"sources": [{"url": ".", "start_path": "content", "branches": "HEAD"}]},
            "ui": {"bundle": {"url": SHOWROOM_UI_BUNDLE, "snapshot": True}},
            "output": {"dir": "./www"},
        }
    )


def component_descriptor(title: str, attributes: dict[str, str | bool]) -> str:
    """``content/antora.yml``: the component, its navigation and the attributes the pages use."""
    return _dump(
        {
            "name": COMPONENT_NAME,
            "title": title,
            "version": None,
            "nav": [NAV_FILE],
            "asciidoc": {"attributes": attributes},
        }
    )


def _literal(value: str) -> str:
    return _ANTORA_REFERENCE.sub(r"\\{\1}", value)


def _dump(data: dict[str, Any]) -> str:
    return "---\n" + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
