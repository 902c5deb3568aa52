#!/usr/bin/env bash
# Make a local stand-in for the official python:3.11-slim image, for machines that reach Debian's
# package archive but no image registry. The result has what the Dockerfile uses of the official
# image: Debian bookworm, `python3` with `venv` and `ensurepip`, CA certificates, tzdata, netbase.
#
#   docker/local-base.sh            # makes track2-local-base:bookworm unless it exists
#   docker/local-base.sh --force    # makes it again
#   docker build --build-arg PYTHON_IMAGE=track2-local-base:bookworm -t track2 .
#
# Needs root, debootstrap and a running Docker daemon. Nothing of this machine is kept in the
# image: the host's resolv.conf and hostname (which debootstrap copies in) and apt's downloaded
# package lists are removed, and apt points at Debian's public archive.
set -euo pipefail

IMAGE="${TRACK2_LOCAL_BASE_IMAGE:-track2-local-base:bookworm}"
MIRROR="${TRACK2_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm

if [ "${1:-}" != "--force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "local-base: $IMAGE exists (docker/local-base.sh --force makes it again)"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "local-base: debootstrap is not installed" >&2; exit 1; }

root="$(mktemp -d /var/tmp/track2-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
started=$SECONDS
echo "local-base: debootstrap $SUITE into $root"
debootstrap --variant=minbase \
  --include=python3,python3-venv,python-is-python3,ca-certificates,netbase,tzdata \
  "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 || { tail -30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

# Scrub what belongs to this machine or to the bootstrap, as Debian's own images do.
printf 'deb http://deb.debian.org/debian %s main\ndeb http://deb.debian.org/debian %s-updates main\ndeb http://deb.debian.org/debian-security %s-security main\n' \
  "$SUITE" "$SUITE" "$SUITE" >"$root/etc/apt/sources.list"
: >"$root/etc/resolv.conf"
echo localhost >"$root/etc/hostname"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/var/log/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/tmp/* \
  "$root"/root/.cache
find "$root"/usr/lib/python3* -name __pycache__ -type d -prune -exec rm -rf {} +

tar --numeric-owner -C "$root" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["python3"]' \
  --message "debootstrap --variant=minbase $SUITE with python3, python3-venv" \
  - "$IMAGE" >/dev/null
python_version="$(docker run --rm --network none "$IMAGE" python3 --version)"
echo "local-base: $IMAGE made in $((SECONDS - started)) s ($python_version," \
  "$(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
