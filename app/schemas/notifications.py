"""Notification models: one line under the bell, the unread count, and which ones to mark read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import StrictModel


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": "ntf_8Hq2xLp0aZb1", "kind": "rsvp.promoted", "title": "You have a seat at Window functions",
        "body": "A place freed up and you moved off the waitlist.", "url": "/sessions/lsn_Qm3v9Rk2",
        "created_at": "2027-03-01T09:30:00Z", "read_at": None}]})

    id: str
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"unread": 3}]})

    unread: int


class MarkRead(StrictModel):
    """Which notifications to mark read; leave `ids` out to mark all of them."""

    ids: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=100)] | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"ids": ["ntf_8Hq2xLp0aZb1"]}, {}]})
