"""A database outage answered, not crashed on: while the database cannot be reached (refused,
shutting down, starting up, the pool exhausted), a request that needs it gets 503 with
`Retry-After` (problem+json for tools, the error fragment for htmx, a page that tries again
for browsers) instead of a 500 and a traceback. `app/db.py` decides what an outage is and
keeps its log; errors that are not an outage go on to the unexpected-error handler.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import exc as sa_exc
from starlette.requests import Request
from starlette.responses import Response

from app.db import OutageLog, refusal
from app.web.problems import app_error_response


async def _on_database_error(request: Request, exc: Exception) -> Response:
    answer = refusal(exc, request.app.state.outages)
    if answer is None:
        raise exc  # a real bug: the unexpected-error handler logs it and answers 500
    return await app_error_response(request, answer)


def install_outage_handlers(app: FastAPI) -> None:
    app.state.outages = OutageLog()
    for error in (sa_exc.DBAPIError, sa_exc.TimeoutError, OSError):
        app.add_exception_handler(error, _on_database_error)
