"""The production layout (docker/compose.yaml, shown in docs/operations.md) configures what it
says: every TRACK2_ variable is a real setting (Settings ignores unknown ones, so a typo would
pass silently), each command is a real `track2` subcommand, and the roles are wired as the
docs describe. docker/smoke.py runs the image itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from app.cli import build_parser
from app.config import Environment, MailBackend, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker" / "compose.yaml"
CADDYFILE = ROOT / "docker" / "Caddyfile"
OPERATIONS = ROOT / "docs" / "operations.md"
# What an operator puts in .env beside compose.yaml (the file's header lists these).
DOTENV = {
    "TRACK2_SITE": "dialogue.example.org",
    "TRACK2_IMAGE": "track2:1.0.0",
    "TRACK2_SECRET_KEY": "k" * 48,
    "POSTGRES_PASSWORD": "db-password",
    "TRACK2_SMTP_HOST": "smtp.example.org",
    "TRACK2_SMTP_USERNAME": "track2",
    "TRACK2_SMTP_PASSWORD": "smtp-password",
}
# Read by uvicorn, not by Settings.
NOT_SETTINGS = {"FORWARDED_ALLOW_IPS"}


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, recursively."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if name in env and env[name] != "":
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, value)


def compose(env: dict[str, str] = DOTENV) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    result: dict[str, Any] = interpolate(loaded, env)
    return result


def track2_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if service["image"] == DOTENV["TRACK2_IMAGE"]
    }


def setting_exists(variable: str) -> bool:
    """Whether TRACK2_A__B names field b of group a (or field a) of Settings."""
    path = variable.removeprefix("TRACK2_").lower().split("__")
    model: type[BaseModel] = Settings
    for i, part in enumerate(path):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if i < len(path) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


def settings_for(service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in service["environment"].items():
        if name.startswith("TRACK2_"):
            monkeypatch.setenv(name, str(value))
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_compose_layout_has_each_role() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "app", "worker", "proxy"}
    assert set(track2_services()) == {"migrate", "app", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["proxy"]["image"].startswith("caddy:")


def test_compose_refuses_to_start_without_its_secrets() -> None:
    for name in ("TRACK2_SECRET_KEY", "POSTGRES_PASSWORD", "TRACK2_SITE", "TRACK2_SMTP_HOST"):
        with pytest.raises(KeyError, match=name):
            compose({k: v for k, v in DOTENV.items() if k != name})


@pytest.mark.parametrize("service", ["migrate", "app", "worker"])
def test_compose_variables_are_real_settings(service: str) -> None:
    environment = track2_services()[service]["environment"]
    unknown = [
        name
        for name in environment
        if name not in NOT_SETTINGS and not (name.startswith("TRACK2_") and setting_exists(name))
    ]
    assert unknown == []


@pytest.mark.parametrize("service", ["migrate", "app", "worker"])
def test_compose_commands_are_track2_subcommands(service: str) -> None:
    command = track2_services()[service]["command"]
    args = build_parser().parse_args(command)
    assert args.func.__name__ == f"cmd_{command[0]}"


def test_compose_roles_are_wired_as_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    layout = compose()
    services = track2_services()
    with monkeypatch.context() as patch:
        app = settings_for(services["app"], patch)
    with monkeypatch.context() as patch:
        worker = settings_for(services["worker"], patch)

    for settings in (app, worker):
        assert settings.environment is Environment.PRODUCTION
        assert settings.database_url == "postgresql+asyncpg://track2:db-password@db:5432/track2"
        assert settings.base_url == "https://dialogue.example.org"
        assert settings.mail.sender_address == "dialogues@dialogue.example.org"
    # The web processes leave mail to the worker service, which sends through SMTP.
    assert app.outbox.run_in_serve is False
    assert worker.mail.backend is MailBackend.SMTP
    assert worker.mail.smtp_host == "smtp.example.org"
    assert worker.mail.smtp_password is not None
    # Proxy headers are believed from the proxy's fixed address only.
    proxy_address = layout["services"]["proxy"]["networks"]["front"]["ipv4_address"]
    assert services["app"]["environment"]["FORWARDED_ALLOW_IPS"] == proxy_address
    assert "--proxy-headers" in services["app"]["command"]
    # The database is reachable from the app, the worker and the migration, not the proxy.
    assert "back" not in layout["services"]["proxy"]["networks"]
    assert layout["services"]["db"]["networks"] == ["back"]
    assert "ports" not in services["app"]
    # The worker has no HTTP server (the image's HEALTHCHECK is for `serve`) and keeps its
    # delivery journal in a volume the workers share.
    assert services["worker"]["healthcheck"] == {"disable": True}
    assert "outbox-journal:/data" in services["worker"]["volumes"]
    # App and worker start only after the migration succeeded.
    for name in ("app", "worker"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }


def fenced_blocks(markdown: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", markdown, flags=re.M | re.S)


def test_operations_doc_shows_the_files_as_they_are() -> None:
    doc = OPERATIONS.read_text()
    assert COMPOSE.read_text() in fenced_blocks(doc, "yaml")
    assert CADDYFILE.read_text() in fenced_blocks(doc, "caddyfile")
