"""What every page of one workshop needs to know: its attributes, the page files, how to cite a source file."""

from __future__ import annotations

from dataclasses import dataclass

from workshop_template_system.workshop.outline import Outline
from workshop_template_system.workshop.showroom import config
from workshop_template_system.workshop.showroom.asciidoc import code_span, url_path

PAGES_DIR = "content/modules/ROOT/pages"
INDEX_PAGE = "index.adoc"


@dataclass(frozen=True, slots=True)
class Context:
    """One outline with its page names (``01-build.adoc`` ... ``NN-conclusion.adoc``) and attributes."""

    outline: Outline
    attributes: dict[str, str | bool]
    module_pages: tuple[str, ...]
    conclusion_page: str

    @classmethod
    def of(cls, outline: Outline) -> Context:
        count = len(outline.modules)
        width = max(2, len(str(count + 1)))
        pages = tuple(f"{number:0{width}d}-{module.id}.adoc" for number, module in enumerate(outline.modules, 1))
        return cls(outline, config.lab_attributes(outline), pages, f"{count + 1:0{width}d}-conclusion.adoc")

    @property
    def defined(self) -> frozenset[str]:
        """Attribute names the pages may refer to."""
        return frozenset(self.attributes)

    @property
    def pages(self) -> tuple[str, ...]:
        """Every page in reading order."""
        return (INDEX_PAGE, *self.module_pages, self.conclusion_page)

    def source_link(self, path: str) -> str:
        """A repository file: a link to it at the workshop's ref when the repository is on the web, else its path."""
        if not config.is_web(config.repository_url(self.outline.source)):
            return code_span(path)
        return f"link:{{repository_url}}/blob/{{repository_ref}}/{url_path(path.lstrip('/'))}[{code_span(path)}]"
