"""Protected learning time in calendars, through the API with real goals: `GET
/api/v1/me/learning-time.ics` and the same blocks in the personal feed. Each answer is parsed
with `icalendar` and read again with `vobject` (an independent parser that expands the RRULE),
and the VTIMEZONE the file carries is itself turned into a zone to prove the block keeps its
wall-clock time across DST. Only the caller's own active goals with weekly minutes ever appear."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from tests.api.sessions_helpers import make_lounge, make_session, rsvp
from tests.conftest import bearer_token, sign_up

LONDON = ZoneInfo("Europe/London")
PATH = "/api/v1/me/learning-time.ics"


@pytest.fixture
async def lena(new_client):
    """A member in London, whose learning time is the subject of these tests."""
    async with new_client() as c:
        yield await sign_up(c, "lena@example.com", "Lena Park", time_zone="Europe/London")


async def make_goal(account, **fields) -> dict:
    body = {"title": "Lead a design review", "weekly_minutes": 90, "learning_weekday": 2,
            "learning_start": "12:30", **fields}
    response = await account.client.post("/api/v1/goals", headers=account.csrf, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def ics(client, path: str = PATH, **kwargs) -> tuple[icalendar.Calendar, bytes]:
    response = await client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    return icalendar.Calendar.from_ical(response.content), response.content


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def learning_uid(goal: dict) -> str:
    return f"learning-{goal['id']}@lounge"


def vobject_occurrences(data: bytes, uid: str) -> list[datetime]:
    """The block's occurrences as vobject expands them (it validates the file on the way)."""
    parsed = vobject.readOne(data.decode())
    assert parsed.validate(raiseException=True)
    [event] = [e for e in parsed.vevent_list if e.uid.value == uid]
    return list(event.getrruleset())


async def test_an_active_goal_is_a_weekly_busy_block_in_my_zone_until_its_target_date(client, lena):
    target = date.today() + timedelta(days=400)  # long enough to cross both DST changes
    goal = await make_goal(lena, target_date=target.isoformat(), why="Reviews wait for two seniors.")
    calendar, data = await ics(lena.client)
    assert str(calendar["X-WR-CALNAME"]) == "My learning time"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == learning_uid(goal)
    assert str(event["SUMMARY"]) == "Learning time: Lead a design review"
    assert str(event["TRANSP"]) == "OPAQUE" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == f"http://testserver/goals/{goal['id']}"
    assert event.decoded("DURATION") == timedelta(minutes=90) and "DTEND" not in event
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    start = event.decoded("DTSTART")
    assert start.weekday() == 2 and (start.hour, start.minute) == (12, 30)
    assert date.today() <= start.date() < date.today() + timedelta(days=7)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["WE"]
    assert rule["UNTIL"] == [datetime.combine(target, time(23, 59, 59), LONDON).astimezone(UTC)]
    # No contract text reaches a calendar (the feed address is shared with calendar apps).
    assert "seniors" not in data.decode()

    # vobject expands the same weekly series: every Wednesday 12:30, through the target date.
    occurrences = vobject_occurrences(data, learning_uid(goal))
    assert occurrences[0].replace(tzinfo=None) == start.replace(tzinfo=None)
    assert all(o.weekday() == 2 and (o.hour, o.minute) == (12, 30) for o in occurrences)
    assert all(b - a == timedelta(days=7) for a, b in zip(occurrences, occurrences[1:], strict=False))
    assert occurrences[-1].date() <= target < occurrences[-1].date() + timedelta(days=7)

    # The VTIMEZONE in the file, on its own, gives winter and summer offsets: the same wall
    # time is a different UTC instant across DST, so calendar apps keep 12:30 all year.
    [vtimezone] = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz(lookup_tzid=False)
    offsets = {o.replace(tzinfo=zone).utcoffset() for o in occurrences}
    assert offsets == {timedelta(0), timedelta(hours=1)}


async def test_without_a_target_date_the_block_repeats_with_no_end(client, lena):
    goal = await make_goal(lena, learning_weekday=0, learning_start="08:15", weekly_minutes=45)
    calendar, data = await ics(lena.client)
    [event] = calendar.walk("VEVENT")
    assert "UNTIL" not in event["RRULE"] and event["RRULE"]["BYDAY"] == ["MO"]
    assert event.decoded("DURATION") == timedelta(minutes=45)
    [vtimezone] = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz(lookup_tzid=False)
    parsed = vobject.readOne(data.decode())
    assert parsed.validate(raiseException=True)
    rules = parsed.vevent.getrruleset()
    first_years = [o for _, o in zip(range(104), rules, strict=False)]  # two years of Mondays
    assert all((o.weekday(), o.hour, o.minute) == (0, 8, 15) for o in first_years)
    assert {o.replace(tzinfo=zone).utcoffset() for o in first_years} == {timedelta(0), timedelta(hours=1)}
    assert str(event["UID"]) == learning_uid(goal)


async def test_only_active_goals_with_weekly_minutes_appear(client, lena):
    kept = await make_goal(lena, title="Kept")
    await make_goal(lena, title="No time set", weekly_minutes=None)
    await make_goal(lena, title="Zero minutes", weekly_minutes=0)
    paused = await make_goal(lena, title="Paused")
    dropped = await make_goal(lena, title="Dropped")
    achieved = await make_goal(lena, title="Achieved")
    for goal, status in ((paused, "paused"), (dropped, "dropped")):
        changed = await lena.client.patch(f"/api/v1/goals/{goal['id']}", headers=lena.csrf,
                                          json={"status": status})
        assert changed.status_code == 200, changed.text
    done = await lena.client.post(f"/api/v1/goals/{achieved['id']}/checkins", headers=lena.csrf,
                                  json={"note": "Led my first review.", "status": "achieved"})
    assert done.status_code == 201, done.text
    calendar, _ = await ics(lena.client)
    assert set(events(calendar)) == {learning_uid(kept)}

    resumed = await lena.client.patch(f"/api/v1/goals/{paused['id']}", headers=lena.csrf,
                                      json={"status": "active", "learning_weekday": 4})
    assert resumed.status_code == 200
    calendar, _ = await ics(lena.client)
    found = events(calendar)
    assert set(found) == {learning_uid(kept), learning_uid(paused)}
    assert found[learning_uid(paused)]["RRULE"]["BYDAY"] == ["FR"]


async def test_other_peoples_goals_never_appear_whatever_their_visibility(client, ana, ben, lena):
    for account in (ana, ben):
        for visibility in ("private", "team", "org"):
            await make_goal(account, title=f"{account.display_name} {visibility}", visibility=visibility)
    mine = await make_goal(lena, visibility="org")
    calendar, _ = await ics(lena.client)
    assert set(events(calendar)) == {learning_uid(mine)}
    ana_calendar, _ = await ics(client)
    assert len(events(ana_calendar)) == 3
    assert all(str(e["SUMMARY"]).startswith("Learning time: Ana Lima") for e in ana_calendar.walk("VEVENT"))


async def test_an_empty_learning_calendar_is_valid(client, lena):
    calendar, data = await ics(lena.client)
    assert calendar.walk("VEVENT") == [] and calendar["VERSION"] == "2.0"
    assert vobject.readOne(data.decode()).validate(raiseException=True)


async def test_tokens_with_read_may_download_it_and_strangers_may_not(client, lena, new_client):
    goal = await make_goal(lena)
    token = await bearer_token(lena, ["read"])
    async with new_client(headers={"Authorization": f"Bearer {token}"}) as tool:
        calendar, _ = await ics(tool)
    assert set(events(calendar)) == {learning_uid(goal)}
    async with new_client() as anonymous:
        refused = await anonymous.get(PATH)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    chat_only = await bearer_token(lena, ["chat"])
    async with new_client(headers={"Authorization": f"Bearer {chat_only}"}) as tool:
        assert (await tool.get(PATH)).status_code == 403


async def test_the_personal_feed_carries_my_learning_time_and_only_mine(client, ana, ben, lena, new_client):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await rsvp(lena, session["id"], "going")
    mine = await make_goal(lena, visibility="private")
    paused = await make_goal(lena, title="Later")
    await lena.client.patch(f"/api/v1/goals/{paused['id']}", headers=lena.csrf, json={"status": "paused"})
    ben_goal = await make_goal(ben, visibility="org")
    await make_goal(ana, visibility="org")

    feed = (await lena.client.get("/api/v1/me/calendar")).json()["url"].removeprefix("http://testserver")
    async with new_client() as calendar_app:
        calendar, data = await ics(calendar_app, feed)
    found = events(calendar)
    assert set(found) == {session["ical_uid"], learning_uid(mine)}
    own, _ = await ics(lena.client)
    assert found[learning_uid(mine)].to_ical() == events(own)[learning_uid(mine)].to_ical()
    occurrences = vobject_occurrences(data, learning_uid(mine))
    assert occurrences and all((o.hour, o.minute) == (12, 30) for o in occurrences[:60])

    ben_feed = (await ben.client.get("/api/v1/me/calendar")).json()["url"].removeprefix("http://testserver")
    async with new_client() as calendar_app:
        ben_calendar, _ = await ics(calendar_app, ben_feed)
    assert set(events(ben_calendar)) == {learning_uid(ben_goal)}
