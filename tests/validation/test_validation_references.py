"""Includes and images resolved as Antora resolves resource ids, relative paths and attributes."""

from __future__ import annotations

from collections import Counter

from validation_samples import write_files

from workshop_template_system.validation.references import Target, check_references
from workshop_template_system.validation.workshop_files import read_workshop

PAGE = """= Page
:shots: screenshots

include::partial$intro.adoc[]
include::../partials/intro.adoc[]
include::{partialsdir}/intro.adoc[]
include::ROOT:partial$gone.adoc[]
include::other-component:ROOT:partial$whatever.adoc[]

image::setup:diagram.png[]
image::{shots}/console.png[]
image::missing.png[]
Click image:icons/run.png[Run] to start.
image::https://example.org/logo.png[]

[source,asciidoc]
----
image::not-an-image-here.png[]
----
"""


def test_includes_and_images(tmp_path) -> None:
    files = {
        "antora.yml": "name: docs\nversion: ~\n",
        "modules/ROOT/pages/page.adoc": PAGE,
        "modules/ROOT/partials/intro.adoc": "Welcome.\n",
        "modules/setup/images/diagram.png": "png",
        "modules/ROOT/images/screenshots/console.png": "png",
    }
    workshop = read_workshop(write_files(tmp_path, files))
    [page] = [file for file in workshop.files if file.is_page]
    counts: Counter[str] = Counter()
    external: list[Target] = []
    found = [(f.check, f.line, f.message) for f in check_references(page, counts, external)]
    assert found == [
        ("include", 7, "include target not found: ROOT:partial$gone.adoc"),
        ("image", 12, "image target not found: missing.png"),
        ("image", 13, "image target not found: icons/run.png"),
    ]
    assert external == [Target("image", "https://example.org/logo.png", "modules/ROOT/pages/page.adoc", 14)]
    assert counts == {"includes": 4, "images": 4}  # another component's partial is not ours to check
