"""Request guards that need no database: cross-site refusal of unsafe requests and a cap on
body size enforced while the body streams in (a lying `Content-Length` does not get past it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def _refuse(send: Send, status: int, title: str, detail: str) -> None:
    body = orjson.dumps({"type": f"https://lounge.example/problems/{title.lower().replace(' ', '-')}",
                         "title": title, "status": status, "detail": detail})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def origin_allowed(origin: str, host: str, scheme: str, trusted: frozenset[str]) -> bool:
    """Our own origin (`LOUNGE_BASE_URL`, the Host asked for) or one listed as allowed."""
    if origin in trusted:
        return True
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc == host \
        and parts.scheme == scheme


class CrossSiteGuard:
    """Unsafe requests that a browser marks as cross-site, or that come from a foreign
    `Origin`, are refused unless they carry a bearer token (which browsers never add)."""

    def __init__(self, app: ASGIApp, trusted_origins: frozenset[str]) -> None:
        self.app = app
        self.trusted = trusted_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = dict(scope["headers"])
            if not headers.get(b"authorization", b"").lower().startswith(b"bearer "):
                if headers.get(b"sec-fetch-site", b"") == b"cross-site":
                    await _refuse(send, 403, "Forbidden", "Cross-site requests are not allowed.")
                    return
                origin = headers.get(b"origin")
                host = headers.get(b"host", b"").decode("latin-1")
                if origin is not None and not origin_allowed(
                        origin.decode("latin-1"), host, scope.get("scheme", "http"), self.trusted):
                    await _refuse(send, 403, "Forbidden", "This origin may not make this request.")
                    return
        await self.app(scope, receive, send)


class BodySizeLimit:
    """Answers 413 as soon as a body grows past `max_bytes`, whatever `Content-Length` said."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "Payload too large",
                          f"Request bodies are limited to {self.max_bytes} bytes.")
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the app, so its error handler answers 413 in the caller's format.
                    raise PayloadTooLarge(f"Request bodies are limited to {self.max_bytes} bytes.")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except PayloadTooLarge:
            if not started:
                await _refuse(send, 413, "Payload too large",
                              f"Request bodies are limited to {self.max_bytes} bytes.")
