"""A database outage answered, not crashed on: while the database cannot be reached (refused,
shutting down, starting up, the pool exhausted), a request that needs it gets 503 with
`Retry-After` (problem+json for tools, the "we'll be right back" fragment for htmx, which
retries, or page for browsers) instead of a 500 and a traceback.

The log holds one warning when an outage begins and one when the database is back, with how
long it was gone and how many requests were answered 503; nothing in between. "Back" is the
engine's next new connection (`watch_engine`). Errors that are not an outage go on to the
unexpected-error handler, as before.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from app.db import database_unavailable
from app.web.problems import problem

log = logging.getLogger("lounge.outages")

RETRY_AFTER_SECONDS = 2


@dataclass
class OutageLog:
    """When the current outage began and how many requests it has turned away."""

    began: float | None = None
    refused: int = 0

    def refusing(self, error: BaseException) -> None:
        if self.began is None:
            self.began, self.refused = time.monotonic(), 0
            log.warning("database unavailable, answering 503 until it is back: %s: %s",
                        type(error).__name__, str(error)[:200])
        self.refused += 1

    def connected(self) -> None:
        if self.began is not None:
            log.warning("database back after %.1f s; %d requests were answered 503",
                        time.monotonic() - self.began, self.refused)
            self.began = None


def watch_engine(engine: AsyncEngine, outages: OutageLog) -> None:
    """Note the end of an outage at the engine's first new connection after it."""
    event.listen(engine.sync_engine, "connect", lambda *_: outages.connected())


async def _on_database_error(request: Request, exc: Exception) -> Response:
    if not database_unavailable(exc):
        raise exc  # a real bug: the unexpected-error handler logs it and answers 500
    request.app.state.outages.refusing(exc)
    return problem(
        request, status=503, title="Service unavailable", slug="service-unavailable",
        detail="Lounge cannot reach its database just now. Try again in a few seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install_outage_handlers(app: FastAPI) -> None:
    app.state.outages = OutageLog()
    for error in (sa_exc.DBAPIError, sa_exc.TimeoutError, OSError):
        app.add_exception_handler(error, _on_database_error)
