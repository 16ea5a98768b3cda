"""Chat models: messages as the API and the WebSocket show them, the bodies that post and edit
them, read markers and unread counts, and the people a composer offers to @mention."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import HAS_TEXT, Matches, StrictModel, char_class, json_int

MAX_BODY = 4000
MAX_SEQ = 2**31 - 1
MESSAGE_TEXT = Matches(HAS_TEXT, "Write a message first.")
MessageBody = Annotated[str, Field(max_length=MAX_BODY, description="Markdown"), MESSAGE_TEXT]

# One emoji, as a reaction: pictographs and symbols from the emoji blocks, with the characters
# that join and modify them (joiner, variation selectors, keycap, tags) and keycap digits.
_PICTOGRAPHS = ((0xA9, 0xA9), (0xAE, 0xAE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
                (0x2139, 0x2139), (0x2190, 0x21FF), (0x2300, 0x23FF), (0x24C2, 0x24C2),
                (0x25A0, 0x27BF), (0x2900, 0x297F), (0x2B00, 0x2BFF), (0x3030, 0x3030),
                (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1FAFF))
_KEYCAP = ((0x20E3, 0x20E3),)
_JOINERS = ((0x200D, 0x200D), (0xFE0E, 0xFE0F), (0xE0020, 0xE007F))
_EMOJI_PART = f"[{char_class(_PICTOGRAPHS + _KEYCAP + _JOINERS)}#*0-9]"
MAX_EMOJI = 16
EMOJI = Matches(f"^{_EMOJI_PART}*[{char_class(_PICTOGRAPHS + _KEYCAP)}]{_EMOJI_PART}*$",
                "React with a single emoji, such as 👍.")
ClientId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$",
                                description="Your own id for this send; a retry with the same "
                                            "id never creates a second message")]


class MessageCreate(StrictModel):
    body: MessageBody
    client_id: ClientId | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "body": "Slides from today are up, **thanks** all!", "client_id": "c-7f3a"}]})


class MessageUpdate(StrictModel):
    body: MessageBody

    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "Slides are up (fixed link)."}]})


ReadSeq = json_int(ge=0, le=MAX_SEQ, description="The highest seq you have read")


class ReadUpdate(StrictModel):
    seq: ReadSeq

    model_config = ConfigDict(json_schema_extra={"examples": [{"seq": 42}]})


class Author(BaseModel):
    id: str
    display_name: str


class ReactionSummary(BaseModel):
    emoji: str
    count: int
    user_ids: list[str]


class MessagePublic(BaseModel):
    """A message; a deleted one keeps its seq, with `deleted` true and body and html empty."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "msg_Qm9vb2tzIGFyZSBnb29k", "seq": 42, "channel_id": "chn_3kTbq0ZpX1aa",
        "author": {"id": "usr_9fJx2LrQ0bb", "display_name": "Ana Lima"},
        "body": "Slides are up, **thanks** all!",
        "html": "<p>Slides are up, <strong>thanks</strong> all!</p>",
        "created_at": "2026-11-23T12:30:00+00:00", "client_id": "c-7f3a", "edited_at": None,
        "deleted": False, "reactions": [{"emoji": "🎉", "count": 2, "user_ids": ["usr_9fJx2LrQ0bb",
                                                                              "usr_Zt4kq8Lm1cc"]}]}]})

    id: str
    seq: int
    channel_id: str
    author: Author
    body: str
    html: str
    created_at: datetime
    client_id: str | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    reactions: list[ReactionSummary] = []


class MentionCandidate(BaseModel):
    """Someone to @mention in a channel; `member` is false for people outside it (named, but
    not notified)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "usr_3kTbq9sX0aLm", "display_name": "Ben Okafor", "handle": "ben.okafor", "member": True}]})

    id: str
    display_name: str
    handle: str = Field(description="Insert as `@handle`: what the mention parser recognises")
    member: bool


class ReadMarkerPublic(BaseModel):
    channel_id: str
    last_read_seq: int
    unread: int


class UnreadChannel(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "channel_id": "chn_3kTbq0ZpX1aa", "last_seq": 42, "last_read_seq": 39, "unread": 3}]})

    channel_id: str
    last_seq: int
    last_read_seq: int
    unread: int
