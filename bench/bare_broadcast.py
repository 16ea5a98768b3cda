"""The baseline for `chat_fanout`: a bare Starlette WebSocket room that does the same fan-out
as Lounge with nothing else (no auth, no database, no queues). Each `send` frame is numbered,
wrapped in the same `message` event shape, serialised once, and sent as the very same text to
every socket, one after another."""

from __future__ import annotations

import itertools

import orjson
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

members: set[WebSocket] = set()
seq = itertools.count(1)


async def room(websocket: WebSocket) -> None:
    await websocket.accept()
    members.add(websocket)
    try:
        while True:
            frame = orjson.loads(await websocket.receive_text())
            if frame.get("type") != "send":
                continue
            text = orjson.dumps({"type": "message", "message": {
                "seq": next(seq), "body": frame["body"], "client_id": frame["client_id"]}}).decode()
            for member in list(members):
                try:
                    await member.send_text(text)
                except (WebSocketDisconnect, RuntimeError, OSError):
                    members.discard(member)
    except WebSocketDisconnect:
        pass
    finally:
        members.discard(websocket)


async def healthz(_request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[WebSocketRoute("/ws", room), Route("/healthz", healthz)])
