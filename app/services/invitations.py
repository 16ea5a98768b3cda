"""Calendar invitations by e-mail (iTIP, RFC 5546): `METHOD:REQUEST` when someone gets a seat
and again, with a higher SEQUENCE, when the session changes; `METHOD:CANCEL` when it is
cancelled or they stop going. Each is an `email` outbox job staged with the change."""

from __future__ import annotations

from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import LearningSession, User
from app.services import mailer
from app.services.calendars import Person, build_calendar, entry_for
from app.web.templates import local_time

_SUBJECTS = {"REQUEST": "Invitation: {title}", "UPDATE": "Updated: {title}",
             "CANCEL": "Cancelled: {title}"}


async def queue_invitation(db: AsyncSession, *, session: LearningSession, user: User, method: str,
                           base_url: str, sender: str, key: str, update: bool = False) -> None:
    """Stage the iTIP message `method` ("REQUEST" or "CANCEL") about `session` for `user`."""
    name, address = parseaddr(sender)
    entry = entry_for(session, base_url=base_url, with_join_link=method == "REQUEST")
    calendar = build_calendar([entry], method=method, organizer=Person(name or "Lounge", address),
                              attendee=Person(user.display_name, user.email))
    subject = _SUBJECTS["UPDATE" if update and method == "REQUEST" else method].format(
        title=session.title)
    when = local_time(session.starts_at, user.time_zone)
    if method == "CANCEL":
        reason = "was cancelled" if session.status == "cancelled" else "is off your calendar"
        text = f"{session.title} ({when}) {reason}.\n\n{entry.url}\n"
    else:
        text = f"{session.title}\n{when}\n\n{entry.url}\n"
    await mailer.queue_email(db, to=user.email, subject=subject, text=text, calendar=calendar,
                             method=method, key=key)
