"""Personal calendar feeds: the salt behind each person's secret feed URL.

The URL's token is the user id and an HMAC of the app's secret key, the user and the salt;
nothing secret is stored, so the table alone gives no feed URL away. A person without a row
uses the empty salt; rotating stores a new random one, and the old URL stops working.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import TimestampField, utcnow


class CalendarFeed(SQLModel, table=True):
    __tablename__ = "calendar_feeds"

    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=40)
    salt: str = Field(max_length=64)
    rotated_at: datetime = TimestampField(default_factory=utcnow)
