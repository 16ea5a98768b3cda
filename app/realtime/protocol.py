"""The WebSocket protocol's events, serialised once with orjson (pydantic's serialiser for
messages) so every recipient is sent the very same bytes.

Server → client: `hello`, `message`, `ack`, `message_edited`, `message_deleted`, `reaction`,
`presence`, `typing`, `error`. Client → server: `send` and `typing`. `docs/realtime.md`
documents each shape.
"""

from __future__ import annotations

from typing import Any

import orjson

from app.schemas.chat import MessagePublic
from app.web.respond import to_json

# A doorbell between app instances, never sent to a client: the channel's membership changed,
# so every room of it checks at once who may stay (before it delivers anything published later).
MEMBERS_CHANGED = b'{"type":"members_changed"}'


def topic(channel_id: str) -> str:
    return f"chat:{channel_id}"


def message_event(message: MessagePublic, kind: str = "message") -> bytes:
    return b'{"type":"' + kind.encode() + b'","message":' + to_json(message) + b"}"


def deleted_event(message: MessagePublic, deleted_by: str) -> bytes:
    return orjson.dumps({"type": "message_deleted", "channel_id": message.channel_id,
                         "message_id": message.id, "seq": message.seq, "deleted_by": deleted_by})


def reaction_event(message: MessagePublic, *, user: dict[str, str], emoji: str, added: bool) -> bytes:
    return orjson.dumps({
        "type": "reaction", "channel_id": message.channel_id, "message_id": message.id,
        "seq": message.seq, "emoji": emoji, "user": user, "action": "added" if added else "removed",
        "reactions": [r.model_dump() for r in message.reactions]})


def typing_event(channel_id: str, user: dict[str, str]) -> bytes:
    return orjson.dumps({"type": "typing", "channel_id": channel_id, "user": user})


def presence_event(channel_id: str, *, joined: list[dict[str, str]], left: list[dict[str, str]],
                   online_count: int) -> bytes:
    return orjson.dumps({"type": "presence", "channel_id": channel_id, "joined": joined,
                         "left": left, "online_count": online_count})


def hello_event(channel_id: str, last_seq: int, online: list[dict[str, str]], online_count: int,
                user: dict[str, str]) -> str:
    return orjson.dumps({"type": "hello", "channel_id": channel_id, "last_seq": last_seq,
                         "online": online, "online_count": online_count, "you": user}).decode()


def ack_event(client_id: str, seq: int, message_id: str) -> str:
    return orjson.dumps({"type": "ack", "client_id": client_id, "seq": seq,
                         "message_id": message_id}).decode()


def error_event(code: str, detail: str, **extra: Any) -> str:
    return orjson.dumps({"type": "error", "code": code, "detail": detail, **extra}).decode()
