"""API rate limits per token and per person, with `RateLimit-*` headers on every answer.

Reads (GET/HEAD) and writes have separate budgets (settings `LOUNGE_RATE_LIMIT_READS` and
`LOUNGE_RATE_LIMIT_WRITES`, in the `limits` notation such as "600/minute"). The counters live
in the shared `RateLimiter`: in memory, or in Redis so that every instance counts together.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import RateLimited
from app.ratelimit import RateLimiter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATE_KEY = "ratelimit_headers"


class ApiLimits:
    def __init__(self, limiter: RateLimiter, *, reads: str, writes: str, enabled: bool = True) -> None:
        self.limiter = limiter
        self.reads = limiter.limit(reads)
        self.writes = limiter.limit(writes)
        self.enabled = enabled

    async def check(self, request: Request, *, user_id: str, token_id: str | None) -> None:
        """Count this request against the caller's token and person; 429 when either is spent."""
        if not self.enabled:
            return
        kind = "read" if request.method in SAFE_METHODS else "write"
        item = self.reads if kind == "read" else self.writes
        keys = [("api", kind, "user", user_id)]
        if token_id is not None:
            keys.insert(0, ("api", kind, "token", token_id))
        tightest: tuple[int, int] | None = None
        for key in keys:
            allowed = await self.limiter.hit(item, *key)
            remaining, reset = await self.limiter.remaining(item, *key)
            if tightest is None or remaining < tightest[0]:
                tightest = (remaining, reset)
            if not allowed:
                request.state.ratelimit_headers = _headers(item.amount, 0, reset)
                raise RateLimited(
                    f"Too many {kind} requests; the limit is {item.amount} per "
                    f"{item.get_expiry()} seconds.", retry_after=reset)
        assert tightest is not None
        request.state.ratelimit_headers = _headers(item.amount, *tightest)


def _headers(limit: int, remaining: int, reset: int) -> list[tuple[bytes, bytes]]:
    return [(b"ratelimit-limit", str(limit).encode()),
            (b"ratelimit-remaining", str(max(0, remaining)).encode()),
            (b"ratelimit-reset", str(reset).encode())]


class RateLimitHeaders:
    """Copies the counts `ApiLimits.check` left on the request state onto the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_counts(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = scope.get("state", {}).get(STATE_KEY)
                if extra:
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_counts)
