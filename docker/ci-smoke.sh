#!/usr/bin/env bash
# CI's image step: start Docker if this machine can run it, then build the image and run
# docker/smoke.py. When Docker cannot be installed or started here (or the local base image
# cannot be made), it says so plainly and exits 0: that is a machine without Docker, not a
# broken image. A failing build or smoke test exits non-zero.
#
# Needs root (apt-get, dockerd) and .venv with the test dependencies.
set -uo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "ci: the container image smoke test was SKIPPED: $*" >&2
  exit 0
}

started_dockerd=""
dockerd_log="$(mktemp /tmp/track2-dockerd.XXXXXX.log)"
stop_dockerd() {
  if [ -n "$started_dockerd" ]; then
    kill "$started_dockerd" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 1; done
  fi
}
trap stop_dockerd EXIT
trap "exit 143" TERM INT

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq docker.io debootstrap >/dev/null; } \
    || skip "could not install docker.io and debootstrap with apt-get"
fi

if ! docker info >/dev/null 2>&1; then
  # Containers here use the host's network (or none): no bridge, no firewall rules.
  dockerd --bridge=none --iptables=false --ip-masq=false >"$dockerd_log" 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$started_dockerd" 2>/dev/null || break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    tail -5 "$dockerd_log" >&2
    started_dockerd=""
    skip "the Docker daemon does not start on this machine (its log's last lines are above)"
  fi
fi
echo "ci: Docker $(docker version --format '{{.Server.Version}}') is running"

docker/local-base.sh || skip "the local base image could not be made from Debian's packages"

started=$SECONDS
TRACK2_SMOKE_DATABASE_URL="${TRACK2_SMOKE_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/track2_ci_docker}" \
  .venv/bin/python docker/smoke.py --image track2:ci
status=$?
docker image rm track2:ci >/dev/null 2>&1
docker builder prune --force --filter until=168h >/dev/null 2>&1
echo "ci: image build and smoke test took $((SECONDS - started)) s"
exit "$status"
