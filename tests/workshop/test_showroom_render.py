"""render_workshop: the Showroom template's files from an outline, as AsciiDoc that says what the repository says."""

from __future__ import annotations

import itertools
import re

import pytest
import yaml
from showroom_fixtures import HOME_COMMAND, JAVA_OUTLINE, LAB_COMMAND, java_outline

from workshop_template_system.workshop.showroom import render_workshop
from workshop_template_system.workshop.showroom.index_page import duration
from workshop_template_system.workshop.showroom.scanner import scan

PAGES = "content/modules/ROOT/pages"
PLACEHOLDERS = re.compile(r"TODO|lorem|Content to be|Key benefit|TBD|FIXME|placeholder", re.IGNORECASE)


@pytest.fixture
def files() -> dict[str, str]:
    return render_workshop(java_outline())


def _block_after(page: str, command: str) -> str:
    """The attribute line and delimiter of the block holding ``command`` (as written in the page)."""
    lines = page.splitlines()
    index = next(number for number, line in enumerate(lines) if command in line)
    return "\n".join(lines[index - 2 : index])


def test_the_files_follow_the_showroom_template_layout(files: dict[str, str]) -> None:
    assert list(files) == [
        "site.yml",
        "ui-config.yml",
        "content/antora.yml",
        "content/modules/ROOT/nav.adoc",
        f"{PAGES}/index.adoc",
        f"{PAGES}/01-build.adoc",
        f"{PAGES}/02-run.adoc",
        f"{PAGES}/03-deploy.adoc",
        f"{PAGES}/04-conclusion.adoc",
    ]
    site = yaml.safe_load(files["site.yml"])
    assert site["site"] == {"title": JAVA_OUTLINE["title"], "start_page": "modules::index.adoc"}
    assert site["content"]["sources"] == [{"url": ".", "start_path": "content", "branches": "HEAD"}]
    assert "antora" not in site  # no extensions: they cannot be installed here, and a missing one is fatal
    assert "supplemental_files" not in site["ui"]
    assert yaml.safe_load(files["ui-config.yml"])["type"] == "showroom"
    component = yaml.safe_load(files["content/antora.yml"])
    assert "version: ~" in files["content/antora.yml"]
    assert {key: component[key] for key in ("name", "title", "version", "nav")} == {
        "name": "modules",
        "title": JAVA_OUTLINE["title"],
        "version": None,
        "nav": ["modules/ROOT/nav.adoc"],
    }
    assert component["asciidoc"]["attributes"] == {
        "lab_name": JAVA_OUTLINE["title"],
        "guid": "my-guid",
        "ssh_user": "lab-user",
        "ssh_command": "ssh {ssh_user}@bastion.{guid}.example.com",
        "repository_url": "https://github.com/spring-projects/spring-petclinic",
        "repository_ref": "main",
        "page-pagination": True,
    }


def test_the_nav_lists_every_page_in_reading_order(files: dict[str, str]) -> None:
    targets = re.findall(r"^\* xref:([^\[]+)\[", files["content/modules/ROOT/nav.adoc"], re.MULTILINE)
    assert targets == ["index.adoc", "01-build.adoc", "02-run.adoc", "03-deploy.adoc", "04-conclusion.adoc"]
    assert sorted(f"{PAGES}/{target}" for target in targets) == sorted(path for path in files if path.startswith(PAGES))


@pytest.mark.parametrize("page", ["index", "01-build", "02-run", "03-deploy", "04-conclusion"])
def test_every_page_has_one_title_and_sections_in_sequence(files: dict[str, str], page: str) -> None:
    levels = [line.section_level for line in scan(files[f"{PAGES}/{page}.adoc"]) if line.section_level is not None]
    assert levels[0] == 0
    assert levels.count(0) == 1
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))


def test_a_module_page_has_objectives_steps_verification_troubleshooting_and_sources(files: dict[str, str]) -> None:
    page = files[f"{PAGES}/01-build.adoc"]
    anchors = re.findall(r"^\[#([\w-]+)\]\n(=+ .*)$", page, re.MULTILINE)
    assert anchors == [
        ("objectives", "== Objectives"),
        ("steps", "== Steps"),
        ("step-package-the-application", "=== Package the application"),
        ("step-keep-a-copy-of-the-jar", "=== Keep a copy of the JAR"),
        ("verification", "== Verification"),
        ("troubleshooting", "== Troubleshooting"),
        ("source-files", "== Source files"),
    ]
    assert page.startswith(
        "= Module 1: Build the application\n\n"
        "PetClinic ships the Maven wrapper, so no Maven installation is needed.\n\n"
        "This module has 2 steps, taken from link:{repository_url}/blob/{repository_ref}/README.md[`+README.md+`]."
        " The verification at the end shows whether it worked.\n\n"
    )
    assert "* Find the runnable JAR in `+target/+`" in page
    assert "[source,bash,role=execute]\n----\n./mvnw -q package\n----" in page
    blob = "link:{repository_url}/blob/{repository_ref}"
    assert f"* {blob}/pom.xml[`+pom.xml+`]" in page
    # underscores in a link target would be read as emphasis: they are percent-encoded
    assert f"{blob}/src/main/java/org/example/petclinic/%5F%5Finit%5F%5F.java[" in page
    assert "It continues from xref:01-build.adoc[]." in files[f"{PAGES}/02-run.adoc"]


def test_a_step_shows_text_commands_code_and_outcome_in_the_order_of_the_source(files: dict[str, str]) -> None:
    page = files[f"{PAGES}/02-run.adoc"]
    step = page.split("=== Start the application\n\n", 1)[1].split("\n\n[#", 1)[0]
    assert step.split("\n\n") == [
        "Start the JAR; it listens on port 8080:",
        "[source,bash,role=execute]\n----\njava -jar target/app.jar --server.port=8080\n----",
        "[source,properties]\n----\nserver.port=8080\nspring.jpa.open-in-view=false\n----",
        "The log ends with `+Started PetClinicApplication+`.",
        "[.source-file]\nFrom link:{repository_url}/blob/{repository_ref}/README.md[`+README.md+`].",
    ]


def test_a_page_with_nothing_to_check_has_no_verification() -> None:
    modules = [dict(module) for module in JAVA_OUTLINE["modules"]]
    modules[2]["verification"] = {}
    page = render_workshop(java_outline(modules=modules))[f"{PAGES}/03-deploy.adoc"]
    assert "verification" not in page.lower()
    assert "This module has 1 step, taken from link:" in page


def test_troubleshooting_names_concrete_checks_from_the_commands_and_prerequisites(files: dict[str, str]) -> None:
    def troubleshooting(page: str) -> list[str]:
        section = files[f"{PAGES}/{page}.adoc"].split("== Troubleshooting\n\n", 1)[1].split("\n\n", 1)[0]
        return section.splitlines()

    assert troubleshooting("01-build") == [
        "* `+./mvnw -v+` shows the Maven version of the wrapper and the Java version it runs on: the repository"
        " declares Java 17, Maven 3.9.6 (in `+.mvn/wrapper/maven-wrapper.properties+`, `+pom.xml+`)."
    ]
    assert troubleshooting("02-run") == [
        "* `+java -version+` shows the Java version on your PATH: the repository declares Java 17 (in `+pom.xml+`).",
        "* `+curl --version+` shows that curl is installed and its version: the repository declares curl.",
        "* `+jq --version+` shows that jq is installed and its version: this module runs `+jq+`.",
        "* Port 8080 must be free for this module: `+ss -ltnp 'sport = :8080'+` lists a process listening on it.",
    ]
    ssh = "* `+command -v ssh+` must print where `+ssh+` is installed: this module runs it."
    assert troubleshooting("03-deploy")[1] == ssh


def test_variables_no_command_sets_are_named_and_a_module_without_commands_has_no_troubleshooting() -> None:
    modules = [dict(module) for module in JAVA_OUTLINE["modules"]]
    modules[0]["steps"] = [{"title": "Set the profile", "commands": ["export PROFILE=dev"]}]
    modules[1]["steps"] = [{"title": "Use it", "commands": ['./mvnw spring-boot:run -Dprofile="$PROFILE"']}]
    modules[1]["verification"] = {
        "text": "Read the log.",
        "commands": ["echo $TOKEN | wc -c", "for name in a b; do echo $name; done", "read -r LINE && echo $LINE"],
    }
    modules[2]["steps"] = [{"title": "Read", "text": "Read the manifests."}]
    modules[2]["verification"] = {"text": "You know what the manifests hold."}
    files = render_workshop(java_outline(modules=modules))
    run = files[f"{PAGES}/02-run.adoc"]
    assert '`+echo "$PROFILE"+` must print a value before you run the commands that use `+$PROFILE+`: an earlier' in run
    assert "`+$TOKEN+`: nothing in this workshop sets it." in run
    assert "$name" not in run.split("== Troubleshooting")[1]
    assert "$LINE" not in run.split("== Troubleshooting")[1]
    assert "Troubleshooting" not in files[f"{PAGES}/03-deploy.adoc"]
    assert "[source,bash" not in files[f"{PAGES}/03-deploy.adoc"]


def test_attributes_are_substituted_only_in_commands_that_use_a_defined_one(files: dict[str, str]) -> None:
    build, deploy = files[f"{PAGES}/01-build.adoc"], files[f"{PAGES}/03-deploy.adoc"]
    assert _block_after(build, HOME_COMMAND) == "[source,bash,role=execute]\n----"
    assert f"----\n{HOME_COMMAND}\n----" in build
    # keeps escaping <, > and &; the shell's ${HOME} is escaped so it stays as written
    assert _block_after(deploy, "ssh {ssh_user}") == '[source,bash,role=execute,subs="+attributes"]\n----'
    assert LAB_COMMAND.replace("${HOME}", "$\\{HOME}") in deploy
    assert '[source,bash,role=execute,subs="+attributes"]\n----\n{ssh_command}\n----' in files[f"{PAGES}/index.adoc"]


def test_code_that_would_end_or_change_its_block_is_guarded() -> None:
    heredoc = "cat > notes.adoc <<'EOF'\n= Notes\n----\ninclude::other.adoc[]\nEOF"
    modules = [dict(module) for module in JAVA_OUTLINE["modules"]]
    modules[0]["steps"] = [{"title": "Write notes", "commands": [heredoc, "echo done # <1>"]}]
    page = render_workshop(java_outline(modules=modules))[f"{PAGES}/01-build.adoc"]
    escaped = heredoc.replace("\ninclude::", "\n\\include::")
    assert f"[source,bash,role=execute]\n-----\n{escaped}\n-----" in page
    assert '[source,bash,role=execute,subs="specialcharacters"]\n----\necho done # <1>\n----' in page


def test_prose_is_shown_as_written(files: dict[str, str]) -> None:
    index = files[f"{PAGES}/index.adoc"]
    assert "It shows how the `+Spring+` stack fits together: a web layer, \\{id}-style path variables" in index
    modules = [dict(module) for module in JAVA_OUTLINE["modules"]]
    modules[0]["steps"] = [
        {
            "title": "== Not a title",
            "text": "== not a title\n\n* a list\n\n1. one\n2. two\n\nUse C++ and __init__.py {x}",
        }
    ]
    page = render_workshop(java_outline(modules=modules))[f"{PAGES}/01-build.adoc"]
    assert "=== == Not a title" in page
    # Markdown-style lists become lists (kept apart), the rest stays text
    expected = "{empty}== not a title\n\n* a list\n\n//-\n\n. one\n. two\n\nUse pass:[C++] and pass:[__init__.py] \\{x}"
    assert expected in page


def test_duplicate_step_titles_get_distinct_ids() -> None:
    modules = [dict(module) for module in JAVA_OUTLINE["modules"]]
    modules[0]["steps"] = [{"title": "Run it", "commands": ["make"]}, {"title": "Run it!", "commands": ["make"]}]
    page = render_workshop(java_outline(modules=modules))[f"{PAGES}/01-build.adoc"]
    assert re.findall(r"^\[#(step-[\w-]+)\]$", page, re.MULTILINE) == ["step-run-it", "step-run-it-2"]


def test_the_introduction_covers_audience_prerequisites_overview_modules_and_lab(files: dict[str, str]) -> None:
    index = files[f"{PAGES}/index.adoc"]
    assert index.startswith("= Spring PetClinic: build, run and deploy\n\nSpring PetClinic is a sample application")
    assert "The workshop takes about 1 hour 15 minutes." in index
    assert "* Java 17 (declared in link:{repository_url}/blob/{repository_ref}/pom.xml[`+pom.xml+`])" in index
    assert "* curl\n" in index
    assert "[#overview-architecture]\n=== Architecture\n\nThe application has three layers:\n\n* web" in index
    assert ". xref:01-build.adoc[]\n. xref:02-run.adoc[]\n. xref:03-deploy.adoc[]" in index
    assert (
        "* `+guid+`: `pass:a[{guid}]`\n* `+ssh_user+`: `pass:a[{ssh_user}]`\n* `+ssh_command+`: `pass:a[{ssh_command}]`"
        in index
    )
    assert "{repository_url} at `+main+`, commit `+0123456789abcdef0123456789abcdef01234567+`." in index
    assert "model-note" not in index


def test_the_model_note_is_said_on_the_introduction_when_given() -> None:
    note = "Written without a language model from the repository's own text."
    index = render_workshop(java_outline(), model_note=note)[f"{PAGES}/index.adoc"]
    assert f"[.model-note]\n{note}\n" in index


def test_the_conclusion_sums_up_each_module_and_points_at_the_repository_documents(files: dict[str, str]) -> None:
    conclusion = files[f"{PAGES}/04-conclusion.adoc"]
    assert "* xref:02-run.adoc[]\n** Start the application on port 8080\n** Check its health endpoint\n" in conclusion
    blob = "link:{repository_url}/blob/{repository_ref}"
    assert f"* Architecture: {blob}/docs/architecture.md[`+docs/architecture.md+`]" in conclusion
    assert f"* {blob}/README.md[`+README.md+`]\n* {blob}/docs/[`+docs/+`]\n" in conclusion
    assert "pom.xml" not in conclusion  # a build file, not documentation


def test_a_local_repository_is_cited_by_path_without_links() -> None:
    files = render_workshop(java_outline(source={"repository": "/srv/repos/petclinic", "ref": None, "commit": None}))
    attributes = yaml.safe_load(files["content/antora.yml"])["asciidoc"]["attributes"]
    assert (attributes["repository_url"], attributes["repository_ref"]) == ("/srv/repos/petclinic", "HEAD")
    assert not any("link:" in text for text in files.values())
    assert "* `+pom.xml+`\n" in files[f"{PAGES}/01-build.adoc"]


def test_text_in_attribute_values_is_kept_literal() -> None:
    files = render_workshop(java_outline(title="Handling {placeholders} in Spring"))
    assert yaml.safe_load(files["content/antora.yml"])["asciidoc"]["attributes"]["lab_name"] == (
        "Handling \\{placeholders} in Spring"  # Antora resolves references in these values
    )


def test_nothing_rendered_is_placeholder_text(files: dict[str, str]) -> None:
    for path, text in {**files, **render_workshop(java_outline(), model_note="Written by a model.")}.items():
        assert not PLACEHOLDERS.search(text), path


def test_many_modules_get_wider_numbers() -> None:
    modules = [{**JAVA_OUTLINE["modules"][0], "id": f"m{number}"} for number in range(120)]
    files = render_workshop(java_outline(modules=modules))
    assert f"{PAGES}/001-m0.adoc" in files
    assert f"{PAGES}/121-conclusion.adoc" in files


@pytest.mark.parametrize(
    ("minutes", "words"), [(45, "45 minutes"), (1, "1 minute"), (60, "1 hour"), (150, "2 hours 30 minutes")]
)
def test_durations_read_naturally(minutes: int, words: str) -> None:
    assert duration(minutes) == words
