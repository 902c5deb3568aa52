"""HTTP route for searching approved key points."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["search"])
