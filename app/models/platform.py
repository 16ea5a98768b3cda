"""Cross-cutting tables: chat channels (owned by a lounge or a session), the durable outbox of
background jobs, and in-app notifications (the bell)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.models.base import IdField, TimestampField, utcnow


class Channel(SQLModel, table=True):
    """A chat channel. Each lounge and each learning session owns exactly one."""

    __tablename__ = "channels"

    id: str = IdField("chn")
    kind: str = Field(max_length=16)  # "lounge" | "session"
    created_at: datetime = TimestampField(default_factory=utcnow)
    # The seq of the newest message; bumped inside each message's insert transaction.
    last_seq: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class OutboxJob(SQLModel, table=True):
    """A durable background job (reminder, email, webhook delivery, …).

    `dedupe_key` is unique, so scheduling the same job twice (two instances, a retry) keeps
    one row; workers claim due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL) so each runs once.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "run_at"),)

    id: str = IdField("job")
    kind: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=200, unique=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)  # pending | running | done | dead
    run_at: datetime = TimestampField(default_factory=utcnow)
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = TimestampField(default=None, nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = TimestampField(default_factory=utcnow)
    finished_at: datetime | None = TimestampField(default=None, nullable=True)


class Notification(SQLModel, table=True):
    """One line under someone's bell."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: str = IdField("ntf")
    user_id: str = Field(foreign_key="users.id", max_length=40)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=2000)
    url: str = Field(default="", max_length=500)
    created_at: datetime = TimestampField(default_factory=utcnow)
    read_at: datetime | None = TimestampField(default=None, nullable=True)
