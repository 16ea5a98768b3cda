"""Webhook tables: the endpoints hosts and administrators register, each message sent to one
(a delivery, whose id is the `webhook-id` the receiver sees) and every attempt to send it.

The signing secret is kept as issued (`whsec_…`): the server must read it back to sign each
request, so hashing it, as API tokens are, is not possible.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.models.base import IdField, TimestampField, utcnow


class WebhookEndpoint(SQLModel, table=True):
    """Where to POST which events: for one lounge (its hosts), or for all (administrators)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_lounge_id", "lounge_id"),)

    id: str = IdField("whk")
    owner_id: str = Field(foreign_key="users.id", max_length=40, index=True)
    lounge_id: str | None = Field(default=None, foreign_key="lounges.id", max_length=40)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=500)
    events: list[str] = Field(sa_column=Column(JSON, nullable=False))
    secret: str = Field(max_length=100)
    enabled: bool = Field(default=True)
    disabled_reason: str | None = Field(default=None, max_length=300)
    consecutive_failures: int = Field(default=0)
    created_at: datetime = TimestampField(default_factory=utcnow)
    updated_at: datetime = TimestampField(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One message for one endpoint, sent (and re-sent) with the same id and body.

    `status`: pending (due now), succeeded, failed (a retry is scheduled at `next_attempt_at`),
    dead (no more automatic retries).
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),)

    id: str = IdField("msg")
    endpoint_id: str = Field(foreign_key="webhook_endpoints.id", max_length=40)
    event_type: str = Field(max_length=40)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=500)
    next_attempt_at: datetime | None = TimestampField(default=None, nullable=True)
    created_at: datetime = TimestampField(default_factory=utcnow)
    delivered_at: datetime | None = TimestampField(default=None, nullable=True)


class WebhookAttempt(SQLModel, table=True):
    """One HTTP request of a delivery and how it ended."""

    __tablename__ = "webhook_attempts"

    id: str = IdField("wha")
    delivery_id: str = Field(foreign_key="webhook_deliveries.id", max_length=40, index=True)
    attempted_at: datetime = TimestampField(default_factory=utcnow)
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=500)
    duration_ms: int = Field(default=0)
