"""Business goals through the API: administrators publish, revise and archive them (archiving
keeps the row), everyone signed in reads the active ones (archived on request), pages of
them follow cursors, bad input and non-administrators change nothing, and htmx callers get
the fragments /admin swaps in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import BusinessGoal
from tests.conftest import bearer_token

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
GOALS = "/api/v1/business-goals"


async def publish(ana, title: str = "Serve customers in Spanish", description: str = "") -> dict:
    answer = await ana.client.post(GOALS, headers=ana.csrf, json={"title": title, "description": description})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def count(db) -> int:
    return int(await db.scalar(select(func.count()).select_from(BusinessGoal)))


async def test_an_administrator_publishes_a_business_goal(client, ana, db):
    created = await publish(ana, "  Serve customers in Spanish  ", "Half of new customers\nwrite in Spanish.")
    assert created["title"] == "Serve customers in Spanish" and created["archived"] is False
    assert created["description"] == "Half of new customers\nwrite in Spanish."
    assert set(created) == {"id", "title", "description", "archived", "created_at"}
    row = await db.get(BusinessGoal, created["id"])
    assert row.created_by == ana.id and row.archived_at is None
    assert (await client.get(f"{GOALS}/{created['id']}")).json() == created


async def test_everyone_signed_in_reads_the_active_ones(client, ana, ben, db):
    first, second = await publish(ana, "First"), await publish(ana, "Second")
    archived = await client.delete(f"{GOALS}/{first['id']}", headers=ana.csrf)
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert (await db.get(BusinessGoal, first["id"])).archived_at is not None
    listed = (await ben.client.get(GOALS)).json()
    assert [g["id"] for g in listed["items"]] == [second["id"]] and listed["next_cursor"] is None
    everything = (await ben.client.get(GOALS, params={"include_archived": "true"})).json()
    assert [g["id"] for g in everything["items"]] == [first["id"], second["id"]]
    # Archiving is deleting: the address answers 404, the list with archived ones still shows it.
    assert (await ben.client.get(f"{GOALS}/{first['id']}")).status_code == 404


async def test_pages_follow_the_cursor(client, ana):
    ids = [(await publish(ana, f"Goal {n}"))["id"] for n in range(5)]
    seen, cursor = [], None
    while True:
        page = (await client.get(GOALS, params={"limit": 2, **({"cursor": cursor} if cursor else {})})).json()
        seen += [g["id"] for g in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert (await client.get(GOALS, params={"limit": 101})).status_code == 422


async def test_an_administrator_revises_a_business_goal(client, ana, db):
    goal = await publish(ana, "Old title", "Old description")
    revised = await client.patch(f"{GOALS}/{goal['id']}", headers=ana.csrf, json={"title": "New title"})
    assert revised.status_code == 200 and revised.json()["title"] == "New title"
    assert revised.json()["description"] == "Old description"
    emptied = await client.patch(f"{GOALS}/{goal['id']}", headers=ana.csrf,
                                 data={"title": "New title", "description": ""})
    assert emptied.status_code == 200 and emptied.json()["description"] == ""
    row = await db.get(BusinessGoal, goal["id"])
    await db.refresh(row)
    assert (row.title, row.description) == ("New title", "")


async def test_an_archived_goal_is_not_revised_and_archiving_twice_changes_nothing(client, ana, db):
    goal = await publish(ana)
    first = (await client.delete(f"{GOALS}/{goal['id']}", headers=ana.csrf)).json()
    again = await client.delete(f"{GOALS}/{goal['id']}", headers=ana.csrf)
    assert again.status_code == 200 and again.json() == first
    refused = await client.patch(f"{GOALS}/{goal['id']}", headers=ana.csrf, json={"title": "Revived"})
    assert refused.status_code == 409
    assert (await db.get(BusinessGoal, goal["id"])).title == "Serve customers in Spanish"


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"title": "Fine", "description": "x" * 2001}, "description"),
    ({"title": "Bad\u202etitle"}, "title"),
    ({"description": "No title"}, "title"),
    ({"title": "Fine", "archived": True}, "archived"),
])
async def test_bad_input_is_refused_with_nothing_written(client, ana, db, payload, field):
    refused = await client.post(GOALS, headers=ana.csrf, json=payload)
    assert refused.status_code == 422
    assert field in [e["field"] for e in refused.json()["errors"]], refused.json()
    assert await count(db) == 0


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": None}, "title"), ({"title": ""}, "title"), ({"description": "x" * 2001}, "description")])
async def test_bad_revisions_are_refused_with_nothing_written(client, ana, db, payload, field):
    goal = await publish(ana, "Kept", "Kept too")
    refused = await client.patch(f"{GOALS}/{goal['id']}", headers=ana.csrf, json=payload)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field
    row = await db.get(BusinessGoal, goal["id"])
    assert (row.title, row.description) == ("Kept", "Kept too")


async def test_only_administrators_write(client, ana, ben, db, new_client):
    goal = await publish(ana, "Kept")
    writes = (("POST", GOALS, {"title": "Mine"}), ("PATCH", f"{GOALS}/{goal['id']}", {"title": "Mine"}),
              ("DELETE", f"{GOALS}/{goal['id']}", None))
    secret = await bearer_token(ana, ["read", "write"])
    for method, path, body in writes:
        member = await ben.client.request(method, path, headers=ben.csrf, json=body)
        assert member.status_code == 403, (method, member.text)
        async with new_client() as tool:
            lacking = await tool.request(method, path, json=body,
                                         headers={"Authorization": f"Bearer {secret}"})
            assert lacking.status_code == 403
            assert (await tool.request(method, path, json=body)).status_code == 401
    row = await db.get(BusinessGoal, goal["id"])
    assert row.title == "Kept" and row.archived_at is None and await count(db) == 1
    async with new_client() as anonymous:
        assert (await anonymous.get(GOALS)).status_code == 401


async def test_an_admin_token_writes(client, ana, new_client):
    secret = await bearer_token(ana, ["read", "write", "admin"])
    async with new_client() as tool:
        created = await tool.post(GOALS, headers={"Authorization": f"Bearer {secret}"},
                                  json={"title": "By a tool"})
    assert created.status_code == 201 and created.json()["title"] == "By a tool"


async def test_unknown_business_goals_are_404(client, ana):
    for method, body in (("GET", None), ("PATCH", {"title": "x"}), ("DELETE", None)):
        answer = await client.request(method, f"{GOALS}/bgl_nobody", headers=ana.csrf, json=body)
        assert answer.status_code == 404, method
        assert answer.headers["content-type"] == "application/problem+json"


async def test_htmx_answers_are_the_admin_fragments(client, ana, ben):
    created = await client.post(GOALS, headers={**ana.csrf, **HTMX}, data={"title": "Grow the guilds"})
    assert created.status_code == 201 and "Published “Grow the guilds”" in created.text
    assert created.headers["hx-trigger"] == "business-goals-changed"
    goal_id = (await client.get(GOALS)).json()["items"][0]["id"]
    listed = await client.get(GOALS, headers=HTMX)
    assert f'id="business-goal-{goal_id}"' in listed.text and "Archive" in listed.text
    as_member = await ben.client.get(GOALS, headers=HTMX)
    assert "Grow the guilds" in as_member.text and "hx-delete" not in as_member.text
    revised = await client.patch(f"{GOALS}/{goal_id}", headers={**ana.csrf, **HTMX},
                                 data={"title": "Grow the guilds", "description": "Two per office"})
    assert "Saved." in revised.text and "Two per office" in revised.text
    archived = await client.delete(f"{GOALS}/{goal_id}", headers={**ana.csrf, **HTMX})
    assert archived.status_code == 200 and "Archived" in archived.text and "hx-delete" not in archived.text
    refused = await client.post(GOALS, data={"title": ""},
                                headers={**ana.csrf, **HTMX, "HX-Source": "form#business-goal-form"})
    assert refused.status_code == 422 and 'hx-target="#business-goal-form-title-error"' in refused.text


async def test_the_admin_page_lists_business_goals(client, ana):
    await publish(ana, "Grow the guilds")
    page = await client.get("/admin", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'id="business-goal-form"' in page.text and "Grow the guilds" in page.text
    assert 'id="people-search-q"' in page.text and 'id="webhook-form"' in page.text
