"""A baseline for the read benches: bare Starlette answering every GET with the very JSON
Lounge answered, from memory (no auth, no database, no validation)."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BARE_BODY_FILE"]).read_bytes()


async def answer(_request) -> Response:
    return Response(BODY, media_type="application/json")


async def healthz(_request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[Route("/healthz", healthz), Route("/{path:path}", answer)])
