"""E-mail through a real local SMTP server (aiosmtpd): URL forms, messages with an iTIP
calendar part, authentication, and the `email` outbox job with its retries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.db import make_engine, make_sessionmaker
from app.models import OutboxJob
from app.services import events, mailer
from app.services.calendars import CalendarEntry, Person, build_calendar
from app.services.mailer import Mailer, SmtpServer, compose, sender_address
from app.services.outbox import Worker
from tests.smtp import SmtpSink


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://127.0.0.1:2525", SmtpServer("127.0.0.1", 2525, False, False, None, None)),
    ("smtp://mail.example.com", SmtpServer("mail.example.com", 25, False, False, None, None)),
    ("smtp+starttls://ana:s%40cret@mail.example.com",
     SmtpServer("mail.example.com", 587, False, True, "ana", "s@cret")),
    ("smtps://ana:pw@mail.example.com:2465", SmtpServer("mail.example.com", 2465, True, False, "ana", "pw")),
])
def test_smtp_urls(url, expected):
    assert SmtpServer.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com:25"])
def test_a_bad_smtp_url_is_refused(url):
    with pytest.raises(ValueError, match="LOUNGE_SMTP_URL"):
        SmtpServer.from_url(url)


def test_the_sender_defaults_to_no_reply_at_our_host():
    assert sender_address(None, "https://lounge.example.org/") == "Lounge <no-reply@lounge.example.org>"
    assert sender_address("Learning <learn@example.org>", "http://x") == "Learning <learn@example.org>"


def _invitation() -> bytes:
    start = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
    entry = CalendarEntry(uid="lsn-1@lounge", sequence=2, title="Rust basics", description="Ownership",
                          starts_at=start, ends_at=start.replace(hour=13, minute=30),
                          time_zone="Europe/London", created_at=start, updated_at=start)
    return build_calendar([entry], method="REQUEST", organizer=Person("Lounge", "no-reply@example.org"),
                          attendee=Person("Ben", "ben@example.com"))


async def test_a_message_with_an_invitation_arrives_with_its_calendar_part(smtp):
    message = compose(sender="Lounge <no-reply@example.org>", to="ben@example.com",
                      subject="Invitation: Rust basics", text="See you there", calendar=_invitation(),
                      method="REQUEST")
    await Mailer(smtp.url).send(message)
    [got] = smtp.received
    assert got.recipients == ["ben@example.com"] and got.sender == "no-reply@example.org"
    assert got.message["Subject"] == "Invitation: Rust basics"
    assert got.text().strip() == "See you there"
    assert got.calendar_method() == "REQUEST"
    calendar = got.calendar()
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "lsn-1@lounge" and event["SEQUENCE"] == 2
    assert str(event["ATTENDEE"]) == "mailto:ben@example.com"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert str(event["ORGANIZER"]) == "mailto:no-reply@example.org"
    attachments = [p.get_filename() for p in got.message.walk() if p.get_filename()]
    assert attachments == ["invite.ics"]


async def test_credentials_in_the_url_are_used_to_log_in():
    with SmtpSink(username="ana", password="s@cret") as sink:
        url = sink.url.replace("s@cret", "s%40cret")
        await Mailer(url).send(compose(sender="a@example.org", to="b@example.org", subject="Hi", text="x"))
    assert sink.logins == ["ana"] and len(sink.received) == 1


async def test_the_email_job_sends_once_and_retries_while_the_server_is_down(settings, db, smtp):
    await mailer.queue_email(db, to="ben@example.com", subject="Reminder", text="Soon", key="mail-1")
    await mailer.queue_email(db, to="ben@example.com", subject="Reminder", text="Soon", key="mail-1")
    await db.commit()
    engine = make_engine(settings)
    try:
        down = Worker(make_sessionmaker(engine), events=events.EventHandlers(), jobs={
            mailer.EMAIL_JOB: mailer.email_job(Mailer("smtp://127.0.0.1:9", timeout=5),
                                               sender="Lounge <no-reply@example.org>")})
        await down.run_once()
        [job] = (await db.execute(select(OutboxJob))).scalars()
        assert job.status == "pending" and job.attempts == 1 and job.last_error

        up = Worker(make_sessionmaker(engine), events=events.EventHandlers(), jobs={
            mailer.EMAIL_JOB: mailer.email_job(Mailer(smtp.url), sender="Lounge <no-reply@example.org>")})
        await up.drain(now=job.run_at)
    finally:
        await engine.dispose()
    [got] = smtp.received
    assert got.message["Subject"] == "Reminder" and got.message["From"] == "Lounge <no-reply@example.org>"
    await db.refresh(job)
    assert job.status == "done"
