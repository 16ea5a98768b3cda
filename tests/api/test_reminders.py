"""What follows an RSVP or a change to a session, driven through the real API and drained by
the outbox worker: bell notifications, reminders 24 h and 15 min before, and calendar
invitations (iTIP REQUEST / CANCEL) received by a real local SMTP server."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.db import make_engine, make_sessionmaker
from app.models import LearningSession, Notification, OutboxJob
from app.services.events import EventHandlers
from app.services.handlers import build_worker, subscribe_handlers
from app.services.reminders import reminder_key
from tests.api.sessions_helpers import make_lounge, make_session, rsvp
from tests.conftest import sign_up
from tests.worker_fixtures import drain, settings, smtp  # noqa: F401 - fixtures


@pytest.fixture
async def cara(new_client):
    async with new_client() as c:
        yield await sign_up(c, "cara@example.com", "Cara Silva")


async def titles(db, user_id: str) -> list[str]:
    rows = await db.execute(select(Notification.title).where(Notification.user_id == user_id)
                            .order_by(Notification.created_at))
    return list(rows.scalars())


async def reminder_jobs(db, session_id: str, user_id: str) -> dict[str, OutboxJob]:
    found = {}
    for label in ("24h", "15m"):
        query = select(OutboxJob).where(OutboxJob.dedupe_key == reminder_key(session_id, user_id, label))
        job = (await db.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()
        if job is not None:
            found[label] = job
    return found


def mail_to(smtp, address: str) -> list:
    return [m for m in smtp.received if m.recipients == [address]]


async def test_going_schedules_two_reminders_and_sends_an_invitation(client, db, ana, ben, smtp, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await rsvp(ben, session["id"], "going")
    await drain()
    start = datetime.fromisoformat(session["starts_at"])
    jobs = await reminder_jobs(db, session["id"], ben.id)
    assert {label: (j.status, j.run_at) for label, j in jobs.items()} == {
        "24h": ("pending", start - timedelta(hours=24)), "15m": ("pending", start - timedelta(minutes=15))}

    [invite] = mail_to(smtp, "ben@example.com")
    assert invite.calendar_method() == "REQUEST"
    assert invite.message["Subject"] == "Invitation: Window functions"
    [event] = invite.calendar().walk("VEVENT")
    assert str(event["UID"]) == session["ical_uid"] and event["SEQUENCE"] == session["sequence"]
    assert str(event["ATTENDEE"]) == "mailto:ben@example.com"
    assert "https://meet.example.com/sql" in str(event["DESCRIPTION"])  # he is going
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == start

    # Asking again changes nothing and sends nothing.
    await rsvp(ben, session["id"], "going")
    await drain()
    assert len(mail_to(smtp, "ben@example.com")) == 1


async def test_reminders_notify_and_email_at_their_time_once(client, db, ana, ben, smtp, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await rsvp(ben, session["id"], "going")
    await drain()
    start = datetime.fromisoformat(session["starts_at"])

    assert await drain(now=start - timedelta(hours=25)) == 0  # nothing due yet
    await drain(now=start - timedelta(hours=24))
    assert await titles(db, ben.id) == ["Reminder: Window functions starts tomorrow"]
    await drain(now=start - timedelta(minutes=15))
    assert await titles(db, ben.id) == ["Reminder: Window functions starts tomorrow",
                                        "Reminder: Window functions starts in 15 minutes"]
    await drain(now=start - timedelta(minutes=5))
    assert len(await titles(db, ben.id)) == 2  # each once
    reminders = [m for m in mail_to(smtp, "ben@example.com") if m.message["Subject"].startswith("Reminder")]
    assert [m.message["Subject"] for m in reminders] == [
        "Reminder: Window functions starts tomorrow", "Reminder: Window functions starts in 15 minutes"]
    assert "Join: https://meet.example.com/sql" in reminders[0].text()
    assert f"/sessions/{session['id']}" in reminders[0].text()
    assert {j.status for j in (await reminder_jobs(db, session["id"], ben.id)).values()} == {"done"}


async def test_not_going_cancels_the_invitation_and_silences_reminders(client, db, ana, ben, smtp, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await rsvp(ben, session["id"], "going")
    await rsvp(ben, session["id"], "not_going")
    await drain()
    methods = [m.calendar_method() for m in mail_to(smtp, "ben@example.com")]
    assert methods == ["REQUEST", "CANCEL"]
    cancel = mail_to(smtp, "ben@example.com")[1].calendar()
    [event] = cancel.walk("VEVENT")
    assert str(event["UID"]) == session["ical_uid"]
    assert "meet.example.com" not in cancel.to_ical().decode()
    start = datetime.fromisoformat(session["starts_at"])
    await drain(now=start - timedelta(minutes=15))
    assert await titles(db, ben.id) == []


async def test_a_promotion_is_notified_with_a_seat_reminders_and_an_invitation(
        client, db, ana, ben, cara, smtp, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"], capacity=1)
    await rsvp(ben, session["id"], "going")
    assert (await rsvp(cara, session["id"], "going"))["status"] == "waitlisted"
    await drain()
    assert mail_to(smtp, "cara@example.com") == []  # waiting is not a seat
    assert await reminder_jobs(db, session["id"], cara.id) == {}

    await rsvp(ben, session["id"], "not_going")
    await drain()
    assert await titles(db, cara.id) == ["You have a seat at Window functions"]
    [invite] = mail_to(smtp, "cara@example.com")
    assert invite.calendar_method() == "REQUEST"
    assert set(await reminder_jobs(db, session["id"], cara.id)) == {"24h", "15m"}
    listed = (await cara.client.get("/api/v1/notifications")).json()["items"]
    assert listed[0]["url"] == f"/sessions/{session['id']}"
    assert (await cara.client.get("/api/v1/notifications/unread_count")).json() == {"unread": 1}


async def test_a_reschedule_notifies_updates_the_invitation_and_moves_the_reminders(
        client, db, ana, ben, smtp, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await rsvp(ben, session["id"], "going")
    await drain()
    old_start = datetime.fromisoformat(session["starts_at"])
    new_start = old_start + timedelta(days=1, hours=2)
    response = await client.patch(f"/api/v1/sessions/{session['id']}", headers=ana.csrf, json={
        "starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=1)).isoformat()})
    assert response.status_code == 200, response.text
    await drain()

    [changed] = await titles(db, ben.id)
    assert changed == "Window functions has changed"
    update = mail_to(smtp, "ben@example.com")[-1]
    assert update.calendar_method() == "REQUEST" and update.message["Subject"] == "Updated: Window functions"
    [event] = update.calendar().walk("VEVENT")
    assert event["SEQUENCE"] == response.json()["sequence"] > session["sequence"]
    assert event.decoded("DTSTART") == new_start
    jobs = await reminder_jobs(db, session["id"], ben.id)
    assert jobs["24h"].run_at == new_start - timedelta(hours=24)
    assert jobs["15m"].run_at == new_start - timedelta(minutes=15)

    await drain(now=old_start - timedelta(minutes=15))  # the old time passes quietly
    assert await titles(db, ben.id) == [changed]
    await drain(now=new_start - timedelta(minutes=15))
    # Both are due by now; the day-before one gives way to the nearer one.
    assert await titles(db, ben.id) == [changed, "Reminder: Window functions starts in 15 minutes"]


async def test_a_reminder_that_finds_its_session_moved_later_waits_for_the_new_time(
        client, db, ana, ben, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await rsvp(ben, session["id"], "going")
    await drain()
    old_start = datetime.fromisoformat(session["starts_at"])
    await drain(now=old_start - timedelta(hours=24))
    day_before = await titles(db, ben.id)
    # The row is moved behind the service's back (no event yet): the job must notice by itself.
    row = await db.get(LearningSession, session["id"])
    row.starts_at, row.ends_at = old_start + timedelta(hours=5), old_start + timedelta(hours=6)
    await db.commit()
    await drain(now=old_start - timedelta(minutes=15))
    assert await titles(db, ben.id) == day_before == ["Reminder: Window functions starts tomorrow"]
    job = (await reminder_jobs(db, session["id"], ben.id))["15m"]
    assert (job.status, job.run_at) == ("pending", old_start + timedelta(hours=5) - timedelta(minutes=15))


async def test_a_cancellation_notifies_sends_cancel_and_stops_reminders(client, db, ana, ben, smtp, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await rsvp(ben, session["id"], "going")
    response = await client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=ana.csrf)
    assert response.status_code == 200, response.text
    await drain()
    assert await titles(db, ben.id) == ["Window functions was cancelled"]
    cancel = mail_to(smtp, "ben@example.com")[-1]
    assert cancel.calendar_method() == "CANCEL" and cancel.message["Subject"] == "Cancelled: Window functions"
    [event] = cancel.calendar().walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == response.json()["sequence"]
    start = datetime.fromisoformat(session["starts_at"])
    await drain(now=start - timedelta(minutes=15))
    assert await titles(db, ben.id) == ["Window functions was cancelled"]


async def test_a_session_too_soon_for_the_day_before_reminder_gets_only_the_late_one(
        client, db, ana, ben, drain):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"], in_days=0.5)
    await rsvp(ben, session["id"], "going")
    await drain()
    assert set(await reminder_jobs(db, session["id"], ben.id)) == {"15m"}


async def test_without_smtp_nothing_is_mailed_but_the_bell_still_rings(settings, app, client, db, ana,
                                                                        ben, smtp):
    no_smtp = settings.model_copy(update={"smtp_url": None})
    handlers = EventHandlers()
    subscribe_handlers(handlers, no_smtp)
    worker = build_worker(app.state.sessionmaker, handlers, no_smtp)
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"], capacity=1)
    await rsvp(ben, session["id"], "going")
    await rsvp(ana, session["id"], "going")
    await rsvp(ben, session["id"], "not_going")
    await worker.drain()
    assert smtp.received == []
    assert await titles(db, ana.id) == ["You have a seat at Window functions"]
    assert "email" not in set((await db.execute(select(OutboxJob.kind))).scalars())


async def test_two_instances_draining_at_once_send_each_reminder_once(settings, app, client, db, ana, ben,
                                                                     smtp):
    lounge = await make_lounge(ana)
    sessions = [await make_session(ana, lounge["id"], in_days=3, title=f"Talk {n}") for n in range(4)]
    for session in sessions:
        await rsvp(ben, session["id"], "going")
    await app.state.worker.drain()
    latest = max(datetime.fromisoformat(s["starts_at"]) for s in sessions)
    other_engine = make_engine(settings)
    try:
        handlers = EventHandlers()
        subscribe_handlers(handlers, settings)
        other = build_worker(make_sessionmaker(other_engine), handlers, settings)
        when = latest - timedelta(minutes=15)
        await asyncio.gather(app.state.worker.drain(now=when), other.drain(now=when))
    finally:
        await other_engine.dispose()
    reminders = [t for t in await titles(db, ben.id) if t.startswith("Reminder")]
    # All four sessions start within the hour, so each gets only its 15-minute reminder, once.
    assert sorted(reminders) == sorted(f"Reminder: Talk {n} starts in 15 minutes" for n in range(4))
    mailed = [m.message["Subject"] for m in mail_to(smtp, "ben@example.com")
              if m.message["Subject"].startswith("Reminder")]
    assert sorted(mailed) == sorted(reminders)
