"""`KeepServerSend`: keeps the server's own ASGI `send` in the scope of every WebSocket.

Chat fan-out writes one frame to hundreds of sockets per message. Through Starlette's
`WebSocket.send` each frame also passes its state checks and the exception wrapper every route
gets, which together cost about as much as the write itself; `Connection.offer` writes the
frames of live events with the server's `send` instead. Everything else (accept, close, the
writer task) still goes through Starlette.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

SCOPE_KEY = "lounge.server_send"


class KeepServerSend:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = send
        await self.app(scope, receive, send)
