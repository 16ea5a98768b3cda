"""A short-lived, per-process memory of resolved bearer tokens.

Tools call the API in bursts; without this, every request would cost a database round trip
just to learn who is calling. Entries live `ttl` seconds (setting `LOUNGE_TOKEN_CACHE_SECONDS`,
0 turns the cache off). Revoking a token or changing a profile forgets the entries here at
once; another instance may honour a revoked token for at most 2 × `ttl` seconds more, since
while one request reloads an entry past its `ttl`, the others go on with it for that moment.

Each hit hands out fresh detached copies of the rows, so requests never share mutable objects.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import make_transient_to_detached

from app.models import ApiToken, User
from app.single_flight import SingleFlight

MAX_ENTRIES = 10_000


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _detached(model: type[Any], values: dict[str, Any]) -> Any:
    row = model(**values)
    make_transient_to_detached(row)
    return row


def _copies(values: tuple[dict[str, Any], dict[str, Any]] | None) -> tuple[User, ApiToken] | None:
    if values is None:
        return None
    user_values, token_values = values
    return _detached(User, user_values), _detached(ApiToken, token_values)


class TokenCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, dict[str, Any], dict[str, Any]]] = {}
        self._loading = SingleFlight()

    def peek(self, token_digest: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The remembered user and token columns (read-only), if fresh and unexpired.

        While one request reloads an entry past its `ttl`, the others go on with it rather than
        queue behind the database (for at most another `ttl`).
        """
        values = self._values(token_digest, max_age=self.ttl)
        if values is None and self._loading.busy(token_digest):
            values = self._values(token_digest, max_age=2 * self.ttl)
        return values

    def get(self, token_digest: str) -> tuple[User, ApiToken] | None:
        return _copies(self.peek(token_digest))

    async def get_or_load(self, token_digest: str,
                          load: Callable[[], Awaitable[tuple[User, ApiToken] | None]],
                          ) -> tuple[User, ApiToken] | None:
        """The caller behind a token, from memory or else from `load`, one load at a time."""
        found = self.get(token_digest)
        if found is not None:
            return found
        async with self._loading.turn(token_digest):
            fresh = self._values(token_digest, max_age=self.ttl)  # the one before may have loaded
            if fresh is not None:
                return _copies(fresh)
            found = await load()
            if found is None:
                self._entries.pop(token_digest, None)
            else:
                self.put(token_digest, *found)
            return found

    def _values(self, token_digest: str, *, max_age: float,
                ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        entry = self._entries.get(token_digest)
        if entry is None:
            return None
        stored_at, user_values, token_values = entry
        expires_at = token_values["expires_at"]
        if expires_at is not None and expires_at <= datetime.now(UTC):
            self._entries.pop(token_digest, None)
            return None
        if time.monotonic() - stored_at > max_age:
            return None
        return user_values, token_values

    def put(self, token_digest: str, user: User, token: ApiToken) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[token_digest] = (time.monotonic(), _columns(user), _columns(token))

    def forget_token(self, token_id: str) -> None:
        for key in [k for k, (_, _, t) in self._entries.items() if t["id"] == token_id]:
            self._entries.pop(key, None)

    def forget_user(self, user_id: str) -> None:
        for key in [k for k, (_, u, _) in self._entries.items() if u["id"] == user_id]:
            self._entries.pop(key, None)
