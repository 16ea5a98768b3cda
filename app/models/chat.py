"""Chat: messages in a channel (numbered by a gap-free per-channel `seq`), reactions, and
how far each person has read each channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import IdField, TimestampField, utcnow


class Message(SQLModel, table=True):
    """One chat message. `html` is the sanitised rendering of `body`, kept so history reads
    never re-render; a deleted message keeps its row (and seq) with body and html emptied."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "seq", name="uq_messages_channel_seq"),
        UniqueConstraint("channel_id", "author_id", "client_id", name="uq_messages_channel_client"),
    )

    id: str = IdField("msg")
    channel_id: str = Field(foreign_key="channels.id", max_length=40)
    seq: int
    author_id: str = Field(foreign_key="users.id", max_length=40)
    body: str = Field(sa_type=Text)
    html: str = Field(sa_type=Text)
    client_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = TimestampField(default_factory=utcnow)
    edited_at: datetime | None = TimestampField(default=None, nullable=True)
    deleted_at: datetime | None = TimestampField(default=None, nullable=True)
    deleted_by: str | None = Field(default=None, foreign_key="users.id", max_length=40)


class Reaction(SQLModel, table=True):
    __tablename__ = "reactions"

    message_id: str = Field(foreign_key="messages.id", primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=40)
    emoji: str = Field(primary_key=True, max_length=32)
    created_at: datetime = TimestampField(default_factory=utcnow)


class ReadMarker(SQLModel, table=True):
    """The highest seq a person has read in a channel."""

    __tablename__ = "read_markers"
    __table_args__ = (Index("ix_read_markers_user", "user_id"),)

    channel_id: str = Field(foreign_key="channels.id", primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=40)
    last_read_seq: int = Field(default=0)
    updated_at: datetime = TimestampField(default_factory=utcnow)
