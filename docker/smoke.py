"""Build Track2's image and run it as an operator would: the image smoke test.

    .venv/bin/python docker/smoke.py                 # build (--local) and test
    .venv/bin/python docker/smoke.py --no-build      # test an image already built

It needs a running Docker daemon (BuildKit), PostgreSQL on the host and the project's test
dependencies (aiosmtpd, pypdf, httpx). The containers use the host's network, so the service
listens on 127.0.0.1 only. What it proves, in order:

1. .dockerignore keeps a working copy's local state (databases, .env, mail, journals) out of
   the build context;
2. the image refuses to start in production without a secret;
3. `track2 migrate` brings an empty PostgreSQL database to the head revision;
4. `track2 serve --demo` runs as the image's non-root user; `/healthz` and `/readyz` answer
   and Docker's HEALTHCHECK reports the container healthy; the demo series is served;
5. a published report renders as a PDF with text in it (the fonts are in the image);
6. a `track2 worker` container sends the confirmation of a public subscription to an SMTP
   sink on the host (the app container runs no worker, so only the worker can have sent it);
7. the final image has no compiler and nothing of this machine (no host-only CA certificate,
   no local package index) anywhere in its filesystem or history; its size is printed.

The database named by TRACK2_SMOKE_DATABASE_URL is dropped and created again. Everything is
bounded in time; the containers are removed at the end, whatever happened.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import io
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pypdf import PdfReader
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/track2_docker"
DEMO_SLUG = "afghan-peace"
SUBSCRIBER = "docker-smoke@example.org"
# As docker/compose.yaml runs the containers: read-only root, no capabilities.
HARDENING = (
    "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL",
    "--security-opt", "no-new-privileges",
)  # fmt: skip
COMPILERS = ("gcc", "cc", "c++", "g++", "clang", "make", "ld")
# Strings that would betray this machine's package set-up inside the image.
LOCAL_INDEX_MARKERS = (b"/opt/pypi", b"/opt/wheels", b"pypi-more", b"/etc/xdg/pip")


class SmokeFailure(Exception):
    """A check failed; the message says which and why."""


@dataclass
class Sink:
    """An SMTP server on the host that keeps what it receives."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def received_for(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.messages if address in rcpt]


def log(text: str) -> None:
    print(f"docker smoke: {text}", flush=True)


def run(
    args: list[str], *, timeout: float, check: bool = True, capture: bool = True
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            args, capture_output=capture, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"`{' '.join(args[:4])} ...` took longer than {timeout:.0f} s") from exc
    if check and result.returncode != 0:
        raise SmokeFailure(
            f"`{' '.join(args)}` exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result


def wait_for(what: str, probe: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    """Call probe until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
        except (httpx.HTTPError, OSError, SmokeFailure) as exc:
            last_error = exc
        else:
            if value:
                return value
        time.sleep(interval)
    raise SmokeFailure(f"{what}: nothing after {timeout:.0f} s (last error: {last_error})")


async def recreate_database(url: str) -> None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise SmokeFailure(f"the smoke test needs a PostgreSQL URL, not {parsed.drivername}")
    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@dataclass
class Smoke:
    image: str
    database_url: str
    port: int
    smtp_port: int
    head: str = ""
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    containers: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **extra: str) -> list[str]:
        values = {
            "TRACK2_DATABASE_URL": self.database_url,
            "TRACK2_SECRET_KEY": secrets.token_urlsafe(48),
            "TRACK2_BASE_URL": self.base_url,
            "TRACK2_LOG_JSON": "true",
            **extra,
        }
        return [arg for key, value in values.items() for arg in ("-e", f"{key}={value}")]

    def ok(self, text: str) -> None:
        self.passed.append(text)
        log(f"ok   {text}")

    def start(self, role: str, args: list[str], docker_args: list[str]) -> str:
        name = f"track2-smoke-{role}-{self.run_id}"
        self.containers.append(name)
        run(
            ["docker", "run", "--detach", "--name", name, "--network", "host",
             "--label", "track2.smoke=1", *HARDENING, *docker_args, self.image, *args],
            timeout=60,
        )  # fmt: skip
        return name

    def logs(self, name: str) -> str:
        result = run(["docker", "logs", name], timeout=30, check=False)
        return result.stdout + result.stderr

    @property
    def journal_volume(self) -> str:
        return f"track2-smoke-journal-{self.run_id}"

    def cleanup(self) -> None:
        for name in self.containers:
            run(["docker", "rm", "--force", "--volumes", name], timeout=60, check=False)
        run(["docker", "volume", "rm", "--force", self.journal_volume], timeout=60, check=False)

    # -- the checks ----------------------------------------------------------------------------

    def context_keeps_local_state_out(self) -> None:
        """Build a context with the local state a working copy collects, through the
        repository's .dockerignore, and see what Docker would send."""
        with tempfile.TemporaryDirectory() as tmp:
            source, out = Path(tmp, "source"), Path(tmp, "out")
            source.mkdir()
            shutil.copy(ROOT / ".dockerignore", source / ".dockerignore")
            wanted = {"pyproject.toml", "README.md", "app/main.py", "migrations/env.py",
                      "docker/wheelhouse/x-1.0-py3-none-any.whl"}  # fmt: skip
            local_state = {"track2.db", "track2.db-wal", "app/stray.db", ".env", "app/.env",
                           "outbox-mail/a.eml", "outbox-journal/worker-1", "tests/test_x.py",
                           "docs/x.md", ".venv/bin/python", "app/__pycache__/main.cpython-311.pyc",
                           ".git/config", "bench/results/x.json", "docker/smoke.py"}  # fmt: skip
            for name in wanted | local_state:
                Path(source, name).parent.mkdir(parents=True, exist_ok=True)
                Path(source, name).write_text("x")
            Path(source, "Dockerfile.context").write_text("FROM scratch\nCOPY . /\n")
            run(
                [*docker_build_command(), "--quiet", "--file", str(source / "Dockerfile.context"),
                 "--output", f"type=local,dest={out}", str(source)],
                timeout=120,
            )  # fmt: skip
            sent = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
        if sent - {".dockerignore"} != wanted:
            raise SmokeFailure(
                f".dockerignore lets in {sorted(sent - wanted)}, keeps out {sorted(wanted - sent)}"
            )
        self.ok(
            f"build context: .dockerignore keeps the {len(local_state)} kinds of local state "
            "out (databases, .env, mail, journals, caches, tests, docs)"
        )

    def refuses_without_secret(self) -> None:
        result = run(
            ["docker", "run", "--rm", "--network", "none", self.image, "serve"],
            timeout=60,
            check=False,
        )
        output = result.stdout + result.stderr
        if result.returncode == 0 or "TRACK2_SECRET_KEY" not in output:
            raise SmokeFailure(f"production without a secret did not refuse to start:\n{output}")
        self.ok("production mode without TRACK2_SECRET_KEY refuses to start")

    def migrate(self) -> None:
        asyncio.run(recreate_database(self.database_url))
        started = time.monotonic()
        result = run(
            [
                "docker",
                "run",
                "--rm",
                "--network",
                "host",
                *HARDENING,
                *self.env(),
                self.image,
                "migrate",
            ],
            timeout=180,
        )
        line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        if not line.startswith("database at "):
            raise SmokeFailure(f"`track2 migrate` said {result.stdout!r} {result.stderr!r}")
        self.head = line.removeprefix("database at ").strip()
        self.ok(f"track2 migrate: empty PostgreSQL {line} ({time.monotonic() - started:.1f} s)")

    def serve(self) -> str:
        name = self.start(
            "app",
            ["serve", "--demo", "--host", "127.0.0.1", "--port", str(self.port)],
            [
                *self.env(TRACK2_OUTBOX__RUN_IN_SERVE="false"),
                "-e", f"TRACK2_HEALTHCHECK_URL={self.base_url}/healthz",
                "--health-interval", "2s", "--health-timeout", "5s",
                "--health-start-period", "120s",
            ],
        )  # fmt: skip
        started = time.monotonic()

        def healthz() -> bool:
            state = run(
                ["docker", "inspect", "--format", "{{.State.Status}}", name], timeout=30
            ).stdout.strip()
            if state != "running":
                raise SmokeFailure(f"the app container is {state}:\n{self.logs(name)[-3000:]}")
            response = httpx.get(f"{self.base_url}/healthz", timeout=5)
            return response.status_code == 200 and response.json() == {"status": "ok"}

        wait_for("GET /healthz", healthz, timeout=120)
        self.ok(f"track2 serve --demo answers /healthz 200 ({time.monotonic() - started:.1f} s)")

        ready = httpx.get(f"{self.base_url}/readyz", timeout=10)
        body = ready.json()
        if ready.status_code != 200 or body.get("status") != "ready":
            raise SmokeFailure(f"/readyz answered {ready.status_code} {body}")
        if body.get("migration") != self.head or body.get("expected_migration") != self.head:
            raise SmokeFailure(f"/readyz names another revision than migrate did: {body}")
        self.ok(f"/readyz 200: database ok, at migration {body['migration']}")

        # ps inside the container's PID namespace, as the host sees it: the server's user.
        top = run(["docker", "top", name, "-eo", "pid,uid,args"], timeout=30).stdout
        server = [line for line in top.splitlines() if "track2" in line and "serve" in line]
        uids = {line.split()[1] for line in server}
        if not server or uids & {"0", "root"}:
            raise SmokeFailure(f"track2 serve does not run as a non-root user:\n{top}")
        configured = run(
            ["docker", "image", "inspect", "--format", "{{.Config.User}}", self.image], timeout=30
        ).stdout.strip()
        self.ok(f"track2 serve runs as uid {', '.join(sorted(uids))} (image USER {configured})")

        def healthy() -> bool:
            status = run(
                ["docker", "inspect", "--format", "{{.State.Health.Status}}", name], timeout=30
            ).stdout.strip()
            if status == "unhealthy":
                raise SmokeFailure("Docker reports the app container unhealthy")
            return status == "healthy"

        wait_for("Docker HEALTHCHECK", healthy, timeout=60)
        self.ok("Docker's HEALTHCHECK reports the container healthy")
        return name

    def demo_and_pdf(self) -> None:
        page = httpx.get(f"{self.base_url}/series/{DEMO_SLUG}", timeout=30)
        series = httpx.get(f"{self.base_url}/api/v1/public/series/{DEMO_SLUG}", timeout=30)
        if page.status_code != 200 or series.status_code != 200:
            raise SmokeFailure(
                f"the demo series is not served: page {page.status_code}, api {series.status_code}"
            )
        data = series.json()
        if data["title"] not in page.text:
            raise SmokeFailure("the demo series' page does not show its title")
        summaries = [s["summary"] for s in data["sessions"] if s["summary"]]
        if not summaries:
            raise SmokeFailure(f"the demo series has no published summary: {data}")
        self.ok(f"demo loaded: /series/{DEMO_SLUG} shows {data['title']!r}")

        pdf_url = summaries[-1]["formats"]["pdf"]
        response = httpx.get(pdf_url, timeout=60)
        if response.status_code != 200 or not response.content.startswith(b"%PDF-"):
            raise SmokeFailure(f"GET {pdf_url}: {response.status_code}, {response.content[:40]!r}")
        if response.headers["content-type"].split(";")[0] != "application/pdf":
            raise SmokeFailure(f"the PDF came as {response.headers['content-type']}")
        reader = PdfReader(io.BytesIO(response.content))
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        words = " ".join(text.split())
        if "Chatham House" not in words or len(words) < 500:
            raise SmokeFailure(f"the PDF has no readable report text: {words[:300]!r}")
        fonts = sorted(
            {
                str(font.get_object()["/BaseFont"]).lstrip("/")
                for page in reader.pages
                for font in (page.get("/Resources") or {}).get("/Font", {}).values()
            }
        )
        self.ok(
            f"published summary as PDF: {len(response.content):,} bytes, {len(reader.pages)} "
            f"page(s), {len(words):,} characters of text, fonts {', '.join(fonts)}"
        )

    def worker_sends_mail(self, sink: Sink) -> None:
        response = httpx.post(
            f"{self.base_url}/api/v1/public/subscriptions",
            json={"email": SUBSCRIBER, "series": [DEMO_SLUG], "consent": True},
            timeout=30,
        )
        if response.status_code != 202:
            raise SmokeFailure(f"subscribing answered {response.status_code}: {response.text}")
        time.sleep(2)  # the app runs no worker: nothing may arrive before the worker starts
        if sink.received_for(SUBSCRIBER):
            raise SmokeFailure("mail arrived before the worker started: the app sent it")
        name = self.start(
            "worker",
            ["worker"],
            [
                *self.env(
                    TRACK2_MAIL__BACKEND="smtp",
                    TRACK2_MAIL__SMTP_HOST="127.0.0.1",
                    TRACK2_MAIL__SMTP_PORT=str(self.smtp_port),
                    TRACK2_MAIL__SENDER_ADDRESS="dialogues@example.org",
                ),
                "--no-healthcheck",
                # A named volume, as in docker/compose.yaml: it takes /data's owner from the
                # image, so the non-root worker can keep its delivery journal there.
                "--volume",
                f"{self.journal_volume}:/data",
            ],
        )
        started = time.monotonic()

        def arrived() -> list[EmailMessage]:
            state = run(
                ["docker", "inspect", "--format", "{{.State.Status}}", name], timeout=30
            ).stdout.strip()
            if state != "running":
                raise SmokeFailure(f"the worker container is {state}:\n{self.logs(name)[-3000:]}")
            return sink.received_for(SUBSCRIBER)

        messages = wait_for("the confirmation e-mail at the SMTP sink", arrived, timeout=90)
        message = messages[0]
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        if f"{self.base_url}/subscriptions/confirm" not in text:
            raise SmokeFailure(f"the confirmation e-mail has no confirmation link:\n{text}")
        if "dialogues@example.org" not in str(message["From"]):
            raise SmokeFailure(f"the e-mail's From is {message['From']}")
        journal = run(
            ["docker", "exec", name, "sh", "-c", "ls -ln /data/outbox-journal"], timeout=30
        ).stdout
        if " 10001 " not in journal:
            raise SmokeFailure(f"the worker keeps no journal in its volume:\n{journal}")
        self.ok(
            f"track2 worker container sent {message['Subject']!r} to the SMTP sink on "
            f"127.0.0.1:{self.smtp_port} ({time.monotonic() - started:.1f} s after it started),"
            " its journal in its volume"
        )
        for container in self.containers:
            if "Traceback" in self.logs(container):
                raise SmokeFailure(f"{container} logged a traceback:\n{self.logs(container)}")
        self.ok("no traceback in the app's or the worker's log")

    def image_contents(self) -> int:
        found = run(
            ["docker", "run", "--rm", "--network", "none", "--entrypoint", "sh", self.image,
             "-c", f"for c in {' '.join(COMPILERS)}; do command -v $c; done; true"],
            timeout=60,
        ).stdout.split()  # fmt: skip
        if found:
            raise SmokeFailure(f"the final image has compilers/build tools: {found}")
        history = run(
            ["docker", "history", "--no-trunc", "--format", "{{.CreatedBy}}", self.image],
            timeout=60,
        ).stdout
        needles = [*LOCAL_INDEX_MARKERS, *host_only_certificates()]
        leaked = [n for n in needles if n.decode() in history]
        if leaked:
            raise SmokeFailure(f"the image's history names this machine's set-up: {leaked}")
        scanned, hits = scan_image(self.image, needles)
        if hits:
            raise SmokeFailure(f"the image's files carry this machine's set-up: {hits[:10]}")
        self.ok(
            f"final image: no compiler, none of {len(needles)} markers of this machine "
            f"(host-only CA certificates, local package index) in {scanned:,} files or history"
        )
        size = int(
            run(
                ["docker", "image", "inspect", "--format", "{{.Size}}", self.image], timeout=30
            ).stdout.strip()
        )
        return size


def host_only_certificates() -> list[bytes]:
    """A distinctive line of each CA certificate this machine trusts beyond Debian's set."""
    bundle_path = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE")
    debian = Path("/usr/share/ca-certificates/mozilla")
    if not bundle_path or not Path(bundle_path).is_file() or not debian.is_dir():
        return []
    known = {_pem_body(p.read_bytes()) for p in debian.glob("*.crt")}
    lines = []
    for block in Path(bundle_path).read_bytes().split(b"-----END CERTIFICATE-----"):
        if b"-----BEGIN CERTIFICATE-----" not in block:
            continue
        body = _pem_body(block + b"-----END CERTIFICATE-----")
        if body not in known:
            lines.append(body[len(body) // 2 : len(body) // 2 + 48])
    return lines


def _pem_body(pem: bytes) -> bytes:
    inner = pem.split(b"-----BEGIN CERTIFICATE-----", 1)[-1].split(b"-----END", 1)[0]
    return b"".join(inner.split())


def scan_image(image: str, needles: list[bytes]) -> tuple[int, list[str]]:
    """Export a container of the image and look for the needles in every file (PEM files
    are also compared without line breaks)."""
    name = f"track2-smoke-scan-{secrets.token_hex(4)}"
    run(["docker", "create", "--name", name, image], timeout=60)
    try:
        with subprocess.Popen(["docker", "export", name], stdout=subprocess.PIPE) as export:
            assert export.stdout is not None
            scanned, hits = 0, []
            with tarfile.open(fileobj=export.stdout, mode="r|") as archive:
                for member, content in _files(archive):
                    scanned += 1
                    flat = b"".join(content.split()) if b"-----BEGIN" in content else content
                    hits += [f"{member}: {n.decode()[:40]}" for n in needles if n in flat]
            if export.wait(timeout=120) != 0:
                raise SmokeFailure("docker export failed")
        return scanned, hits
    finally:
        run(["docker", "rm", "--force", "--volumes", name], timeout=60, check=False)


def _files(archive: tarfile.TarFile) -> Iterator[tuple[str, bytes]]:
    for member in archive:
        if member.isfile():
            handle = archive.extractfile(member)
            if handle is not None:
                yield member.name, handle.read()


def docker_build_command() -> list[str]:
    """A `docker build` with BuildKit, as docker/build.sh picks it."""
    os.environ["DOCKER_BUILDKIT"] = "1"
    if run(["docker", "buildx", "version"], timeout=30, check=False).returncode == 0:
        return ["docker", "build"]
    return ["/usr/bin/docker", "build"]


def build(image: str) -> float:
    started = time.monotonic()
    log(f"building {image} with docker/build.sh --local")
    run([str(ROOT / "docker" / "build.sh"), "--local", "-t", image], timeout=900, capture=False)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default="track2:smoke")
    parser.add_argument("--no-build", action="store_true", help="test --image as it is")
    parser.add_argument("--port", type=int, default=int(os.environ.get("TRACK2_SMOKE_PORT", 8140)))
    parser.add_argument(
        "--smtp-port", type=int, default=int(os.environ.get("TRACK2_SMOKE_SMTP_PORT", 8141))
    )
    args = parser.parse_args(argv)
    database_url = os.environ.get("TRACK2_SMOKE_DATABASE_URL", DEFAULT_DATABASE_URL)
    started = time.monotonic()
    build_seconds = 0.0 if args.no_build else build(args.image)

    smoke = Smoke(args.image, database_url, args.port, args.smtp_port)
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    try:
        smoke.context_keeps_local_state_out()
        smoke.refuses_without_secret()
        smoke.migrate()
        smoke.serve()
        smoke.demo_and_pdf()
        smoke.worker_sends_mail(sink)
        size = smoke.image_contents()
    except SmokeFailure as exc:
        log(f"FAILED {exc}")
        for name in smoke.containers:
            print(f"--- last lines of {name}'s log ---\n{smoke.logs(name)[-4000:]}", flush=True)
        return 1
    finally:
        controller.stop()
        smoke.cleanup()
    digest = run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", args.image], timeout=30
    ).stdout.strip()
    log(f"image {args.image} ({digest[:19]}): {size / 1e6:.0f} MB")
    log(
        f"all {len(smoke.passed)} checks passed in {time.monotonic() - started:.0f} s "
        f"(build {build_seconds:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
