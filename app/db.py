"""Database engine and sessions: aiosqlite by default, asyncpg for PostgreSQL URLs; which
errors mean the database is unavailable rather than a request being wrong, and the log of
outages.

The engine is built by `create_app` in its lifespan and kept on `app.state`; the `Db`
dependency hands each request its own `AsyncSession`. During an outage the log holds one
warning when it begins and one when the database is back (the engine's next new connection),
with how long it was gone and how many requests were refused; nothing in between.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.config import Settings
from app.errors import ServiceUnavailable

log = logging.getLogger("lounge.outages")

RETRY_AFTER_SECONDS = 2


def make_engine(settings: Settings) -> AsyncEngine:
    """Build an engine whose pooling suits the database behind the URL."""
    url = settings.database_url
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine, *, info: dict[str, Any] | None = None,
                      ) -> async_sessionmaker[AsyncSession]:
    """Sessions for `engine`; `info` reaches every session (the caches its writes invalidate)."""
    return async_sessionmaker(engine, expire_on_commit=False, info=info or {})


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as db:
        yield db


Db = Annotated[AsyncSession, Depends(get_db)]


# Server states and socket failures meaning "not now", not "never": PostgreSQL shutting down,
# starting up, or out of connections; a connection refused, reset or gone; SQLite's file busy.
_UNAVAILABLE_NAMES = frozenset({
    "AdminShutdownError", "CrashShutdownError", "CannotConnectNowError", "TooManyConnectionsError",
    "PostgresConnectionError", "ConnectionDoesNotExistError", "ConnectionFailureError",
    "ConnectionRejectionError", "ClientCannotConnectError", "InterfaceError",
})
_SQLITE_BUSY = ("database is locked", "unable to open database file", "disk i/o error")


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database cannot be reached or is not
    accepting work right now, so that the request may succeed if it is tried again later."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.TimeoutError | ConnectionError | TimeoutError):
            return True  # the pool waited in vain, or the socket was refused, reset or timed out
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if type(current).__name__ in _UNAVAILABLE_NAMES:
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True  # cannot reach the server's address at all
        if type(current).__name__ == "OperationalError" and any(
                words in str(current).lower() for words in _SQLITE_BUSY):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


@dataclass
class OutageLog:
    """When the current outage began and how many requests it has turned away."""

    began: float | None = None
    refused: int = 0

    def refusing(self, error: BaseException) -> None:
        if self.began is None:
            self.began, self.refused = time.monotonic(), 0
            log.warning("database unavailable, refusing what needs it until it is back: %s: %s",
                        type(error).__name__, str(error)[:200])
        self.refused += 1

    def connected(self) -> None:
        if self.began is not None:
            log.warning("database back after %.1f s; %d requests were refused",
                        time.monotonic() - self.began, self.refused)
            self.began = None


def refusal(error: BaseException, outages: OutageLog) -> ServiceUnavailable | None:
    """The answer to `error` when it means the database is unavailable (noted in `outages`);
    None for any other error. HTTP routes and the chat socket's handshake and sends share it."""
    if not database_unavailable(error):
        return None
    outages.refusing(error)
    return ServiceUnavailable("Lounge cannot reach its database just now. Try again in a few seconds.",
                              retry_after=RETRY_AFTER_SECONDS)


def watch_engine(engine: AsyncEngine, outages: OutageLog) -> None:
    """Note the end of an outage at the engine's first new connection after it."""
    event.listen(engine.sync_engine, "connect", lambda *_: outages.connected())
