"""The whole workshop from an outline: relative path → file text, nothing written (see `writer`)."""

from __future__ import annotations

from workshop_template_system.workshop.outline import Outline
from workshop_template_system.workshop.showroom import config
from workshop_template_system.workshop.showroom.conclusion_page import conclusion_page
from workshop_template_system.workshop.showroom.context import INDEX_PAGE, PAGES_DIR, Context
from workshop_template_system.workshop.showroom.index_page import index_page
from workshop_template_system.workshop.showroom.module_page import module_page

NAV_PATH = f"content/{config.NAV_FILE}"


def render_workshop(outline: Outline, *, model_note: str | None = None) -> dict[str, str]:
    """A complete Showroom workshop in the layout of the Showroom template, pages in reading order.

    ``model_note`` says on the introduction how the prose was written; the caller chooses the words.
    """
    context = Context.of(outline)
    files = {
        "site.yml": config.playbook(outline.title),
        "ui-config.yml": config.UI_CONFIG,
        "content/antora.yml": config.component_descriptor(outline.title, context.attributes),
        NAV_PATH: navigation(context),
        f"{PAGES_DIR}/{INDEX_PAGE}": index_page(context, model_note),
    }
    for module, page in zip(outline.modules, context.module_pages, strict=True):
        files[f"{PAGES_DIR}/{page}"] = module_page(context, module)
    files[f"{PAGES_DIR}/{context.conclusion_page}"] = conclusion_page(context)
    return files


def navigation(context: Context) -> str:
    """``nav.adoc``: every page in order; the titles come from the pages themselves."""
    entries = [f"* xref:{INDEX_PAGE}[Introduction]", *(f"* xref:{page}[]" for page in context.pages[1:])]
    return "\n".join(entries) + "\n"
