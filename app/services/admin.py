"""The administrators' overview: how many people, lounges and upcoming sessions there are,
and how the background work (outbox jobs, webhooks) is doing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import LearningSession, Lounge, OutboxJob, User
from app.models.base import utcnow
from app.models.webhooks import WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class Overview:
    people: int
    administrators: int
    lounges: int
    upcoming_sessions: int
    jobs_waiting: int
    jobs_dead: int
    webhooks: int
    webhooks_off: int
    deliveries_failing: int


async def overview(db: AsyncSession) -> Overview:
    async def count(model: type, *where: object) -> int:
        return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return Overview(
        people=await count(User),
        administrators=await count(User, User.is_admin.is_(True)),
        lounges=await count(Lounge, Lounge.archived_at.is_(None)),
        upcoming_sessions=await count(LearningSession, LearningSession.starts_at >= utcnow(),
                                      LearningSession.status == "scheduled"),
        jobs_waiting=await count(OutboxJob, OutboxJob.status.in_(("pending", "running"))),
        jobs_dead=await count(OutboxJob, OutboxJob.status == "dead"),
        webhooks=await count(WebhookEndpoint),
        webhooks_off=await count(WebhookEndpoint, WebhookEndpoint.enabled.is_(False)),
        deliveries_failing=await count(WebhookDelivery, WebhookDelivery.status.in_(("failed", "dead"))),
    )
