"""Accounts: people, their login sessions (one row per login) and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, false
from sqlmodel import Field, SQLModel

from app.models.base import IdField, TimestampField, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: str = IdField("usr")
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=80)
    handle: str = Field(max_length=30, unique=True)  # for @mentions
    handle_key: str = Field(max_length=30, unique=True)  # look-alike skeleton of the handle
    time_zone: str = Field(default="UTC", max_length=64)
    bio: str = Field(default="", max_length=500)
    is_admin: bool = Field(default=False)
    # A Workplace Learning Advisor: works the concierge queue.
    is_advisor: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    manager_id: str | None = Field(default=None, foreign_key="users.id", max_length=40)
    created_at: datetime = TimestampField(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """A browser login; the cookie carries a secret whose SHA-256 is `token_hash`."""

    __tablename__ = "login_sessions"

    id: str = IdField("ses")
    user_id: str = Field(foreign_key="users.id", index=True, max_length=40)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = TimestampField(default_factory=utcnow)
    expires_at: datetime = TimestampField()
    revoked_at: datetime | None = TimestampField(default=None, nullable=True)
    user_agent: str = Field(default="", max_length=255)


class ApiToken(SQLModel, table=True):
    """A personal bearer token; only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: str = IdField("tok")
    user_id: str = Field(foreign_key="users.id", index=True, max_length=40)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    scopes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = TimestampField(default_factory=utcnow)
    expires_at: datetime | None = TimestampField(default=None, nullable=True)
    revoked_at: datetime | None = TimestampField(default=None, nullable=True)
    last_used_at: datetime | None = TimestampField(default=None, nullable=True)
