"""`make demo` (migrate, then `python -m app.demo`): fill the configured database with a
believable organisation — a few dozen colleagues, lounges on real workplace topics, the sessions
of the last few weeks (with who came) and of the month ahead (some recurring, some full with a
waitlist) — through the services, so every rule holds. `app.demo_learning` then adds the
learning side: managers and teams, advisors, business goals, and goals with their plans,
check-ins, comments and suggestions; `app.demo_afterwards` the notes, feedback and takeaways of
the sessions already held; and `app.demo_chat` a few weeks of chat in every lounge. It ends by
printing the accounts to try (`ACCOUNTS`, which
the README's table repeats), one a line with what each will see, and the password they share.
Running it again on the same database changes nothing: it refuses."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.demo_afterwards import fill_afterwards
from app.demo_chat import fill_chat
from app.demo_learning import attend, fill_learning
from app.models import LearningSession, User
from app.schemas.accounts import UserRegister
from app.schemas.lounges import LoungeCreate
from app.schemas.schedule import SessionCreate
from app.services import accounts, lounges, sessions

PASSWORD = "lounge-demo-2026"  # noqa: S105 - the published password of the demo people
DOMAIN = "demo.lounge.example"

PEOPLE = [
    ("Amara Okafor", "Europe/London"), ("Ben Carter", "Europe/London"),
    ("Chloé Martin", "Europe/Paris"), ("Daniel Kim", "America/New_York"),
    ("Elena Rossi", "Europe/Rome"), ("Farid Haddad", "Europe/London"),
    ("Grace Liu", "Asia/Singapore"), ("Hannah Schmidt", "Europe/Berlin"),
    ("Ibrahim Diallo", "Europe/Paris"), ("Julia Nowak", "Europe/Warsaw"),
    ("Kofi Mensah", "Europe/London"), ("Laura Gómez", "Europe/Madrid"),
    ("Mateo Fernández", "Europe/Madrid"), ("Nadia Petrova", "Europe/London"),
    ("Oliver Hughes", "Europe/London"), ("Priya Sharma", "Asia/Kolkata"),
    ("Quentin Dubois", "Europe/Paris"), ("Rosa Jiménez", "America/Mexico_City"),
    ("Sam O'Neill", "Europe/Dublin"), ("Tomás Silva", "Europe/Lisbon"),
    ("Uma Patel", "Europe/London"), ("Victor Andersson", "Europe/Stockholm"),
    ("Wen Zhao", "Asia/Shanghai"), ("Ximena Torres", "America/Bogota"),
    ("Yusuf Demir", "Europe/Istanbul"), ("Zoe Walker", "Australia/Sydney"),
    ("Aisha Bello", "Africa/Lagos"), ("Bruno Costa", "America/Sao_Paulo"),
    ("Carmen Ortiz", "Europe/Madrid"), ("David Cohen", "Europe/London"),
    ("Emma Johansson", "Europe/Stockholm"), ("Felix Wagner", "Europe/Berlin"),
]


def email_of(name: str) -> str:
    """A demo person's address: their first name, without accents, at the demo domain."""
    return f"{name.split()[0].lower().replace('é', 'e').replace('á', 'a')}@{DOMAIN}"


@dataclass(frozen=True)
class TryAccount:
    """A demo account worth signing in as: who they are and what they will see."""

    name: str  # as in PEOPLE
    role: str
    sees: str

    @property
    def email(self) -> str:
        return email_of(self.name)


ACCOUNTS = (
    TryAccount("Amara Okafor", "head of the organisation and administrator",
               "/admin with people, roles, managers, business goals and webhooks, and her managers on /team"),
    TryAccount("Ben Carter", "manager",
               "his team on /team, where five of his six reports share a goal and Kofi's stays private"),
    TryAccount("Grace Liu", "employee",
               "her learning contract on /goals, with comments from Ben and Kofi, and /me/manager-view"),
    TryAccount("Elena Rossi", "host of sessions",
               "the Spanish conversation lounge and the weekly lunch she hosts there: edit, cancel, "
               "check people in"),
    TryAccount("Nadia Petrova", "Workplace Learning Advisor",
               "her organisation-wide goal to set up mentoring for new managers, reviewed by Sam, "
               "the other advisor"),
)


def sign_in_guide() -> list[str]:
    """What `make demo` prints at the end: the shared password, then one account a line."""
    width = max(len(account.email) for account in ACCOUNTS)
    return [f"Sign in with the password {PASSWORD} as any demo person, for example:",
            *(f"  {account.email:<{width}}  {account.role}: {account.sees}" for account in ACCOUNTS)]


LOUNGES = [
    ("Python guild", "open", ["python", "engineering"],
     "Lunchtime talks, pairing and code review clinics for anyone who writes **Python**, "
     "from first scripts to production services."),
    ("Data literacy", "open", ["data", "analytics"],
     "Reading charts critically, asking better questions of dashboards, and the statistics you "
     "actually need at work. No maths background assumed."),
    ("Leading without authority", "open", ["leadership", "influence"],
     "Action learning sets for people who lead projects, communities or change without being "
     "anyone's manager. Bring a real challenge."),
    ("Accessibility champions", "open", ["accessibility", "design"],
     "Making our products and documents usable by everyone: screen readers, contrast, plain "
     "language and WCAG 2.2 in practice."),
    ("Spanish conversation", "open", ["spanish", "languages"],
     "¡Hablamos! Relaxed conversation practice over lunch, all levels welcome."),
    ("New managers circle", "private", ["leadership", "management"],
     "A confidential space for people in their first year of managing a team."),
]

# (lounge index, title, kind, day offset from tomorrow (negative: already held), local time, minutes,
#  capacity, rrule, online)
SESSIONS = [
    (0, "Python guild: pairing hour", "workshop", -24, "16:00", 60, 8, "FREQ=WEEKLY;COUNT=6", True),
    (0, "Running a blameless incident review", "workshop", -12, "14:00", 90, 16, None, False),
    (1, "Reading a dashboard like an analyst", "lunch_and_learn", -19, "12:30", 45, 20, None, True),
    (2, "Giving feedback that lands", "action_learning_set", -16, "10:00", 90, 8, None, False),
    (3, "Auditing a page with axe", "workshop", -9, "14:00", 60, 10, None, True),
    (4, "Conversación: ¿qué tal el fin de semana?", "chat", -6, "12:30", 45, 8, None, False),
    (0, "Intro to pytest fixtures", "lunch_and_learn", 1, "12:30", 45, 12, None, True),
    (0, "Code review clinic", "workshop", 3, "15:00", 60, 6, "FREQ=WEEKLY;COUNT=4", False),
    (0, "Typing in practice: from Any to Protocols", "lunch_and_learn", 9, "12:30", 45, 20, None, True),
    (1, "Lying with charts (and how to spot it)", "lunch_and_learn", 2, "12:00", 45, 4, None, False),
    (1, "Data drop-in", "chat", 4, "16:00", 30, None, "FREQ=WEEKLY;INTERVAL=2;COUNT=3", True),
    (2, "Action learning set", "action_learning_set", 5, "10:00", 90, 6,
     "FREQ=WEEKLY;INTERVAL=2;COUNT=3", False),
    (3, "Screen reader basics", "workshop", 6, "14:00", 60, 3, None, True),
    (3, "Plain language review", "chat", 12, "12:30", 30, None, None, True),
    (4, "Conversación en la comida", "chat", 1, "12:30", 45, 8, "FREQ=WEEKLY;COUNT=4", False),
    (5, "First 90 days as a manager", "action_learning_set", 8, "09:30", 75, 6, None, False),
]


async def _people(db) -> list[User]:
    users = []
    for name, zone in PEOPLE:
        users.append(await accounts.register_user(db, data=UserRegister(
            email=email_of(name), password=PASSWORD, display_name=name, time_zone=zone)))
    return users


async def _held(db, rng: random.Random, session: LearningSession, members: list[User]) -> None:
    """A session already held: a few members had said they would go, and most of them came."""
    for person in rng.sample(members, k=min(len(members), rng.randint(4, 7))):
        await attend(db, session=session, person=person, checked_in=rng.random() < 0.8)
    await db.commit()


async def fill(db, *, seed: int = 2026) -> dict[str, int]:
    """Create the demo organisation; refuses to run twice on the same database."""
    if await db.scalar(select(User.id).where(User.email.like(f"%@{DOMAIN}"))):
        raise SystemExit("The demo organisation is already there; sign in with any of its people.")
    rng = random.Random(seed)
    people = await _people(db)
    made = []
    for n, (name, visibility, tags, description) in enumerate(LOUNGES):
        host = people[n]
        view = await lounges.create_lounge(db, user=host, data=LoungeCreate(
            name=name, description=description, tags=tags, visibility=visibility))
        members = rng.sample([p for p in people if p.id != host.id], k=rng.randint(8, 16))
        for person in members:
            if visibility == "open":
                await lounges.join_lounge(db, user=person, lounge_id=view.lounge.id)
            else:
                await lounges.invite_member(db, user=host, lounge_id=view.lounge.id, invitee_id=person.id)
        await lounges.set_member_role(db, user=host, lounge_id=view.lounge.id, member_id=members[0].id,
                                      role="moderator")
        made.append((view.lounge.id, host, members))
    zone = ZoneInfo("Europe/London")
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    planned_at = datetime.now(UTC) - timedelta(weeks=5)  # the past weeks' sessions were planned then
    count = 0
    for index, title, kind, offset, at, minutes, capacity, rule, online in SESSIONS:
        lounge_id, host, members = made[index]
        hour, minute = map(int, at.split(":"))
        start = datetime.combine(tomorrow + timedelta(days=offset), datetime.min.time()).replace(
            hour=hour, minute=minute)
        first = await sessions.schedule_session(db, user=host, lounge_id=lounge_id, data=SessionCreate(
            title=title, kind=kind, starts_at=start, ends_at=start + timedelta(minutes=minutes),
            time_zone="Europe/London", capacity=capacity, recurrence=rule,
            location="" if online else rng.choice(["Room 4.01", "The Atrium", "Library corner"]),
            join_url=f"https://meet.{DOMAIN}/{lounge_id[-6:]}-{count}" if online else "",
            description=f"{title}. Everyone is welcome; no preparation needed."), now=planned_at)
        views, _ = await sessions.list_sessions(db, user_id=host.id, lounge_id=lounge_id,
                                                start=first.session.starts_at.astimezone(UTC), limit=100)
        for view in (v for v in views if v.session.series_id == first.session.series_id
                     or v.session.id == first.session.id):
            count += 1
            if view.session.ends_at <= datetime.now(UTC):
                await _held(db, rng, view.session, members)
                continue
            wanting = rng.sample(members, k=min(len(members), (capacity or 6) + rng.randint(0, 3)))
            for person in wanting:
                await sessions.set_rsvp(db, user=person, session_id=view.session.id, status="going")
    learning = await fill_learning(db, people=people, rng=rng)
    now = datetime.now(UTC)
    return {"people": len(people), "lounges": len(made), "sessions": count, **learning,
            **await fill_afterwards(db, rng=rng, now=now), **await fill_chat(db, rng=rng, now=now)}


async def main() -> None:
    settings = Settings()
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as db:
            totals = await fill(db)
    finally:
        await engine.dispose()
    print(f"Created {totals['people']} people ({totals['managers']} of them managers, "
          f"{totals['advisors']} advisors), {totals['lounges']} lounges, {totals['sessions']} sessions, "
          f"{totals['business_goals']} business goals and {totals['goals']} goals with "
          f"{totals['plan_items']} plan items and {totals['checkins']} check-ins; the {totals['held']} "
          f"sessions already held have notes and {totals['feedback']} pieces of feedback, and there are "
          f"{totals['messages']} chat messages from the last few weeks in the lounges and two sessions.")
    print("\n".join(sign_in_guide()))


if __name__ == "__main__":
    asyncio.run(main())
