"""`/api/v1/goals`, `/api/v1/team` and `/api/v1/me/manager-view` over HTTP: learning contracts
written, read, edited and deleted; lists paged by cursor; plan items of every kind, a session
item ticked when the host checks its owner in; check-ins and their timeline; comments and
suggestions with the owner's bell; what a manager sees; and the htmx fragments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import BusinessGoal, Goal, PlanItem
from app.schemas.goals import GoalPublic
from tests.api.sessions_helpers import join, make_lounge, make_session, move_session, rsvp
from tests.api.test_lounges import HTMX
from tests.conftest import Account, bearer_token, sign_up

GOALS = "/api/v1/goals"
CONTRACT = {
    "title": "Run a design review on my own",
    "why": "Reviews wait for the two seniors.",
    "where_i_am": "I take notes in reviews.",
    "where_i_want_to_be": "I lead one and the team acts on it.",
    "how_i_will_get_there": "Shadow two, read the guide, co-lead one.",
    "how_i_will_know": "Two people say it was useful.",
    "skills": ["facilitation", "system design"],
    "weekly_minutes": 90,
    "visibility": "team",
}


@dataclass
class Team:
    """Ben reports to Cy, like Dee; Eve is elsewhere; Ana is the administrator."""

    ana: Account
    owner: Account
    manager: Account
    teammate: Account
    outsider: Account


@pytest.fixture
async def team(new_client, ana, ben) -> AsyncIterator[Team]:
    async with AsyncExitStack() as stack:
        manager, teammate, outsider = [
            await sign_up(await stack.enter_async_context(new_client()), f"{name.lower()}@example.com", name)
            for name in ("Cy", "Dee", "Eve")]
        for report in (ben, teammate):
            response = await report.client.patch("/api/v1/me", headers=report.csrf,
                                                 json={"manager_id": manager.id})
            assert response.status_code == 200, response.text
        yield Team(ana, ben, manager, teammate, outsider)


async def create(account: Account, **fields) -> dict:
    response = await account.client.post(GOALS, headers=account.csrf, json={"title": "Learn SQL", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def rows(db, model) -> int:
    count = int(await db.scalar(select(func.count()).select_from(model)))
    await db.rollback()
    return count


def is_problem(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- the contract -------------------------------------------------------------------------------

async def test_write_read_edit_and_delete_a_learning_contract(team, db):
    ben = team.owner
    business = BusinessGoal(title="Ship weekly", created_by=team.ana.id)
    db.add(business)
    await db.commit()
    target = (date.today() + timedelta(days=60)).isoformat()
    created = await create(ben, **CONTRACT, business_goal_id=business.id, target_date=target)
    assert created["owner"] == {"id": ben.id, "display_name": "Ben Okafor"}
    assert created["status"] == "active" and created["is_mine"] is True
    assert created["business_goal"] == {"id": business.id, "title": "Ship weekly"}
    assert created["visible_to"] == "You, your manager and your team"
    assert created["target_date"] == target and created["weekly_minutes"] == 90
    assert (created["plan_done"], created["plan_total"], created["last_checkin_at"]) == (0, 0, None)
    assert {k: created[k] for k in CONTRACT} == CONTRACT

    url = f"{GOALS}/{created['id']}"
    read = await team.manager.client.get(url)
    assert read.status_code == 200 and read.json()["is_mine"] is False
    assert {k: read.json()[k] for k in CONTRACT} == CONTRACT

    edited = await ben.client.patch(url, headers=ben.csrf, json={
        "title": "Lead design reviews", "visibility": "org", "status": "achieved", "why": None,
        "business_goal_id": None, "weekly_minutes": None})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["title"], body["visibility"], body["status"], body["why"]) == (
        "Lead design reviews", "org", "achieved", "")
    assert body["achieved_at"] is not None
    assert body["business_goal"] is None and body["weekly_minutes"] is None
    assert body["visible_to"] == "Everyone in the organisation"
    assert (await team.outsider.client.get(url)).json()["title"] == "Lead design reviews"
    for viewer in (team.manager, team.outsider, team.ana):  # seeing is not editing
        is_problem(await viewer.client.patch(url, headers=viewer.csrf, json={"title": "Mine now"}), 403)
        is_problem(await viewer.client.delete(url, headers=viewer.csrf), 403)

    deleted = await ben.client.delete(url, headers=ben.csrf)
    assert deleted.status_code == 204 and deleted.content == b""
    is_problem(await ben.client.get(url), 404)
    is_problem(await ben.client.delete(url, headers=ben.csrf), 404)
    assert await rows(db, Goal) == 0


async def test_an_edit_form_emptying_an_answer_clears_it_and_leaves_the_others(team):
    goal = await create(team.owner, why="Reviews wait on two people.", where_i_am="Notes only.")
    response = await team.owner.client.patch(f"{GOALS}/{goal['id']}", headers=team.owner.csrf,
                                             data={"why": ""})
    assert response.status_code == 200, response.text
    assert response.json()["why"] == "" and response.json()["where_i_am"] == "Notes only."
    cleared = await team.owner.client.patch(f"{GOALS}/{goal['id']}", headers=team.owner.csrf,
                                            json={"where_i_am": None})
    assert cleared.json()["where_i_am"] == "" and cleared.json()["title"] == "Learn SQL"


async def test_a_new_goal_is_private_and_hidden_from_everyone_else(team):
    goal = await create(team.owner)
    assert goal["visibility"] == "private" and goal["visible_to"] == "Only you"
    for viewer in (team.manager, team.teammate, team.outsider, team.ana):
        missing = await viewer.client.get(f"{GOALS}/{goal['id']}")
        is_problem(missing, 404)
        assert "Learn SQL" not in missing.text
        assert (await viewer.client.get(GOALS, params={"owner": team.owner.id})).json()["items"] == []


async def test_scripts_in_a_contract_are_stored_as_text_and_rendered_safely(team):
    hostile = '<script>alert(1)</script> **bold** [x](javascript:alert(2)) <img src=x onerror="alert(3)">'
    goal = await create(team.owner, why=hostile, how_i_will_know=hostile)
    assert goal["why"] == hostile  # kept exactly as written
    html = GoalPublic.model_validate(goal).html("why")
    assert "<strong>bold</strong>" in html and "&lt;script&gt;" in html  # shown, never run
    for bad in ("<script", "<img", "href=\"javascript"):  # the onerror is text inside &lt;img
        assert bad not in html


async def test_a_read_only_token_reads_but_does_not_write(team):
    goal = await create(team.owner)
    token = await bearer_token(team.owner, ["read"])
    auth = {"Authorization": f"Bearer {token}"}
    assert (await team.owner.client.get(f"{GOALS}/{goal['id']}", headers=auth)).status_code == 200
    is_problem(await team.owner.client.post(GOALS, headers=auth, json={"title": "Sneaky"}), 403)
    writer = {"Authorization": f"Bearer {await bearer_token(team.owner, ['write'], 'w')}"}
    is_problem(await team.owner.client.get(GOALS, headers=writer), 403)
    written = await team.owner.client.post(GOALS, headers=writer, json={"title": "By token"})
    assert written.status_code == 201


# --- lists -------------------------------------------------------------------------------------

async def test_lists_page_by_cursor_and_filter_by_owner_and_status(team):
    ben, cy = team.owner, team.manager
    made = [await create(ben, title=f"Goal {n}", visibility="team" if n % 2 else "private")
            for n in range(7)]
    paused = made[3]["id"]
    assert (await ben.client.patch(f"{GOALS}/{paused}", headers=ben.csrf,
                                   json={"status": "paused"})).status_code == 200
    seen, cursor, pages = [], None, 0
    while True:
        params = {"owner": "me", "limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await ben.client.get(GOALS, params=params)).json()
        seen += [g["id"] for g in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == [g["id"] for g in reversed(made)]  # newest first, each once
    assert [g["id"] for g in (await ben.client.get(GOALS, params={"status": "paused"})).json()["items"]] == [
        paused]
    shared = [g["id"] for g in made if g["visibility"] == "team"]
    by_manager = (await cy.client.get(GOALS, params={"owner": ben.id, "limit": 100})).json()
    assert by_manager["items"] and [g["id"] for g in by_manager["items"]] == list(reversed(shared))
    assert by_manager["next_cursor"] is None
    assert (await cy.client.get(GOALS, params={"owner": "me"})).json()["items"] == []
    assert (await team.ana.client.get(GOALS)).json()["items"] == []  # an admin reads nothing private
    for bad in ({"limit": 0}, {"limit": 101}, {"status": "finished"}, {"cursor": "%%%"}):
        is_problem(await ben.client.get(GOALS, params=bad), 422)


# --- the plan ----------------------------------------------------------------------------------

async def add_item(account: Account, goal_id: str, **fields):
    return await account.client.post(f"{GOALS}/{goal_id}/plan", headers=account.csrf, json=fields)


async def test_plan_items_of_every_kind(team, db):
    ben = team.owner
    lounge = await make_lounge(team.ana, name="Data guild")
    session = await make_session(team.ana, lounge["id"], title="Window functions")
    goal = await create(ben)
    kinds = [
        {"kind": "resource", "title": "Guide", "url": "https://example.com/guide", "due_on": "2030-01-15"},
        {"kind": "activity", "title": "Lead a review"},
        {"kind": "person", "person_id": team.manager.id},
        {"kind": "session", "session_id": session["id"]},
        {"kind": "lounge", "lounge_id": lounge["id"]},
    ]
    made = []
    for fields in kinds:
        response = await add_item(ben, goal["id"], **fields)
        assert response.status_code == 201, response.text
        made.append(response.json())
    assert [i["title"] for i in made] == ["Guide", "Lead a review", "Talk to Cy", "Window functions",
                                          "Data guild"]
    assert [i["position"] for i in made] == [0, 1, 2, 3, 4] and not any(i["done"] for i in made)
    assert made[0]["url"] == "https://example.com/guide" and made[0]["due_on"] == "2030-01-15"
    assert (made[2]["person_id"], made[3]["session_id"], made[4]["lounge_id"]) == (
        team.manager.id, session["id"], lounge["id"])

    before = await rows(db, PlanItem)
    refused = await add_item(ben, goal["id"], kind="challenge", challenge_id="chl_someday")
    is_problem(refused, 409)  # well-formed, but no such challenge
    assert refused.json()["errors"][0]["field"] == "challenge_id"
    for fields in ({"kind": "resource", "title": "No link"}, {"kind": "session"}, {"kind": "quest"},
                   {"kind": "resource", "title": "Bad", "url": "javascript:alert(1)"}):
        is_problem(await add_item(ben, goal["id"], **fields), 422)
    for fields in ({"kind": "lounge", "lounge_id": "lng_nowhere"}, {"kind": "person", "person_id": "usr_x"}):
        is_problem(await add_item(ben, goal["id"], **fields), 409)
    is_problem(await add_item(team.ana, goal["id"], kind="activity", title="Not yours"), 404)
    assert await rows(db, PlanItem) == before

    plan_url = f"{GOALS}/{goal['id']}/plan"
    moved = await ben.client.patch(f"{plan_url}/{made[4]['id']}", headers=ben.csrf, json={"position": 0})
    assert moved.status_code == 200 and moved.json()["position"] == 0
    ticked = await ben.client.patch(f"{plan_url}/{made[1]['id']}", headers=ben.csrf, json={"done": True})
    assert ticked.json()["done"] is True and ticked.json()["done_by"] == "owner"
    assert (await ben.client.delete(f"{plan_url}/{made[0]['id']}", headers=ben.csrf)).status_code == 204
    plan = (await ben.client.get(plan_url)).json()
    assert [(i["title"], i["position"]) for i in plan["items"]] == [
        ("Data guild", 0), ("Lead a review", 1), ("Talk to Cy", 2), ("Window functions", 3)]
    assert plan["next_cursor"] is None
    reread = (await ben.client.get(f"{GOALS}/{goal['id']}")).json()
    assert (reread["plan_done"], reread["plan_total"]) == (1, 4)
    is_problem(await ben.client.patch(f"{plan_url}/pln_nothing", headers=ben.csrf, json={"done": True}), 404)


async def test_a_session_item_ticks_when_the_host_checks_the_owner_in(team, db):
    ana, ben = team.ana, team.owner
    lounge = await make_lounge(ana)
    await join(ben, lounge["id"])
    single = await make_session(ana, lounge["id"], title="Pytest fixtures")
    series = await make_session(ana, lounge["id"], in_days=5, title="Review club",
                                recurrence="FREQ=WEEKLY;COUNT=3")
    occurrences = (await ana.client.get("/api/v1/sessions", params={"lounge_id": lounge["id"]})).json()
    occurrences = occurrences["items"]
    later = [s for s in occurrences if s["series_id"] == series["series_id"] and s["id"] != series["id"]]
    assert len(later) == 2
    for session in (single, later[0]):
        await rsvp(ben, session["id"], "going")
        await move_session(db, session["id"], starts_at=datetime.now(UTC))  # check-in is open
    goal = await create(ben, visibility="team")
    one = (await add_item(ben, goal["id"], kind="session", session_id=single["id"])).json()
    club = (await add_item(ben, goal["id"], kind="session", session_id=series["id"])).json()

    async def check_in(session_id: str, attended: bool) -> None:
        response = await ana.client.put(f"/api/v1/sessions/{session_id}/attendance/{ben.id}",
                                        headers=ana.csrf, json={"attended": attended})
        assert response.status_code == 200, response.text

    async def done() -> dict[str, bool]:
        plan = (await team.manager.client.get(f"{GOALS}/{goal['id']}/plan")).json()["items"]
        return {i["id"]: i["done"] for i in plan}

    await check_in(single["id"], True)
    assert await done() == {one["id"]: True, club["id"]: False}
    plan = (await ben.client.get(f"{GOALS}/{goal['id']}/plan")).json()["items"]
    assert plan[0]["done_by"] == "attendance" and plan[0]["done_at"] is not None
    await check_in(later[0]["id"], True)  # another occurrence of the series counts
    assert await done() == {one["id"]: True, club["id"]: True}
    assert (await ben.client.get(f"{GOALS}/{goal['id']}")).json()["plan_done"] == 2
    await check_in(single["id"], False)
    await check_in(later[0]["id"], False)
    assert await done() == {one["id"]: False, club["id"]: False}


# --- check-ins -----------------------------------------------------------------------------------

async def test_check_ins_make_a_timeline_and_move_the_status(team):
    ben = team.owner
    goal = await create(ben, visibility="team")
    url = f"{GOALS}/{goal['id']}/checkins"
    notes = [("Shadowed a review", None, 45), ("Away for a month", "paused", 0), ("Back at it", "active", 30),
             ("Led one alone", "achieved", 60)]
    made = []
    for note, status, minutes in notes:
        body = {"note": note, "minutes": minutes} | ({"status": status} if status else {})
        response = await ben.client.post(url, headers=ben.csrf, json=body)
        assert response.status_code == 201, response.text
        made.append(response.json())
    assert [c["status"] for c in made] == ["active", "paused", "active", "achieved"]
    reread = (await team.manager.client.get(f"{GOALS}/{goal['id']}")).json()
    assert reread["status"] == "achieved" and reread["achieved_at"] is not None
    assert reread["last_checkin_at"] == made[-1]["created_at"]
    first = (await team.teammate.client.get(url, params={"limit": 3})).json()
    rest = (await team.teammate.client.get(url, params={"limit": 3, "cursor": first["next_cursor"]})).json()
    assert [c["note"] for c in first["items"] + rest["items"]] == [n for n, _, _ in reversed(notes)]
    assert rest["next_cursor"] is None
    for viewer in (team.manager, team.teammate):
        is_problem(await viewer.client.post(url, headers=viewer.csrf, json={"note": "For you"}), 403)
    for outsider in (team.outsider, team.ana):
        is_problem(await outsider.client.get(url), 404)
    for bad in ({"note": ""}, {"note": "x", "minutes": -1}, {"note": "x", "minutes": 1441},
                {"note": "x", "status": "done"}):
        is_problem(await ben.client.post(url, headers=ben.csrf, json=bad), 422)
    assert len((await ben.client.get(url, params={"limit": 50})).json()["items"]) == 4


# --- support -------------------------------------------------------------------------------------

async def bell(account: Account) -> list[dict]:
    response = await account.client.get("/api/v1/notifications")
    assert response.status_code == 200
    return response.json()["items"]


async def test_comments_and_suggestions_reach_the_owners_bell(team):
    ana, ben, cy, dee = team.ana, team.owner, team.manager, team.teammate
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"], title="Window functions")
    goal = await create(ben, title="Lead reviews", visibility="team")
    base = f"{GOALS}/{goal['id']}"

    comment = await cy.client.post(f"{base}/comments", headers=cy.csrf, json={"body": "Happy to *pair*"})
    assert comment.status_code == 201, comment.text
    assert comment.json()["author"] == {"id": cy.id, "display_name": "Cy"}
    thanks = await ben.client.post(f"{base}/comments", headers=ben.csrf, json={"body": "Thanks"})
    assert thanks.status_code == 201
    listed = (await dee.client.get(f"{base}/comments")).json()["items"]
    assert [c["body"] for c in listed] == ["Happy to *pair*", "Thanks"]  # oldest first
    [notice] = await bell(ben)
    assert notice["kind"] == "goal.comment" and notice["url"] == f"/goals/{goal['id']}"
    assert notice["title"] == "Cy commented on Lead reviews" and notice["read_at"] is None
    assert await bell(cy) == [] and await bell(dee) == []

    by_session = await cy.client.post(f"{base}/suggestions", headers=cy.csrf, json={
        "kind": "session", "session_id": session["id"], "note": "Good intro"})
    by_person = await dee.client.post(f"{base}/suggestions", headers=dee.csrf, json={
        "kind": "person", "person_id": ana.id})
    assert by_session.status_code == by_person.status_code == 201, by_session.text
    assert (by_session.json()["target_title"], by_session.json()["status"]) == ("Window functions", "pending")
    assert [n["kind"] for n in await bell(ben)] == ["goal.suggestion", "goal.suggestion", "goal.comment"]
    assert [s["id"] for s in (await dee.client.get(f"{base}/suggestions")).json()["items"]] == [
        by_person.json()["id"]]  # each suggester sees their own
    assert len((await ben.client.get(f"{base}/suggestions")).json()["items"]) == 2
    is_problem(await ben.client.post(f"{base}/suggestions", headers=ben.csrf, json={
        "kind": "person", "person_id": cy.id}), 403)

    accept_url = f"{base}/suggestions/{by_session.json()['id']}/accept"
    is_problem(await cy.client.post(accept_url, headers=cy.csrf), 403)
    accepted = await ben.client.post(accept_url, headers=ben.csrf)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    plan = (await ben.client.get(f"{base}/plan")).json()["items"]
    assert [(i["id"], i["kind"], i["session_id"]) for i in plan] == [
        (accepted.json()["plan_item_id"], "session", session["id"])]
    is_problem(await ben.client.post(accept_url, headers=ben.csrf), 409)
    ignored = await ben.client.post(f"{base}/suggestions/{by_person.json()['id']}/ignore", headers=ben.csrf)
    assert ignored.json()["status"] == "ignored" and ignored.json()["plan_item_id"] is None
    assert len((await ben.client.get(f"{base}/plan")).json()["items"]) == 1
    removed = await ben.client.delete(f"{base}/plan/{plan[0]['id']}", headers=ben.csrf)
    assert removed.status_code == 204  # the accepted suggestion does not hold the item

    for outsider in (team.outsider, ana):  # not on Ben's team: the goal does not exist for them
        is_problem(await outsider.client.post(f"{base}/comments", headers=outsider.csrf,
                                              json={"body": "Hi"}), 404)
        is_problem(await outsider.client.post(f"{base}/suggestions", headers=outsider.csrf, json={
            "kind": "person", "person_id": cy.id}), 404)
    assert len(await bell(ben)) == 3


# --- what a manager sees -------------------------------------------------------------------------

async def test_the_team_view_shows_only_shared_goals_and_equals_the_manager_view(team):
    ben, cy = team.owner, team.manager
    private = await create(ben, title="Private one")
    shared = await create(ben, title="Team one", visibility="team")
    public = await create(ben, title="Org one", visibility="org")
    await add_item(ben, shared["id"], kind="activity", title="Read the guide")
    await ben.client.post(f"{GOALS}/{shared['id']}/checkins", headers=ben.csrf, json={"note": "Started"})
    await create(team.teammate, title="Dee's own", visibility="team")

    reports = (await cy.client.get("/api/v1/team")).json()["items"]
    assert [r["person"]["display_name"] for r in reports] == ["Ben Okafor", "Dee"]
    mine = reports[0]
    assert [g["goal"]["id"] for g in mine["goals"]] == [public["id"], shared["id"]]
    assert private["id"] not in str(reports) and "Private one" not in str(reports)
    team_goal = mine["goals"][1]
    assert [i["title"] for i in team_goal["plan"]] == ["Read the guide"]
    assert [c["note"] for c in team_goal["checkins"]] == ["Started"]
    assert mine["participation"] == {"sessions_attended": 0, "sessions_hosted": 0}
    assert (await ben.client.get("/api/v1/me/manager-view")).json() == mine
    for nobody in (team.ana, team.outsider, ben):  # no reports: an empty team, nothing else
        assert (await nobody.client.get("/api/v1/team")).json()["items"] == []


# --- htmx ----------------------------------------------------------------------------------------

async def test_htmx_partial_requests_get_html_fragments(team):
    ben = team.owner
    goal = await create(ben, visibility="team", why="Because **reviews** matter")
    base = f"{GOALS}/{goal['id']}"
    await add_item(ben, goal["id"], kind="activity", title="Read")
    for url in (GOALS, base, f"{base}/plan", f"{base}/checkins", f"{base}/comments", f"{base}/suggestions",
                "/api/v1/team", "/api/v1/me/manager-view"):
        response = await ben.client.get(url, headers=HTMX)
        assert response.status_code == 200, (url, response.text[:300])
        assert response.headers["content-type"].startswith("text/html"), url
    writes = [
        ("POST", base + "/checkins", {"note": "Progress"}, 201),
        ("POST", base + "/plan", {"kind": "activity", "title": "Pair"}, 201),
        ("POST", base + "/comments", {"body": "Note to self"}, 201),
        ("PATCH", base, {"why": "Changed"}, 200),
    ]
    for method, url, body, status in writes:
        response = await ben.client.request(method, url, json=body, headers={**HTMX, **ben.csrf})
        assert response.status_code == status, (url, response.text[:300])
        assert response.headers["content-type"].startswith("text/html"), url
    created = await ben.client.post(GOALS, json={"title": "From a form"}, headers={**HTMX, **ben.csrf})
    assert created.status_code == 201 and created.headers["HX-Redirect"].startswith("/goals/")
    deleted = await ben.client.delete(base, headers={**HTMX, **ben.csrf})
    assert deleted.status_code == 200 and deleted.headers["HX-Redirect"] == "/goals"


# --- bad input -----------------------------------------------------------------------------------

async def test_bad_contracts_are_refused_with_nothing_written(team, db):
    ben = team.owner
    today = datetime.now(UTC).date()
    cases = [
        ({"title": ""}, 422),
        ({"title": "   "}, 422),
        ({"title": "x", "why": "w" * 10_000_000}, 413),
        ({"title": "x", "target_date": "1900-01-01"}, 422),
        ({"title": "x", "target_date": (today - timedelta(days=2)).isoformat()}, 422),
        ({"title": "x", "weekly_minutes": -5}, 422),
        ({"title": "x", "weekly_minutes": 100_000}, 422),
        ({"title": "x", "business_goal_id": "bgl_nowhere"}, 409),
        ({"title": "x", "visibility": "public"}, 422),
        ({"title": "x", "skills": [f"s{n}" for n in range(13)]}, 422),
        ({"title": "x", "owner_id": team.ana.id}, 422),
    ]
    before = await rows(db, Goal)
    for body, status in cases:
        is_problem(await ben.client.post(GOALS, headers=ben.csrf, json=body), status)
    assert await rows(db, Goal) == before == 0

    goal = await create(ben)
    for body, status in (({"title": None}, 422), ({"target_date": "1900-01-01"}, 422),
                         ({"weekly_minutes": -5}, 422), ({"business_goal_id": "bgl_nowhere"}, 409),
                         ({"status": "finished"}, 422)):
        is_problem(await ben.client.patch(f"{GOALS}/{goal['id']}", headers=ben.csrf, json=body), status)
    assert (await ben.client.get(f"{GOALS}/{goal['id']}")).json() == goal


async def test_a_plan_item_cannot_point_into_a_private_lounge_i_am_not_in(team, db):
    ana, ben = team.ana, team.owner
    hidden_lounge = await make_lounge(ana, name="Inner circle", visibility="private")
    hidden = await make_session(ana, hidden_lounge["id"], title="Board prep")
    goal = await create(ben, visibility="org")
    before = await rows(db, PlanItem)
    for fields in ({"kind": "session", "session_id": hidden["id"]},
                   {"kind": "lounge", "lounge_id": hidden_lounge["id"]}):
        refused = await add_item(ben, goal["id"], **fields)
        is_problem(refused, 409)
        assert "Board prep" not in refused.text and "Inner circle" not in refused.text
    assert await rows(db, PlanItem) == before == 0
