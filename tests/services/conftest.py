"""Fixtures of the service tests: an outbox worker that fans events out to webhooks and sends
them, and two people made without HTTP (the first one an administrator)."""

from __future__ import annotations

import pytest

from app.models import User
from app.services import webhooks
from app.services.events import EventHandlers
from app.services.outbox import Worker
from tests.services.webhook_support import LOOPBACK, register


@pytest.fixture
def make_worker(sessionmaker):
    """An outbox worker that fans events out to webhooks and sends them with `Sender(**options)`."""

    def build(**options) -> Worker:
        options = {"allowlist": LOOPBACK, "retry_base": 0.0, "timeout": 5.0, **options}
        events = EventHandlers()
        webhooks.subscribe(events)
        worker = Worker(sessionmaker, events=events, max_attempts=20)
        worker.register(webhooks.DELIVER_JOB, webhooks.Sender(**options).deliver)
        return worker

    return build


@pytest.fixture
async def ana(db) -> User:
    return await register(db, "ana@example.com", "Ana")  # the first account: an administrator


@pytest.fixture
async def ben(db, ana) -> User:
    return await register(db, "ben@example.com", "Ben")
