"""`/api/v1/sessions` and `/api/v1/lounges/{id}/sessions`: scheduling (one-off and series),
listing, editing, cancelling, RSVPs with the waitlist, attendance, notes, resources and
feedback, including the 4xx answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.models import Channel, LearningSession, OutboxJob
from tests.api.sessions_helpers import move_session
from tests.api.test_lounges import HTMX, make_lounge
from tests.conftest import sign_up

FUTURE = "2030-03-05"


async def recorded(db, event_type: str) -> list[dict]:
    """The data of every `event_type` domain event staged so far, oldest first."""
    jobs = (await db.execute(select(OutboxJob).where(OutboxJob.kind == f"event:{event_type}")
                             .order_by(OutboxJob.created_at))).scalars()
    return [job.payload["data"] for job in jobs]


def when(day: str = FUTURE, start: str = "12:30", end: str = "13:15", **fields) -> dict:
    return {"title": "Intro to pytest", "starts_at": f"{day}T{start}:00", "ends_at": f"{day}T{end}:00",
            "time_zone": "Europe/London", **fields}


async def schedule(account, lounge_id: str, **fields) -> dict:
    response = await account.client.post(f"/api/v1/lounges/{lounge_id}/sessions", json=when(**fields),
                                         headers=account.csrf)
    assert response.status_code == 201, response.text
    return response.json()


async def rsvp(account, session_id: str, status: str = "going"):
    return await account.client.put(f"/api/v1/sessions/{session_id}/rsvp", json={"status": status},
                                    headers=account.csrf)


@pytest.fixture
async def lounge(ana, ben) -> dict:
    created = await make_lounge(ana)
    await ben.client.post(f"/api/v1/lounges/{created['id']}/join", headers=ben.csrf)
    return created


async def test_schedule_a_session_in_local_time(client, ana, lounge, db):
    session = await schedule(ana, lounge["id"], capacity=10, location="Room 4",
                             join_url="https://meet.example.com/x", description="Bring *tea*")
    assert session["starts_at"] == "2030-03-05T12:30:00Z"
    assert session["time_zone"] == "Europe/London" and session["kind"] == "lunch_and_learn"
    assert session["join_url"] == "https://meet.example.com/x" and session["can_manage"] is True
    assert session["sequence"] == 0 and session["ical_uid"].endswith("@lounge")
    assert session["description_html"] == "<p>Bring <em>tea</em></p>\n"
    assert (await db.get(Channel, session["channel_id"])).kind == "session"
    assert [e["session_id"] for e in await recorded(db, "session.created")] == [session["id"]]


async def test_summer_time_and_explicit_offsets(client, ana, lounge):
    summer = await schedule(ana, lounge["id"], day="2030-07-02")
    assert summer["starts_at"] == "2030-07-02T11:30:00Z"
    explicit = await client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf, json={
        **when(), "starts_at": "2030-07-02T12:30:00+02:00", "ends_at": "2030-07-02T13:00:00+02:00"})
    assert explicit.json()["starts_at"] == "2030-07-02T10:30:00Z"


async def test_a_time_in_the_spring_gap_is_refused_and_an_ambiguous_one_is_the_first(client, ana, lounge):
    gap = await client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf,
                            json=when(day="2030-03-31", start="01:30", end="03:00"))
    assert gap.status_code == 422
    assert gap.json()["errors"][0]["field"] == "starts_at"
    assert "does not exist in Europe/London" in gap.json()["detail"]
    ambiguous = await schedule(ana, lounge["id"], day="2030-10-27", start="01:30", end="02:30")
    assert ambiguous["starts_at"] == "2030-10-27T00:30:00Z"  # 01:30 BST, the first 01:30


async def test_weekly_series_keeps_london_wall_time_across_dst(client, ana, lounge):
    first = await schedule(ana, lounge["id"], day="2030-03-19", recurrence="FREQ=WEEKLY;COUNT=4")
    assert first["series_id"] and first["recurrence"] == "FREQ=WEEKLY;COUNT=4"
    listed = await client.get(f"/api/v1/sessions?lounge_id={lounge['id']}")
    items = listed.json()["items"]
    assert [i["starts_at"] for i in items] == [
        "2030-03-19T12:30:00Z", "2030-03-26T12:30:00Z", "2030-04-02T11:30:00Z", "2030-04-09T11:30:00Z"]
    assert len({i["id"] for i in items}) == 4 and len({i["ical_uid"] for i in items}) == 4
    assert len({i["channel_id"] for i in items}) == 4


@pytest.mark.parametrize(("rule", "message"), [
    ("FREQ=WEEKLY", "must end"),
    ("FREQ=HOURLY;COUNT=3", "at most daily"),
    ("FREQ=MINUTELY;COUNT=3", "at most daily"),
    ("FREQ=DAILY;COUNT=201", "COUNT must be"),
    ("FREQ=DAILY;UNTIL=20311231", "at most 200"),
    ("FREQ=DAILY;UNTIL=99991231", "within five years"),
    ("FREQ=WEEKLY;COUNT=3;UNTIL=20300401", "not both"),
    ("FREQ=WEEKLY;COUNT=3;BYHOUR=1,2,3", "BYHOUR"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", "only 0"),
    ("FREQ=WEEKLY;BYDAY=XX;COUNT=2", "not a valid RRULE"),
    ("garbage", "NAME=VALUE"),
])
async def test_hostile_or_unbounded_rules_are_refused(client, ana, lounge, rule, message, db):
    response = await client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf,
                                 json=when(recurrence=rule))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "recurrence"
    assert message in response.json()["detail"]
    assert (await db.execute(select(LearningSession))).first() is None


@pytest.mark.parametrize(("fields", "field"), [
    ({"end": "12:00"}, "ends_at"),
    ({"end": "23:59", "start": "00:00"}, "ends_at"),
    ({"kind": "party"}, "kind"),
    ({"time_zone": "Mars/Base"}, "time_zone"),
    ({"capacity": 0}, "capacity"),
    ({"join_url": "javascript:alert(1)"}, "join_url"),
    ({"title": ""}, "title"),
    ({"cohost_ids": ["usr_stranger"]}, "cohost_ids"),
])
async def test_schedule_rejects_bad_input(client, ana, lounge, fields, field):
    response = await client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf,
                                 json=when(**fields))
    # A co-host who is not a member is well-formed but clashes with the lounge as it is.
    assert response.status_code == (409 if field == "cohost_ids" else 422), response.text
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()


async def test_only_members_schedule(client, ana, new_client):
    lid = (await make_lounge(ana))["id"]
    async with new_client() as c:
        cat = await sign_up(c, "cat@example.com", "Cat")
        response = await c.post(f"/api/v1/lounges/{lid}/sessions", json=when(), headers=cat.csrf)
        assert response.status_code == 403


async def test_waitlist_order_and_promotion(client, ana, ben, lounge, new_client, db):
    sid = (await schedule(ana, lounge["id"], capacity=1))["id"]
    async with new_client() as c1, new_client() as c2:
        cat = await sign_up(c1, "cat@example.com", "Cat Ng")
        dan = await sign_up(c2, "dan@example.com", "Dan Roe")
        assert (await rsvp(ben, sid)).json() == {"session_id": sid, "status": "going",
                                                 "waitlist_position": None}
        assert (await rsvp(cat, sid)).json()["waitlist_position"] == 1
        assert (await rsvp(dan, sid)).json() == {"session_id": sid, "status": "waitlisted",
                                                 "waitlist_position": 2}
        assert (await rsvp(dan, sid)).json()["waitlist_position"] == 2  # asking again keeps the place
        freed = await rsvp(ben, sid, "not_going")
        assert freed.json()["status"] == "not_going"
        attendees = (await client.get(f"/api/v1/sessions/{sid}/attendees")).json()["items"]
        assert [(a["display_name"], a["status"], a["waitlist_position"]) for a in attendees] == [
            ("Cat Ng", "going", None), ("Dan Roe", "waitlisted", 1), ("Ben Okafor", "not_going", None)]
        me = (await c2.get(f"/api/v1/sessions/{sid}")).json()
        assert me["my_rsvp"] == {"status": "waitlisted", "waitlist_position": 1, "checked_in": False}
        raised = await client.patch(f"/api/v1/sessions/{sid}", json={"capacity": 2}, headers=ana.csrf)
        assert raised.json()["going_count"] == 2 and raised.json()["waitlist_count"] == 0
    assert [e["user_id"] for e in await recorded(db, "rsvp.promoted")] == [cat.id, dan.id]
    changed = await recorded(db, "rsvp.changed")
    assert {"session_id": sid, "user_id": ben.id, "status": "not_going",
            "previous_status": "going"} in changed


async def test_exactly_one_of_two_racers_gets_the_last_seat(client, ana, ben, lounge, new_client):
    sid = (await schedule(ana, lounge["id"], capacity=1))["id"]
    async with new_client() as c:
        cat = await sign_up(c, "cat@example.com", "Cat Ng")
        for _ in range(3):
            results = await asyncio.gather(rsvp(ben, sid), rsvp(cat, sid))
            statuses = sorted(r.json()["status"] for r in results)
            assert statuses == ["going", "waitlisted"], [r.text for r in results]
            going = (await client.get(f"/api/v1/sessions/{sid}")).json()["going_count"]
            assert going == 1
            await asyncio.gather(rsvp(ben, sid, "not_going"), rsvp(cat, sid, "not_going"))


async def test_join_link_only_for_people_going_and_hosts(client, ana, ben, lounge):
    sid = (await schedule(ana, lounge["id"], join_url="https://meet.example.com/secret"))["id"]
    assert (await ben.client.get(f"/api/v1/sessions/{sid}")).json()["join_url"] is None
    listed = (await ben.client.get("/api/v1/sessions")).json()["items"][0]
    assert listed["join_url"] is None and listed["has_join_url"] is True
    page = await ben.client.get(f"/sessions/{sid}", headers={"Accept": "text/html"})
    assert "meet.example.com/secret" not in page.text
    await rsvp(ben, sid)
    assert (await ben.client.get(f"/api/v1/sessions/{sid}")).json()["join_url"].endswith("/secret")
    assert (await client.get("/api/v1/sessions")).json()["items"][0]["join_url"].endswith("/secret")


async def test_list_filters_from_to_and_mine(client, ana, ben, lounge):
    a = await schedule(ana, lounge["id"], day="2030-03-05")
    b = await schedule(ana, lounge["id"], day="2030-03-06")
    ids = lambda r: [i["id"] for i in r.json()["items"]]  # noqa: E731
    assert ids(await client.get("/api/v1/sessions?from=2030-03-05T12:30:00Z")) == [a["id"], b["id"]]
    assert ids(await client.get("/api/v1/sessions?to=2030-03-06T12:30:00Z")) == [a["id"]]
    assert ids(await ben.client.get("/api/v1/sessions?mine=true")) == []
    await rsvp(ben, b["id"])
    assert ids(await ben.client.get("/api/v1/sessions?mine=true")) == [b["id"]]
    first = await client.get("/api/v1/sessions?limit=1")
    second = await client.get(f"/api/v1/sessions?limit=1&cursor={first.json()['next_cursor']}")
    assert ids(first) + ids(second) == [a["id"], b["id"]]
    assert (await client.get("/api/v1/sessions?from=2030-03-05T12:30:00")).status_code == 422
    assert (await client.get("/api/v1/sessions?cursor=nonsense")).status_code == 422


async def test_a_start_in_the_past_is_refused_beside_the_field(client, ana, lounge, db):
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    for fields in ({"day": yesterday}, {"day": yesterday, "recurrence": "FREQ=WEEKLY;COUNT=4"}):
        refused = await client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf,
                                    json=when(**fields))
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"] == [
            {"field": "starts_at", "msg": "A session cannot start in the past."}]
    assert (await db.execute(select(LearningSession))).first() is None
    form = await client.post(f"/api/v1/lounges/{lounge['id']}/sessions", data=when(day=yesterday),
                             headers={**HTMX, **ana.csrf, "HX-Source": "form#session-form"})
    assert form.status_code == 422
    assert '<hx-partial hx-target="#session-form-starts_at-error" hx-swap="innerHTML">' \
           "A session cannot start in the past.</hx-partial>" in form.text

    sid = (await schedule(ana, lounge["id"]))["id"]
    await move_session(db, sid, starts_at=datetime.now(UTC) - timedelta(hours=2))
    path = f"/api/v1/sessions/{sid}"
    kept = (await client.get(path)).json()
    edited = await client.patch(path, headers=ana.csrf, json={
        "title": "Intro to pytest, held", "starts_at": kept["starts_at"], "ends_at": kept["ends_at"]})
    assert edited.status_code == 200 and edited.json()["title"] == "Intro to pytest, held"
    earlier = datetime.fromisoformat(kept["starts_at"]) - timedelta(days=1)
    moved = await client.patch(path, headers=ana.csrf, json={
        "starts_at": earlier.isoformat(), "ends_at": (earlier + timedelta(hours=1)).isoformat()})
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "starts_at"


async def test_edit_this_or_following_and_sequence(client, ana, ben, lounge, db):
    first = await schedule(ana, lounge["id"], day="2030-03-19", recurrence="FREQ=WEEKLY;COUNT=4")
    items = (await client.get(f"/api/v1/sessions?lounge_id={lounge['id']}")).json()["items"]
    one = await client.patch(f"/api/v1/sessions/{items[0]['id']}?scope=this", headers=ana.csrf,
                             json={"title": "Only the first"})
    assert one.json()["title"] == "Only the first" and one.json()["sequence"] == 1
    moved = await client.patch(f"/api/v1/sessions/{items[1]['id']}?scope=following", headers=ana.csrf,
                               json={"starts_at": "2030-03-26T13:00:00", "ends_at": "2030-03-26T14:00:00"})
    assert moved.status_code == 200
    after = (await client.get(f"/api/v1/sessions?lounge_id={lounge['id']}")).json()["items"]
    assert [i["starts_at"] for i in after] == [
        "2030-03-19T12:30:00Z", "2030-03-26T13:00:00Z", "2030-04-02T12:00:00Z", "2030-04-09T12:00:00Z"]
    assert [i["title"] for i in after] == ["Only the first"] + ["Intro to pytest"] * 3
    assert [i["sequence"] for i in after] == [1, 1, 1, 1]
    assert all(i["series_id"] == first["series_id"] for i in after)
    bad = await client.patch(f"/api/v1/sessions/{items[0]['id']}?scope=all", headers=ana.csrf, json={})
    assert bad.status_code == 422
    gap = await client.patch(f"/api/v1/sessions/{items[0]['id']}", headers=ana.csrf,
                             json={"starts_at": "2030-03-31T01:30:00"})
    assert gap.status_code == 422
    refused = await ben.client.patch(f"/api/v1/sessions/{items[0]['id']}", headers=ben.csrf,
                                     json={"title": "Mine"})
    assert refused.status_code == 403


async def test_cancel_this_and_following_tells_those_going(client, ana, ben, lounge, db):
    await schedule(ana, lounge["id"], day="2030-03-19", recurrence="FREQ=WEEKLY;INTERVAL=2;COUNT=3")
    items = (await client.get(f"/api/v1/sessions?lounge_id={lounge['id']}")).json()["items"]
    assert [i["starts_at"][:10] for i in items] == ["2030-03-19", "2030-04-02", "2030-04-16"]
    await rsvp(ben, items[1]["id"])
    cancelled = await client.post(f"/api/v1/sessions/{items[1]['id']}/cancel?scope=following",
                                  headers=ana.csrf)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    after = (await client.get(f"/api/v1/sessions?lounge_id={lounge['id']}")).json()["items"]
    assert [i["status"] for i in after] == ["scheduled", "cancelled", "cancelled"]
    assert after[1]["sequence"] == 1
    events = await recorded(db, "session.cancelled")
    assert {e["session_id"]: e["user_ids"] for e in events} == {
        items[1]["id"]: [ben.id], items[2]["id"]: []}
    assert (await rsvp(ben, items[2]["id"])).status_code == 409
    assert (await ben.client.post(f"/api/v1/sessions/{items[0]['id']}/cancel",
                                  headers=ben.csrf)).status_code == 403
    assert (await client.post("/api/v1/sessions/lsn_missing/cancel", headers=ana.csrf)).status_code == 404


async def test_rsvp_rejects_bad_status_and_ended_sessions(client, ana, ben, lounge, db):
    sid = (await schedule(ana, lounge["id"]))["id"]
    assert (await ben.client.put(f"/api/v1/sessions/{sid}/rsvp", json={"status": "maybe"},
                                 headers=ben.csrf)).status_code == 422
    assert (await rsvp(ben, "lsn_missing")).status_code == 404
    await move_session(db, sid, starts_at=datetime.now(UTC) - timedelta(days=1))
    assert (await rsvp(ben, sid)).status_code == 409


async def test_after_the_session_notes_resources_check_in_and_feedback(client, ana, ben, lounge, db):
    sid = (await schedule(ana, lounge["id"]))["id"]
    await rsvp(ben, sid)
    early = await ben.client.put(f"/api/v1/sessions/{sid}/feedback", json={"rating": 5}, headers=ben.csrf)
    assert early.status_code == 409
    await move_session(db, sid, starts_at=datetime.now(UTC) - timedelta(hours=2))
    notes = await client.put(f"/api/v1/sessions/{sid}/notes", json={"notes": "See **slides**"},
                             headers=ana.csrf)
    assert notes.json()["notes_html"] == "<p>See <strong>slides</strong></p>\n"
    assert (await ben.client.put(f"/api/v1/sessions/{sid}/notes", json={"notes": "x"},
                                 headers=ben.csrf)).status_code == 403
    added = await client.post(f"/api/v1/sessions/{sid}/resources", headers=ana.csrf,
                              json={"title": "Slides", "url": "https://docs.example.com/s"})
    assert added.status_code == 201
    assert (await client.post(f"/api/v1/sessions/{sid}/resources", headers=ana.csrf,
                              json={"title": "Evil", "url": "javascript:alert(1)"})).status_code == 422
    listed = await ben.client.get(f"/api/v1/sessions/{sid}/resources")
    assert [r["title"] for r in listed.json()["items"]] == ["Slides"]
    checked = await client.put(f"/api/v1/sessions/{sid}/attendance/{ben.id}", json={"attended": True},
                               headers=ana.csrf)
    assert checked.json()["checked_in"] is True
    assert (await client.put(f"/api/v1/sessions/{sid}/attendance/usr_nobody", json={"attended": True},
                             headers=ana.csrf)).status_code == 404
    assert (await ben.client.put(f"/api/v1/sessions/{sid}/attendance/{ben.id}", json={"attended": True},
                                 headers=ben.csrf)).status_code == 403
    feedback = await ben.client.put(f"/api/v1/sessions/{sid}/feedback", headers=ben.csrf, json={
        "rating": 4, "comment": "Good pace", "takeaway": "Fixtures can yield"})
    assert feedback.status_code == 200 and feedback.json()["rating"] == 4
    assert (await ben.client.put(f"/api/v1/sessions/{sid}/feedback", json={"rating": 6},
                                 headers=ben.csrf)).status_code == 422
    assert (await client.put(f"/api/v1/sessions/{sid}/feedback", json={"rating": 3},
                             headers=ana.csrf)).status_code == 403
    all_feedback = await client.get(f"/api/v1/sessions/{sid}/feedback")
    assert [(f["display_name"], f["comment"]) for f in all_feedback.json()["items"]] == [
        ("Ben Okafor", "Good pace")]
    assert (await ben.client.get(f"/api/v1/sessions/{sid}/feedback")).status_code == 403
    takeaways = await client.get(f"/api/v1/lounges/{lounge['id']}/takeaways")
    assert [t["takeaway"] for t in takeaways.json()["items"]] == ["Fixtures can yield"]
    session_takeaways = await ben.client.get(f"/api/v1/sessions/{sid}/takeaways")
    assert session_takeaways.json()["items"][0]["session_title"] == "Intro to pytest"
    rid = added.json()["id"]
    assert (await ben.client.delete(f"/api/v1/sessions/{sid}/resources/{rid}",
                                    headers=ben.csrf)).status_code == 403
    resource_url = f"/api/v1/sessions/{sid}/resources/{rid}"
    assert (await client.delete(resource_url, headers=ana.csrf)).status_code == 204
    assert (await client.delete(resource_url, headers=ana.csrf)).status_code == 404
    page = await client.get(f"/sessions/{sid}", headers={"Accept": "text/html"})
    assert "Fixtures can yield" in page.text and "Good pace" in page.text


async def test_session_page_shows_rsvp_in_place_and_the_viewer_zone(client, ana, ben, lounge):
    sid = (await schedule(ana, lounge["id"], capacity=1))["id"]
    page = await ben.client.get(f"/sessions/{sid}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Tue 05 Mar 2030, 12:30 GMT" in page.text
    assert 'id="add-to-calendar"' in page.text and 'id="chat"' in page.text
    answer = await ben.client.put(f"/api/v1/sessions/{sid}/rsvp", data={"status": "going"},
                                  headers={**HTMX, **ben.csrf})
    assert "You are going." in answer.text and '<hx-partial hx-target="#attendee-list"' in answer.text


async def test_viewer_in_another_zone_sees_their_own_time(new_client, ana, lounge):
    sid = (await schedule(ana, lounge["id"]))["id"]
    async with new_client() as c:
        await sign_up(c, "eve@example.com", "Eve", time_zone="America/New_York")
        page = await c.get(f"/sessions/{sid}", headers={"Accept": "text/html"})
        assert "Tue 05 Mar 2030, 07:30 EST" in page.text
