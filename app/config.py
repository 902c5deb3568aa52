"""Settings: one class, read from the environment with the ``TRACK2_`` prefix.

Nested groups use ``__`` as the delimiter, e.g. ``TRACK2_HTTP__MAX_BODY_BYTES``. The defaults
are the embedded mode: a SQLite file in the working directory and a development secret. In
production mode the service refuses to start with a missing or placeholder secret.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Request
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_PLACEHOLDER = "dev-insecure-change-me"
_PLACEHOLDER_SECRETS = frozenset(
    {"", DEV_SECRET_PLACEHOLDER, "changeme", "change-me", "secret", "please-change-me"}
)
_MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    """Where the service runs; production turns on the strict start-up checks."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class DatabaseSettings(BaseModel):
    """Connection pool tuning; the URL itself is ``TRACK2_DATABASE_URL``."""

    pool_size: int = Field(default=10, ge=1, le=200)
    max_overflow: int = Field(default=10, ge=0, le=200)
    # How long a request waits for a pooled connection, and a new connection for PostgreSQL
    # to answer, before it is told 503 (database unavailable) with Retry-After.
    pool_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    connect_timeout_seconds: float = Field(default=5.0, gt=0, le=600)
    echo: bool = False
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0, le=600_000)
    # SQLite: how long a writer waits for its turn at the process's write gate (writers are
    # served one at a time, in order) before it is told 503 (database busy) with Retry-After.
    sqlite_write_wait_ms: int = Field(default=15_000, ge=100, le=600_000)
    # Off only to measure what the write gate does (bench/concurrent_writers.py --compare):
    # without it, writers contend for SQLite's lock and some answer 503 database-busy.
    sqlite_write_gate: bool = True


class HttpSettings(BaseModel):
    """Limits applied to every HTTP request."""

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    # Longer request targets (path and query) answer 414, larger header sections 431.
    max_target_bytes: int = Field(default=8192, ge=256, le=1024 * 1024)
    max_header_bytes: int = Field(default=32 * 1024, ge=1024, le=1024 * 1024)
    # How long an idle keep-alive connection stays open. Longer than the idle timeout of the
    # proxy or load balancer in front (60 s for nginx and most cloud balancers): if the app
    # closed first, a request the proxy sends at that moment would fail with a reset.
    keep_alive_seconds: int = Field(default=75, ge=1, le=3600)
    # Addresses (or CIDR ranges) of the reverse proxies whose X-Forwarded-For/-Proto are
    # believed; empty: none, the peer address is the client. "*" trusts everyone (never
    # do this when the service can be reached without going through the proxy).
    trusted_proxies: list[str] = []


class SecuritySettings(BaseModel):
    """Token handling."""

    # Writing last_used_at on every request would turn each read into a write; once a
    # minute per token is precise enough for an administrator deciding what to revoke.
    token_touch_interval_seconds: int = Field(default=60, ge=0, le=86_400)

    @property
    def token_touch_interval(self) -> timedelta:
        """The touch interval as a timedelta."""
        return timedelta(seconds=self.token_touch_interval_seconds)


class MailBackend(StrEnum):
    """Where outgoing mail goes."""

    FILE = "file"
    SMTP = "smtp"


class MailSettings(BaseModel):
    """Outgoing e-mail. The embedded default writes each message as an .eml file."""

    backend: MailBackend = MailBackend.FILE
    file_dir: str = "./outbox-mail"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    sender_address: str = "track2@localhost"
    sender_name: str = "Track2"


class OutboxSettings(BaseModel):
    """The transactional outbox worker (e-mail and webhooks)."""

    run_in_serve: bool = True
    poll_interval_seconds: float = Field(default=1.0, gt=0, le=300)
    batch_size: int = Field(default=100, ge=1, le=10_000)
    max_attempts: int = Field(default=8, ge=1, le=100)
    lease_seconds: int = Field(default=120, ge=5, le=86_400)
    backoff_base_seconds: float = Field(default=10.0, gt=0, le=3600)
    backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0, le=7 * 86_400)
    # Deliveries are marked sent in groups gathered over this long. A crash inside the window
    # re-sends those messages (same Message-ID); shorter is safer, longer is faster.
    sent_mark_interval_ms: int = Field(default=20, ge=0, le=10_000)
    # Each worker notes deliveries in a local file until they are marked sent, so a worker
    # killed mid-batch is recovered without re-sending (docs/outbox.md). Empty: no journal.
    journal_dir: str = "./outbox-journal"
    # How often the worker forgets what is no longer needed (app/housekeeping.py); 0: never.
    housekeeping_interval_seconds: float = Field(default=3600.0, ge=0, le=7 * 86_400)
    # Housekeeping forgets the content of messages sent this many days ago (0: keep forever).
    sent_retention_days: int = Field(default=30, ge=0, le=3650)


class PublicSettings(BaseModel):
    """Public (token-less) endpoints: abuse limits and what is recorded about consent."""

    rate_limit_per_ip_per_hour: int = Field(default=30, ge=1, le=100_000)
    rate_limit_per_address_per_hour: int = Field(default=5, ge=1, le=10_000)
    confirmation_link_hours: int = Field(default=48, ge=1, le=24 * 30)
    record_consent_ip: bool = True


class ReportSettings(BaseModel):
    """Report delivery."""

    download_link_days: int = Field(default=7, ge=1, le=365)


class WebhookSettings(BaseModel):
    """Outgoing webhooks."""

    # Development and tests only: lets endpoints point at loopback or private addresses,
    # which the SSRF guard otherwise refuses at registration and at delivery.
    allow_private_targets: bool = False
    timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    # Housekeeping deletes delivery-log entries older than this many days (0: keep forever).
    delivery_log_days: int = Field(default=90, ge=0, le=3650)


class ConsoleSettings(BaseModel):
    """The console: sign-in links, web sessions and invitations (docs/console.md)."""

    sign_in_link_minutes: int = Field(default=15, ge=1, le=60)
    # A web session ends after this long without a request, and in any case this long after
    # sign-in; the live recording screen's autosave keeps an active rapporteur signed in.
    session_idle_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    session_absolute_hours: int = Field(default=24, ge=1, le=30 * 24)
    invitation_days: int = Field(default=7, ge=1, le=60)
    sign_in_per_address_per_hour: int = Field(default=5, ge=1, le=1000)
    sign_in_per_ip_per_hour: int = Field(default=30, ge=1, le=100_000)


class Settings(BaseSettings):
    """All of Track2's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="TRACK2_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./track2.db"
    secret_key: SecretStr = SecretStr(DEV_SECRET_PLACEHOLDER)
    # Earlier secret keys, newest first (a JSON list in TRACK2_SECRET_KEY_FALLBACKS): values
    # sealed under them (webhook signing secrets) stay readable after the key is rotated.
    secret_key_fallbacks: list[SecretStr] = []
    base_url: str = "http://127.0.0.1:8000"
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    log_json: bool = True

    database: DatabaseSettings = DatabaseSettings()
    http: HttpSettings = HttpSettings()
    security: SecuritySettings = SecuritySettings()
    mail: MailSettings = MailSettings()
    outbox: OutboxSettings = OutboxSettings()
    public: PublicSettings = PublicSettings()
    reports: ReportSettings = ReportSettings()
    webhooks: WebhookSettings = WebhookSettings()
    console: ConsoleSettings = ConsoleSettings()

    @field_validator("base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            secret = self.secret_key.get_secret_value()
            if secret.strip().lower() in _PLACEHOLDER_SECRETS:
                raise ValueError(
                    "TRACK2_SECRET_KEY is missing or a placeholder; production mode needs a "
                    "random secret of at least 32 characters, e.g. "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
                )
            if len(secret) < _MIN_SECRET_LENGTH:
                raise ValueError(
                    f"TRACK2_SECRET_KEY is shorter than {_MIN_SECRET_LENGTH} characters; "
                    "production mode needs a long random secret"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        """Whether the configured database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


async def get_settings_from_app(request: Request) -> Settings:
    """The settings the application was created with (a route dependency)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings_from_app)]
