"""Employee-led learning sessions: recurring series, the occurrences themselves (one row each),
co-hosts, RSVPs with their waitlist order and check-in, and what follows a session (resource
links and feedback with a takeaway shared with the lounge)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import IdField, TimestampField, utcnow

KINDS = ("lunch_and_learn", "chat", "workshop", "action_learning_set", "other")


class SessionSeries(SQLModel, table=True):
    """The RRULE a series was expanded from, kept for calendars and "this and following" edits."""

    __tablename__ = "session_series"

    id: str = IdField("ser")
    lounge_id: str = Field(foreign_key="lounges.id", max_length=40)
    rrule: str = Field(max_length=500)
    time_zone: str = Field(max_length=64)
    created_at: datetime = TimestampField(default_factory=utcnow)


class LearningSession(SQLModel, table=True):
    """One occurrence. `sequence` rises on every change (RFC 5545 SEQUENCE); `rsvp_version`
    rises on every RSVP change and doubles as the waitlist queue number."""

    __tablename__ = "learning_sessions"
    __table_args__ = (Index("ix_learning_sessions_lounge_start", "lounge_id", "starts_at"),
                      Index("ix_learning_sessions_start", "starts_at", "id"))

    id: str = IdField("lsn")
    lounge_id: str = Field(foreign_key="lounges.id", max_length=40)
    series_id: str | None = Field(default=None, foreign_key="session_series.id", max_length=40,
                                  index=True)
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=5000)
    kind: str = Field(max_length=24)  # one of KINDS
    starts_at: datetime = TimestampField()
    ends_at: datetime = TimestampField()
    time_zone: str = Field(max_length=64)
    capacity: int | None = Field(default=None)
    location: str = Field(default="", max_length=200)
    join_url: str = Field(default="", max_length=500)
    status: str = Field(default="scheduled", max_length=12)  # "scheduled" | "cancelled"
    sequence: int = Field(default=0)
    ical_uid: str = Field(max_length=120, unique=True)
    channel_id: str = Field(foreign_key="channels.id", max_length=40, unique=True)
    host_id: str = Field(foreign_key="users.id", max_length=40)
    notes: str = Field(default="", max_length=10000)
    original_starts_at: datetime | None = TimestampField(default=None, nullable=True)
    rsvp_version: int = Field(default=0)
    created_at: datetime = TimestampField(default_factory=utcnow)
    updated_at: datetime = TimestampField(default_factory=utcnow)
    cancelled_at: datetime | None = TimestampField(default=None, nullable=True)


class SessionCohost(SQLModel, table=True):
    __tablename__ = "session_cohosts"

    session_id: str = Field(foreign_key="learning_sessions.id", primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=40)


class Rsvp(SQLModel, table=True):
    """Someone's answer. Waitlisted rows are served in `queue_no` order; `checked_in_at`
    records attendance."""

    __tablename__ = "rsvps"
    __table_args__ = (Index("ix_rsvps_user", "user_id"),
                      Index("ix_rsvps_queue", "session_id", "status", "queue_no"))

    session_id: str = Field(foreign_key="learning_sessions.id", primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=40)
    status: str = Field(max_length=12)  # "going" | "waitlisted" | "not_going"
    queue_no: int | None = Field(default=None)
    checked_in_at: datetime | None = TimestampField(default=None, nullable=True)
    created_at: datetime = TimestampField(default_factory=utcnow)
    updated_at: datetime = TimestampField(default_factory=utcnow)


class SessionResource(SQLModel, table=True):
    __tablename__ = "session_resources"

    id: str = IdField("res")
    session_id: str = Field(foreign_key="learning_sessions.id", max_length=40, index=True)
    title: str = Field(max_length=120)
    url: str = Field(max_length=500)
    added_by: str = Field(foreign_key="users.id", max_length=40)
    created_at: datetime = TimestampField(default_factory=utcnow)


class SessionFeedback(SQLModel, table=True):
    """An attendee's rating (1–5) and comment for the hosts, and a takeaway for the lounge."""

    __tablename__ = "session_feedback"

    session_id: str = Field(foreign_key="learning_sessions.id", primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=40)
    rating: int
    comment: str = Field(default="", max_length=2000)
    takeaway: str = Field(default="", max_length=500)
    created_at: datetime = TimestampField(default_factory=utcnow)
    updated_at: datetime = TimestampField(default_factory=utcnow)
