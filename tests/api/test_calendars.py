"""iCalendar downloads through the API with real sessions: per session, per lounge, and the
personal feed at its secret (rotatable) address — parsed with `icalendar` — plus the 4xx cases,
the feed section on /settings and "Add to calendar" on the session page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from tests.api.sessions_helpers import make_lounge, make_session, move_session, rsvp
from tests.conftest import sign_up

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
JOIN = "https://meet.example.com/sql"


@pytest.fixture
async def cara(new_client):
    async with new_client() as c:
        yield await sign_up(c, "cara@example.com", "Cara Silva")


async def ics(client, path: str, **kwargs) -> icalendar.Calendar:
    response = await client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    return icalendar.Calendar.from_ical(response.content)


def by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def test_a_session_ics_has_its_uid_sequence_zone_and_the_join_link_only_for_those_going(
        client, ana, ben):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    path = f"/api/v1/sessions/{session['id']}.ics"

    calendar = await ics(ben.client, path)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == session["ical_uid"] and event["SEQUENCE"] == session["sequence"]
    assert str(event["SUMMARY"]) == "Window functions" and str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == datetime.fromisoformat(session["starts_at"])
    assert event.decoded("DTEND") == datetime.fromisoformat(session["ends_at"])
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(event["URL"]) == f"http://testserver/sessions/{session['id']}"
    assert JOIN not in calendar.to_ical().decode()  # Ben is not going (yet)

    host_view = (await ics(client, path)).to_ical().decode()
    assert JOIN in host_view
    await rsvp(ben, session["id"], "going")
    assert JOIN in (await ics(ben.client, path)).to_ical().decode()


async def test_changes_raise_the_sequence_and_a_cancellation_says_cancelled(client, ana):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    path = f"/api/v1/sessions/{session['id']}.ics"
    changed = await client.patch(f"/api/v1/sessions/{session['id']}", headers=ana.csrf,
                                 json={"title": "Window functions, part 1"})
    assert changed.status_code == 200
    [event] = (await ics(client, path)).walk("VEVENT")
    assert event["SEQUENCE"] == changed.json()["sequence"] > session["sequence"]
    assert str(event["UID"]) == session["ical_uid"]  # stable across changes
    cancelled = await client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=ana.csrf)
    [event] = (await ics(client, path)).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == cancelled.json()["sequence"] > changed.json()["sequence"]


async def test_a_lounge_calendar_lists_every_occurrence_of_a_series_with_its_own_uid(client, ana, ben):
    lounge = await make_lounge(ana)
    series = await make_session(ana, lounge["id"], recurrence="FREQ=WEEKLY;COUNT=3")
    other = await make_session(ana, lounge["id"], in_days=5, title="Indexes", join_url="")
    await rsvp(ben, series["id"], "going")
    calendar = await ics(ben.client, f"/api/v1/lounges/{lounge['id']}/calendar.ics")
    assert str(calendar["X-WR-CALNAME"]) == "Data guild"
    events = by_uid(calendar)
    assert len(events) == 4 and series["ical_uid"] in events and other["ical_uid"] in events
    starts = sorted(e.decoded("DTSTART") for e in events.values() if str(e["SUMMARY"]) == "Window functions")
    assert [(s.hour, s.minute) for s in starts] == [(starts[0].hour, starts[0].minute)] * 3  # same wall time
    assert JOIN in events[series["ical_uid"]].to_ical().decode()  # going to this one
    others = [e for uid, e in events.items() if uid != series["ical_uid"]]
    assert all(JOIN not in e.to_ical().decode() for e in others)


async def test_private_lounges_calendars_are_404_to_non_members(client, ana, ben):
    lounge = await make_lounge(ana, name="Leadership circle", visibility="private")
    session = await make_session(ana, lounge["id"])
    for path in (f"/api/v1/sessions/{session['id']}.ics", f"/api/v1/lounges/{lounge['id']}/calendar.ics"):
        response = await ben.client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert (await client.get(path)).status_code == 200
    invited = await client.post(f"/api/v1/lounges/{lounge['id']}/invites", headers=ana.csrf,
                                json={"user_id": ben.id})
    assert invited.status_code == 201
    assert (await ben.client.get(f"/api/v1/lounges/{lounge['id']}/calendar.ics")).status_code == 200


async def test_missing_things_and_strangers(client, ana, new_client):
    assert (await client.get("/api/v1/sessions/lsn_missing.ics")).status_code == 404
    assert (await client.get("/api/v1/lounges/lng_missing/calendar.ics")).status_code == 404
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    async with new_client() as anonymous:
        for path in (f"/api/v1/sessions/{session['id']}.ics", f"/api/v1/lounges/{lounge['id']}/calendar.ics",
                     "/api/v1/me/calendar"):
            assert (await anonymous.get(path)).status_code == 401, path
        assert (await anonymous.post("/api/v1/me/calendar/rotate")).status_code == 401


async def test_my_feed_has_what_i_go_to_or_host_at_a_secret_address(client, ana, ben, cara, new_client):
    lounge = await make_lounge(ana)
    going = await make_session(ana, lounge["id"])
    skipped = await make_session(ana, lounge["id"], in_days=4, title="Skipped")
    waiting = await make_session(ana, lounge["id"], in_days=6, title="Full", capacity=1)
    cancelled = await make_session(ana, lounge["id"], in_days=7, title="Called off")
    await rsvp(ben, going["id"], "going")
    await rsvp(ben, skipped["id"], "going")
    await rsvp(ben, skipped["id"], "not_going")
    await rsvp(cara, waiting["id"], "going")
    assert (await rsvp(ben, waiting["id"], "going"))["status"] == "waitlisted"
    await rsvp(ben, cancelled["id"], "going")
    called_off = await client.post(f"/api/v1/sessions/{cancelled['id']}/cancel", headers=ana.csrf)
    assert called_off.status_code == 200

    feed = (await ben.client.get("/api/v1/me/calendar")).json()
    assert feed["url"].startswith("http://testserver/api/v1/calendar/") and feed["url"].endswith(".ics")
    assert feed["webcal_url"] == "webcal://" + feed["url"].removeprefix("http://")
    assert (await ben.client.get("/api/v1/me/calendar")).json() == feed  # stable until rotated
    path = feed["url"].removeprefix("http://testserver")
    async with new_client() as calendar_app:  # no cookie, no token: the URL is the credential
        calendar = await ics(calendar_app, path)
    events = by_uid(calendar)
    assert set(events) == {going["ical_uid"], cancelled["ical_uid"]}
    assert str(events[cancelled["ical_uid"]]["STATUS"]) == "CANCELLED"
    assert JOIN in events[going["ical_uid"]].to_ical().decode()
    # The host's own feed has everything she hosts.
    ana_feed = (await client.get("/api/v1/me/calendar")).json()["url"].removeprefix("http://testserver")
    assert len(by_uid(await ics(client, ana_feed))) == 4
    assert ana_feed != path


async def test_rotating_the_feed_retires_the_old_address(client, ana, new_client):
    old = (await client.get("/api/v1/me/calendar")).json()["url"].removeprefix("http://testserver")
    rotated = await client.post("/api/v1/me/calendar/rotate", headers=ana.csrf)
    assert rotated.status_code == 200
    new = rotated.json()["url"].removeprefix("http://testserver")
    assert new != old
    assert (await client.get("/api/v1/me/calendar")).json()["url"].endswith(new)
    async with new_client() as calendar_app:
        gone = await calendar_app.get(old)
        assert gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"
        assert (await calendar_app.get(new)).status_code == 200
        again = (await client.post("/api/v1/me/calendar/rotate", headers=ana.csrf)).json()["url"]
        assert (await calendar_app.get(new)).status_code == 404
        assert (await calendar_app.get(again.removeprefix("http://testserver"))).status_code == 200


async def test_guessed_or_forged_feed_tokens_are_refused(client, ana):
    url = (await client.get("/api/v1/me/calendar")).json()["url"].removeprefix("http://testserver")
    user_part = url.removeprefix("/api/v1/calendar/").split(".")[0]
    for path in (f"/api/v1/calendar/{user_part}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics",
                 "/api/v1/calendar/usr_nobody.abc.ics", "/api/v1/calendar/.abc.ics"):
        assert (await client.get(path)).status_code in (404, 422), path
    assert (await client.get("/api/v1/calendar/no-dot-at-all.ics")).status_code == 422


async def test_rotating_needs_the_csrf_token(client, ana):
    assert (await client.post("/api/v1/me/calendar/rotate")).status_code == 403


async def test_the_settings_page_loads_the_feed_section(client, ana):
    page = await client.get("/settings", headers={"Accept": "text/html"})
    assert 'id="calendar-heading">Calendar feed' in page.text
    assert 'hx-get="/api/v1/me/calendar" hx-trigger="load"' in page.text
    fragment = await client.get("/api/v1/me/calendar", headers=HTMX)
    url = (await client.get("/api/v1/me/calendar")).json()["url"]
    assert f'value="{url}"' in fragment.text and 'for="calendar-feed-url"' in fragment.text
    rotated = await client.post("/api/v1/me/calendar/rotate", headers={**ana.csrf, **HTMX})
    assert "new address" in rotated.text and url not in rotated.text


async def test_the_session_page_offers_add_to_calendar(client, ana):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    page = await client.get(f"/sessions/{session['id']}", headers={"Accept": "text/html"})
    assert f'<a href="/api/v1/sessions/{session["id"]}.ics" download>Add to calendar</a>' in page.text


async def test_old_sessions_fall_out_of_the_lounge_calendar(client, ana, db):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"])
    await move_session(db, session["id"], starts_at=datetime.now(UTC) - timedelta(days=200))
    calendar = await ics(client, f"/api/v1/lounges/{lounge['id']}/calendar.ics")
    assert calendar.walk("VEVENT") == []
