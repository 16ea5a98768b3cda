"""`make demo` into a freshly migrated database: the organisation it writes (managers without a
circle, advisors, business goals, goals at every visibility with plans and check-ins, session
items ticked by attendance, weeks of chat in every lounge and in two held sessions, and the
notes, feedback and takeaways of sessions already held), that a second run refuses and changes
nothing, and that the accounts it prints to try exist, sign in, and are the ones the README
lists."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, or_, select

from app import demo, demo_afterwards, demo_chat, demo_learning
from app.models import (
    BusinessGoal,
    Channel,
    Goal,
    GoalCheckIn,
    GoalComment,
    GoalSuggestion,
    LearningSession,
    Lounge,
    LoungeMember,
    Message,
    Notification,
    PlanItem,
    Reaction,
    ReadMarker,
    Rsvp,
    SessionFeedback,
    User,
)
from app.services import chat, goal_plans, sessions, team
from app.services.goals import today_for


async def count(db, model) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


def chain_is_acyclic(start: User, by_id: dict[str, User]) -> bool:
    seen, person = set(), start
    while person.manager_id is not None:
        if person.id in seen:
            return False
        seen.add(person.id)
        person = by_id[person.manager_id]
    return True


async def test_demo_fills_a_living_learning_organisation(db):
    started = datetime.now(UTC)
    totals = await demo.fill(db)
    assert totals["people"] == 32 and totals["goals"] == len(demo_learning.CONTRACTS)

    # Managers: most people have one, teams of 4–7 under managers who report to one head.
    people = list(await db.scalars(select(User).where(User.email.like(f"%@{demo.DOMAIN}"))))
    by_id = {p.id: p for p in people}
    assert all(chain_is_acyclic(p, by_id) for p in people)
    managed = [p for p in people if p.manager_id]
    assert len(managed) >= 0.8 * len(people)
    reports = Counter(p.manager_id for p in managed)
    heads = [p for p in people if p.manager_id is None and p.id in reports]
    assert len(heads) == 1
    head = heads[0]
    managers = [by_id[m] for m in reports if m != head.id]
    assert len(managers) >= 3 and all(m.manager_id == head.id for m in managers)
    assert all(4 <= reports[m.id] <= 7 for m in managers)
    assert sum(p.is_advisor for p in people) == 2

    # Business goals published by the administrator.
    business = list(await db.scalars(select(BusinessGoal)))
    assert 4 <= len(business) <= 5
    assert all(by_id[b.created_by].is_admin for b in business)

    # Goals at every visibility, mostly active, each with a plan and check-ins in the past weeks.
    goals = list(await db.scalars(select(Goal)))
    assert {g.visibility for g in goals} == {"private", "team", "org"}
    statuses = Counter(g.status for g in goals)
    assert statuses["achieved"] and statuses["paused"] and statuses["active"] > len(goals) / 2
    assert all(g.achieved_at for g in goals if g.status == "achieved")
    assert sum(g.business_goal_id is not None for g in goals) >= len(goals) / 2
    assert all(g.why and g.where_i_am and g.where_i_want_to_be and g.how_i_will_get_there
               and g.how_i_will_know and g.skills and g.weekly_minutes for g in goals)
    checkins = list(await db.scalars(select(GoalCheckIn)))
    items = list(await db.scalars(select(PlanItem)))
    goal_of = {g.id: g for g in goals}
    assert {g.id for g in goals} == {c.goal_id for c in checkins} == {i.goal_id for i in items}
    assert all(goal_of[c.goal_id].created_at < c.created_at <= started + timedelta(minutes=5)
               and c.author_id == goal_of[c.goal_id].owner_id for c in checkins)
    assert min(c.created_at for c in checkins) < started - timedelta(weeks=3)
    assert sum(c.minutes for c in checkins) > 0
    assert all(g.last_checkin_at == max(c.created_at for c in checkins if c.goal_id == g.id) for g in goals)

    # Plans of several kinds: resources with a link, sessions that are real demo sessions.
    assert {"resource", "activity", "person", "session"} <= {i.kind for i in items}
    assert all(i.url.startswith("https://") for i in items if i.kind == "resource")
    sessions = {s.id: s for s in await db.scalars(select(LearningSession))}
    session_items = [i for i in items if i.kind == "session"]
    assert all(i.session_id in sessions for i in session_items)
    assert any(not i.done and sessions[i.session_id].starts_at > started for i in session_items)
    owners = {g.id: by_id[g.owner_id] for g in goals}
    assert any(goal_plans.is_overdue(i, today_for(owners[i.goal_id])) for i in items)

    # Ticked by attendance: the owner was checked in to a past occurrence of the item's session.
    ticked = [i for i in items if i.done_by == "attendance"]
    assert ticked and totals["ticked_by_attendance"] == len(ticked)
    for item in ticked:
        same = LearningSession.id == item.session_id
        if item.series_id:
            same = or_(same, LearningSession.series_id == item.series_id)
        attended = (await db.execute(
            select(Rsvp.checked_in_at, LearningSession.ends_at)
            .join(LearningSession, LearningSession.id == Rsvp.session_id)
            .where(same, Rsvp.user_id == owners[item.goal_id].id, Rsvp.checked_in_at.is_not(None)))).all()
        assert attended and all(ends <= started for _at, ends in attended)
        assert item.done_at in {at for at, _ends in attended}
    assert any(i.series_id and sessions[i.session_id].starts_at > started for i in ticked)
    assert all(i.done_at and i.done_at <= started for i in items if i.done)

    # Support: comments (some by the owner's manager) and a pending suggestion.
    comments = list(await db.scalars(select(GoalComment)))
    assert any(c.author_id == owners[c.goal_id].manager_id for c in comments)
    assert all(c.author_id != owners[c.goal_id].id for c in comments)
    assert await db.scalar(select(func.count()).select_from(GoalSuggestion)
                           .where(GoalSuggestion.status == "pending"))

    # The manager the README names sees his reports' shared goals, never a private one.
    ben = next(p for p in people if p.email == f"ben@{demo.DOMAIN}")
    seen = [shared.view.goal for report in await team.list_reports(db, manager=ben)
            for shared in report.goals]
    assert len(seen) >= 4 and all(g.visibility != "private" for g in seen)
    assert any(by_id[g.owner_id].manager_id == ben.id and g.visibility == "private" for g in goals)

    # Run twice: refused, nothing added.
    tables = (User, Goal, PlanItem, GoalCheckIn, GoalComment, BusinessGoal, Rsvp, Message, Reaction,
              ReadMarker, Notification, SessionFeedback)
    before = [await count(db, model) for model in tables]
    with pytest.raises(SystemExit):
        await demo.fill(db)
    assert [await count(db, model) for model in tables] == before
    assert await db.scalar(select(func.max(Channel.last_seq))) == \
        await db.scalar(select(func.max(Message.seq)))


async def test_demo_lounges_have_chat_and_held_sessions_notes_feedback_and_takeaways(db):
    started = datetime.now(UTC)
    totals = await demo.fill(db)
    await weeks_of_chat(db, started=started, totals=totals)
    await what_held_sessions_left(db, started=started, totals=totals)


async def weeks_of_chat(db, *, started: datetime, totals: dict[str, int]) -> None:
    lounges = list(await db.scalars(select(Lounge)))
    assert {lounge.name for lounge in lounges} == set(demo_chat.LOUNGE_CHATS)
    people = {p.id: p for p in await db.scalars(select(User))}
    mentioned_total = 0
    for lounge in lounges:
        members = set(await db.scalars(
            select(LoungeMember.user_id).where(LoungeMember.lounge_id == lounge.id)))
        messages = list(await db.scalars(select(Message).where(Message.channel_id == lounge.channel_id)
                                         .order_by(Message.seq)))
        # A few dozen messages by several members, numbered 1..n with no gaps, in time order, over weeks.
        assert len(messages) >= 15, lounge.name
        assert [m.seq for m in messages] == list(range(1, len(messages) + 1))
        newest = await db.scalar(select(Channel.last_seq).where(Channel.id == lounge.channel_id))
        assert newest == len(messages)
        assert all(a.created_at < b.created_at for a, b in zip(messages, messages[1:], strict=False))
        assert messages[0].created_at < started - timedelta(weeks=2) and messages[-1].created_at < started
        assert {m.author_id for m in messages} <= members and len({m.author_id for m in messages}) >= 4
        assert any("?" in m.body for m in messages) and any("https://" in m.body for m in messages)
        assert all(m.html for m in messages)

        # Mentions as the parser reads them, each with its notification, dated with its message.
        roster = [(p, people[p].display_name, people[p].handle) for p in members]
        mentions = [(m, who) for m in messages
                    for who in chat.resolve_mentions(m.body, roster, exclude=m.author_id)]
        assert mentions and all(f"@{people[who].handle}" in m.body for m, who in mentions)
        for message, who in mentions:
            bell = await db.scalar(select(Notification).where(
                Notification.user_id == who, Notification.kind == "mention",
                Notification.body == message.body[:280]))
            assert bell is not None and bell.created_at == message.created_at
        mentioned_total += len(mentions)

        # Reactions from several people, never the author's own, after the message.
        by_id = {m.id: m for m in messages}
        reactions = list(await db.scalars(select(Reaction).where(Reaction.message_id.in_(list(by_id)))))
        assert len({r.user_id for r in reactions}) >= 3
        assert all(r.user_id in members and r.user_id != by_id[r.message_id].author_id
                   and by_id[r.message_id].created_at < r.created_at < started for r in reactions)

        # A few messages fixed after posting, minutes later.
        edited = [m for m in messages if m.edited_at]
        assert edited and all(m.created_at < m.edited_at < m.created_at + timedelta(hours=1) for m in edited)

        # Unread counts: what others wrote above each member's marker, never their own.
        markers = dict((await db.execute(select(ReadMarker.user_id, ReadMarker.last_read_seq)
                                         .where(ReadMarker.channel_id == lounge.channel_id))).all())
        for member in members:
            own = [m.seq for m in messages if m.author_id == member]
            assert not own or markers[member] >= max(own)
            (counted,) = [u for u in await chat.unread(db, user_id=member)
                          if u.channel_id == lounge.channel_id]
            read = markers.get(member, 0)
            assert counted.unread == sum(m.seq > read and m.author_id != member for m in messages)
    assert mentioned_total >= len(lounges)
    unread = [u.unread for member in people for u in await chat.unread(db, user_id=member)]
    assert 0 in unread and any(unread)

    # Two sessions already held have the chat of people who came, posted while they were on.
    for title in demo_chat.SESSION_CHATS:
        session = await db.scalar(select(LearningSession).where(LearningSession.title == title))
        messages = list(await db.scalars(select(Message).where(Message.channel_id == session.channel_id)
                                         .order_by(Message.seq)))
        assert [m.seq for m in messages] == list(range(1, len(demo_chat.SESSION_CHATS[title]) + 1))
        came = set(await db.scalars(select(Rsvp.user_id).where(
            Rsvp.session_id == session.id, Rsvp.checked_in_at.is_not(None))))
        assert {m.author_id for m in messages} <= came | {session.host_id}
        assert all(session.starts_at - timedelta(minutes=5) <= m.created_at < session.ends_at
                   for m in messages)
    assert totals["messages"] == await count(db, Message)


async def what_held_sessions_left(db, *, started: datetime, totals: dict[str, int]) -> None:
    held = list(await db.scalars(select(LearningSession).where(LearningSession.ends_at <= started)))
    assert len(held) == totals["held"] >= len(demo_afterwards.NOTES)
    for session in held:
        assert session.notes.startswith("## ") and session.ends_at < session.updated_at < started
        came = set(await db.scalars(select(Rsvp.user_id).where(
            Rsvp.session_id == session.id, Rsvp.checked_in_at.is_not(None))))
        assert len(came) >= 2
        feedback = await sessions.list_feedback(db, user_id=session.host_id, session_id=session.id)
        assert feedback and {f.user_id for f in feedback} <= came
        assert all(1 <= f.rating <= 5 and f.comment and session.ends_at < f.updated_at < started
                   for f in feedback)
    assert len({f.rating for f in await db.scalars(select(SessionFeedback))}) >= 3
    lounge_ids = {s.lounge_id for s in held}
    for lounge_id in lounge_ids:
        host = await db.scalar(select(Lounge.created_by).where(Lounge.id == lounge_id))
        takeaways = await sessions.list_takeaways(db, user_id=host, lounge_id=lounge_id)
        assert takeaways and all(t.takeaway for t in takeaways)


async def test_the_accounts_make_demo_prints_sign_in_and_the_readme_lists_them(settings, db, client, capsys,
                                                                              monkeypatch):
    monkeypatch.setattr(demo, "Settings", lambda: settings)
    await demo.main()
    printed = capsys.readouterr().out.splitlines()
    assert f"Sign in with the password {demo.PASSWORD}" in "\n".join(printed)
    lines = [line.split() for line in printed if f"@{demo.DOMAIN}" in line]
    emails = [words[0] for words in lines]
    assert emails == [account.email for account in demo.ACCOUNTS]
    assert len(set(emails)) == len(emails) >= 5
    for words, account in zip(lines, demo.ACCOUNTS, strict=True):
        assert " ".join(words[1:]) == f"{account.role}: {account.sees}"  # one line each, with what they see

    roles = {}
    for email in emails:
        signed_in = await client.post("/api/v1/auth/login", json={"email": email, "password": demo.PASSWORD})
        assert signed_in.status_code == 200, (email, signed_in.text)
        roles[email.split("@")[0]] = signed_in.json()["user"]
    assert roles["amara"]["is_admin"] and roles["nadia"]["is_advisor"]
    assert not roles["grace"]["is_admin"] and not roles["grace"]["is_advisor"]
    assert await db.scalar(select(func.count()).select_from(User).where(
        User.manager_id == roles["ben"]["id"]))
    assert await db.scalar(select(func.count()).select_from(LearningSession).where(
        LearningSession.host_id == roles["elena"]["id"], LearningSession.starts_at > datetime.now(UTC)))

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert all(f"| `{email}` |" in readme for email in emails)
