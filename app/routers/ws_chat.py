"""`GET /api/v1/channels/{id}/ws`: the chat WebSocket. Authentication, Origin and membership
are settled during the handshake; a refusal is an HTTP problem+json answer (401, 403, 404, and
503 with Retry-After while the database cannot be reached) and the socket is never accepted.
`app/realtime/connection.py` runs accepted sockets."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, WebSocket
from starlette.responses import Response

from app.db import refusal
from app.errors import AppError
from app.realtime.auth import socket_principal
from app.realtime.connection import POLICY_VIOLATION, Connection
from app.schemas.chat import Author
from app.services.lounges import ChannelAccess, channel_access

router = APIRouter()


async def _refuse(websocket: WebSocket, exc: AppError) -> None:
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        body = orjson.dumps({"type": f"https://lounge.example/problems/{exc.slug}", "title": exc.title,
                             "status": exc.status, "detail": exc.detail})
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        await websocket.send_denial_response(
            Response(body, exc.status, headers=headers, media_type="application/problem+json"))
    else:
        await websocket.close(POLICY_VIOLATION, exc.detail)


async def _admit(websocket: WebSocket, channel_id: str) -> tuple[Author, frozenset[str], ChannelAccess]:
    """Who is asking and what they may do here; raises before anything is accepted. Only these
    small values outlive the handshake, never its database session or ORM rows."""
    app = websocket.app
    async with app.state.sessionmaker() as db:
        principal = await socket_principal(websocket, db, app.state.settings)
        access = await channel_access(db, channel_id=channel_id, user_id=principal.user.id)
        author = Author(id=principal.user.id, display_name=principal.user.display_name)
    return author, principal.scopes, access


@router.websocket("/api/v1/channels/{channel_id}/ws")
async def chat_socket(
    websocket: WebSocket,
    channel_id: Annotated[str, Path(max_length=40)],
    after: Annotated[int | None, Query(ge=0, description="The last seq this client has seen")] = None,
) -> None:
    try:
        author, scopes, access = await _admit(websocket, channel_id)
    except AppError as exc:
        await _refuse(websocket, exc)
        return
    except Exception as exc:
        answer = refusal(exc, websocket.app.state.outages)
        if answer is None:
            raise
        await _refuse(websocket, answer)
        return
    await websocket.accept()
    connection = Connection(websocket, rooms=websocket.app.state.rooms, author=author, access=access,
                            can_send="chat" in scopes, after=after)
    await connection.serve()
