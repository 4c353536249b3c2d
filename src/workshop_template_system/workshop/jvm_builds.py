"""Maven and Gradle builds: the Java version, Spring Boot / Quarkus / Micronaut, wrappers and commands."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field

from workshop_template_system.workshop.build_systems import (
    BuildFindings,
    BuildSystem,
    FrameworkKind,
    folder_of,
    in_folder,
)
from workshop_template_system.workshop.files import RepositoryFiles
from workshop_template_system.workshop.outline import Prerequisite

MAX_BUILD_FILES = 20
# (group id prefix, artifact id prefix) → framework; the first match names it.
_JVM_FRAMEWORKS: tuple[tuple[str, str, str, FrameworkKind], ...] = (
    ("org.springframework.boot", "", "Spring Boot", "application"),
    ("io.quarkus", "", "Quarkus", "application"),
    ("io.micronaut", "", "Micronaut", "application"),
    ("org.apache.camel", "", "Apache Camel", "application"),
    ("io.vertx", "", "Vert.x", "application"),
    ("jakarta.platform", "", "Jakarta EE", "application"),
    ("org.junit.jupiter", "", "JUnit 5", "test"),
    ("junit", "junit", "JUnit 4", "test"),
    ("org.testcontainers", "", "Testcontainers", "test"),
)
_JAVA_PROPERTIES = ("maven.compiler.release", "java.version", "maven.compiler.source", "maven.compiler.target")
_VERSION_PROPERTIES = {
    "Spring Boot": "spring-boot.version",
    "Quarkus": "quarkus.platform.version",
    "Micronaut": "micronaut.version",
    "Apache Camel": "camel.version",
}
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_WRAPPER_MAVEN = re.compile(r"apache-maven/([\w.-]+?)/")
_WRAPPER_GRADLE = re.compile(r"gradle-([\w.-]+?)-(?:bin|all)\.zip")


@dataclass
class _Pom:
    path: str
    properties: dict[str, str] = field(default_factory=dict)
    parent: tuple[str, str, str] | None = None
    dependencies: list[tuple[str, str, str]] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)


def read_maven(files: RepositoryFiles) -> BuildFindings:
    """Findings from the ``pom.xml`` files (shallowest first)."""
    findings = BuildFindings()
    poms = [pom for item in files.named("pom.xml")[:MAX_BUILD_FILES] if (pom := _parse_pom(item.path, files))]
    if not poms:
        return findings
    root = folder_of(poms[0].path)
    mvn = "./mvnw" if files.exists(in_folder(root, "mvnw")) else "mvn"
    plugins = {plugin for pom in poms for plugin in pom.plugins}
    run = f"{mvn} spring-boot:run" if "spring-boot-maven-plugin" in plugins else None
    run = f"{mvn} quarkus:dev" if "quarkus-maven-plugin" in plugins else run
    findings.build_systems.append(
        BuildSystem(
            name="maven",
            directory=root,
            files=[pom.path for pom in poms],
            build_command=f"{mvn} package",
            test_command=f"{mvn} test",
            run_command=run,
        )
    )
    for pom in poms:
        _pom_findings(pom, findings)
    findings.add_prerequisite(
        _tool("Maven", files, in_folder(root, ".mvn/wrapper/maven-wrapper.properties"), _WRAPPER_MAVEN)
    )
    return findings


def _pom_findings(pom: _Pom, findings: BuildFindings) -> None:
    java = next((pom.properties[key] for key in _JAVA_PROPERTIES if pom.properties.get(key)), None)
    if java:
        findings.add_prerequisite(Prerequisite(name="Java", version=java, source_file=pom.path))
    coordinates = [*([pom.parent] if pom.parent else []), *pom.dependencies]
    for group, artifact, version in coordinates:
        for group_prefix, artifact_prefix, name, kind in _JVM_FRAMEWORKS:
            if group.startswith(group_prefix) and artifact.startswith(artifact_prefix):
                declared = version or pom.properties.get(_VERSION_PROPERTIES.get(name, ""))
                findings.framework(name, declared or None, pom.path, kind)
                break


def _parse_pom(path: str, files: RepositoryFiles) -> _Pom | None:
    text = files.text(path)
    try:
        # The expat bundled with Python >= 3.12 refuses entity-expansion attacks; no external entities are read.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError:
        return None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    pom = _Pom(path)
    properties = root.find("properties")
    if properties is not None:
        pom.properties = {child.tag: (child.text or "").strip() for child in properties if isinstance(child.tag, str)}
    resolve = _resolver(pom.properties)
    parent = root.find("parent")
    if parent is not None:
        pom.parent = (_text(parent, "groupId"), _text(parent, "artifactId"), resolve(_text(parent, "version")))
    for dependency in [*root.iterfind("dependencies/dependency"), *root.iterfind("dependencyManagement/*/dependency")]:
        pom.dependencies.append(
            (_text(dependency, "groupId"), _text(dependency, "artifactId"), resolve(_text(dependency, "version")))
        )
    pom.plugins = [_text(plugin, "artifactId") for plugin in root.iterfind(".//plugins/plugin")]
    return pom


def _text(element: ElementTree.Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _resolver(properties: dict[str, str]) -> Callable[[str], str]:
    """Resolves ``${name}`` from the properties (which are resolved among themselves first, one level)."""

    def resolve(value: str) -> str:
        return _PROPERTY.sub(lambda match: properties.get(match.group(1), match.group(0)), value)

    for key, value in list(properties.items()):
        properties[key] = resolve(value)
    return resolve


_GRADLE_PLUGIN = re.compile(r"""id\s*\(?\s*["']([\w.-]+)["']\s*\)?(?:\s*version\s*\(?\s*["']([^"']+)["'])?""")
_GRADLE_APPLIED = re.compile(r"""apply\s+plugin\s*:\s*["']([\w.-]+)["']""")
_GRADLE_COORDINATE = re.compile(r"""["']([\w.-]+):([\w.-]+)(?::([\w.+-]+))?["']""")
_TOOLCHAIN = re.compile(r"(?:JavaLanguageVersion\.of|jvmToolchain)\s*\(\s*(\d+)\s*\)")
_COMPATIBILITY = re.compile(r"""sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_)?['"]?(\d+(?:[._]\d+)?)""")
_GRADLE_PLUGINS = {
    "org.springframework.boot": ("Spring Boot", "bootRun"),
    "io.quarkus": ("Quarkus", "quarkusDev"),
    "io.micronaut.application": ("Micronaut", "run"),
}


def read_gradle(files: RepositoryFiles) -> BuildFindings:
    """Findings from ``build.gradle`` / ``build.gradle.kts`` (shallowest first)."""
    findings = BuildFindings()
    scripts = files.named("build.gradle", "build.gradle.kts")[:MAX_BUILD_FILES]
    if not scripts:
        return findings
    root = folder_of(scripts[0].path)
    gradle = "./gradlew" if files.exists(in_folder(root, "gradlew")) else "gradle"
    run: str | None = None
    for script in scripts:
        text = files.text(script.path)
        plugins = {name: version for name, version in _GRADLE_PLUGIN.findall(text)}
        plugins.update({name: "" for name in _GRADLE_APPLIED.findall(text) if name not in plugins})
        for plugin, version in plugins.items():
            if plugin in _GRADLE_PLUGINS:
                name, task = _GRADLE_PLUGINS[plugin]
                findings.framework(name, version or None, script.path)
                run = run or f"{gradle} {task}"
            elif plugin == "application":
                run = run or f"{gradle} run"
        for group, artifact, version in _GRADLE_COORDINATE.findall(text):
            for group_prefix, artifact_prefix, name, kind in _JVM_FRAMEWORKS:
                if group.startswith(group_prefix) and artifact.startswith(artifact_prefix):
                    findings.framework(name, version or None, script.path, kind)
                    break
        java = _TOOLCHAIN.search(text) or _COMPATIBILITY.search(text)
        if java:
            version = java.group(1).replace("_", ".")
            findings.add_prerequisite(Prerequisite(name="Java", version=version, source_file=script.path))
    findings.build_systems.insert(
        0,
        BuildSystem(
            name="gradle",
            directory=root,
            files=[script.path for script in scripts],
            build_command=f"{gradle} build",
            test_command=f"{gradle} test",
            run_command=run,
        ),
    )
    findings.add_prerequisite(
        _tool("Gradle", files, in_folder(root, "gradle/wrapper/gradle-wrapper.properties"), _WRAPPER_GRADLE)
    )
    return findings


def _tool(name: str, files: RepositoryFiles, wrapper: str, pattern: re.Pattern[str]) -> Prerequisite:
    """The build tool, with the version its wrapper downloads when there is a wrapper."""
    version = pattern.search(files.text(wrapper))
    if version is None:
        return Prerequisite(name=name)
    return Prerequisite(name=name, version=version.group(1), source_file=wrapper)
