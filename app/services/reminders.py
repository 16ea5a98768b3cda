"""Reminders 24 hours and 15 minutes before each session someone is going to.

Each reminder is an outbox job keyed `reminder:{session}:{user}:{24h|15m}`, so scheduling it
twice keeps one row. When it runs it checks again: the person is still going, the session is
not cancelled and has not started, and its start did not move later (then it waits for the
new time). A moved session re-arms its reminders through `schedule_reminders`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import LearningSession, OutboxJob, Rsvp, User
from app.services import mailer
from app.services.notifications import notify
from app.services.outbox import RunLater, enqueue, job_time
from app.web.templates import local_time

REMINDER_JOB = "reminder"
OFFSETS: dict[str, timedelta] = {"24h": timedelta(hours=24), "15m": timedelta(minutes=15)}
_LEAD = {"24h": "tomorrow", "15m": "in 15 minutes"}
# A reminder that fires up to this long before its time still counts as on time.
_SLACK = timedelta(minutes=1)


def reminder_key(session_id: str, user_id: str, label: str) -> str:
    return f"reminder:{session_id}:{user_id}:{label}"


async def schedule_reminders(db: AsyncSession, *, session: LearningSession, user_id: str) -> None:
    """Make sure both reminders are due before `session` starts, in the caller's transaction.

    A reminder whose time has already passed is not scheduled (no "tomorrow" ten minutes before);
    one kept for an earlier start (pending, or already sent) follows the new start.
    """
    now = job_time()
    for label, offset in OFFSETS.items():
        due = session.starts_at - offset
        if due <= now:
            continue
        key = reminder_key(session.id, user_id, label)
        await enqueue(db, REMINDER_JOB, {"session_id": session.id, "user_id": user_id,
                                         "offset": label}, key=key, run_at=due)
        job = (await db.execute(select(OutboxJob).where(OutboxJob.dedupe_key == key))).scalar_one()
        if job.run_at != due and job.status != "running":
            job.status, job.run_at, job.attempts = "pending", due, 0
            job.last_error = job.finished_at = None


async def send_reminder(db: AsyncSession, payload: dict[str, str], *, base_url: str,
                        sender: str | None) -> None:
    """The `reminder` job: notify in the app and, when `sender` is set (SMTP is on), by e-mail."""
    label = payload["offset"]
    offset = OFFSETS[label]
    session = await db.get(LearningSession, payload["session_id"])
    rsvp = await db.get(Rsvp, (payload["session_id"], payload["user_id"]))
    now = job_time()
    if session is None or session.status == "cancelled" or now >= session.starts_at:
        return
    if rsvp is None or rsvp.status != "going":
        return
    due = session.starts_at - offset
    if now < due - _SLACK:
        raise RunLater(due)
    if any(now >= session.starts_at - other for other in OFFSETS.values() if other < offset):
        return  # the session moved so close that a nearer reminder speaks instead
    user = await db.get(User, payload["user_id"])
    if user is None:
        return
    when = local_time(session.starts_at, user.time_zone)
    title = f"Reminder: {session.title} starts {_LEAD[label]}"
    path = f"/sessions/{session.id}"
    notify(db, user_id=user.id, kind="session.reminder", title=title, body=f"Starts {when}.",
           url=path)
    if sender is not None:
        lines = [f"Hello {user.display_name},", "",
                 f"{session.title} starts {_LEAD[label]}, {when}."]
        if session.location:
            lines.append(f"Where: {session.location}")
        if session.join_url:
            lines.append(f"Join: {session.join_url}")
        lines += ["", f"Details: {base_url}{path}"]
        await mailer.queue_email(db, to=user.email, subject=title, text="\n".join(lines) + "\n",
                                 key=f"email:{reminder_key(session.id, user.id, label)}:"
                                     f"{session.starts_at.isoformat()}")
