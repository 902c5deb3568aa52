"""The yardstick: a bare FastAPI endpoint returning a prebuilt ~7.8 KB JSON body.

It stands for a session with 30 key points already serialised, so it is the most the stack
(uvicorn + Starlette + FastAPI routing) can serve on this machine in the same run.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.responses import Response


def _body() -> bytes:
    points = [
        {
            "id": f"01a21832-0000-7000-8000-{i:012d}",
            "position": i,
            "text": (
                "Both sides of the conflict seem to have reached a mutual understanding that a "
                "reduction of violence is an important step towards negotiations, although "
                "this has still not happened in a significant way."
            ),
            "themes": ["reduction-of-violence", "trust"],
            "status": "approved",
        }
        for i in range(30)
    ]
    return json.dumps({"items": points, "next_cursor": None}).encode()


BODY = _body()
app = FastAPI()


@app.get("/ceiling")
async def ceiling() -> Response:
    return Response(BODY, media_type="application/json")
