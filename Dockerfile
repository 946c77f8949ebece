# perfbot's images. Both targets take ARG BASE_IMAGE:
#   - python:3.12-slim (the default) where a registry can be reached;
#   - perfbot/base:bookworm, built offline from Debian packages by `perfbot sandbox build-base` (air-gapped installs).
#
#   sandbox  where candidate code runs: non-root user 1000, workdir /workspace (a volume). Built by `perfbot sandbox build`
#            with a context holding only this file, so it copies nothing in.
#   perfbot  perfbot itself (the bot server and the CI job), installed from a wheelhouse built on the host, so this build
#            needs no network inside either: `perfbot sandbox build-perfbot` does both steps.
#
# The sandbox stage comes first: the legacy builder (no BuildKit) builds every stage up to the target.

ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS sandbox
USER root
# The offline base already has these tools and Python packages, so nothing is fetched there; a slim Python image
# gets them from its package index at build time.
RUN set -eu; \
    if ! command -v git >/dev/null || ! command -v ps >/dev/null || ! command -v timeout >/dev/null \
       || ! command -v bash >/dev/null; then \
        apt-get update && apt-get install -y --no-install-recommends git procps coreutils bash \
        && rm -rf /var/lib/apt/lists/*; \
    fi; \
    if ! python -c "import pytest, numpy" 2>/dev/null; then pip install --no-cache-dir pytest numpy; fi; \
    if ! id -u 1000 >/dev/null 2>&1; then useradd --uid 1000 --user-group --no-create-home --home-dir /tmp sandbox; fi; \
    mkdir -p /workspace && chown 1000:1000 /workspace
ENV HOME=/tmp \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /workspace
VOLUME /workspace
USER 1000:1000
CMD ["sleep", "infinity"]

FROM ${BASE_IMAGE} AS perfbot
USER root
COPY wheelhouse/ /tmp/wheelhouse/
COPY Dockerfile /opt/perfbot/Dockerfile
# A virtualenv keeps perfbot apart from the system Python (Debian's is externally managed, PEP 668).
RUN python -m venv /opt/perfbot/venv \
    && /opt/perfbot/venv/bin/pip install --no-cache-dir --no-index --find-links /tmp/wheelhouse perfbot \
    && rm -rf /tmp/wheelhouse \
    && /opt/perfbot/venv/bin/perfbot --help >/dev/null
ENV PATH=/opt/perfbot/venv/bin:$PATH \
    PERFBOT_DOCKERFILE=/opt/perfbot/Dockerfile \
    LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1
WORKDIR /builds
CMD ["perfbot", "--help"]
