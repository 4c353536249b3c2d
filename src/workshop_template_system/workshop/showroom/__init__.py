"""Showroom workshops: written from an outline, and checked beyond what Antora reports.

render_workshop(outline)          → {relative path: text}, the Showroom template's layout
write_workshop(files, folder)     → writes them, removing what an earlier write made and is gone now
check_workshop(folder)            → [Finding]: pages not in the nav, undefined attributes, bad xref fragments
"""

from workshop_template_system.workshop.showroom.checks import Finding, check_workshop
from workshop_template_system.workshop.showroom.render import render_workshop
from workshop_template_system.workshop.showroom.writer import MANIFEST_NAME, write_workshop

__all__ = ["MANIFEST_NAME", "Finding", "check_workshop", "render_workshop", "write_workshop"]
