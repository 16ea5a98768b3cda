"""Check-in nudges, driven through the real API and the outbox worker with its clock moved
forward (as the reminder tests do): an active goal quiet for `checkin_nudge_days` rings its
owner's bell once, with real rows and real notifications; a check-in, a pause or a finished
goal keeps it quiet; nobody else is told, and no e-mail leaves even with SMTP on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Goal, Notification, OutboxJob
from app.services.goal_nudges import NUDGE_JOB, nudge_key
from tests.worker_fixtures import drain, settings, smtp  # noqa: F401 - fixtures

DAYS = 30


async def make_goal(account, **fields) -> dict:
    response = await account.client.post("/api/v1/goals", headers=account.csrf, json={
        "title": "Lead a design review", "visibility": "org", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def check_in(account, goal: dict, **fields) -> dict:
    response = await account.client.post(f"/api/v1/goals/{goal['id']}/checkins", headers=account.csrf,
                                         json={"note": "Shadowed a review.", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def set_status(account, goal: dict, status: str) -> None:
    response = await account.client.patch(f"/api/v1/goals/{goal['id']}", headers=account.csrf,
                                          json={"status": status})
    assert response.status_code == 200, response.text


async def nudges(db) -> list[Notification]:
    query = (select(Notification).where(Notification.kind == "goal.nudge")
             .order_by(Notification.created_at).execution_options(populate_existing=True))
    return list((await db.execute(query)).scalars())


async def nudge_jobs(db, goal_id: str) -> list[OutboxJob]:
    query = (select(OutboxJob).where(OutboxJob.kind == NUDGE_JOB,
                                     OutboxJob.dedupe_key.startswith(nudge_key(goal_id, "")))
             .order_by(OutboxJob.run_at).execution_options(populate_existing=True))
    return list((await db.execute(query)).scalars())


async def created_at(db, goal: dict) -> datetime:
    row = await db.get(Goal, goal["id"])
    return row.created_at


async def test_a_quiet_goal_rings_its_owners_bell_once(client, db, ana, ben, smtp, drain):
    goal = await make_goal(ben)
    await drain()
    written = await created_at(db, goal)
    [job] = await nudge_jobs(db, goal["id"])
    assert (job.status, job.run_at) == ("pending", written + timedelta(days=DAYS))
    assert job.dedupe_key == nudge_key(goal["id"], "created")

    await drain(now=written + timedelta(days=DAYS - 1))
    assert await nudges(db) == []
    await drain(now=written + timedelta(days=DAYS, minutes=1))
    [nudge] = await nudges(db)
    assert nudge.user_id == ben.id and nudge.url == f"/goals/{goal['id']}"
    assert nudge.title == "Time for a check-in on Lead a design review"
    assert f"{DAYS} days" in nudge.body

    await drain(now=written + timedelta(days=3 * DAYS))
    assert len(await nudges(db)) == 1  # one nudge per quiet period, not one a month
    assert [j.status for j in await nudge_jobs(db, goal["id"])] == ["done"]
    assert smtp.received == []  # the bell only, never an e-mail

    listed = (await ben.client.get("/api/v1/notifications")).json()["items"]
    assert [(n["kind"], n["url"]) for n in listed] == [("goal.nudge", f"/goals/{goal['id']}")]
    assert (await client.get("/api/v1/notifications")).json()["items"] == []  # the admin: nothing


async def test_a_check_in_starts_a_new_quiet_period(client, db, ben, drain):
    goal = await make_goal(ben)
    await drain()
    written = await created_at(db, goal)
    first = await check_in(ben, goal)
    second = await check_in(ben, goal, note="Read the review guide.")
    await drain()
    jobs = await nudge_jobs(db, goal["id"])
    assert [j.dedupe_key for j in jobs] == [nudge_key(goal["id"], key)
                                            for key in ("created", first["id"], second["id"])]
    # Each job runs exactly when its period would end (the clock stops there): the period
    # that began at creation, and the first check-in's, were ended by a later check-in.
    for began in (written, datetime.fromisoformat(first["created_at"])):
        await drain(now=began + timedelta(days=DAYS))
        assert await nudges(db) == []
    await drain(now=datetime.fromisoformat(second["created_at"]) + timedelta(days=DAYS))
    assert len(await nudges(db)) == 1
    assert {j.status for j in await nudge_jobs(db, goal["id"])} == {"done"}


@pytest.mark.parametrize("status", ["paused", "dropped", "achieved"])
async def test_goals_that_are_not_active_are_never_nudged(client, db, ben, drain, status):
    goal = await make_goal(ben)
    await set_status(ben, goal, status)
    finished = await make_goal(ben, title="Closed by a check-in")
    await check_in(ben, finished, status=status)
    await drain()
    written = await created_at(db, goal)
    await drain(now=written + timedelta(days=4 * DAYS))
    assert await nudges(db) == []


async def test_a_goal_set_active_again_is_nudged_once_for_its_new_quiet_period(client, db, ben, drain):
    goal = await make_goal(ben)
    await set_status(ben, goal, "paused")
    await set_status(ben, goal, "active")
    await drain()
    assert len(await nudge_jobs(db, goal["id"])) == 2  # created, and set active again
    written = await created_at(db, goal)
    await drain(now=written + timedelta(days=DAYS + 1))
    [nudge] = await nudges(db)
    assert nudge.user_id == ben.id


async def test_a_deleted_goal_is_not_nudged(client, db, ben, drain):
    goal = await make_goal(ben)
    await drain()
    written = await created_at(db, goal)
    deleted = await ben.client.delete(f"/api/v1/goals/{goal['id']}", headers=ben.csrf)
    assert deleted.status_code == 204
    await drain(now=written + timedelta(days=DAYS + 1))
    assert await nudges(db) == []
    assert [j.status for j in await nudge_jobs(db, goal["id"])] == ["done"]


async def test_each_owner_hears_only_of_their_own_goals(client, db, ana, ben, drain):
    team = await make_goal(ben, visibility="team")
    mine = await make_goal(ana, visibility="private", title="Write the onboarding guide")
    await drain()
    later = max(await created_at(db, team), await created_at(db, mine))
    await drain(now=later + timedelta(days=DAYS + 1))
    found = {(n.user_id, n.url) for n in await nudges(db)}
    assert found == {(ben.id, f"/goals/{team['id']}"), (ana.id, f"/goals/{mine['id']}")}
    count = await db.scalar(select(func.count()).select_from(Notification))
    assert count == 2
