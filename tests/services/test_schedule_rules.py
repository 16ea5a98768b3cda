"""Lounge and session rules with no HTTP in between: local time and RRULE expansion, slugs,
private lounges, seats and the waitlist, and who may use a lounge's or session's chat."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.schemas.accounts import UserRegister
from app.schemas.lounges import LoungeCreate
from app.schemas.schedule import SessionCreate
from app.services import accounts, lounges, sessions
from app.services.recurrence import MAX_OCCURRENCES, expand, local_to_utc

LONDON = ZoneInfo("Europe/London")


async def person(db, name: str):
    return await accounts.register_user(db, data=UserRegister(
        email=f"{name.lower()}@example.com", password="correct horse battery", display_name=name))


def session_data(**fields) -> SessionCreate:
    return SessionCreate(**{"title": "Kata", "starts_at": datetime(2030, 5, 7, 12, 30),
                            "ends_at": datetime(2030, 5, 7, 13, 30), "time_zone": "Europe/London", **fields})


def test_weekly_rule_is_expanded_in_wall_time():
    rule = expand("RRULE:FREQ=WEEKLY;COUNT=3", local_start=datetime(2030, 3, 24, 12, 30), zone=LONDON)
    utc = [local_to_utc(o, LONDON, strict=False) for o in rule.occurrences]
    assert [u.hour for u in utc] == [12, 11, 11]
    assert rule.text == "FREQ=WEEKLY;COUNT=3"


def test_monthly_by_weekday_and_fortnightly():
    monthly = expand("FREQ=MONTHLY;BYDAY=1TU;COUNT=3", local_start=datetime(2030, 1, 1, 9), zone=LONDON)
    assert [o.day for o in monthly.occurrences] == [1, 5, 5]
    fortnightly = expand("FREQ=WEEKLY;INTERVAL=2;COUNT=3", local_start=datetime(2030, 1, 1, 9), zone=LONDON)
    assert [o.day for o in fortnightly.occurrences] == [1, 15, 29]


def test_two_hundred_occurrences_is_the_limit():
    assert len(expand("FREQ=DAILY;COUNT=200", local_start=datetime(2030, 1, 1, 9),
                      zone=LONDON).occurrences) == MAX_OCCURRENCES
    with pytest.raises(InvalidInput, match="at most 200"):
        expand("FREQ=DAILY;UNTIL=20301231", local_start=datetime(2030, 1, 1, 9), zone=LONDON)


def test_a_series_occurrence_in_the_gap_uses_the_offset_before_it():
    # RFC 5545: 01:30 on the spring-forward day is read with GMT, i.e. 02:30 BST.
    assert local_to_utc(datetime(2030, 3, 31, 1, 30), LONDON, strict=False) == datetime(
        2030, 3, 31, 1, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="does not exist"):
        local_to_utc(datetime(2030, 3, 31, 1, 30), LONDON, strict=True)


def test_slugify_handles_accents_and_symbols():
    assert lounges.slugify("Conversación en español!") == "conversacion-en-espanol"
    assert lounges.slugify("!!!") == "lounge"


async def test_private_lounge_is_not_found_for_outsiders(db):
    ana, ben = await person(db, "Ana"), await person(db, "Ben")
    view = await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Circle", visibility="private"))
    with pytest.raises(NotFound):
        await lounges.get_lounge(db, lounge_id=view.lounge.id, user_id=ben.id)
    with pytest.raises(NotFound):
        await lounges.join_lounge(db, user=ben, lounge_id=view.lounge.id)
    with pytest.raises(NotFound):
        await lounges.channel_access(db, channel_id=view.lounge.channel_id, user_id=ben.id)
    await lounges.invite_member(db, user=ana, lounge_id=view.lounge.id, invitee_id=ben.id)
    access = await lounges.channel_access(db, channel_id=view.lounge.channel_id, user_id=ben.id)
    assert (access.role, access.can_moderate, access.session_id) == ("member", False, None)
    assert await lounges.channel_member_ids(db, channel_id=view.lounge.channel_id) == sorted([ana.id, ben.id])


async def test_session_channel_admits_hosts_and_people_with_an_rsvp(db):
    ana, ben, cat = await person(db, "Ana"), await person(db, "Ben"), await person(db, "Cat")
    lounge = await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Python guild"))
    view = await sessions.schedule_session(db, user=ana, lounge_id=lounge.lounge.id, data=session_data())
    channel = view.session.channel_id
    host = await lounges.channel_access(db, channel_id=channel, user_id=ana.id)
    assert (host.role, host.can_moderate, host.session_id) == ("host", True, view.session.id)
    with pytest.raises(NotFound):
        await lounges.channel_access(db, channel_id=channel, user_id=ben.id)
    await sessions.set_rsvp(db, user=ben, session_id=view.session.id, status="going")
    assert (await lounges.channel_access(db, channel_id=channel, user_id=ben.id)).role == "member"
    assert cat.id not in await lounges.channel_member_ids(db, channel_id=channel)
    with pytest.raises(NotFound):
        await lounges.channel_access(db, channel_id="chn_missing", user_id=ana.id)


async def test_a_session_or_series_cannot_start_in_the_past(db):
    ana = await person(db, "Ana")
    lounge = await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Python guild"))
    before = datetime(2030, 5, 7, 11, 31, tzinfo=UTC)  # a minute after the 12:30 BST start
    for rule in (None, "FREQ=WEEKLY;COUNT=3"):
        with pytest.raises(InvalidInput) as refused:
            await sessions.schedule_session(db, user=ana, lounge_id=lounge.lounge.id,
                                            data=session_data(recurrence=rule), now=before)
        assert refused.value.field == "starts_at"
    same_minute = datetime(2030, 5, 7, 11, 30, 40, tzinfo=UTC)
    view = await sessions.schedule_session(db, user=ana, lounge_id=lounge.lounge.id,
                                           data=session_data(), now=same_minute)
    assert view.session.starts_at == datetime(2030, 5, 7, 11, 30, tzinfo=UTC)


async def test_waitlist_is_first_come_first_served(db):
    host = await person(db, "Host")
    lounge = await lounges.create_lounge(db, user=host, data=LoungeCreate(name="Python guild"))
    view = await sessions.schedule_session(db, user=host, lounge_id=lounge.lounge.id,
                                           data=session_data(capacity=2))
    people = [await person(db, f"P{n}") for n in range(5)]
    answers = [await sessions.set_rsvp(db, user=p, session_id=view.session.id, status="going")
               for p in people]
    assert [(a.status, a.waitlist_position) for a in answers] == [
        ("going", None), ("going", None), ("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3)]
    await sessions.set_rsvp(db, user=people[3], session_id=view.session.id, status="not_going")
    await sessions.set_rsvp(db, user=people[0], session_id=view.session.id, status="not_going")
    attendees = await sessions.list_attendees(db, user_id=host.id, session_id=view.session.id)
    assert [(a.display_name, a.status, a.waitlist_position) for a in attendees] == [
        ("P1", "going", None), ("P2", "going", None), ("P4", "waitlisted", 1),
        ("P0", "not_going", None), ("P3", "not_going", None)]


async def test_non_members_cannot_schedule_and_cohosts_must_be_members(db):
    ana, ben = await person(db, "Ana"), await person(db, "Ben")
    lounge = await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Python guild"))
    with pytest.raises(Forbidden):
        await sessions.schedule_session(db, user=ben, lounge_id=lounge.lounge.id, data=session_data())
    with pytest.raises(Conflict):
        await sessions.schedule_session(db, user=ana, lounge_id=lounge.lounge.id,
                                        data=session_data(cohost_ids=[ben.id]))
    await lounges.join_lounge(db, user=ben, lounge_id=lounge.lounge.id)
    view = await sessions.schedule_session(db, user=ana, lounge_id=lounge.lounge.id,
                                           data=session_data(cohost_ids=[ben.id]))
    assert view.cohost_ids == [ben.id]
    as_ben = await sessions.get_session(db, session_id=view.session.id, user_id=ben.id)
    assert as_ben.can_manage is True
