"""The improvements `enhance` makes to one Antora component of a copied workshop, each listed as a `Change`.

Every edit is an insertion of whole lines or the rewrite of one xref target; no line an author
wrote is removed or changed otherwise, so the author's lines stay, in order, in every file:

- `plan_attributes` / `define_attributes`: attributes the pages use but nobody defines get an
  example value in ``antora.yml`` when they are Showroom lab attributes (``LAB_ATTRIBUTES``);
  others are reported, as no value can be known for them;
- `add_sections`: a module page that lacks objectives or a verification gets the outline's;
- `fix_xrefs`: an xref to a missing page is pointed at the one page with that file name (or title);
- `add_to_nav`: pages that no navigation file lists are appended to one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from workshop_template_system.workshop.outline import Module
from workshop_template_system.workshop.showroom.asciidoc import blocks, inline, listing, section, slug
from workshop_template_system.workshop.showroom.checks import BUILT_IN_ATTRIBUTES, page_key, undefined_attributes
from workshop_template_system.workshop.showroom.scanner import Line, entry, ids, scan, xrefs

# Attributes a Showroom deployment sets for each learner (from the lab's user data), with example values
# that say they are examples; a value may use those defined before it, as Antora resolves them in order.
LAB_ATTRIBUTES: dict[str, str] = {
    "guid": "my-guid",
    "user": "user1",
    "username": "user1",
    "password": "my-password",
    "ssh_user": "lab-user",
    "ssh_password": "my-password",
    "ssh_port": "22",
    "ssh_command": "ssh {ssh_user}@bastion.{guid}.example.com",
    "bastion_public_hostname": "bastion.{guid}.example.com",
    "bastion_ssh_user_name": "lab-user",
    "bastion_ssh_password": "my-password",
    "bastion_ssh_port": "22",
    "subdomain_base": "{guid}.example.com",
    "subdomain_base_suffix": ".example.com",
    "openshift_cluster_ingress_domain": "apps.cluster-{guid}.example.com",
    "openshift_console_url": "https://console-openshift-console.apps.cluster-{guid}.example.com",
    "openshift_cluster_console_url": "https://console-openshift-console.apps.cluster-{guid}.example.com",
    "openshift_api_url": "https://api.cluster-{guid}.example.com:6443",
    "openshift_api_server_url": "https://api.cluster-{guid}.example.com:6443",
    "openshift_cluster_admin_username": "admin",
    "openshift_cluster_admin_password": "my-password",
    "login_command": "oc login -u {user} -p {password} https://api.cluster-{guid}.example.com:6443",
}
_REFERENCE = re.compile(r"\{(\w[\w-]*)\}")
# Section titles that hold what the analysis reads as objectives or a verification (see `steps`).
_OBJECTIVES = re.compile(r"^(learning )?(objectives?|goals?|what you('| wi)ll learn|you will learn)\b", re.IGNORECASE)
_VERIFICATION = re.compile(r"^(verif|check (your|the)|validat|test your|confirm)", re.IGNORECASE)
_CLOSING = re.compile(r"^(summary|conclusions?|wrap[- ]?up|recap|next steps)\b", re.IGNORECASE)
_TITLE = re.compile(r"^(?:=|#)+[ \t]+(.*?)(?:[ \t]+(?:=|#)+)?$")
# Cross references with their text: xref:target[text] and <<target,text>> (as the scanner finds them).
_XREF = re.compile(r"(?<!\\)xref:([^\s\[]+)\[([^\]]*)\]|(?<!\\)<<([^>,\s]+)(?:,([^>]*))?>>")
_YAML_KEY = re.compile(r"^(\s*)([\w-]+):\s*(#.*)?$")


class Change(BaseModel):
    """One improvement made, or one problem reported: what kind, where (relative to the workshop), what."""

    model_config = ConfigDict(frozen=True)

    kind: str
    file: str
    line: int | None = None
    message: str


@dataclass
class Component:
    """One ``antora.yml`` in the copy: its navigation files, attributes and pages (paths relative to ``folder``)."""

    folder: Path
    top: Path
    name: str
    navs: list[str]
    attributes: dict[str, str]
    pages: dict[tuple[str, str], str]

    @classmethod
    def load(cls, descriptor: Path, top: Path, playbook: Mapping[str, str]) -> Component:
        data = yaml.safe_load(descriptor.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("it is not a YAML mapping")
        asciidoc = data.get("asciidoc") if isinstance(data.get("asciidoc"), dict) else {}
        attributes = {**BUILT_IN_ATTRIBUTES, **playbook, **attribute_values(asciidoc.get("attributes"))}
        navs = [str(path) for path in data.get("nav") or [] if isinstance(path, str)]
        folder = descriptor.parent
        pages = {}
        for page in sorted((folder / "modules").glob("*/pages/**/*.adoc")):
            parts = page.relative_to(folder / "modules").parts
            if not any(part.startswith(("_", ".")) for part in parts) and _inside(page, top):
                pages[(parts[0], "/".join(parts[2:]))] = page.relative_to(folder).as_posix()
        return cls(folder, top, str(data.get("name") or ""), navs, attributes, pages)

    @property
    def descriptor(self) -> str:
        return self.relative("antora.yml")

    def relative(self, path: str) -> str:
        """A path of the component as a path of the workshop."""
        return (self.folder / path).relative_to(self.top).as_posix()

    def existing_navs(self) -> list[str]:
        return [nav for nav in self.navs if (self.folder / nav).is_file() and _inside(self.folder / nav, self.top)]

    def read(self, path: str) -> str:
        """The file's text as stored: line ends kept, bytes that are not UTF-8 kept as escapes (see `write`)."""
        return (self.folder / path).read_bytes().decode("utf-8", "surrogateescape")

    def write(self, path: str, text: str) -> None:
        # The copy is private to `enhance_workshop` until it replaces the destination: plain writes suffice.
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8", "surrogateescape"))

    def page_of(self, path: Path) -> str | None:
        """The component path of a workshop file when it is one of its pages."""
        if not path.is_relative_to(self.folder):
            return None
        relative = path.relative_to(self.folder).as_posix()
        return relative if relative in self.pages.values() else None


def attribute_values(attributes: Any) -> dict[str, str]:
    """Attributes as Asciidoctor receives them: null and false unset, true empty, a soft-set ``@`` dropped."""
    if not isinstance(attributes, dict):
        return {}
    return {
        str(name): "" if value is True else str(value).removesuffix("@")
        for name, value in attributes.items()
        if value is not None and value is not False
    }


def nav_module(nav: str) -> str:
    """The module a navigation file belongs to (its xrefs resolve against it)."""
    parts = PurePosixPath(nav).parts
    return parts[1] if len(parts) > 2 and parts[0] == "modules" else "ROOT"


# Attributes ----------------------------------------------------------------------------------------------


def plan_attributes(component: Component, known: Mapping[str, str]) -> tuple[dict[str, str], list[Change]]:
    """The lab attributes to define (dependencies first) and the undefined others, reported per use."""
    needed: list[str] = []
    reported: list[Change] = []
    for path in [*component.existing_navs(), *component.pages.values()]:
        for number, name in undefined_attributes(scan(component.read(path)), component.attributes):
            if name in known:
                needed.append(name)
                continue
            message = (
                f"attribute {name!r} is used but not defined, and it is not a Showroom lab attribute: "
                "no value invented; define it in antora.yml"
            )
            reported.append(Change(kind="attribute", file=component.relative(path), line=number, message=message))
    order: dict[str, str] = {}

    def add(name: str) -> None:
        for dependency in _REFERENCE.findall(known[name]):
            if dependency in known and dependency not in component.attributes and dependency not in order:
                add(dependency)
        order.setdefault(name, known[name])

    for name in dict.fromkeys(needed):
        add(name)
    return order, reported


def define_attributes(component: Component, values: Mapping[str, str]) -> tuple[list[Change], list[Change]]:
    """``values`` added to the ``asciidoc.attributes`` of ``antora.yml``, as new lines after the author's."""
    if not values:
        return [], []
    text = component.read("antora.yml")
    lines = text.splitlines(keepends=True)
    index, indent, prefix = _attributes_insertion(lines)
    entries = [f"{indent}{_yaml_entry(name, value)}" for name, value in values.items()]
    newline = _newline(text)
    added = [line + newline for line in [*prefix, *entries]]
    updated = _with_final_newline(lines[:index], newline) + added + lines[index:]
    new_text = "".join(updated)
    if not _only_attributes_added(text, new_text, values):
        message = (
            f"attributes {', '.join(values)} are used but not defined; antora.yml's asciidoc section is written "
            "in a form this tool does not edit, so they are reported only"
        )
        return [], [Change(kind="attribute", file=component.descriptor, message=message)]
    component.write("antora.yml", new_text)
    first = index + len(prefix) + 1
    changes = [
        Change(
            kind="attribute",
            file=component.descriptor,
            line=first + position,
            message=f"defined attribute {name!r} as {value!r}, an example value: the pages use it and nothing "
            "defined it (a Showroom deployment sets the learner's own)",
        )
        for position, (name, value) in enumerate(values.items())
    ]
    return changes, []


def _attributes_insertion(lines: list[str]) -> tuple[int, str, list[str]]:
    """Where new attribute entries go (a line index), their indentation, and the keys to add before them."""
    asciidoc = _key_line(lines, "asciidoc", "", 0, len(lines))
    if asciidoc is None:
        return len(lines), "    ", ["asciidoc:", "  attributes:"]
    end = _block_end(lines, asciidoc, 0)
    child = _child_indent(lines, asciidoc + 1, end) or "  "
    attributes = _key_line(lines, "attributes", child, asciidoc + 1, end)
    if attributes is None:
        return asciidoc + 1, child + "  ", [f"{child}attributes:"]
    attributes_end = _block_end(lines, attributes, len(child))
    indent = _child_indent(lines, attributes + 1, attributes_end) or child + "  "
    nested = [n for n in range(attributes + 1, attributes_end) if _indent(lines[n]) > len(child) and lines[n].strip()]
    return max(nested, default=attributes) + 1, indent, []


def _key_line(lines: list[str], key: str, indent: str, start: int, end: int) -> int | None:
    for number in range(start, end):
        match = _YAML_KEY.match(lines[number].rstrip("\r\n"))
        if match and match.group(1) == indent and match.group(2) == key:
            return number
    return None


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the last line nested under the key on line ``start`` (indented by ``indent``)."""
    for number in range(start + 1, len(lines)):
        text = lines[number].rstrip("\r\n")
        if text.strip() and not text.lstrip().startswith("#") and _indent(text) <= indent:
            return number
    return len(lines)


def _child_indent(lines: list[str], start: int, end: int) -> str | None:
    for number in range(start, end):
        text = lines[number].rstrip("\r\n")
        if text.strip() and not text.lstrip().startswith("#"):
            return text[: len(text) - len(text.lstrip())]
    return None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _yaml_entry(name: str, value: str) -> str:
    return yaml.safe_dump({name: value}, default_flow_style=False, allow_unicode=True, width=1000).rstrip("\n")


def _only_attributes_added(old: str, new: str, values: Mapping[str, str]) -> bool:
    """Whether the edited descriptor reads as the old one plus exactly ``values`` in ``asciidoc.attributes``."""
    before, after = _strict_load(old), _strict_load(new)
    if not isinstance(before, dict) or not isinstance(after, dict) or not isinstance(after.get("asciidoc"), dict):
        return False
    old_asciidoc = before.get("asciidoc") if isinstance(before.get("asciidoc"), dict) else {}
    old_attributes = old_asciidoc.get("attributes") if isinstance(old_asciidoc.get("attributes"), dict) else {}
    expected = {**before, "asciidoc": {**old_asciidoc, "attributes": {**old_attributes, **values}}}
    return after == expected


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a repeated key, as Antora's YAML reader does (PyYAML keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=True) for key, _ in node.value]
        if len(keys) != len(set(map(str, keys))):
            raise yaml.constructor.ConstructorError(None, None, "a key is repeated", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _strict_load(text: str) -> Any:
    """The YAML document, or None when it cannot be read (or repeats a key)."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return None


# Objectives and verification --------------------------------------------------------------------------------


def add_sections(component: Component, page: str, module: Module, defined: Collection[str]) -> list[Change]:
    """The outline's objectives and verification inserted into a page that lacks them (per ``module.derived``)."""
    text = component.read(page)
    lines = scan(text)
    titles = [_section_title(line) for line in lines if line.section_level]
    body = next((line.number for line in lines if line.kind not in ("entry", "comment") and line.section_level != 0), 0)
    taken = ids(lines, {**BUILT_IN_ATTRIBUTES, **component.attributes})
    raw, newline = text.splitlines(keepends=True), _newline(text)
    changes: list[Change] = []
    # A closing section (Summary, Conclusion) becomes a step of the outline, but it is nothing to learn.
    objectives = [o for o in module.objectives if o.strip() and not _CLOSING.match(o.strip())]
    if "objectives" in module.derived and objectives and not any(_OBJECTIVES.match(title) for title in titles):
        index, follows_text = _objectives_position(lines, len(raw))
        names = _page_attributes(lines, defined, body)  # the entries above the objectives: the header's
        items = "\n".join(f"* {inline(objective, names, line_start=False)}" for objective in objectives)
        parts = [section(1, "Objectives", _unique_id("objectives", taken), names), items]
        message = "inserted an Objectives section with the outline's objectives: the page had none"
        if follows_text:
            parts.append(section(1, "Steps", _unique_id("steps", taken), names))
            message += " (and a Steps heading after it, so the page's own text does not read as objectives)"
        raw, line = _insert(raw, index, parts, newline)
        changes.append(Change(kind="objectives", file=component.relative(page), line=line, message=message))
    check = module.verification
    commands = [command for command in check.commands if command.strip()]
    wanted = "verification" in module.derived and (check.text.strip() or commands)
    if wanted and not any(_VERIFICATION.match(title) for title in titles):
        names = _page_attributes(lines, defined, None)
        parts = [section(1, "Verification", _unique_id("verification", taken), names), blocks(check.text, names)]
        parts += [listing(command, language="bash", defined=names, execute=True) for command in commands]
        raw, line = _insert(raw, _verification_position(scan("".join(raw)), len(raw)), parts, newline)
        message = "added a Verification section with the outline's check: the page had none"
        changes.append(Change(kind="verification", file=component.relative(page), line=line, message=message))
    if changes:
        component.write(page, "".join(raw))
    return changes


def _page_attributes(lines: list[Line], defined: Collection[str], before: int | None) -> set[str]:
    """``defined`` with the page's own attribute entries above line ``before`` (all of them for None)."""
    names = set(defined)
    for line in lines:
        if before is not None and line.number >= before:
            break
        if (parsed := entry(line)) and parsed[1]:
            names.discard(parsed[0])
        elif parsed:
            names.add(parsed[0])
    return names


def _objectives_position(lines: list[Line], count: int) -> tuple[int, bool]:
    """Where objectives go (a 0-based line index) and whether the page's text, not a section, follows there.

    After the title, its header and the first paragraph; right after the header when that paragraph
    introduces what follows it (it ends with a colon or runs into a block).
    """
    position = 0
    title = next((n for n, line in enumerate(lines) if line.kind not in ("comment", "entry", "directive")), None)
    if title is not None and lines[title].section_level == 0:
        position = title + 1
        while position < len(lines) and lines[position].number == lines[position - 1].number + 1:
            position += 1  # the header: the lines right below the title
    else:
        while position < len(lines) and lines[position].kind in ("comment", "entry"):
            position += 1
    after_header = lines[position - 1].number if position else 0
    paragraph = position
    while paragraph < len(lines) and lines[paragraph].kind == "attrlist":
        paragraph += 1
    end = paragraph
    if end < len(lines) and lines[end].kind == "text" and lines[end].section_level is None:
        while end + 1 < len(lines) and lines[end + 1].number == lines[end].number + 1:
            end += 1
        whole = all(
            line.kind in ("text", "attrlist") and line.section_level is None for line in lines[position : end + 1]
        )
        if whole and not lines[end].text.rstrip().endswith(":"):
            return _then_text(lines, end + 1, lines[end].number, count)
    return _then_text(lines, position, after_header, count)


def _then_text(lines: list[Line], following: int, index: int, count: int) -> tuple[int, bool]:
    """``index`` and whether anything but a level-1 section (or the page's end) comes after it."""
    rest = [line for line in lines[following:] if line.kind not in ("comment", "attrlist", "directive")]
    return min(index, count), bool(rest) and rest[0].section_level != 1


def _verification_position(lines: list[Line], count: int) -> int:
    """Before a closing Summary/Conclusion section when the page ends with one, else the page's end."""
    top = [position for position, line in enumerate(lines) if line.section_level == 1]
    if top and _CLOSING.match(_section_title(lines[top[-1]])):
        start = top[-1]
        while (
            start > 0
            and lines[start - 1].kind in ("attrlist", "comment")
            and lines[start - 1].number == lines[start].number - 1
        ):
            start -= 1
        return lines[start].number - 1
    return count


def _insert(raw: list[str], index: int, parts: list[str], newline: str) -> tuple[list[str], int]:
    """``parts`` (blocks) inserted before line ``index``, blank lines around them; the 1-based line of the first."""
    body = "\n\n".join(part for part in parts if part).split("\n")
    before = _with_final_newline(raw[:index], newline)
    lead = [""] if before and before[-1].strip() else []
    trail = [""] if index < len(raw) and raw[index].strip() else []
    inserted = [line + newline for line in [*lead, *body, *trail]]
    return before + inserted + raw[index:], len(before) + len(lead) + 1


def _section_title(line: Line) -> str:
    match = _TITLE.match(line.text)
    return match.group(1) if match else line.text


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


# Cross references -----------------------------------------------------------------------------------------


def fix_xrefs(component: Component) -> tuple[list[Change], list[Change]]:
    """Broken xrefs to pages of the component: rewritten when one page matches, else reported."""
    titles = {key: page_title(component.read(path)) for key, path in component.pages.items()}
    changes: list[Change] = []
    reported: list[Change] = []
    files = [(nav, nav_module(nav), PurePosixPath()) for nav in component.existing_navs()]
    for (module, relative), path in component.pages.items():
        files.append((path, module, PurePosixPath(relative).parent))
    for path, module, folder in files:
        text = component.read(path)
        raw = text.splitlines(keepends=True)
        edited = False
        for line in scan(text):
            for target, label, key in _broken(component, line, module, folder):
                matches = _matches(component, titles, key, label)
                where = {"file": component.relative(path), "line": line.number}
                if len(matches) != 1:
                    reason = (
                        f"several pages could be meant ({', '.join(component.pages[m] for m in matches)})"
                        if matches
                        else f"no page of the component is named {PurePosixPath(key[1]).name} or has its title"
                    )
                    message = f"xref target not found: {target}; {reason}, so it is left as written"
                    reported.append(Change(kind="xref-target", message=message, **where))
                    continue
                fixed = _retarget(target, matches[0], module)
                raw[line.number - 1] = _replace_target(raw[line.number - 1], target, fixed)
                edited = True
                message = f"xref to the missing page {target} now points at {fixed}, the only page that matches"
                changes.append(Change(kind="xref", message=message, **where))
        if edited:
            component.write(path, "".join(raw))
    return changes, reported


def page_title(text: str) -> str | None:
    """The page's document title (its level-0 section), if it has one."""
    line = next((line for line in scan(text) if line.section_level == 0), None)
    return _section_title(line) if line else None


def _broken(
    component: Component, line: Line, module: str, folder: PurePosixPath
) -> Iterator[tuple[str, str, tuple[str, str]]]:
    """``(target, text, page key)`` of the line's xrefs to a page of this component that does not exist."""
    labels = {
        match.group(1) or match.group(3): match.group(2) or match.group(4) or "" for match in _XREF.finditer(line.text)
    }
    for target in dict.fromkeys(xrefs(line)):
        reference = target.partition("#")[0]
        if "{" in target or ".adoc" not in reference:
            continue
        key = page_key(reference, module, folder, component.name)
        if key is not None and key not in component.pages:
            yield target, labels.get(target, ""), key


def _matches(
    component: Component, titles: Mapping[tuple[str, str], str | None], key: tuple[str, str], label: str
) -> list[tuple[str, str]]:
    """Pages with the missing target's file name; failing that, with its title (from the xref text or name)."""
    name = PurePosixPath(key[1]).name
    named = [page for page in component.pages if PurePosixPath(page[1]).name == name]
    if named:
        return named
    wanted = {slug(PurePosixPath(name).stem), slug(label)} - {""}
    return [page for page, title in titles.items() if title and slug(title) in wanted]


def _retarget(target: str, key: tuple[str, str], module: str) -> str:
    """``target`` pointing at the page ``key``, keeping its version, component, family and fragment."""
    reference, hash_sign, fragment = target.partition("#")
    version, at, rest = reference.rpartition("@")
    *coordinates, relative = rest.split(":")
    family, dollar, _ = relative.rpartition("$")
    path = f"{family}{dollar}{key[1]}"
    if len(coordinates) == 2:
        path = f"{coordinates[0]}:{key[0]}:{path}"
    elif coordinates or key[0] != module:
        path = f"{key[0]}:{path}"
    return f"{version}{at}{path}{hash_sign}{fragment}"


def _replace_target(text: str, old: str, new: str) -> str:
    def replace(match: re.Match[str]) -> str:
        group = 1 if match.group(1) is not None else 3
        if match.group(group) != old:
            return match.group(0)
        start, end = match.start(group) - match.start(), match.end(group) - match.start()
        return match.group(0)[:start] + new + match.group(0)[end:]

    return _XREF.sub(replace, text)


# Navigation -----------------------------------------------------------------------------------------------


def add_to_nav(component: Component) -> tuple[list[Change], list[Change]]:
    """Pages no navigation file lists, appended as xrefs to their module's navigation file (else the first)."""
    navs = component.existing_navs()
    linked: set[tuple[str, str]] = set()
    for nav in navs:
        for line in scan(component.read(nav)):
            for target in xrefs(line):
                reference = target.partition("#")[0]
                if ".adoc" in reference and (
                    key := page_key(reference, nav_module(nav), PurePosixPath(), component.name)
                ):
                    linked.add(key)
    missing = [key for key in component.pages if key not in linked]
    if not missing:
        return [], []
    if not navs:
        return _first_nav(component, missing[0][0])
    changes: list[Change] = []
    by_nav: dict[str, list[tuple[str, str]]] = {}
    for key in missing:
        nav = next((nav for nav in navs if nav_module(nav) == key[0]), navs[0])
        by_nav.setdefault(nav, []).append(key)
    for nav, keys in by_nav.items():
        text = component.read(nav)
        lines = _with_final_newline(text.splitlines(keepends=True), _newline(text))
        newline = _newline(text)
        start = len(lines)
        for key in keys:
            reference = key[1] if key[0] == nav_module(nav) else f"{key[0]}:{key[1]}"
            lines.append(f"* xref:{reference}[]{newline}")
        component.write(nav, "".join(lines))
        for offset, key in enumerate(keys, 1):
            message = f"added page {component.pages[key]} to the navigation: no navigation file listed it"
            changes.append(Change(kind="nav", file=component.relative(nav), line=start + offset, message=message))
    return changes, []


def _first_nav(component: Component, module: str) -> tuple[list[Change], list[Change]]:
    """A navigation file for a component whose ``antora.yml`` lists none, then the pages added to it."""
    if component.navs:
        listed = ", ".join(component.navs)
        message = f"the navigation files antora.yml lists ({listed}) are missing: unlisted pages not added"
        return [], [Change(kind="nav", file=component.descriptor, message=message)]
    nav = f"modules/{'ROOT' if any(key[0] == 'ROOT' for key in component.pages) else module}/nav.adoc"
    listed = _list_nav(component, nav)
    if listed is None:
        message = "antora.yml lists no navigation file and cannot be extended here: unlisted pages not added"
        return [], [Change(kind="nav", file=component.descriptor, message=message)]
    component.navs.append(nav)
    if not (component.folder / nav).is_file():
        component.write(nav, "")
    changes, reported = add_to_nav(component)
    return [listed, *changes], reported


def _list_nav(component: Component, nav: str) -> Change | None:
    """``nav`` added as the component's navigation file to ``antora.yml``, which lists none; None if it cannot be."""
    text = component.read("antora.yml")
    newline = _newline(text)
    lines = _with_final_newline(text.splitlines(keepends=True), newline)
    added = "".join([*lines, f"nav:{newline}", f"- {nav}{newline}"])
    before, after = _strict_load(text), _strict_load(added)
    if not isinstance(before, dict) or after != {**before, "nav": [nav]}:
        return None
    component.write("antora.yml", added)
    message = f"listed {nav} as the component's navigation file: antora.yml listed none"
    return Change(kind="nav", file=component.descriptor, line=len(lines) + 1, message=message)


# Helpers --------------------------------------------------------------------------------------------------


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _with_final_newline(lines: list[str], newline: str) -> list[str]:
    """The lines, the last one ended by a newline (the one line an insertion after it must touch)."""
    if lines and not lines[-1].endswith(("\n", "\r")):
        return [*lines[:-1], lines[-1] + newline]
    return list(lines)


def _inside(path: Path, top: Path) -> bool:
    """Whether ``path`` really is in ``top``: a symbolic link out of the workshop is never read or written."""
    return path.resolve().is_relative_to(top.resolve())
