"""`/api/v1/team` and `/api/v1/me/manager-view`: a manager sees of a report exactly what the
report's "what my manager sees" shows, for every visibility; private goals never appear; a goal
made private leaves the manager's view at once; only managers see reports; attendance and
hosting are counted. Also the fragments and pages (`/team`, `/me/manager-view`) built on them,
and the pickers behind "suggest a session" and "suggest a person"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.sessions_helpers import join, make_lounge, make_session, move_session, rsvp
from tests.conftest import Account, sign_up

SUGGEST_SESSION = {"kind": "session", "purpose": "suggestion"}
SUGGEST_PERSON = {"kind": "person", "purpose": "suggestion"}
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def name_manager(report: Account, manager: Account | None) -> None:
    answer = await report.client.patch("/api/v1/me", headers=report.csrf,
                                       json={"manager_id": manager.id if manager else None})
    assert answer.status_code == 200, answer.text
    assert answer.json()["manager_id"] == (manager.id if manager else None)


async def make_goal(owner: Account, title: str, visibility: str, **fields) -> dict:
    answer = await owner.client.post("/api/v1/goals", headers=owner.csrf,
                                     json={"title": title, "visibility": visibility, **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def fill_goal(owner: Account, goal_id: str) -> None:
    """A plan of two steps (one done) and two check-ins."""
    for body in ({"kind": "activity", "title": "Shadow two reviews", "due_on": "2099-03-01"},
                 {"kind": "resource", "title": "Review guide", "url": "https://wiki.example.com/r"}):
        added = await owner.client.post(f"/api/v1/goals/{goal_id}/plan", headers=owner.csrf, json=body)
        assert added.status_code == 201, added.text
    done = await owner.client.patch(f"/api/v1/goals/{goal_id}/plan/{added.json()['id']}",
                                    headers=owner.csrf, json={"done": True})
    assert done.status_code == 200, done.text
    for note in ("Read the guide.", "Shadowed the first review.\nTook notes."):
        checked = await owner.client.post(f"/api/v1/goals/{goal_id}/checkins", headers=owner.csrf,
                                          json={"note": note, "minutes": 30})
        assert checked.status_code == 201, checked.text


async def team_entry(manager: Account, report: Account) -> dict:
    answer = await manager.client.get("/api/v1/team")
    assert answer.status_code == 200, answer.text
    entries = [e for e in answer.json()["items"] if e["person"]["id"] == report.id]
    assert len(entries) == 1, answer.json()
    return entries[0]


async def manager_view(report: Account) -> dict:
    answer = await report.client.get("/api/v1/me/manager-view")
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("visibility", ["private", "team", "org"])
async def test_the_manager_sees_exactly_what_the_report_is_shown(ana, ben, visibility):
    await name_manager(ben, ana)
    goal = await make_goal(ben, f"A {visibility} goal", visibility, target_date="2099-04-30",
                           weekly_minutes=90, skills=["facilitation"])
    await fill_goal(ben, goal["id"])

    entry = await team_entry(ana, ben)
    assert entry == await manager_view(ben)
    assert entry["person"] == {"id": ben.id, "display_name": "Ben Okafor"}
    shown = [g["goal"]["id"] for g in entry["goals"]]
    if visibility == "private":
        assert shown == []
    else:
        assert shown == [goal["id"]]
        shared = entry["goals"][0]
        assert shared["goal"]["visibility"] == visibility
        assert shared["goal"]["target_date"] == "2099-04-30"
        assert (shared["goal"]["plan_done"], shared["goal"]["plan_total"]) == (1, 2)
        assert [p["title"] for p in shared["plan"]] == ["Shadow two reviews", "Review guide"]
        assert [c["note"] for c in shared["checkins"]] == ["Shadowed the first review.\nTook notes.",
                                                           "Read the guide."]


async def test_private_goals_never_appear_beside_shared_ones(ana, ben):
    await name_manager(ben, ana)
    private = await make_goal(ben, "Interview elsewhere", "private")
    await fill_goal(ben, private["id"])
    team = await make_goal(ben, "Lead a design review", "team")
    org = await make_goal(ben, "Write a guild post", "org")

    entry = await team_entry(ana, ben)
    assert entry == await manager_view(ben)
    assert [g["goal"]["id"] for g in entry["goals"]] == [org["id"], team["id"]]
    assert "Interview elsewhere" not in (await ana.client.get("/api/v1/team")).text
    assert private["id"] not in (await ben.client.get("/api/v1/me/manager-view", headers=HTMX)).text


async def test_a_goal_made_private_leaves_the_team_view_at_once(ana, ben):
    await name_manager(ben, ana)
    goal = await make_goal(ben, "Lead a design review", "team")
    assert [g["goal"]["id"] for g in (await team_entry(ana, ben))["goals"]] == [goal["id"]]

    hidden = await ben.client.patch(f"/api/v1/goals/{goal['id']}", headers=ben.csrf,
                                    json={"visibility": "private"})
    assert hidden.status_code == 200, hidden.text
    entry = await team_entry(ana, ben)
    assert entry["goals"] == []
    assert entry == await manager_view(ben)
    assert "Lead a design review" not in (await ana.client.get("/team")).text
    assert (await ana.client.get(f"/api/v1/goals/{goal['id']}")).status_code == 404

    shared = await ben.client.patch(f"/api/v1/goals/{goal['id']}", headers=ben.csrf,
                                    json={"visibility": "org"})
    assert shared.status_code == 200, shared.text
    assert [g["goal"]["visibility"] for g in (await team_entry(ana, ben))["goals"]] == ["org"]


async def test_only_a_manager_sees_reports(client, ana, ben, new_client):
    async with new_client() as c:
        cleo = await sign_up(c, "cleo@example.com", "Cleo Park")
        await name_manager(ben, ana)
        await make_goal(ben, "Lead a design review", "org")

        for outsider in (ben, cleo):
            answer = await outsider.client.get("/api/v1/team")
            assert answer.status_code == 200
            assert answer.json() == {"items": [], "next_cursor": None}
        assert [e["person"]["id"] for e in (await client.get("/api/v1/team")).json()["items"]] == [ben.id]

        await name_manager(ben, cleo)
        assert (await client.get("/api/v1/team")).json()["items"] == []
        assert [e["person"]["id"] for e in (await c.get("/api/v1/team")).json()["items"]] == [ben.id]
        await name_manager(ben, None)
        assert (await c.get("/api/v1/team")).json()["items"] == []


async def test_the_team_needs_a_signed_in_caller(new_client):
    async with new_client() as anonymous:
        assert (await anonymous.get("/api/v1/team")).status_code == 401
        assert (await anonymous.get("/api/v1/me/manager-view")).status_code == 401
        page = await anonymous.get("/team", headers={"Accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/team"


async def test_participation_counts_a_checked_in_session_and_one_hosted(ana, ben, db):
    await name_manager(ben, ana)
    lounge = await make_lounge(ana)
    await join(ben, lounge["id"])
    started = await make_session(ana, lounge["id"])
    await move_session(db, started["id"], starts_at=datetime.now(UTC) - timedelta(minutes=15))
    before = await team_entry(ana, ben)
    assert before["participation"] == {"sessions_attended": 0, "sessions_hosted": 0}

    assert (await rsvp(ben, started["id"], "going"))["status"] == "going"
    assert (await team_entry(ana, ben))["participation"]["sessions_attended"] == 0
    checked = await ana.client.put(f"/api/v1/sessions/{started['id']}/attendance/{ben.id}",
                                   headers=ana.csrf, json={"attended": True})
    assert checked.status_code == 200, checked.text
    held = await make_session(ben, lounge["id"], title="Ben's window functions")
    await move_session(db, held["id"], starts_at=datetime.now(UTC) - timedelta(minutes=30))
    await make_session(ben, lounge["id"], in_days=2, title="Not held yet")

    entry = await team_entry(ana, ben)
    assert entry["participation"] == {"sessions_attended": 1, "sessions_hosted": 1}
    assert entry == await manager_view(ben)

    undone = await ana.client.put(f"/api/v1/sessions/{started['id']}/attendance/{ben.id}",
                                  headers=ana.csrf, json={"attended": False})
    assert undone.status_code == 200
    assert (await manager_view(ben))["participation"]["sessions_attended"] == 0


async def test_fragments_offer_support_only_to_the_manager(ana, ben):
    await name_manager(ben, ana)
    goal = await make_goal(ben, "Lead a <b>design</b> review", "team")
    await fill_goal(ben, goal["id"])

    team = await ana.client.get("/api/v1/team", headers=HTMX)
    assert team.status_code == 200 and team.headers["content-type"].startswith("text/html")
    assert "Lead a &lt;b&gt;design&lt;/b&gt; review" in team.text
    assert f'hx-post="/api/v1/goals/{goal["id"]}/comments"' in team.text
    assert f'/goals/{goal["id"]}/picker?kind=session&amp;purpose=suggestion' in team.text
    assert "the people who share that manager" in team.text

    mine = await ben.client.get("/api/v1/me/manager-view", headers=HTMX)
    assert mine.status_code == 200
    assert "/comments" not in mine.text and "purpose=suggestion" not in mine.text
    assert "Change who can see it" in mine.text
    assert "the people who share that manager" in mine.text

    empty = await ben.client.get("/api/v1/team", headers=HTMX)
    assert "People who name you as their manager in Settings appear" in empty.text


async def test_the_pages_render_the_same_fragments(ana, ben):
    no_manager = await ben.client.get("/me/manager-view")
    assert no_manager.status_code == 200
    assert "You have not named a manager" in no_manager.text
    assert 'href="/settings#manager"' in no_manager.text
    nobody = await ana.client.get("/team")
    assert nobody.status_code == 200
    assert "People who name you as their manager in Settings appear here" in nobody.text
    assert 'href="/team"' in nobody.text and 'href="/me/manager-view"' in nobody.text

    await name_manager(ben, ana)
    goal = await make_goal(ben, "Lead a design review", "org", target_date="2099-04-30")
    await make_goal(ben, "Kept to myself", "private")
    team = await ana.client.get("/team")
    assert "Lead a design review" in team.text and "Kept to myself" not in team.text
    assert "Everyone in the organisation" in team.text and "30 April 2099" in team.text
    assert "Post comment" in team.text
    view = await ben.client.get("/me/manager-view")
    assert "<strong>Ana Lima</strong>, your manager" in view.text
    assert "Lead a design review" in view.text and "Kept to myself" not in view.text
    assert f'href="/goals/{goal["id"]}"' in view.text
    assert "Post comment" not in view.text


async def test_the_pickers_find_sessions_and_people_to_suggest(ana, ben, new_client, db):
    await name_manager(ben, ana)
    goal = await make_goal(ben, "Lead a design review", "team")
    lounge = await make_lounge(ana)
    soon = await make_session(ana, lounge["id"], in_days=2, title="Design reviews that work")
    await make_session(ana, lounge["id"], in_days=3, title="Window functions")
    last_time = await make_session(ana, lounge["id"], title="Design reviews, last time")
    await move_session(db, last_time["id"], starts_at=datetime.now(UTC) - timedelta(days=2))
    hidden = await make_lounge(ana, name="Leads only", visibility="private")
    await make_session(ana, hidden["id"], in_days=2, title="Design reviews for leads")  # Ben cannot see it

    picked = await ana.client.get(f"/goals/{goal['id']}/picker", params={"q": "design", **SUGGEST_SESSION},
                                  headers=HTMX)
    assert picked.status_code == 200
    assert "Design reviews that work" in picked.text
    assert "Window functions" not in picked.text and "last time" not in picked.text
    assert "for leads" not in picked.text
    assert f'"session_id": "{soon["id"]}"' in picked.text
    assert "No upcoming session" in (await ana.client.get(
        f"/goals/{goal['id']}/picker", params={"q": "cobol", **SUGGEST_SESSION})).text
    assert "<li>" not in (await ana.client.get(f"/goals/{goal['id']}/picker", params=SUGGEST_SESSION)).text

    async with new_client() as c:
        cleo = await sign_up(c, "cleo@example.com", "Cleo Park")
        people = await ana.client.get(f"/goals/{goal['id']}/picker", params={"q": "o", **SUGGEST_PERSON})
        assert "Cleo Park" in people.text and "Ben Okafor" not in people.text  # not the owner
        assert f'"person_id": "{cleo.id}"' in people.text
        # Someone the goal is not shared with cannot use its pickers.
        outsider = await c.get(f"/goals/{goal['id']}/picker", params={"q": "a", **SUGGEST_PERSON})
        assert outsider.status_code == 404

    suggested = await ana.client.post(f"/api/v1/goals/{goal['id']}/suggestions", headers=ana.csrf,
                                      data={"kind": "session", "session_id": soon["id"], "note": "Good one"})
    assert suggested.status_code == 201, suggested.text
    commented = await ana.client.post(f"/api/v1/goals/{goal['id']}/comments", headers=ana.csrf,
                                      data={"body": "Happy to pair."})
    assert commented.status_code == 201, commented.text
