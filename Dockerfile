# Track2's container image: a multi-stage build that runs as a non-root user.
#
#   docker build -t track2 .                       # on python:3.11-slim, wheels from PyPI
#   docker/build.sh --local -t track2              # no registry: a local base, host-built wheels
#
#   docker run --rm -e TRACK2_SECRET_KEY=... -e TRACK2_DATABASE_URL=postgresql+asyncpg://... \
#       track2 migrate                             # once per release, before the new version
#   docker run -p 8000:8000 -e TRACK2_SECRET_KEY=... -e TRACK2_DATABASE_URL=... track2
#   docker run -e ... -e TRACK2_MAIL__BACKEND=smtp ... track2 worker
#
# The entry point is `track2`: the command is one of its subcommands (serve, migrate, worker,
# housekeeping, create-admin, reseal-secrets). docs/deployment.md has the details.
#
# PYTHON_IMAGE is the base of both stages. The default is the official image; any Debian-based
# image whose `python3` is 3.11+ with `venv` works (docker/local-base.sh makes one from Debian's
# packages). Needs BuildKit (the default builder of current Docker) for the RUN mounts below.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN python3 -m venv /opt/track2
WORKDIR /src
COPY pyproject.toml README.md ./
COPY migrations ./migrations
COPY app ./app
# Wheels come from the package index; when docker/wheelhouse/ holds wheels (docker/build.sh
# --local puts them there) they come from there alone, with --no-index: no network at all.
# Behind a TLS-inspecting proxy, pass its CA bundle as a build secret
# (`--secret id=pip-ca,src=/path/ca.pem`): a secret is mounted for this step only and is
# never written to a layer. Every dependency ships binary wheels, so no compiler is needed.
RUN --mount=type=bind,source=docker/wheelhouse,target=/wheelhouse \
    --mount=type=secret,id=pip-ca \
    set -eu; \
    if ls /wheelhouse/*.whl >/dev/null 2>&1; then set -- --no-index --find-links /wheelhouse; \
    else set -- --prefer-binary; fi; \
    if [ -s /run/secrets/pip-ca ]; then export PIP_CERT=/run/secrets/pip-ca; fi; \
    /opt/track2/bin/pip install "$@" /src \
    && /opt/track2/bin/pip check \
    && /opt/track2/bin/pip uninstall --quiet --yes pip setuptools \
    && /opt/track2/bin/python -c "import app.main, migrations"

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="Track2" \
      org.opencontainers.image.description="Track 2 dialogues under the Chatham House Rule: series, sessions, non-attributed key points, reports and newsletters"
ENV PATH="/opt/track2/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TRACK2_ENVIRONMENT=production \
    TRACK2_DATABASE_URL=sqlite+aiosqlite:////data/track2.db \
    TRACK2_HEALTHCHECK_URL=http://127.0.0.1:8000/healthz
RUN groupadd --system --gid 10001 track2 \
    && useradd --system --uid 10001 --gid track2 --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin track2 \
    && mkdir /data && chown track2:track2 /data
COPY --from=build /opt/track2 /opt/track2
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
# Liveness of `track2 serve`. TRACK2_HEALTHCHECK_URL follows a changed --port; a `worker`
# container has no HTTP server: run it with --no-healthcheck (compose: healthcheck.disable).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(os.environ['TRACK2_HEALTHCHECK_URL'], timeout=4).status != 200)"]
ENTRYPOINT ["track2"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
