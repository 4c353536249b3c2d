"""Reading a Showroom workshop and splitting it by section: order, includes, attributes, anchors, code, ids."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rag_support import FIXTURE

from workshop_template_system.errors import WorkspaceError
from workshop_template_system.integrations.antora import build_site, ensure_git_repository
from workshop_template_system.rag.chunking import MAX_PART_CHARS, Chunk, chunk_page, chunk_workshop
from workshop_template_system.rag.content import Page, read_workshop

SITE = "https://showroom.example.com/trailhead/modules"


@pytest.fixture(scope="module")
def chunks() -> dict[str, Chunk]:
    return {chunk.key: chunk for chunk in chunk_workshop("trailhead", read_workshop(FIXTURE))}


def test_the_component_its_pages_in_navigation_order_and_their_urls() -> None:
    content = read_workshop(FIXTURE)
    assert (content.component, content.title) == ("modules", "Trailhead: cloud-native Java on OpenShift")
    assert content.site_url == "https://showroom.example.com/trailhead"
    assert [page.id for page in content.pages] == [
        "index.adoc",
        "module-01-setup.adoc",
        "module-02-build.adoc",
        "module-03-deploy.adoc",
        "module-04-operate.adoc",
        "troubleshooting.adoc",
        "conclusion.adoc",
        "appendix:cli-reference.adoc",
    ]
    appendix = content.pages[-1]
    assert (appendix.module, appendix.nav_title) == ("appendix", "Appendix: oc command reference")
    assert appendix.url == f"{SITE}/appendix/cli-reference.html"
    assert content.pages[1].url == f"{SITE}/module-01-setup.html"
    assert content.warnings == ()


def test_partials_are_included_and_attributes_substituted_where_asciidoctor_does(chunks: dict[str, Chunk]) -> None:
    login = chunks["module-01-setup.adoc#login#0"]
    assert "oc whoami" in login.body  # from partial$login-steps.adoc
    assert "oc login -u lab-user https://api.cluster-my-guid.example.com:6443" in login.body  # subs="attributes"
    assert "oc delete project trailhead-my-guid" in chunks["conclusion.adoc#_clean_up#0"].body
    environment = chunks["index.adoc#_your_lab_environment#0"].body
    assert "https://console-openshift-console.apps.cluster-my-guid.example.com" in environment  # nested references
    expose = chunks["module-03-deploy.adoc#expose#0"].body
    assert "jsonpath='{.spec.host}'" in expose  # a verbatim block keeps braces as written
    assert "`/trails/{id}`" in chunks["module-02-build.adoc#_call_the_rest_api#0"].body  # an escaped reference
    assert not any("{" + name + "}" in chunk.text for chunk in chunks.values() for name in ("guid", "ssh_user"))


def test_code_blocks_are_kept_whole_in_fences(chunks: dict[str, Chunk]) -> None:
    body = chunks["module-03-deploy.adoc#_create_the_deployment#0"].body
    fence = re.search(r"```yaml\n(.*?)\n```", body, re.DOTALL)
    assert fence is not None
    manifest = fence.group(1)
    assert manifest.startswith("apiVersion: apps/v1") and manifest.endswith(
        "value: jdbc:postgresql://trails-db:5432/trails"
    )
    assert "```bash\noc apply -f k8s/deployment.yaml -f k8s/service.yaml\noc rollout status" in body


def test_sections_carry_page_title_anchor_and_module(chunks: dict[str, Chunk]) -> None:
    expose = chunks["module-03-deploy.adoc#expose#0"]
    assert (expose.title, expose.page_title, expose.module) == (
        "Expose the application with a route",
        "Module 3: Deploy to OpenShift",
        "ROOT",
    )
    assert expose.url == f"{SITE}/module-03-deploy.html#expose"
    assert expose.heading == "Module 3: Deploy to OpenShift — Expose the application with a route"
    nested = chunks["module-01-setup.adoc#_check_the_java_and_maven_versions#0"]
    assert nested.heading.endswith("Get the source code — Check the Java and Maven versions")
    top = chunks["appendix:cli-reference.adoc##0"]
    assert (top.anchor, top.title, top.module) == ("", "oc command reference", "appendix")
    assert "Command | What it does\n`oc login -u <user> <api-url>` | Log in to a cluster" in (
        chunks["appendix:cli-reference.adoc#_projects_and_sessions#0"].body
    )


def test_anchors_are_the_ids_of_the_built_site(chunks: dict[str, Chunk], tmp_path: Path) -> None:
    """Every citation's URL fragment is an id Antora gives that section on the page."""
    site = Path(shutil.copytree(FIXTURE, tmp_path / "site"))
    ensure_git_repository(site)
    report = build_site(site)
    assert report.ok, report.diagnostics
    for chunk in chunks.values():
        assert chunk.url is not None
        page, _, anchor = chunk.url.removeprefix("https://showroom.example.com/trailhead/").partition("#")
        html = (report.site_dir / page).read_text()
        if anchor:
            assert f'id="{anchor}"' in html, chunk.key


def test_ids_are_stable_and_change_with_the_content(workshop_copy: Path) -> None:
    first = chunk_workshop("trailhead", read_workshop(workshop_copy))
    assert [chunk.id for chunk in first] == [chunk.id for chunk in chunk_workshop("trailhead", read_workshop(FIXTURE))]
    assert len({chunk.id for chunk in first}) == len({chunk.key for chunk in first}) == len(first)
    page = workshop_copy / "content/modules/ROOT/pages/module-03-deploy.adoc"
    page.write_text(page.read_text().replace("--replicas=3", "--replicas=4"))
    second = chunk_workshop("trailhead", read_workshop(workshop_copy))
    first_ids = {chunk.id for chunk in first}
    changed = {chunk.key for chunk in second if chunk.id not in first_ids}
    assert changed == {"module-03-deploy.adoc#_scale_the_application#0"}
    assert chunk_workshop("other", read_workshop(workshop_copy))[0].id != second[0].id


def test_a_long_section_is_split_between_blocks_and_sections_without_ids_keep_distinct_keys() -> None:
    paragraphs = "\n\n".join(f"Paragraph {number} says something about the cluster. " * 8 for number in range(12))
    code = "\n".join(f"echo line {number}" for number in range(120))
    text = f"= Long\n:sectids!:\n\n== One\n\n{paragraphs}\n\n[source,bash]\n----\n{code}\n----\n\n== Two\n\nShort.\n"
    page = Page("long.adoc", "ROOT", "long.adoc", text, None, None)
    chunks = chunk_page("w", "W", page, {"sectids": ""})
    assert [chunk.anchor for chunk in chunks] == [""] * len(chunks)
    assert len({chunk.key for chunk in chunks}) == len(chunks) > 3
    assert all(len(chunk.body) <= MAX_PART_CHARS or chunk.body.startswith("```") for chunk in chunks)
    assert sum(chunk.body.count("echo line") for chunk in chunks) == 120
    assert any(chunk.body == f"```bash\n{code}\n```" for chunk in chunks)


def test_a_folder_without_a_component_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no Antora component"):
        read_workshop(tmp_path)
