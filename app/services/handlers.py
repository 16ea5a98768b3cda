"""What happens after a session or RSVP changes: the handlers subscribed to those domain events
(bell notifications, reminders, calendar invitations by e-mail), the check-in nudges armed by
goal events (`app.services.goal_nudges`), and the outbox worker that runs them with its job
handlers (`reminder`, `email`, `goal.nudge`, `webhook.deliver`).

Every handler only writes rows in the event job's transaction (notifications, more outbox
jobs); e-mail leaves through its own `email` jobs, so an event is handled exactly once even
when the mail server is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.models import LearningSession, User
from app.services import mailer, reminders, webhooks
from app.services.events import EventHandlers
from app.services.goal_nudges import NUDGE_JOB, CheckInNudges
from app.services.invitations import queue_invitation
from app.services.notifications import notify
from app.services.outbox import Worker, job_id
from app.web.templates import local_time

_TIME = {"starts_at", "ends_at", "time_zone"}
_WHEN_AND_WHERE = _TIME | {"location", "join_url"}
_CALENDAR_FIELDS = _WHEN_AND_WHERE | {"title", "description"}


@dataclass(frozen=True)
class SessionReactions:
    """The handlers, bound to where links point and whether e-mail goes out (`sender`)."""

    base_url: str
    sender: str | None

    async def _invite(self, db: AsyncSession, session: LearningSession, user: User, method: str, *,
                      update: bool = False) -> None:
        if self.sender is not None:
            await queue_invitation(db, session=session, user=user, method=method,
                                   base_url=self.base_url, sender=self.sender,
                                   key=f"itip:{job_id()}:{user.id}", update=update)

    async def _seat(self, db: AsyncSession, session: LearningSession, user: User) -> None:
        await reminders.schedule_reminders(db, session=session, user_id=user.id)
        await self._invite(db, session, user, "REQUEST")

    async def on_rsvp_changed(self, db: AsyncSession, _type: str, data: dict[str, Any]) -> None:
        status, previous = data.get("status"), data.get("previous_status")
        if status == previous or "going" not in (status, previous):
            return
        if previous == "waitlisted":
            return  # a promotion: `rsvp.promoted` speaks for it
        found = await _load(db, data["session_id"], data["user_id"])
        if found is None:
            return
        session, user = found
        if status == "going":
            await self._seat(db, session, user)
        else:
            await self._invite(db, session, user, "CANCEL")

    async def on_rsvp_promoted(self, db: AsyncSession, _type: str, data: dict[str, Any]) -> None:
        found = await _load(db, data["session_id"], data["user_id"])
        if found is None:
            return
        session, user = found
        when = local_time(session.starts_at, user.time_zone)
        notify(db, user_id=user.id, kind="rsvp.promoted", title=f"You have a seat at {session.title}",
               body=f"A place freed up and you moved off the waitlist. It starts {when}.",
               url=f"/sessions/{session.id}")
        await self._seat(db, session, user)

    async def on_session_updated(self, db: AsyncSession, _type: str, data: dict[str, Any]) -> None:
        """A new time or place is worth a notification; anything a calendar shows is worth an
        updated invitation; a new time moves the reminders."""
        session = await db.get(LearningSession, data["session_id"])
        if session is None:
            return
        changed = set(data.get("changed", _CALENDAR_FIELDS))
        for user in await _users(db, data.get("user_ids", [])):
            if changed & _WHEN_AND_WHERE:
                when = local_time(session.starts_at, user.time_zone)
                where = f" ({session.location})" if session.location else ""
                notify(db, user_id=user.id, kind="session.updated",
                       title=f"{session.title} has changed",
                       body=f"It is now on {when}{where}.", url=f"/sessions/{session.id}")
            if changed & _TIME:
                await reminders.schedule_reminders(db, session=session, user_id=user.id)
            if changed & _CALENDAR_FIELDS:
                await self._invite(db, session, user, "REQUEST", update=True)

    async def on_session_cancelled(self, db: AsyncSession, _type: str, data: dict[str, Any]) -> None:
        session = await db.get(LearningSession, data["session_id"])
        if session is None:
            return
        for user in await _users(db, data.get("user_ids", [])):
            when = local_time(session.starts_at, user.time_zone)
            notify(db, user_id=user.id, kind="session.cancelled",
                   title=f"{session.title} was cancelled",
                   body=f"The session planned for {when} will not take place.",
                   url=f"/sessions/{session.id}")
            await self._invite(db, session, user, "CANCEL")

    def subscribe(self, events: EventHandlers) -> None:
        events.subscribe("rsvp.changed", self.on_rsvp_changed)
        events.subscribe("rsvp.promoted", self.on_rsvp_promoted)
        events.subscribe("session.updated", self.on_session_updated)
        events.subscribe("session.cancelled", self.on_session_cancelled)


async def _load(db: AsyncSession, session_id: str, user_id: str) -> tuple[LearningSession, User] | None:
    session = await db.get(LearningSession, session_id)
    user = await db.get(User, user_id)
    return None if session is None or user is None else (session, user)


async def _users(db: AsyncSession, user_ids: list[str]) -> list[User]:
    users = [await db.get(User, user_id) for user_id in dict.fromkeys(user_ids)]
    return [user for user in users if user is not None]


def _sender(settings: Settings) -> str | None:
    """Who e-mail comes from; None when no SMTP server is configured (no e-mail at all)."""
    return mailer.sender_address(settings.mail_from, settings.base_url) if settings.smtp_url else None


def subscribe_handlers(events: EventHandlers, settings: Settings) -> None:
    """Subscribe this module's event handlers (called once in `create_app`)."""
    SessionReactions(base_url=settings.base_url.rstrip("/"), sender=_sender(settings)).subscribe(events)
    CheckInNudges(days=settings.checkin_nudge_days).subscribe(events)
    webhooks.subscribe(events)


def build_worker(sessionmaker: async_sessionmaker[AsyncSession], events: EventHandlers,
                 settings: Settings) -> Worker:
    """The app's outbox worker, with the job kinds this app runs."""
    base_url = settings.base_url.rstrip("/")
    worker = Worker(sessionmaker, events=events)
    sender = _sender(settings)
    if settings.smtp_url and sender is not None:
        worker.register(mailer.EMAIL_JOB, mailer.email_job(mailer.Mailer(settings.smtp_url),
                                                           sender=sender))

    async def send_reminder(db: AsyncSession, payload: dict[str, Any]) -> None:
        await reminders.send_reminder(db, payload, base_url=base_url, sender=sender)

    worker.register(reminders.REMINDER_JOB, send_reminder)
    worker.register(NUDGE_JOB, CheckInNudges(days=settings.checkin_nudge_days).send_nudge)
    webhooks.register_jobs(worker, settings)
    return worker
