"""Goal events to webhooks, privacy first, without HTTP in front: a goal shared with the whole
organisation reaches administrators' endpoints for every lounge as signed Standard Webhooks
messages carrying ids, title, status and visibility (never the contract's text); a private or
team goal reaches no webhook at all; the visibility that counts is the goal's own at fan-out
(and again before each attempt), not the one written in the event. Every request goes to a
real receiver on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from app.errors import Conflict
from app.models import User
from app.models.base import utcnow
from app.models.webhooks import WebhookDelivery, WebhookEndpoint
from app.schemas.goals import CheckInCreate, GoalCreate, GoalUpdate, PlanItemCreate, PlanItemUpdate
from app.schemas.lounges import LoungeCreate
from app.schemas.webhooks import GOAL_EVENT_TYPES, WebhookCreate, WebhookUpdate
from app.services import goal_plans, goals, lounges, webhooks
from tests.services.webhook_support import LOOPBACK
from tests.webhook_receiver import receiver

GOAL_EVENTS = ["goal.created", "goal.updated", "goal.achieved", "goal.checked_in", "plan_item.done"]
CONTRACT = "because the two seniors are a bottleneck"


async def subscribe(db, user: User, url: str, events: list[str], *,
                    lounge_id: str | None = None) -> WebhookEndpoint:
    return await webhooks.create_endpoint(db, user=user, is_admin=user.is_admin, allowlist=LOOPBACK,
                                          data=WebhookCreate(url=url, events=events, lounge_id=lounge_id))


async def deliveries(db, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    query = (select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
             .order_by(WebhookDelivery.created_at).execution_options(populate_existing=True))
    return list((await db.execute(query)).scalars())


async def new_goal(db, user: User, visibility: str) -> str:
    view = await goals.create_goal(db, user=user, data=GoalCreate(
        title="Lead a design review", why=CONTRACT, where_i_am="I take notes in reviews.",
        visibility=visibility, weekly_minutes=60))
    return view.goal.id


async def live_a_goal(db, user: User, goal_id: str) -> dict[str, str]:
    """Every kind of goal event, in order: a check-in, an edit, a plan item ticked, achieved."""
    first = await goals.check_in(db, user=user, goal_id=goal_id, data=CheckInCreate(note=CONTRACT))
    await goals.update_goal(db, user=user, goal_id=goal_id,
                            changes=GoalUpdate(title="Lead two design reviews", how_i_will_know=CONTRACT))
    item = await goal_plans.add_item(db, user=user, goal_id=goal_id,
                                     data=PlanItemCreate(kind="activity", title="Shadow a review"))
    await goal_plans.update_item(db, user=user, goal_id=goal_id, item_id=item.id,
                                 changes=PlanItemUpdate(done=True))
    last = await goals.check_in(db, user=user, goal_id=goal_id,
                                data=CheckInCreate(note="Done.", status="achieved"))
    return {"first_checkin": first.id, "plan_item": item.id, "last_checkin": last.id}


async def test_an_org_goals_events_reach_an_admins_endpoint_signed_and_without_text(
        db, make_worker, ana, ben):
    with receiver() as hook:
        endpoint = await subscribe(db, ana, hook.url, GOAL_EVENTS)
        goal_id = await new_goal(db, ben, "org")
        ids = await live_a_goal(db, ben, goal_id)
        await make_worker().drain()

    rows = await deliveries(db, endpoint)
    assert sorted(d.event_type for d in rows) == sorted(
        ["goal.created", "goal.checked_in", "goal.updated", "plan_item.done", "goal.achieved",
         "goal.checked_in"])
    assert {d.status for d in rows} == {"succeeded"} and len(hook.seen) == len(rows)
    verifier = Webhook(endpoint.secret)
    payloads = [verifier.verify(m.body, m.headers) for m in hook.seen]
    assert {m.headers["webhook-id"] for m in hook.seen} == {d.id for d in rows}
    for message in hook.seen:
        assert CONTRACT.encode() not in message.body and b"take notes" not in message.body
    by_type: dict[str, list[dict]] = {}
    for payload in payloads:
        by_type.setdefault(payload["type"], []).append(payload["data"])
    base = {"goal_id": goal_id, "owner_id": ben.id, "visibility": "org"}
    [created] = by_type["goal.created"]
    assert set(created) == {"goal_id", "owner_id", "title", "status", "visibility"}
    assert {k: created[k] for k in base} == base
    [updated] = by_type["goal.updated"]
    assert updated["changed"] == ["how_i_will_know", "title"]  # the names of fields, not their text
    [ticked] = by_type["plan_item.done"]
    assert ticked["plan_item_id"] == ids["plan_item"] and set(ticked) == {*base, "title", "status",
                                                                          "plan_item_id"}
    checkins = {d["checkin_id"] for d in by_type["goal.checked_in"]}
    assert checkins == {ids["first_checkin"], ids["last_checkin"]}
    # Title and status are the goal's at fan-out, read from the database.
    datas = [p["data"] for p in payloads]
    assert {d["title"] for d in datas} == {"Lead two design reviews"}
    assert {d["status"] for d in datas} == {"achieved"}


@pytest.mark.parametrize("visibility", ["private", "team"])
async def test_private_and_team_goals_reach_no_webhook(db, make_worker, ana, ben, visibility):
    with receiver() as hook:
        endpoint = await subscribe(db, ana, hook.url, GOAL_EVENTS)
        goal_id = await new_goal(db, ben, visibility)
        await live_a_goal(db, ben, goal_id)
        mine = await new_goal(db, ana, visibility)  # the administrator's own goal, too
        await goals.check_in(db, user=ana, goal_id=mine, data=CheckInCreate(note="Started."))
        await make_worker().drain()
    assert await deliveries(db, endpoint) == [] and hook.seen == []


async def test_a_goal_made_private_after_its_events_were_recorded_reaches_no_webhook(
        db, make_worker, ana, ben):
    with receiver() as hook:
        endpoint = await subscribe(db, ana, hook.url, GOAL_EVENTS)
        goal_id = await new_goal(db, ben, "org")  # goal.created says "org" …
        await goals.check_in(db, user=ben, goal_id=goal_id, data=CheckInCreate(note="Going well."))
        await goals.update_goal(db, user=ben, goal_id=goal_id, changes=GoalUpdate(visibility="private"))
        await make_worker().drain()  # … but at fan-out the goal is private
    assert await deliveries(db, endpoint) == [] and hook.seen == []


async def test_a_goal_made_private_before_a_retry_is_not_sent_again(db, make_worker, ana, ben):
    worker = make_worker(retry_base=3600.0)
    with receiver(500) as hook:
        endpoint = await subscribe(db, ana, hook.url, ["goal.created"])
        goal_id = await new_goal(db, ben, "org")
        await worker.drain()
        [delivery] = await deliveries(db, endpoint)
        assert (delivery.status, delivery.attempts) == ("failed", 1)
        await goals.update_goal(db, user=ben, goal_id=goal_id, changes=GoalUpdate(visibility="team"))
        await worker.drain(now=utcnow() + timedelta(hours=2))
    assert len(hook.seen) == 1
    [delivery] = await deliveries(db, endpoint)
    assert delivery.status == "dead" and "no longer shared" in delivery.last_error


async def test_goal_events_go_only_to_administrators_endpoints_for_every_lounge(db, make_worker, ana, ben):
    lounge_id = (await lounges.create_lounge(db, user=ben, data=LoungeCreate(name="Python guild"))).lounge.id
    url = "http://127.0.0.1:9/hook"
    for owner in (ben, ana):  # the schema of a new endpoint says so
        with pytest.raises(ValidationError, match="Goal events go only"):
            await subscribe(db, owner, url, ["goal.created"], lounge_id=lounge_id)
    hosted = await subscribe(db, ben, url, ["lounge.updated"], lounge_id=lounge_id)
    with pytest.raises(Conflict) as refused:  # a change clashes with the endpoint as it is
        await webhooks.update_endpoint(
            db, user=ben, is_admin=False, endpoint_id=hosted.id, allowlist=LOOPBACK,
            changes=WebhookUpdate(events=["lounge.updated", "plan_item.done"]))
    assert refused.value.field == "events"
    assert set(GOAL_EVENTS) == GOAL_EVENT_TYPES

    # An endpoint whose owner is no longer an administrator gets nothing either.
    with receiver() as hook:
        endpoint = await subscribe(db, ana, hook.url, GOAL_EVENTS)
        ana.is_admin = False
        await db.commit()
        await new_goal(db, ben, "org")
        await make_worker().drain()
    assert await deliveries(db, endpoint) == [] and hook.seen == []
