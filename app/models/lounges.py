"""Lounges: topic rooms people join, their tags and their members with a role each
(host, moderator or member). Being invited to a private lounge makes you a member at once,
so invitations need no table of their own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import IdField, TimestampField, utcnow

ROLES = ("host", "moderator", "member")


class Lounge(SQLModel, table=True):
    __tablename__ = "lounges"

    id: str = IdField("lng")
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=5000)
    visibility: str = Field(default="open", max_length=8)  # "open" | "private"
    channel_id: str = Field(foreign_key="channels.id", max_length=40, unique=True)
    created_by: str = Field(foreign_key="users.id", max_length=40)
    created_at: datetime = TimestampField(default_factory=utcnow)
    updated_at: datetime = TimestampField(default_factory=utcnow)
    archived_at: datetime | None = TimestampField(default=None, nullable=True)


class LoungeTag(SQLModel, table=True):
    """One topic tag of a lounge (lower case), searchable and filterable."""

    __tablename__ = "lounge_tags"
    __table_args__ = (Index("ix_lounge_tags_tag", "tag"),)

    lounge_id: str = Field(foreign_key="lounges.id", primary_key=True, max_length=40)
    tag: str = Field(primary_key=True, max_length=32)


class LoungeMember(SQLModel, table=True):
    __tablename__ = "lounge_members"
    __table_args__ = (Index("ix_lounge_members_user", "user_id"),)

    lounge_id: str = Field(foreign_key="lounges.id", primary_key=True, max_length=40)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=40)
    role: str = Field(default="member", max_length=12)  # one of ROLES
    invited_by: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    joined_at: datetime = TimestampField(default_factory=utcnow)
