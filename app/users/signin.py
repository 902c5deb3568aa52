"""Console sign-in without passwords, and the server-side web sessions it starts.

A member asks for a link by e-mail address. Whatever the address, exactly one e-mail goes
out (a sign-in link for an active user, a "no account here" note otherwise), so neither the
page, its timing nor the number of e-mails says whether an address has an account. The link
is signed (its purpose is part of the signature), carries 256 random bits of which only the
SHA-256 is stored, works once, and for ``console.sign_in_link_minutes``.

Following it (a page with a button: mail scanners follow links, so the GET changes nothing)
starts a web session: a new opaque cookie (rotated at every sign-in; the old one is revoked),
stored as a hash, ending after ``session_idle_minutes`` without a request and in any case
``session_absolute_hours`` after sign-in. Sign-out revokes it, sign-out everywhere revokes
all of the user's sessions, and deactivating a user revokes them at once.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Unauthenticated
from app.kit.clock import as_utc, utcnow
from app.outbox.mail import email_payload, render_email
from app.outbox.models import OutboxKind
from app.outbox.queue import enqueue
from app.users.models import SignInLink, User, WebSession
from app.users.repository import UserRepository
from app.users.service import Principal

SESSION_COOKIE = "track2_session"
_LINK_SALT = "track2.console.sign-in"
# A session's last_seen_at is written at most this often (a read would otherwise write).
_TOUCH_EVERY = timedelta(seconds=60)

LinkProblem = Literal["expired", "used", "invalid"]


class BadSignInLink(Exception):
    """A sign-in link that does not work, and why (the page says which)."""

    def __init__(self, reason: LinkProblem) -> None:
        super().__init__(reason)
        self.reason: LinkProblem = reason


class SessionEnded(Unauthenticated):
    """The web session cookie is unknown, expired or revoked: sign in again."""

    slug = "sign-in-required"
    title = "Sign in to continue"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def safe_next(path: str | None) -> str:
    """Where to go after sign-in: a path on this site under /console, nothing else."""
    if not path or not path.startswith("/console") or "//" in path or "\\" in path:
        return "/console"
    return path[:500]


@dataclass(frozen=True, slots=True)
class StartedSession:
    """A new web session and the cookie value that opens it (shown once, never stored)."""

    cookie: str
    web_session: WebSession
    user: User


class SignInService:
    """Sign-in links, web sessions, sign-out."""

    def __init__(self, db: AsyncSession, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.repo = UserRepository(db)
        self._signer = URLSafeTimedSerializer(
            settings.secret_key.get_secret_value(), salt=_LINK_SALT
        )

    @property
    def link_lifetime(self) -> timedelta:
        return timedelta(minutes=self.settings.console.sign_in_link_minutes)

    # -- links ----------------------------------------------------------------------------

    async def request_link(self, email: str, next_path: str | None = None) -> None:
        """Send one e-mail to ``email``: a sign-in link if it belongs to an active user, a
        note that it has no account otherwise. The caller answers the same either way."""
        address = email.strip().lower()
        user = await self.repo.get_by_email(address)
        minutes = self.settings.console.sign_in_link_minutes
        if user is None or not user.is_active:
            subject, text, html = render_email(
                "users/no_account", {"sign_in_url": f"{self.settings.base_url}/sign-in"}
            )
            payload = email_payload(to=address, to_name=None, subject=subject, text=text, html=html)
        else:
            url = await self.new_link_url(user, next_path)
            subject, text, html = render_email(
                "users/sign_in",
                {"name": user.display_name, "sign_in_url": url, "minutes": minutes},
            )
            payload = email_payload(
                to=user.email, to_name=user.display_name, subject=subject, text=text, html=html
            )
        await enqueue(self.db, kind=OutboxKind.EMAIL, payload=payload)

    async def new_link_url(self, user: User, next_path: str | None = None) -> str:
        """Store a fresh single-use link for ``user`` and return its URL."""
        secret = secrets.token_urlsafe(32)
        now = utcnow()
        await self.repo.add_sign_in_link(
            SignInLink(
                app_user_id=user.id,
                token_hash=_hash(secret),
                created_at=now,
                expires_at=now + self.link_lifetime,
            )
        )
        token = self._signer.dumps({"s": secret, "n": safe_next(next_path)})
        return f"{self.settings.base_url}/sign-in/link?token={token}"

    def read_link(self, token: str) -> tuple[str, str]:
        """(secret, next path) of a well-formed, unexpired link; BadSignInLink otherwise."""
        seconds = int(self.link_lifetime.total_seconds())
        try:
            data = self._signer.loads(token, max_age=seconds)
        except SignatureExpired:
            raise BadSignInLink("expired") from None
        except BadSignature:
            raise BadSignInLink("invalid") from None
        if not isinstance(data, dict) or not isinstance(data.get("s"), str):
            raise BadSignInLink("invalid")
        return data["s"], safe_next(data.get("n"))

    async def redeem(self, token: str, user_agent: str, old_cookie: str | None) -> StartedSession:
        """Use the link once and start a web session (revoking the browser's old one)."""
        secret, _ = self.read_link(token)
        found = await self.repo.find_sign_in_link(_hash(secret))
        if found is None:
            raise BadSignInLink("invalid")
        link, user = found
        now = utcnow()
        if link.used_at is not None:
            raise BadSignInLink("used")
        if as_utc(link.expires_at) <= now:
            raise BadSignInLink("expired")
        if not user.is_active:
            raise BadSignInLink("invalid")
        if not await self.repo.use_sign_in_link(link.id, now):
            raise BadSignInLink("used")
        return await self.start_session(user, user_agent, old_cookie)

    # -- sessions -------------------------------------------------------------------------

    async def start_session(
        self, user: User, user_agent: str, old_cookie: str | None = None
    ) -> StartedSession:
        """A fresh session for ``user``; the browser's previous session (if any) ends, so a
        cookie planted before sign-in never becomes a signed-in one."""
        now = utcnow()
        if old_cookie:
            found = await self.repo.find_web_session(_hash(old_cookie))
            if found is not None:
                old, _ = found
                await self.repo.revoke_web_sessions(old.app_user_id, now, only=old.id)
        cookie = secrets.token_urlsafe(32)
        web_session = WebSession(
            app_user_id=user.id,
            token_hash=_hash(cookie),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=self.settings.console.session_absolute_hours),
            revoked_at=None,
            user_agent=user_agent[:200],
        )
        await self.repo.add_web_session(web_session)
        return StartedSession(cookie=cookie, web_session=web_session, user=user)

    async def authenticate(self, cookie: str) -> Principal:
        """The principal behind a web session cookie; SessionEnded when it does not work."""
        found = await self.repo.find_web_session(_hash(cookie))
        if found is None:
            raise SessionEnded("You are not signed in")
        web_session, user = found
        now = utcnow()
        idle = timedelta(minutes=self.settings.console.session_idle_minutes)
        if web_session.revoked_at is not None or not user.is_active:
            raise SessionEnded("You were signed out")
        if as_utc(web_session.expires_at) <= now or as_utc(web_session.last_seen_at) + idle <= now:
            raise SessionEnded("Your session has expired")
        if now - as_utc(web_session.last_seen_at) >= _TOUCH_EVERY:
            await self.repo.touch_web_session(web_session.id, now)
        return Principal(
            user_id=user.id, email=user.email, is_admin=user.is_admin, token_id=web_session.id
        )

    async def sign_out(self, principal: Principal) -> None:
        """End this browser's session (``token_id`` is the web session's id)."""
        await self.repo.revoke_web_sessions(principal.user_id, utcnow(), only=principal.token_id)

    async def sign_out_everywhere(self, user_id: uuid.UUID) -> int:
        """End every web session of the user; returns how many ended."""
        return await self.repo.revoke_web_sessions(user_id, utcnow())

    async def live_sessions(self, user_id: uuid.UUID) -> list[WebSession]:
        return await self.repo.live_web_sessions(user_id, utcnow())

    async def purge(self, now: datetime | None = None) -> int:
        """Forget links and sessions that stopped working a day ago (housekeeping)."""
        return await self.repo.purge_sign_in((now or utcnow()) - timedelta(days=1))
