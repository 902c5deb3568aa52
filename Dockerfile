# syntax=docker/dockerfile:1
# Track2: multi-stage build on a slim Python base; runs as a non-root user.
#
#   docker build -t track2 .
#   docker run -e TRACK2_SECRET_KEY=... -e TRACK2_DATABASE_URL=postgresql+asyncpg://... \
#       track2 track2 migrate          # once per release, before starting the new version
#   docker run -p 8000:8000 -e TRACK2_SECRET_KEY=... -e TRACK2_DATABASE_URL=... track2

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/track2
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN /opt/track2/bin/pip install .

FROM python:3.11-slim AS runtime
ENV PATH="/opt/track2/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TRACK2_ENVIRONMENT=production \
    TRACK2_DATABASE_URL=sqlite+aiosqlite:////data/track2.db
RUN groupadd --system track2 && useradd --system --gid track2 --home-dir /data track2 \
    && mkdir -p /data && chown track2:track2 /data
COPY --from=build /opt/track2 /opt/track2
USER track2
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
CMD ["track2", "serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
