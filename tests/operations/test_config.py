"""Settings: environment prefix, nested groups, production secret checks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Environment, Settings


def test_env_prefix_and_nested_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACK2_DATABASE_URL", "sqlite+aiosqlite:///./elsewhere.db")
    monkeypatch.setenv("TRACK2_HTTP__MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("TRACK2_BASE_URL", "https://dialogue.example.org/")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url.endswith("elsewhere.db")
    assert settings.http.max_body_bytes == 4096
    assert settings.base_url == "https://dialogue.example.org"


def test_defaults_are_the_embedded_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRACK2_DATABASE_URL", "TRACK2_ENVIRONMENT", "TRACK2_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite+aiosqlite:///./track2.db"
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.http.max_body_bytes == 1024 * 1024


@pytest.mark.parametrize("secret", [None, "dev-insecure-change-me", "changeme", "short-secret"])
def test_production_refuses_missing_or_placeholder_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("TRACK2_ENVIRONMENT", "production")
    if secret is None:
        monkeypatch.delenv("TRACK2_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("TRACK2_SECRET_KEY", secret)
    with pytest.raises(ValidationError, match="TRACK2_SECRET_KEY"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_production_accepts_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACK2_ENVIRONMENT", "production")
    monkeypatch.setenv("TRACK2_SECRET_KEY", "k" * 16 + "Q2vN8dJr5sLw0pXe")
    assert Settings(_env_file=None).environment is Environment.PRODUCTION  # type: ignore[call-arg]


def test_unknown_default_timezone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACK2_DEFAULT_TIMEZONE", "Atlantis/Capital")
    with pytest.raises(ValidationError, match="time zone"):
        Settings(_env_file=None)  # type: ignore[call-arg]
