"""HTTP routes for key points, the checker, the four-eyes review and themes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["key points"])
