# One image, six agents. Every deployment runs one of them:
#   python -m demos.workshop_template_system --agent-name workshop_chat --port 8080
# Build: docker build -t workshop-template-system .   (no Docker engine: scripts/build-image)
ARG BASE_IMAGE=python:3.12-slim

# Wheels of the project and of all its dependencies, resolved within pyproject.toml's ranges, installed into a
# virtual environment that the runtime stage copies. (Copying the result, rather than mounting /wheels into a RUN
# of the runtime stage, keeps podman's and buildah's layer cache right: they reuse a RUN --mount=from=<stage>
# layer even when that stage changed.)
FROM ${BASE_IMAGE} AS python
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml ./
# The dependencies first, from pyproject.toml alone: a change in src/ does not fetch them again.
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > requirements.txt \
    && python -m pip wheel --wheel-dir /wheels --requirement requirements.txt
COPY README.md ./
COPY src ./src
RUN python -m pip wheel --no-deps --wheel-dir /wheels . \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-index --find-links /wheels /wheels/workshop_template_system-*.whl

# The pinned Antora (package-lock.json) that content_creator and research_validation build workshops with.
FROM ${BASE_IMAGE} AS antora
# Debian's own packages: their versions follow the base image's release, so they are not pinned here.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/antora
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${BASE_IMAGE}
ARG BASE_IMAGE
LABEL org.opencontainers.image.title="workshop-template-system" \
      org.opencontainers.image.description="Six A2A agents that turn source repositories into hands-on Showroom workshops" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"

# git for cloning, publishing and Antora's content sources; Node.js (>= 16) to run Antora.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git nodejs \
    && rm -rf /var/lib/apt/lists/*

# OpenShift runs the image as an arbitrary UID in group 0: whatever must be written belongs to group 0 with
# the owner's rights. /tmp is already world-writable.
RUN useradd --uid 1001 --gid 0 --home-dir /home/agent --no-create-home --shell /usr/sbin/nologin agent \
    && mkdir -p /workspace /home/agent \
    && chown -R 1001:0 /workspace /home/agent \
    && chmod -R g=u /workspace /home/agent

COPY --from=antora /opt/antora /opt/antora
COPY --from=python /opt/venv /opt/venv

ENV PATH="/opt/venv/bin:/opt/antora/node_modules/.bin:${PATH}" \
    HOME=/home/agent \
    WORKSPACE_PATH=/workspace \
    ALLOW_LOCAL_REPOSITORIES=false \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /workspace
USER 1001
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('AGENT_PORT', '8080') + '/agent-card', timeout=4)"]

# With no agent named, the command lists the agents; deployments pass --agent-name NAME --port 8080.
CMD ["python", "-m", "demos.workshop_template_system", "--help"]
