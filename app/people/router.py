"""HTTP routes for people, attendance and the aggregate composition."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["people"])
