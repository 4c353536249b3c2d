"""Run inside the image: build a small Showroom workshop with the installed package and the image's Antora.

Prints one JSON line: whether the build is good, its diagnostics, and which Antora and UI bundle it used.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from workshop_template_system.integrations.antora import (
    DEFAULT_UI_BUNDLE,
    build_site,
    ensure_git_repository,
    find_antora,
)

FILES = {
    "site.yml": "site:\n  title: Image Check\n  start_page: modules::index.adoc\n"
    "content:\n  sources:\n  - url: .\n    start_path: content\n",
    "content/antora.yml": "name: modules\ntitle: Image Check\nversion: ~\nnav:\n- modules/ROOT/nav.adoc\n",
    "content/modules/ROOT/nav.adoc": "* xref:index.adoc[]\n",
    "content/modules/ROOT/pages/index.adoc": "= Image Check\n\nBuilt inside the container image.\n",
}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for relative, text in FILES.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text)
        ensure_git_repository(root)
        report = build_site(root)
        page = report.site_dir / "modules" / "index.html"
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "diagnostics": [str(diagnostic) for diagnostic in report.diagnostics],
                    "page": page.read_text() if page.is_file() else "",
                    "antora": str(find_antora()),
                    "ui_bundle": str(DEFAULT_UI_BUNDLE),
                }
            )
        )


if __name__ == "__main__":
    main()
