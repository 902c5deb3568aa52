"""Reports, report requests and takedowns in domain events (``app.outbox.events``)."""

from __future__ import annotations

import uuid
from typing import Any

from app.outbox.events import iso
from app.reports.models import ReportEdition, ReportKind, ReportRequest, ReportVersion
from app.reports.schemas import PublicEditionRef


def taken_down_data(kind: str, item_id: uuid.UUID, **ids: Any) -> dict[str, Any]:
    """Something public was taken down while it is revised: which one, never why (the text
    that named someone is not repeated)."""
    return {"id": str(item_id), "kind": kind, **{k: str(v) for k, v in ids.items()}}


def report_data(version: ReportVersion) -> dict[str, Any]:
    """A published report version, by reference (the content is fetched, not pushed)."""
    return {
        "id": str(version.id),
        "session_id": str(version.dialogue_session_id),
        "kind": version.kind.value,
        "version": version.number,
        "sha256": version.content_sha256,
        "published_at": iso(version.published_at),
        "withdrawn_at": iso(version.withdrawn_at) if version.withdrawn_at else None,
    }


def edition_data(
    version: ReportVersion, edition: ReportEdition, ref: PublicEditionRef
) -> dict[str, Any]:
    """A published edition (a translation, version ``n.m``), by reference: the report it
    translates, its language and label, its hash and its public addresses (a summary's;
    a detailed report is never public, so its editions have none). No text of it."""
    public = version.kind is ReportKind.SUMMARY
    return {
        "id": str(edition.id),
        "report_id": str(version.id),
        "session_id": str(version.dialogue_session_id),
        "kind": version.kind.value,
        "version": ref.version,
        "language": ref.language,
        "name": ref.name,
        "direction": ref.direction,
        "sha256": edition.content_sha256,
        "published_at": iso(ref.published_at),
        "url": ref.url if public else None,
        "formats": ref.formats if public else {},
    }


def report_request_data(request: ReportRequest, session_number: int) -> dict[str, Any]:
    """A report request; the requester's address is for administrators' endpoints only."""
    return {
        "id": str(request.id),
        "session_number": session_number,
        "status": request.status.value,
        "email": request.email,
    }
