"""Which renderings leave the event loop: PDF, DOCX and every format of a digest run in a
worker thread; a session's summary as HTML or Markdown (about a millisecond) does not."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import pytest

from app.reports import render as render_module
from app.reports.builder import build_digest, build_session_report
from app.reports.render import Format, render
from bench.reports import digest_source
from tests.reports.editions import demo_source


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    calls: list[bool] = []
    real = anyio.to_thread.run_sync

    async def spy(func: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(True)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(render_module.anyio.to_thread, "run_sync", spy)
    return calls


async def test_documents_and_digests_render_in_a_worker_thread(threaded: list[bool]) -> None:
    digest = build_digest(digest_source(3, 2))
    for fmt in Format:
        threaded.clear()
        rendered = await render(digest, fmt)
        assert rendered.body
        assert threaded == [True], fmt
    summary = build_session_report(demo_source(), "summary")
    for fmt in Format:
        threaded.clear()
        await render(summary, fmt)
        assert threaded == ([True] if fmt in (Format.PDF, Format.DOCX) else []), fmt
