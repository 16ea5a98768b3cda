"""Helpers for tests that need lounges and sessions made through the real API, and one that
lets time pass for a session (the API schedules nothing in the past)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import LearningSession
from tests.conftest import Account


async def make_lounge(account: Account, **fields) -> dict:
    body = {"name": "Data guild", "description": "SQL at lunch.", "tags": ["sql"],
            "visibility": "open", **fields}
    response = await account.client.post("/api/v1/lounges", json=body, headers=account.csrf)
    assert response.status_code == 201, response.text
    return response.json()


async def make_session(account: Account, lounge_id: str, *, in_days: float = 3, **fields) -> dict:
    start = (datetime.now(UTC) + timedelta(days=in_days)).replace(microsecond=0)
    body = {"title": "Window functions", "description": "Bring a laptop.", "kind": "lunch_and_learn",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "time_zone": "Europe/London", "location": "Room 4",
            "join_url": "https://meet.example.com/sql", **fields}
    response = await account.client.post(f"/api/v1/lounges/{lounge_id}/sessions", json=body,
                                         headers=account.csrf)
    assert response.status_code == 201, response.text
    return response.json()


async def move_session(db: AsyncSession, session_id: str, *, starts_at: datetime,
                       ends_at: datetime | None = None) -> None:
    """Put a scheduled session at `starts_at` (for an hour unless `ends_at` says otherwise),
    usually in the past: the clock has moved on since it was scheduled."""
    await db.execute(update(LearningSession).where(LearningSession.id == session_id).values(
        starts_at=starts_at, ends_at=ends_at or starts_at + timedelta(hours=1)))
    await db.commit()


async def rsvp(account: Account, session_id: str, status: str) -> dict:
    response = await account.client.put(f"/api/v1/sessions/{session_id}/rsvp", json={"status": status},
                                        headers=account.csrf)
    assert response.status_code == 200, response.text
    return response.json()


async def join(account: Account, lounge_id: str) -> None:
    response = await account.client.post(f"/api/v1/lounges/{lounge_id}/join", headers=account.csrf)
    assert response.status_code == 200, response.text
