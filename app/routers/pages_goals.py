"""Pages for learning contracts: my goals and those shared with me (with the form that writes
a new one), and one goal read as a document with its plan, check-ins and the support of the
people it is shared with. They render the fragments the `/api/v1/goals` endpoints answer with,
and their forms post to those endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from app.db import Db
from app.errors import Forbidden, NotFound
from app.models import User
from app.routers.api_goals import comment_public, next_steps_public, plan_page, suggestion_public
from app.routers.pages import render_page, to_login
from app.schemas.common import Page
from app.schemas.goals import CheckInPublic, CommentPublic, GoalPublic, SuggestionPublic
from app.services import (
    accounts,
    business_goals,
    goal_overview,
    goal_plans,
    goal_support,
    goals,
    lounges,
    sessions,
)
from app.web.auth import MaybeUser
from app.web.params import ResourceId

router = APIRouter(include_in_schema=False)
STATUS_ORDER = {"active": 0, "paused": 1, "achieved": 2, "dropped": 3}
PICKS = 8


@router.get("/goals")
async def goals_page(request: Request, db: Db, caller: MaybeUser, example: bool = False) -> Response:
    """My goals (active first) and those shared with me, and "Write a learning contract"."""
    if caller is None:
        return to_login(request)
    viewer = caller.user
    mine, _ = await goals.list_goals(db, viewer=viewer, owner="me", status=None, cursor=None, limit=100)
    visible, _ = await goals.list_goals(db, viewer=viewer, owner=None, status=None, cursor=None, limit=100)
    shared = [v for v in visible if not v.is_mine]
    mine.sort(key=lambda v: STATUS_ORDER[v.goal.status])
    my_goals = Page[GoalPublic](items=[GoalPublic.of(v) for v in mine])
    shared_goals = Page[GoalPublic](items=[GoalPublic.of(v) for v in shared])
    steps = await next_steps_public(db, viewer, [v.goal.id for v in [*mine, *shared]])
    contract = goal_overview.example_contract(today=goals.today_for(viewer))
    return render_page(
        request, "pages/goals.html", my_goals=my_goals, shared_goals=shared_goals, next_steps=steps,
        business_goals=await business_goals.active_business_goals(db), example=contract,
        draft=contract if example else {})


async def _owner(db: Db, viewer: User, goal: GoalPublic) -> User:
    if goal.is_mine:
        return viewer
    owner = await db.get(User, goal.owner.id)
    assert owner is not None
    return owner


@router.get("/goals/{goal_id}")
async def goal_page(request: Request, db: Db, caller: MaybeUser, goal_id: ResourceId) -> Response:
    """One contract as a document; a goal the viewer may not see is the friendly 404 page."""
    if caller is None:
        return to_login(request)
    viewer = caller.user
    goal = GoalPublic.of(await goals.get_goal(db, viewer=viewer, goal_id=goal_id))
    owner = await _owner(db, viewer, goal)
    plan = await plan_page(db, await goal_plans.items_of(db, goal.id), owner=owner, viewer_id=viewer.id)
    checkins, more_checkins = await goals.list_checkins(db, viewer=viewer, goal_id=goal.id, cursor=None,
                                                        limit=50)
    comments, more_comments = await goal_support.list_comments(db, viewer=viewer, goal_id=goal.id,
                                                               cursor=None, limit=100)
    suggestions, more_suggestions = await goal_support.list_suggestions(db, viewer=viewer, goal_id=goal.id,
                                                                        cursor=None, limit=100)
    return render_page(
        request, "pages/goal.html", goal=goal, plan=plan,
        checkins=Page[CheckInPublic].of_rows(checkins, more_checkins),
        comments=Page[CommentPublic](items=[comment_public(c) for c in comments], next_cursor=more_comments),
        suggestions=Page[SuggestionPublic](items=[suggestion_public(s) for s in suggestions],
                                           next_cursor=more_suggestions),
        business_goals=await business_goals.active_business_goals(db) if goal.is_mine else [])


PickKind = Literal["session", "lounge", "person"]


@router.get("/goals/{goal_id}/picker")
async def goal_picker(request: Request, db: Db, caller: MaybeUser, goal_id: ResourceId,
                      kind: PickKind = "session",
                      purpose: Literal["plan", "suggestion"] = "plan",
                      q: Annotated[str, Query(max_length=80)] = "") -> Response:
    """Search as you type for a plan step (the owner) or a suggestion (someone it is shared
    with): sessions coming up, lounges and people matching `q`, each with a button that posts
    it to the goal's plan or suggestions."""
    if caller is None:
        return to_login(request)
    viewer = caller.user
    goal = await goals.get_goal(db, viewer=viewer, goal_id=goal_id)
    if (purpose == "plan") != goal.is_mine or (purpose == "suggestion" and kind == "lounge"):
        raise Forbidden("Only the goal's owner adds to its plan; others suggest sessions and people.")
    text = q.strip()
    found: list[tuple[str, str, str, datetime | None]] = []  # (id, title, detail, starts at)
    if text and kind == "session":
        if purpose == "suggestion":
            views = await goal_support.suggestable_sessions(db, viewer=viewer, goal=goal.goal, q=text,
                                                            limit=PICKS)
        else:
            views, _ = await sessions.list_sessions(db, user_id=viewer.id, upcoming=True, q=text, limit=PICKS)
        found = [(v.session.id, v.session.title, v.lounge.name, v.session.starts_at) for v in views]
    elif text and kind == "lounge":
        lounge_views, _ = await lounges.list_lounges(db, user_id=viewer.id, q=text, limit=PICKS)
        found = [(v.lounge.id, v.lounge.name, f"{v.member_count} member{'' if v.member_count == 1 else 's'}",
                  None) for v in lounge_views]
    elif text:
        people, _ = await accounts.find_users(db, q=text, cursor=None, limit=PICKS + 2)
        found = [(u.id, u.display_name, f"@{u.handle}", None) for u in people
                 if u.id not in (viewer.id, goal.goal.owner_id)][:PICKS]
    return render_page(request, "fragments/goal_picker.html", goal_id=goal.goal.id, kind=kind,
                       purpose=purpose, q=text, found=found)


@router.get("/goals/{goal_id}/steps/{item_id}")
async def open_step(request: Request, db: Db, caller: MaybeUser, goal_id: ResourceId,
                    item_id: ResourceId) -> Response:
    """Where a plan step points: its session or its lounge (lounge pages live at their slug).
    A step in a private lounge the viewer cannot see points nowhere for them."""
    if caller is None:
        return to_login(request)
    viewer = caller.user
    goal = GoalPublic.of(await goals.get_goal(db, viewer=viewer, goal_id=goal_id))
    owner = await _owner(db, viewer, goal)
    shown = await goal_plans.entries(db, items=await goal_plans.items_of(db, goal.id), owner=owner,
                                     viewer_id=viewer.id)
    entry = next((e for e in shown if e.item.id == item_id and not e.hidden), None)
    if entry is None:
        raise NotFound("This goal's plan has no item with this id.")
    if entry.item.session_id:
        return RedirectResponse(f"/sessions/{entry.item.session_id}", status_code=303)
    if entry.item.lounge_id:
        lounge = await lounges.get_lounge(db, lounge_id=entry.item.lounge_id, user_id=viewer.id)
        return RedirectResponse(f"/lounges/{lounge.lounge.slug}", status_code=303)
    return RedirectResponse(f"/goals/{goal.id}", status_code=303)
