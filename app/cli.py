"""The ``track2`` command: serve, migrate, worker, housekeeping, create-admin, reseal-secrets."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO
from urllib.parse import urlsplit

from pydantic import ValidationError

from app import housekeeping
from app.config import Environment, MailBackend, Settings, get_settings
from app.db import (
    DatabaseInUse,
    create_engine,
    create_sessionmaker,
    one_process_per_sqlite_file,
)
from app.kit.logging import configure_logging
from app.kit.migrations import current_revision, head_revision, upgrade_to_head


class CliError(Exception):
    """A problem the operator must fix; printed without a traceback."""


async def _database_revision(settings: Settings) -> str | None:
    engine = create_engine(settings, pooled=False)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(current_revision)
    finally:
        await engine.dispose()


def _prepare_database(settings: Settings) -> None:
    """Migrate the embedded SQLite; refuse to serve a PostgreSQL schema behind the code."""
    if settings.is_sqlite:
        upgrade_to_head(settings.database_url)
        return
    try:
        revision = asyncio.run(_database_revision(settings))
    except OSError as exc:
        raise CliError(f"cannot reach the database: {exc}") from exc
    expected = head_revision()
    if revision != expected:
        raise CliError(
            f"the database schema is at {revision or 'nothing'}, the code expects {expected}; "
            "run `track2 migrate` first"
        )


_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"})


def production_warnings(settings: Settings) -> list[str]:
    """What a production start-up should say about settings that work but are likely wrong."""
    if settings.environment is not Environment.PRODUCTION:
        return []
    warnings = []
    if settings.mail.backend is MailBackend.FILE:
        warnings.append(
            "TRACK2_MAIL__BACKEND is 'file': mail is written to "
            f"{settings.mail.file_dir} and never sent; set it to 'smtp' in production"
        )
    host = urlsplit(settings.base_url).hostname or ""
    if host in _LOOPBACK_HOSTS or host.startswith("127."):
        warnings.append(
            f"TRACK2_BASE_URL is {settings.base_url}: links in e-mails and calendars will "
            "point at this machine's loopback address; set the public address"
        )
    if settings.is_sqlite:
        warnings.append(
            "TRACK2_DATABASE_URL is a SQLite file: one process only; use PostgreSQL to run "
            "several app processes and workers"
        )
    return warnings


def _warn_production(settings: Settings) -> None:
    log = logging.getLogger("track2.cli")
    for warning in production_warnings(settings):
        log.warning(warning)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from app.kit.http import ProblemHttpToolsProtocol

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if settings.is_sqlite and args.workers > 1:
        raise CliError(
            "--workers must be 1 on SQLite: one process serves a SQLite file (its writers "
            "take turns inside that process); use PostgreSQL to run several "
            "(docs/operations.md)"
        )
    _warn_production(settings)
    trusted = list(settings.http.trusted_proxies)
    if args.proxy_headers and not trusted:
        raise CliError(
            "--proxy-headers needs TRACK2_HTTP__TRUSTED_PROXIES: the addresses of the proxies "
            "whose X-Forwarded-For to believe, e.g. '[\"10.0.0.2\"]' (docs/operations.md)"
        )
    with one_process_per_sqlite_file(settings.database_url, "serve"):
        _prepare_database(settings)
        if args.demo:
            asyncio.run(_load_demo(settings))
        uvicorn.run(
            "app.main:serve_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            access_log=False,  # the application writes its own, redacted (EdgeMiddleware)
            http=ProblemHttpToolsProtocol,
            timeout_keep_alive=settings.http.keep_alive_seconds,
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted or None,
            server_header=False,
        )


async def _load_demo(settings: Settings) -> None:
    from app.demo import load_demo

    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            await load_demo(session, settings=settings)
            await session.commit()
    finally:
        await engine.dispose()
    logging.getLogger("track2.cli").info(
        "demo series loaded", extra={"url": f"{settings.base_url}/series/afghan-peace"}
    )


def cmd_migrate(_args: argparse.Namespace) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, json_lines=False)
    upgrade_to_head(settings.database_url)
    print(f"database at {head_revision()}")


def progress_bar(stream: TextIO, width: int = 30) -> Callable[[int, int], None]:
    """A text progress bar for ``drain``: redrawn in place on a terminal, else one line a second."""
    started = time.monotonic()
    last_line = 0.0
    interactive = stream.isatty()

    def show(done: int, total: int) -> None:
        nonlocal last_line
        now = time.monotonic()
        finished = done >= total
        if not interactive and not finished and now - last_line < 1.0:
            return
        last_line = now
        filled = width if total == 0 else int(width * min(done / total, 1.0))
        rate = done / max(now - started, 1e-9)
        bar = "#" * filled + "." * (width - filled)
        text = f"[{bar}] {done}/{total} {rate:,.0f} msg/s"
        stream.write(("\r" + text) if interactive else text + "\n")
        stream.flush()

    return show


async def _run_worker(settings: Settings, *, drain: bool) -> int:
    import app.webhooks.delivery  # noqa: F401  (registers the webhook handler)
    from app.outbox.worker import OutboxWorker

    engine = create_engine(settings)
    maker = create_sessionmaker(engine)
    worker = OutboxWorker(maker, settings)
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    signals = (signal.SIGTERM, signal.SIGINT)

    def on_signal() -> None:
        # First signal: finish the current batch and stop. A second one: stop now (what was
        # delivered is recorded; the rest is retried when its lease runs out).
        if worker.stopping and main_task is not None:
            main_task.cancel()
        worker.stop()

    for sig in signals:
        loop.add_signal_handler(sig, on_signal)
    try:
        if not drain:
            async with housekeeping.in_background(maker, settings):
                await worker.run_forever()
            return 0
        result = await worker.drain(progress_bar(sys.stderr))
        rate = result.sent / result.seconds if result.seconds else 0.0
        print(
            f"\noutbox: {result.sent} sent, {result.failed} failed ({result.dead} dead) in "
            f"{result.seconds:.2f} s from first claim to last mark, {rate:,.0f} msg/s",
            file=sys.stderr,
        )
        return 1 if result.failed else 0
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        worker.close()
        await engine.dispose()


def cmd_worker(args: argparse.Namespace) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    _warn_production(settings)
    try:
        with one_process_per_sqlite_file(settings.database_url, "worker"):
            _prepare_database(settings)
            code = asyncio.run(_run_worker(settings, drain=args.drain))
    except asyncio.CancelledError:
        code = 130
    if code:
        sys.exit(code)


async def _create_admin(settings: Settings, email: str, name: str | None) -> str:
    from app.users.schemas import TokenCreate
    from app.users.service import UserService

    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            service = UserService(session)
            user = await service.ensure_admin(email, name)
            await session.flush()
            _, secret = await service.issue_token(user.id, TokenCreate(name="create-admin"))
            await session.commit()
            return secret
    finally:
        await engine.dispose()


def cmd_create_admin(args: argparse.Namespace) -> None:
    settings = get_settings()
    if settings.is_sqlite:
        upgrade_to_head(settings.database_url)
    secret = asyncio.run(_create_admin(settings, args.email, args.name))
    print(f"admin {args.email.lower()} is ready; its new API token (shown once):")
    print(secret)


async def _reseal_secrets(settings: Settings) -> int:
    from app.kit.sealing import Unreadable
    from app.webhooks.service import WebhookService

    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            try:
                changed = await WebhookService(session, settings).reseal_secrets()
            except Unreadable as exc:
                raise CliError(f"nothing changed: {exc}") from None
            await session.commit()
            return changed
    finally:
        await engine.dispose()


def cmd_reseal_secrets(_args: argparse.Namespace) -> None:
    settings = get_settings()
    if settings.is_sqlite:
        upgrade_to_head(settings.database_url)
    changed = asyncio.run(_reseal_secrets(settings))
    print(f"{changed} webhook secret(s) sealed again under the current TRACK2_SECRET_KEY")


async def _housekeeping(settings: Settings) -> dict[str, int]:
    engine = create_engine(settings, pooled=False)
    try:
        return await housekeeping.sweep(create_sessionmaker(engine), settings)
    finally:
        await engine.dispose()


def cmd_housekeeping(_args: argparse.Namespace) -> None:
    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    _prepare_database(settings)
    done = asyncio.run(_housekeeping(settings))
    print(", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in done.items()) + " deleted")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="track2", description="Run Track2.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service (migrates the embedded SQLite)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-For/-Proto, only from the addresses in "
        "TRACK2_HTTP__TRUSTED_PROXIES (setting those alone is enough; see docs/operations.md)",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="load the demo series (the reference report's dialogue) first; idempotent",
    )
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(func=cmd_migrate)

    worker = sub.add_parser(
        "worker", help="send outbox messages (e-mails, webhooks) until SIGTERM/SIGINT"
    )
    worker.add_argument(
        "--drain",
        action="store_true",
        help="send everything due now with a progress bar, then exit (1 if any failed)",
    )
    worker.set_defaults(func=cmd_worker)

    sweep = sub.add_parser(
        "housekeeping",
        help="delete what is no longer needed (unconfirmed subscribers, expired idempotency "
        "records and rate-limit hits) once; the worker does this hourly",
    )
    sweep.set_defaults(func=cmd_housekeeping)

    reseal = sub.add_parser(
        "reseal-secrets",
        help="seal every webhook secret under the current TRACK2_SECRET_KEY (after rotating "
        "it with the old key in TRACK2_SECRET_KEY_FALLBACKS, or after upgrading from 0013)",
    )
    reseal.set_defaults(func=cmd_reseal_secrets)

    admin = sub.add_parser("create-admin", help="create (or reuse) an admin; print a new token")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default=None, help="display name for a new admin")
    admin.set_defaults(func=cmd_create_admin)
    return parser


def _settings_problem(exc: ValidationError) -> str:
    """One line naming each bad setting and why (no traceback, no value echoed)."""
    reasons = []
    for error in exc.errors():
        name = "TRACK2_" + "__".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        reasons.append(message if message.startswith("TRACK2_") else f"{name}: {message}")
    return "configuration error: " + "; ".join(reasons)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``track2`` console script."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except CliError as exc:
        print(f"track2: {exc}", file=sys.stderr)
        sys.exit(2)
    except DatabaseInUse as exc:
        print(f"track2: {exc}", file=sys.stderr)
        sys.exit(2)
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        print(f"track2: {_settings_problem(exc)}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
