#!/usr/bin/env bash
# Build Track2's image.
#
#   docker/build.sh [-t TAG]            on the official python:3.11-slim, wheels from the index
#   docker/build.sh --local [-t TAG]    for machines that reach no image registry: on
#                                       track2-local-base:bookworm (docker/local-base.sh makes
#                                       it if missing) with wheels the host's pip puts in
#                                       docker/wheelhouse/, so the build needs no network
#
# Extra arguments after `--` go to `docker build`. Prints the image's size.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=track2:latest
local_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    -t|--tag) tag="$2"; shift 2 ;;
    --local) local_build=1; shift ;;
    --) shift; break ;;
    *) echo "usage: docker/build.sh [--local] [-t TAG] [-- docker build args]" >&2; exit 2 ;;
  esac
done

# BuildKit is needed (RUN --mount). A client with the buildx plugin uses it by default; the
# older client of Debian's docker.io (20.10) has it built in behind DOCKER_BUILDKIT=1.
docker_build=(docker build)
if ! docker buildx version >/dev/null 2>&1; then
  if [ -x /usr/bin/docker ]; then
    docker_build=(/usr/bin/docker build)
  else
    echo "build: this docker client has no BuildKit (install the buildx plugin)" >&2
    exit 1
  fi
fi
export DOCKER_BUILDKIT=1

wheelhouse=docker/wheelhouse
find "$wheelhouse" -name '*.whl' -delete
base_args=()
if [ "$local_build" = 1 ]; then
  python="${PYTHON:-$(command -v python3)}"
  docker/local-base.sh
  started=$SECONDS
  # Binary wheels only, as the image has no compiler; the project itself is built in the image.
  # The host is Debian bookworm with CPython 3.11 like the base, so its pip picks the wheels
  # the image can use.
  pip_log="$(mktemp)"
  "$python" -m pip download --only-binary=:all: --dest "$wheelhouse" . 'setuptools>=77' \
    >"$pip_log" 2>&1 || { cat "$pip_log" >&2; rm -f "$pip_log"; exit 1; }
  rm -f "$pip_log"
  find "$wheelhouse" -name 'track2-*' -delete
  echo "build: $(find "$wheelhouse" -name '*.whl' | wc -l) wheels in $wheelhouse ($((SECONDS - started)) s)"
  # --network none: proof that this build needs no network at all.
  base_args=(--build-arg PYTHON_IMAGE=track2-local-base:bookworm --network none)
fi

started=$SECONDS
status=0
"${docker_build[@]}" "${base_args[@]}" --tag "$tag" "$@" . || status=$?
find "$wheelhouse" -name '*.whl' -delete
[ "$status" = 0 ] || exit "$status"
size="$(docker image inspect --format '{{.Size}}' "$tag")"
echo "build: $tag built in $((SECONDS - started)) s; image size $((size / 1000000)) MB"
