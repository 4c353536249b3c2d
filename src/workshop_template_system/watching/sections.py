"""Which sections of a documentation page changed between two versions of it.

Both versions are read with the analysis' own readers (`workshop.pages.read_page`), so a section's
title here is exactly the title the outline gave the module built from it. Sections are compared at
the page's top section level, each with the deeper sections under it — how the outline builder turns
a README's sections into modules — by their content, not their line numbers: moving text around
without changing it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshop_template_system.workshop.document import Document, Section
from workshop_template_system.workshop.pages import read_page


@dataclass(frozen=True)
class SectionDiff:
    """The top-level section titles of either version, and those whose content differs."""

    titles: frozenset[str]
    changed: frozenset[str]
    opening_changed: bool
    """The page title or the text before its first section differs."""


def section_diff(path: str, before: str | None, after: str | None) -> SectionDiff:
    """Compare two versions of the page at `path`; None for a version that does not exist."""
    old = read_page(path, before) if before is not None else None
    new = read_page(path, after) if after is not None else None
    old_groups, new_groups = _groups(old), _groups(new)
    titles = frozenset(old_groups) | frozenset(new_groups)
    changed = frozenset(title for title in titles if old_groups.get(title) != new_groups.get(title))
    return SectionDiff(titles, changed, _opening(old) != _opening(new))


def _groups(document: Document | None) -> dict[str, list[Section]]:
    """Top-level sections, each with the deeper sections after it; sections of one title together."""
    if document is None or not document.sections:
        return {}
    top = min(section.level for section in document.sections)
    groups: dict[str, list[Section]] = {}
    current: list[Section] | None = None
    for section in document.sections:
        if section.level == top or current is None:
            current = groups.setdefault(section.title, [])
        current.append(section)
    return groups


def _opening(document: Document | None) -> tuple[object, ...] | None:
    return None if document is None else (document.title, document.intro)
