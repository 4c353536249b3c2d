"""Analysis of a 5,000-file repository against reading every file with ``cat``, and our clone against plain git.

A repository shaped like a real service is generated (seeded, so every run is the same): a Spring
backend in nested packages, a TypeScript/React frontend, Python tooling, Markdown docs with shell
blocks and images, Kubernetes YAML, ``pom.xml``, ``package.json``, a README with sections and bash
blocks; 5,000 files, about 20 MB, in one commit of a bare repository whose objects are in one pack,
as on a git server (written by ``git fast-import``). It is cloned with the project's `clone` (local
source allowed), and on that clone:

- **analysis:** ``analyze_repository(clone)``, median of RUNS, against the I/O limit
  ``git ls-files -z | xargs -0 cat > /dev/null`` (every tracked file read once), median of RUNS,
  in alternating rounds after one warm-up each. Page caches cannot be dropped without root, so
  both read from a warm cache: the figure is CPU and system calls, not disk.
- **clone:** the project's ``clone(source, dest, ref=None)`` (shallow, ``--no-local``, tree limits
  checked before checkout) against ``git clone -q --depth 1 file://...``, median of CLONE_RUNS,
  alternating; the first project clone is the one analysed. Both check 5,000 files out, which is
  most of the time.

Run alone with ``python bench/repository_analysis.py``.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from report import Row, ratio, table
from samples import spring_pom
from workshop_template_system.integrations.git import ClonedRepository, clone, validate_repository_source
from workshop_template_system.workshop import Analysis, analyze_repository

FILES = 5000
QUICK_FILES = 1000
RUNS = 5
CLONE_RUNS = 2
SEED = 20240501
CAT_ALL = "git ls-files -z | xargs -0 cat > /dev/null"
FENCE = "```"

PROSE = (
    "the service reads orders from the queue and stores each one in the database before it answers the "
    "client with the new identifier while a scheduled job removes expired carts every hour and the "
    "inventory is checked against the warehouse so that customers never buy what is out of stock when "
    "payment fails the order stays pending until the retry succeeds or the customer cancels it"
)
WORDS = tuple(PROSE.split(" "))
DOMAINS = (
    *("order", "cart", "payment", "inventory", "customer", "catalog", "shipping", "invoice", "review", "search"),
    *("pricing", "discount", "warehouse", "notification", "account", "session", "report", "audit", "loyalty"),
)
LAYERS = ("controller", "service", "repository", "model", "dto")
FEATURES = ("checkout", "catalog", "account", "orders", "search", "admin", "cart", "reviews", "help", "promo")
FRONT_KINDS = ("components", "pages", "hooks", "api", "utils")
DOC_SECTIONS = ("getting-started", "architecture", "operations", "development", "api", "tutorials", "adr")
ENVIRONMENTS = ("dev", "test", "staging", "prod")
TOOLS = ("migrate", "seed", "report", "lint", "release", "loadtest")


def sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(words - 6, words + 6)))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def camel(word: str) -> str:
    return word[0].upper() + word[1:]


def java_class(rng: random.Random, package: str, name: str, test: bool) -> str:
    imports = "\n".join(
        f"import {rng.choice(('java.util', 'java.time', 'org.springframework.stereotype', 'jakarta.persistence'))}"
        f".{camel(rng.choice(WORDS))}{index};"
        for index in range(rng.randint(4, 14))
    )
    methods = []
    for index in range(rng.randint(2, 6) if test else rng.randint(3, 18)):
        body = "\n".join(
            f"        var {rng.choice(WORDS)}{line} = {rng.choice(WORDS)}Repository.find{camel(rng.choice(WORDS))}"
            f"(id, {line});"
            for line in range(rng.randint(3, 12))
        )
        annotation = "    @Test\n" if test else "    @Transactional\n" if index % 3 == 0 else ""
        word = rng.choice(WORDS)
        signature = f"void {word}{index}()" if test else f"public Result {word}{index}(long id)"
        methods.append(
            f"    /**\n     * {sentence(rng)}\n     */\n{annotation}    {signature} {{\n{body}\n"
            f"        {'assertNotNull(id);' if test else 'return Result.ok(id);'}\n    }}\n"
        )
    fields = "\n".join(
        f"    private final {camel(rng.choice(DOMAINS))}Repository {rng.choice(WORDS)}{index}Repository;"
        for index in range(rng.randint(1, 5))
    )
    kind = "class" if test else rng.choice(("public class", "public class", "public interface"))
    return f"package {package};\n\n{imports}\n\n/** {sentence(rng)} */\n{kind} {name} {{\n{fields}\n\n" + (
        "\n".join(methods) + "}\n"
    )


def tsx_component(rng: random.Random, name: str) -> str:
    props = "\n".join(f"  {rng.choice(WORDS)}{index}: string;" for index in range(rng.randint(2, 8)))
    items = "\n".join(
        f'        <li key="{index}" className="{rng.choice(WORDS)}">{{props.{rng.choice(WORDS)}}}</li>'
        for index in range(rng.randint(3, 25))
    )
    handlers = "\n".join(
        f"  const on{camel(rng.choice(WORDS))}{index} = useCallback(() => {{\n"
        f"    setState((value) => ({{ ...value, {rng.choice(WORDS)}: {index} }}));\n  }}, []);"
        for index in range(rng.randint(1, 6))
    )
    return (
        "import React, { useCallback, useState } from 'react';\n"
        f"import {{ api }} from '../../api/client';\n\n// {sentence(rng)}\n"
        f"export interface {name}Props {{\n{props}\n}}\n\n"
        f"export function {name}(props: {name}Props) {{\n  const [state, setState] = useState({{}});\n"
        f'{handlers}\n  return (\n    <section className="{name.lower()}">\n      <ul>\n{items}\n'
        "      </ul>\n    </section>\n  );\n}\n"
    )


def js_module(rng: random.Random, name: str) -> str:
    functions = "\n\n".join(
        f"/** {sentence(rng)} */\nexport function {rng.choice(WORDS)}{camel(name)}{index}(input) {{\n"
        + "\n".join(f"  const {rng.choice(WORDS)}{line} = input.{rng.choice(WORDS)} ?? {line};" for line in range(5))
        + "\n  return input;\n}"
        for index in range(rng.randint(2, 10))
    )
    return f"'use strict';\n\n{functions}\n"


def python_module(rng: random.Random, name: str) -> str:
    functions = "\n\n\n".join(
        f"def {rng.choice(WORDS)}_{name}_{index}(session, n: int = 100) -> list[dict]:\n"
        f'    """{sentence(rng)}"""\n'
        + "\n".join(f"    {rng.choice(WORDS)}_{line} = session.get('/{rng.choice(DOMAINS)}', n)" for line in range(6))
        + "\n    return []"
        for index in range(rng.randint(2, 12))
    )
    head = "from __future__ import annotations\n\nimport json\nimport logging"
    return f'"""{sentence(rng)}"""\n\n{head}\n\n\n{functions}\n'


def markdown_page(rng: random.Random, title: str) -> str:
    parts = [f"# {title}\n\n{paragraph(rng)}\n"]
    for index in range(rng.randint(1, 5)):
        parts.append(f"## {camel(rng.choice(WORDS))} {index + 1}\n\n{paragraph(rng)}\n")
        if rng.random() < 0.6:
            command = rng.choice(("./mvnw -B verify", "npm run build", "kubectl get pods -n shop", "make lint"))
            parts.append(f"{FENCE}bash\n{command}\n{FENCE}\n")
    return "\n".join(parts)


def manifest(rng: random.Random, name: str) -> str:
    kind = rng.choice(("Deployment", "Service", "ConfigMap"))
    if kind == "ConfigMap":
        data = "\n".join(f"  {rng.choice(WORDS)}.{index}: {rng.choice(WORDS)}" for index in range(rng.randint(3, 30)))
        return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n{data}\n"
    if kind == "Service":
        return (
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n"
            f"  selector:\n    app: {name}\n  ports:\n    - port: 8080\n      targetPort: 8080\n"
        )
    env = "\n".join(
        f'            - name: {rng.choice(WORDS).upper()}_{index}\n              value: "{rng.choice(WORDS)}"'
        for index in range(rng.randint(2, 12))
    )
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {rng.randint(1, 4)}\n"
        f"  selector:\n    matchLabels:\n      app: {name}\n"
        f"  template:\n    metadata:\n      labels:\n        app: {name}\n"
        f"    spec:\n      containers:\n        - name: {name}\n          image: quay.io/example/{name}:1.4.2\n"
        f"          ports:\n            - containerPort: 8080\n          env:\n{env}\n"
    )


def fake_png(rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(4_000, 40_000))


POM = spring_pom(
    "shop",
    "1.4.2",
    ("web", "data-jpa"),
    "    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId></dependency>\n",
)

PACKAGE_JSON = """{
  "name": "shop-frontend",
  "version": "1.4.2",
  "engines": {"node": ">=20"},
  "scripts": {"start": "vite", "build": "vite build", "test": "vitest run"},
  "dependencies": {"react": "^18.3.1", "react-dom": "^18.3.1"},
  "devDependencies": {"typescript": "^5.4.5", "vite": "^5.2.0", "vitest": "^1.6.0"}
}
"""


def readme(rng: random.Random) -> str:
    sections = [
        ("Overview", None),
        ("Build", "./mvnw -B package\ncd frontend && npm ci && npm run build"),
        ("Run locally", "podman run -d --name shop-db -p 5432:5432 postgres:16\njava -jar target/shop-1.4.2.jar"),
        ("Test", "./mvnw -B verify\ncd frontend && npm test"),
        ("Deploy to Kubernetes", "kubectl apply -k deploy/overlays/dev\nkubectl rollout status deployment/shop"),
        ("Configuration", None),
        ("Contributing", "pre-commit install"),
        ("License", None),
    ]
    parts = [f"# Shop\n\n{paragraph(rng)}\n"]
    for title, commands in sections:
        parts.append(f"## {title}\n\n{paragraph(rng)}\n")
        if commands:
            parts.append(f"{FENCE}bash\n{commands}\n{FENCE}\n")
    return "\n".join(parts)


def generated_repository(count: int = FILES, seed: int = SEED) -> dict[str, str | bytes]:
    """``count`` files of a mixed Java/TypeScript/Python/Markdown/YAML service, path → content."""
    rng = random.Random(seed)
    files: dict[str, str | bytes] = {
        "README.md": readme(rng),
        "LICENSE": "Apache License\nVersion 2.0, January 2004\n" + paragraph(rng) * 20,
        "pom.xml": POM,
        "mvnw": '#!/bin/sh\nexec mvn "$@"\n',
        ".mvn/wrapper/maven-wrapper.properties": (
            "distributionUrl=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.6/"
            "apache-maven-3.9.6-bin.zip\n"
        ),
        ".gitignore": "target/\nnode_modules/\ndist/\n__pycache__/\n",
        ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        "Dockerfile": (
            "FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.18\nCOPY target/shop-1.4.2.jar /deployments/\n"
        ),
        "frontend/package.json": PACKAGE_JSON,
        "frontend/tsconfig.json": '{"compilerOptions": {"strict": true, "jsx": "react-jsx"}}\n',
        "tools/pyproject.toml": '[project]\nname = "shop-tools"\nversion = "1.4.2"\nrequires-python = ">=3.11"\n',
        "src/main/resources/application.properties": "server.port=8080\nspring.jpa.open-in-view=false\n",
    }
    # Kinds by share of the repository, the way a service with a frontend and tooling is made up.
    kinds: list[tuple[float, Callable[[int], tuple[str, str | bytes]]]] = [
        (0.30, lambda n: java_main(rng, n)),
        (0.12, lambda n: java_test(rng, n)),
        (0.18, lambda n: frontend_tsx(rng, n)),
        (0.06, lambda n: frontend_js(rng, n)),
        (0.12, lambda n: tool_py(rng, n)),
        (0.10, lambda n: docs_md(rng, n)),
        (0.10, lambda n: deploy_yaml(rng, n)),
        (0.02, lambda n: docs_png(rng, n)),
    ]
    weights = [share for share, _ in kinds]
    number = 0
    while len(files) < count:
        _, make = rng.choices(kinds, weights)[0]
        path, content = make(number)
        files.setdefault(path, content)
        number += 1
    return files


def java_main(rng: random.Random, n: int) -> tuple[str, str]:
    domain, layer = rng.choice(DOMAINS), rng.choice(LAYERS)
    package = f"com.example.shop.{domain}.{layer}"
    name = f"{camel(domain)}{camel(layer)}{n}"
    return f"src/main/java/{package.replace('.', '/')}/{name}.java", java_class(rng, package, name, test=False)


def java_test(rng: random.Random, n: int) -> tuple[str, str]:
    domain, layer = rng.choice(DOMAINS), rng.choice(LAYERS)
    package = f"com.example.shop.{domain}.{layer}"
    name = f"{camel(domain)}{camel(layer)}{n}Test"
    return f"src/test/java/{package.replace('.', '/')}/{name}.java", java_class(rng, package, name, test=True)


def frontend_tsx(rng: random.Random, n: int) -> tuple[str, str]:
    name = f"{camel(rng.choice(WORDS))}{camel(rng.choice(FEATURES))}{n}"
    return f"frontend/src/{rng.choice(FRONT_KINDS)}/{rng.choice(FEATURES)}/{name}.tsx", tsx_component(rng, name)


def frontend_js(rng: random.Random, n: int) -> tuple[str, str]:
    name = f"{rng.choice(WORDS)}{n}"
    return f"frontend/src/utils/{rng.choice(FEATURES)}/{name}.js", js_module(rng, name)


def tool_py(rng: random.Random, n: int) -> tuple[str, str]:
    tool = rng.choice(TOOLS)
    return f"tools/shop_tools/{tool}/{rng.choice(DOMAINS)}_{n}.py", python_module(rng, tool)


def docs_md(rng: random.Random, n: int) -> tuple[str, str]:
    section = rng.choice(DOC_SECTIONS)
    title = f"{camel(rng.choice(WORDS))} {rng.choice(DOMAINS)} {n}"
    return f"docs/{section}/{rng.choice(DOMAINS)}-{n}.md", markdown_page(rng, title)


def deploy_yaml(rng: random.Random, n: int) -> tuple[str, str]:
    name = f"{rng.choice(DOMAINS)}-{n}"
    return f"deploy/overlays/{rng.choice(ENVIRONMENTS)}/{rng.choice(DOMAINS)}/{name}.yaml", manifest(rng, name)


def docs_png(rng: random.Random, n: int) -> tuple[str, bytes]:
    return f"docs/{rng.choice(DOC_SECTIONS)}/images/figure-{n}.png", fake_png(rng)


def write_repository(origin: Path, files: dict[str, str | bytes]) -> None:
    """A bare repository at ``origin`` holding ``files`` in one commit, in one pack as on a git server.

    ``git fast-import`` writes the pack straight from the stream: no work tree and no loose objects,
    so making the origin costs little, and clones reuse its objects as they would from a hosting server.
    """
    stream = [b"commit refs/heads/main\ncommitter Bench <bench@localhost> 1714521600 +0000\ndata 10\nShop 1.4.2\n"]
    for path, content in files.items():
        data = content if isinstance(content, bytes) else content.encode()
        mode = b"100755" if path == "mvnw" else b"100644"
        stream.append(b"M %s inline %s\ndata %d\n%s\n" % (mode, path.encode(), len(data), data))
    git(origin.parent, "init", "-q", "--bare", "-b", "main", str(origin))
    subprocess.run(["git", "-C", str(origin), "fast-import", "--quiet"], input=b"".join(stream), check=True)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def cat_all(checkout: Path) -> None:
    subprocess.run(CAT_ALL, shell=True, cwd=checkout, check=True)


def measure_analysis(checkout: Path, analyse: Callable[[], Analysis]) -> tuple[list[float], list[float], Analysis]:
    """Seconds of RUNS analyses and RUNS ``cat`` passes, alternating, after one warm-up of each; the analysis."""
    analysis = analyse()
    cat_all(checkout)
    ours: list[float] = []
    cats: list[float] = []
    for _ in range(RUNS):
        ours.append(timed(analyse))
        cats.append(timed(lambda: cat_all(checkout)))
    return ours, cats, analysis


def measure_clones(origin: Path, scratch: Path) -> tuple[list[float], list[float], ClonedRepository]:
    """Seconds of CLONE_RUNS clones through `clone` and through plain ``git clone --depth 1``, alternating.

    The first project clone is kept: it is the one analysed.
    """
    source = validate_repository_source(str(origin), allow_local=True)
    ours: list[float] = []
    plain: list[float] = []
    kept: list[ClonedRepository] = []
    for index in range(CLONE_RUNS):
        dest = scratch / f"ours-{index}"
        started = time.perf_counter()
        cloned = clone(source, dest, ref=None, timeout=120, max_files=50_000, max_bytes=500_000_000)
        ours.append(time.perf_counter() - started)
        if kept:
            shutil.rmtree(dest)
        else:
            kept.append(cloned)
        dest = scratch / f"plain-{index}"
        plain.append(timed(lambda: git(scratch, "clone", "-q", "--depth", "1", origin.as_uri(), str(dest))))  # noqa: B023
        shutil.rmtree(dest)
    return ours, plain, kept[0]


def run(quick: bool = False) -> list[Row]:
    """Generate, commit and clone the repository; measure analysis against cat and clone against git."""
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as name:
        root = Path(name)
        origin = root / "shop.git"
        started = time.perf_counter()
        files = generated_repository(QUICK_FILES if quick else FILES)
        write_repository(origin, files)
        generated = time.perf_counter() - started
        size = sum(len(content) for content in files.values())

        clones, plain, cloned = measure_clones(origin, root / "clones")
        tracked = git(cloned.path, "ls-files", "-z").count("\0")

        def analyse() -> Analysis:
            return analyze_repository(cloned.path, source=cloned.source, ref=cloned.ref, commit=cloned.commit)

        ours, cats, analysis = measure_analysis(cloned.path, analyse)

    analysed, read = statistics.median(ours), statistics.median(cats)
    cloned_s, plain_s = statistics.median(clones), statistics.median(plain)
    print(
        f"\nRepository analysis: {len(files):,} files, {size / 1e6:.1f} MB ({tracked:,} tracked in the clone), "
        f"generated and packed in {generated:.1f} s; warm page cache for both (caches cannot be dropped)"
    )
    print(
        f"analysis found {analysis.files:,} files ({analysis.bytes / 1e6:.1f} MB; skipped {analysis.skipped_dirs}),"
        f" primary language {analysis.primary_language}, build systems "
        f"{[system.name for system in analysis.build_systems]}, {len(analysis.outline.modules)} modules"
    )
    measured = [
        ("analyze_repository(clone)", ours),
        (CAT_ALL, cats),
        ("clone(source, dest) (project)", clones),
        ("git clone -q --depth 1 file://", plain),
    ]
    cells = [
        [what, f"{statistics.median(times):.3f}", f"{min(times):.3f}", f"{max(times):.3f}", str(len(times))]
        for what, times in measured
    ]
    print(table(["what", "median s", "min s", "max s", "runs"], cells))
    print(f"analysis / cat every file = {analysed / read:.2f}; project clone / git clone = {cloned_s / plain_s:.2f}")
    return [
        Row(f"analyse {len(files):,}-file repo s", f"{analysed:.3f}", f"{read:.3f}", ratio(analysed, read)),
        Row(f"clone {len(files):,}-file repo s", f"{cloned_s:.3f}", f"{plain_s:.3f}", ratio(cloned_s, plain_s)),
    ]


if __name__ == "__main__":
    from report import rows_table

    print(rows_table(run()))
