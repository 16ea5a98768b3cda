"""What the demo's sessions already held left behind, filled by `app.demo` once attendance is
written: the host's notes (Markdown) and, from most of the people who were checked in, a rating
with a comment for the hosts and often a takeaway ("one thing I learned") for the lounge.

Notes go through `sessions.set_notes` and feedback through `sessions.leave_feedback`, so the
services still decide who may write them (hosts; people who went); both stamp "now", so their
times are then moved to the hours and days after each session.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import LearningSession, Rsvp, SessionFeedback, User
from app.schemas.schedule import FeedbackUpsert
from app.services import sessions

# A series' occurrences take its notes in turn.
NOTES: dict[str, tuple[str, ...]] = {
    "Python guild: pairing hour": (
        "## What we paired on\n\n- Typing the billing export: `TypedDict` first, then dataclasses\n"
        "- A flaky test that depended on dict order\n\n**Next time:** bring a function you are scared "
        "to change.",
        "## What we paired on\n\n- Splitting a 300-line view into three functions, with tests first\n"
        "- Reading a traceback from the bottom up\n\nThe refactoring catalogue we used: "
        "https://refactoring.com/catalog/",
        "## What we paired on\n\n- `pytest.mark.parametrize` instead of copy-pasted tests\n"
        "- Why `mock.patch` must patch where a name is *used*, not where it is defined",
        "## What we paired on\n\n- Profiling a slow export with `cProfile` and snakeviz\n"
        "- Replacing a loop of queries with one query\n\n**Result:** the export went from 40 s to 3 s.",
    ),
    "Running a blameless incident review": (
        "## Running a blameless incident review\n\n1. Build the **timeline** together before anyone "
        "asks why.\n2. Ask *what* and *how*, never *who*.\n3. Every action gets an owner and a date.\n\n"
        "Template: on the wiki under Engineering → Incidents. Reading: "
        "[Postmortem culture](https://sre.google/sre-book/postmortem-culture/).",
    ),
    "Reading a dashboard like an analyst": (
        "## Three questions for any chart\n\n- What exactly is counted, and what is left out?\n"
        "- Compared with what: last week, last year, a target?\n- How many people is this based on?\n\n"
        "The \"active\" definition we discussed is now written on the dashboard itself.",
    ),
    "Giving feedback that lands": (
        "## Giving feedback that lands\n\n- Ask first: *\"Can I give you some feedback on…?\"*\n"
        "- Situation, behaviour, impact; leave out guesses about intent\n- End with a question, "
        "not a verdict\n\nWe practised in threes with real situations; what was said stays in the room.",
    ),
    "Auditing a page with axe": (
        "## Auditing a page with axe\n\n- Install [axe DevTools](https://www.deque.com/axe/devtools/) "
        "and run it on one page\n- Fix **contrast** and **labels** first: most issues are one of those\n"
        "- \"Needs review\" means a person has to look\n\nNext: adding axe to CI in the design system.",
    ),
    "Conversación: ¿qué tal el fin de semana?": (
        "## Vocabulario de hoy\n\n- *el fin de semana* — the weekend\n- *quedar con amigos* — to meet "
        "up with friends\n- *hacer senderismo* — to go hiking\n\n¡Gracias a todos! La próxima vez: "
        "la comida de vuestra región.",
    ),
}

# (rating, comment for the hosts, takeaway for the lounge or ""), handed out to those who came.
FEEDBACK: dict[str, tuple[tuple[int, str, str], ...]] = {
    "Python guild: pairing hour": (
        (5, "Pairing with someone from another team was the best part.",
         "Write the test before touching scary code, even if it's ugly."),
        (4, "Good hour. A bit noisy with three pairs in one call.",
         "Patch where a name is used, not where it's defined."),
        (5, "Exactly the right size of problem for an hour.", ""),
        (4, "I'd like a short intro at the start so we know who has what problem.",
         "`cProfile` plus snakeviz finds the slow part in minutes."),
        (5, "Came with a bug, left with a fix and a test.", "Read tracebacks from the bottom up."),
        (3, "My pair and I spent most of the hour setting up the environment.", ""),
    ),
    "Running a blameless incident review": (
        (5, "The timeline-first exercise changed how I think about reviews.",
         "Build the timeline together before anyone asks why."),
        (5, "Very practical, and the made-up outage was realistic.",
         "Ask \"what happened\" instead of \"who did it\"."),
        (4, "Great content; 90 minutes felt slightly long.", "Every action needs an owner and a date."),
        (5, "I'll use the template for our next incident.", ""),
        (4, "More time for the role-play, please.", "Thank people for reporting their own mistakes."),
        (5, "Really well facilitated.", "A review is about the system, not the people in it."),
    ),
    "Reading a dashboard like an analyst": (
        (5, "I finally understand our weekly numbers.", "Always ask what exactly is being counted."),
        (4, "Useful; I'd have liked more time for questions.", "Percentage points are not percentages."),
        (5, "Short and to the point.", "Look at the rolling line, not the Monday jump."),
        (4, "Good examples from our own dashboards.", ""),
        (5, "More of these, please!", "Check how many people a number is based on before trusting it."),
        (3, "A bit basic for me, but well explained.", ""),
    ),
    "Giving feedback that lands": (
        (5, "Practising with real situations made all the difference.",
         "Ask before giving feedback: it changes how it lands."),
        (5, "A safe room to try things out.", "Describe the behaviour, not the person's intent."),
        (4, "The groups of three worked well.", "End with a question, not a verdict."),
        (4, "I would like a follow-up session in a month.", ""),
        (5, "Best session I've been to this year.", "Situation, behaviour, impact."),
    ),
    "Auditing a page with axe": (
        (5, "Hands-on from the first minute.", "Fix contrast and labels first: that's most of the issues."),
        (4, "Great, but my laptop couldn't install the extension.", ""),
        (5, "I ran it on our product the same afternoon.", "\"Needs review\" means a person has to look."),
        (5, "Clear and practical.", "Alt text that says \"image\" is worse than no alt text."),
        (4, "Would love a follow-up on screen readers.", "Navigate by headings to test a page's structure."),
    ),
    "Conversación: ¿qué tal el fin de semana?": (
        (5, "¡Muy divertido! Everyone was patient with beginners.",
         "«Quedar con amigos» = to meet up with friends."),
        (4, "Good practice; the room was a bit loud.", ""),
        (5, "¡Me encantó!", "Hablar sin miedo a equivocarse."),
        (5, "I spoke more Spanish in 45 minutes than in a month.", "«Hacer senderismo» = to go hiking."),
        (4, "Maybe split into two tables by level?", ""),
    ),
}


async def fill_afterwards(db: AsyncSession, *, rng: random.Random, now: datetime) -> dict[str, int]:
    """Notes and feedback for every session already held (see the module's docstring)."""
    held = list(await db.scalars(select(LearningSession).where(
        LearningSession.ends_at <= now, LearningSession.title.in_(list(NOTES)))
        .order_by(LearningSession.starts_at, LearningSession.title)))
    occurrence: dict[str, int] = {}
    feedback = 0
    for session in held:
        host = await db.get(User, session.host_id)
        assert host is not None
        turn = occurrence[session.title] = occurrence.get(session.title, -1) + 1
        notes = NOTES[session.title]
        await sessions.set_notes(db, user=host, session_id=session.id, notes=notes[turn % len(notes)])
        session.updated_at = session.ends_at + timedelta(minutes=rng.randint(20, 180))
        came = list(await db.scalars(select(User).join(Rsvp, Rsvp.user_id == User.id).where(
            Rsvp.session_id == session.id, Rsvp.checked_in_at.is_not(None)).order_by(User.email)))
        answers = list(FEEDBACK[session.title])
        rng.shuffle(answers)
        for person, (rating, comment, takeaway) in zip(came, answers, strict=False):
            if rng.random() < 0.2:  # not everyone gets round to it
                continue
            await sessions.leave_feedback(db, user=person, session_id=session.id, data=FeedbackUpsert(
                rating=rating, comment=comment, takeaway=takeaway))
            row = await db.get(SessionFeedback, (session.id, person.id))
            assert row is not None
            left = session.ends_at + timedelta(minutes=rng.randint(10, 30 * 60))
            row.created_at = row.updated_at = min(left, now - timedelta(minutes=5))
            feedback += 1
        await db.commit()
    return {"held": len(held), "feedback": feedback}
