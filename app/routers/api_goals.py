"""`/api/v1/goals`: learning contracts, their plan items and check-ins, and the comments and
suggestions of the people a goal is shared with."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.models import PlanItem, User
from app.schemas.common import Page
from app.schemas.goals import (
    CheckInCreate,
    CheckInPublic,
    CommentCreate,
    CommentPublic,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    PersonRef,
    PlanItemCreate,
    PlanItemPublic,
    PlanItemUpdate,
    SuggestionCreate,
    SuggestionPublic,
)
from app.services import business_goals, goal_overview, goal_plans, goal_support, goals
from app.web.auth import Reader, Writer
from app.web.forms import FormOrJson
from app.web.negotiation import VARY, source_form_id, wants_fragment
from app.web.openapi import problems
from app.web.params import Cursor, Limit, ResourceId
from app.web.respond import hx_redirect, respond

router = APIRouter(prefix="/api/v1/goals", tags=["goals"])

Owner = Annotated[str | None, Query(max_length=40, description="`me`, or a person's id")]
StatusFilter = Annotated[Literal["active", "achieved", "paused", "dropped"] | None, Query()]


def plan_public(entry: goal_plans.PlanEntry) -> PlanItemPublic:
    item = PlanItemPublic.model_validate(entry.item)
    changes: dict[str, object] = {"overdue": entry.overdue}
    if entry.hidden:
        changes.update(title=f"A {item.kind} in a private lounge", session_id=None, lounge_id=None, url="")
    return item.model_copy(update=changes)


async def plan_page(db: Db, items: list[PlanItem], *, owner: User,
                    viewer_id: str | None) -> Page[PlanItemPublic]:
    """The plan as `viewer_id` may see it, overdue items flagged in the owner's calendar."""
    found = await goal_plans.entries(db, items=items, owner=owner, viewer_id=viewer_id)
    return Page[PlanItemPublic](items=[plan_public(entry) for entry in found])


async def next_steps_public(db: Db, viewer: User, goal_ids: list[str],
                            per_goal: int = 1) -> dict[str, list[PlanItemPublic]]:
    """The next open steps of each goal, for cards, as `viewer` may see them."""
    steps = await goal_overview.next_steps(db, viewer=viewer, goal_ids=goal_ids, per_goal=per_goal)
    return {goal_id: [plan_public(entry) for entry in found] for goal_id, found in steps.items()}


def comment_public(view: goal_support.CommentView) -> CommentPublic:
    c = view.comment
    return CommentPublic(id=c.id, goal_id=c.goal_id,
                         author=PersonRef(id=c.author_id, display_name=view.author_name), body=c.body,
                         created_at=c.created_at)


def suggestion_public(view: goal_support.SuggestionView) -> SuggestionPublic:
    s = view.suggestion
    return SuggestionPublic(id=s.id, goal_id=s.goal_id, kind=s.kind,
                            author=PersonRef(id=s.author_id, display_name=view.author_name),
                            session_id=s.session_id, person_id=s.person_id, target_title=view.target_title,
                            note=s.note, status=s.status, plan_item_id=s.plan_item_id,
                            created_at=s.created_at)


async def _plan_fragment(request: Request, db: Db, caller_user: User, goal_id: str, data, *,
                         status: int = 200) -> Response:
    """JSON: the item; htmx: the whole plan again (order and overdue flags may have moved)."""
    if not wants_fragment(request):
        return respond(request, data, "", status=status)
    goal = await goals.own_goal(db, user=caller_user, goal_id=goal_id)
    plan = await plan_page(db, await goal_plans.items_of(db, goal.id), owner=caller_user,
                           viewer_id=caller_user.id)
    return respond(request, data, "fragments/plan_list.html", status=200 if status == 204 else status,
                   context={"plan": plan, "goal_id": goal.id, "can_edit": True},
                   headers={"HX-Trigger": "goal-changed"})


# --- goals ---------------------------------------------------------------------------------------

@router.get("", response_model=Page[GoalPublic], responses=problems(401, 403, 422))
async def list_goals(request: Request, db: Db, caller: Reader, owner: Owner = None,
                     status: StatusFilter = None, cursor: Cursor = None, limit: Limit = 50) -> Response:
    """Goals I may see, newest first: mine, and those their owners shared with me."""
    views, next_cursor = await goals.list_goals(db, viewer=caller.user, owner=owner, status=status,
                                                cursor=cursor, limit=limit)
    page = Page[GoalPublic](items=[GoalPublic.of(v) for v in views], next_cursor=next_cursor)
    context = ({"next_steps": await next_steps_public(db, caller.user, [g.id for g in page.items])}
               if wants_fragment(request) else None)
    return respond(request, page, "fragments/goal_list.html", context=context)


@router.post("", status_code=201, response_model=GoalPublic, responses=problems(401, 403, 409, 413, 415, 422))
async def create_goal(request: Request, db: Db, caller: Writer, body: FormOrJson[GoalCreate]) -> Response:
    """Write a learning contract; it is private until I share it."""
    goal = GoalPublic.of(await goals.create_goal(db, user=caller.user, data=body))
    return hx_redirect(request, f"/goals/{goal.id}",
                       respond(request, goal, "fragments/goal_card.html", status=201))


@router.get("/{goal_id}", response_model=GoalPublic, responses=problems(401, 403, 404, 422))
async def read_goal(request: Request, db: Db, caller: Reader, goal_id: ResourceId) -> Response:
    """One goal (404 unless I own it or its owner shared it with me)."""
    goal = GoalPublic.of(await goals.get_goal(db, viewer=caller.user, goal_id=goal_id))
    return respond(request, goal, "fragments/goal_card.html")


@router.patch("/{goal_id}", response_model=GoalPublic, responses=problems(401, 403, 404, 409, 413, 415, 422))
async def update_goal(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                      body: FormOrJson[GoalUpdate]) -> Response:
    """Edit the contract, its status or who can see it (owner only)."""
    goal = GoalPublic.of(await goals.update_goal(db, user=caller.user, goal_id=goal_id, changes=body))
    context = ({"saved": True, "saved_from": source_form_id(request),
                "business_goals": await business_goals.active_business_goals(db)}
               if wants_fragment(request) else None)
    return respond(request, goal, "fragments/goal_contract.html", context=context,
                   headers={"HX-Trigger": "goal-changed"})


@router.delete("/{goal_id}", status_code=204, responses=problems(401, 403, 404))
async def delete_goal(request: Request, db: Db, caller: Writer, goal_id: ResourceId) -> Response:
    """Delete the goal with its plan and check-ins (owner only)."""
    await goals.delete_goal(db, user=caller.user, goal_id=goal_id)
    if wants_fragment(request):
        return hx_redirect(request, "/goals", Response(status_code=200, headers={"Vary": VARY}))
    return respond(request, None, "", status=204)


# --- plan ----------------------------------------------------------------------------------------

@router.get("/{goal_id}/plan", response_model=Page[PlanItemPublic], responses=problems(401, 403, 404, 422))
async def list_plan(request: Request, db: Db, caller: Reader, goal_id: ResourceId) -> Response:
    """The plan in its order (at most 100 items, so always one page)."""
    view = await goals.get_goal(db, viewer=caller.user, goal_id=goal_id)
    owner = caller.user if view.is_mine else await db.get(User, view.goal.owner_id)
    assert owner is not None
    plan = await plan_page(db, await goal_plans.list_plan(db, viewer=caller.user, goal_id=goal_id),
                           owner=owner, viewer_id=caller.user.id)
    return respond(request, plan, "fragments/plan_list.html",
                   context={"plan": plan, "goal_id": goal_id, "can_edit": view.is_mine})


@router.post("/{goal_id}/plan", status_code=201, response_model=PlanItemPublic,
             responses=problems(401, 403, 404, 409, 413, 415, 422))
async def add_plan_item(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                        body: FormOrJson[PlanItemCreate]) -> Response:
    """Add a step: a resource, an activity, a person, a session or lounge I can see."""
    item = await goal_plans.add_item(db, user=caller.user, goal_id=goal_id, data=body)
    data = (await plan_page(db, [item], owner=caller.user, viewer_id=caller.user.id)).items[0]
    return await _plan_fragment(request, db, caller.user, goal_id, data, status=201)


@router.patch("/{goal_id}/plan/{item_id}", response_model=PlanItemPublic,
              responses=problems(401, 403, 404, 413, 415, 422))
async def update_plan_item(request: Request, db: Db, caller: Writer, goal_id: ResourceId, item_id: ResourceId,
                           body: FormOrJson[PlanItemUpdate]) -> Response:
    """Tick an item off (or not), rename it, change its due date or move it (`position`)."""
    item = await goal_plans.update_item(db, user=caller.user, goal_id=goal_id, item_id=item_id, changes=body)
    data = (await plan_page(db, [item], owner=caller.user, viewer_id=caller.user.id)).items[0]
    return await _plan_fragment(request, db, caller.user, goal_id, data)


@router.delete("/{goal_id}/plan/{item_id}", status_code=204, responses=problems(401, 403, 404))
async def delete_plan_item(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                           item_id: ResourceId) -> Response:
    await goal_plans.remove_item(db, user=caller.user, goal_id=goal_id, item_id=item_id)
    return await _plan_fragment(request, db, caller.user, goal_id, None, status=204)


# --- check-ins -----------------------------------------------------------------------------------

@router.get("/{goal_id}/checkins", response_model=Page[CheckInPublic], responses=problems(401, 403, 404, 422))
async def list_checkins(request: Request, db: Db, caller: Reader, goal_id: ResourceId,
                        cursor: Cursor = None, limit: Limit = 50) -> Response:
    """The check-ins, newest first."""
    found, next_cursor = await goals.list_checkins(db, viewer=caller.user, goal_id=goal_id,
                                                   cursor=cursor, limit=limit)
    return respond(request, Page[CheckInPublic].of_rows(found, next_cursor), "fragments/checkin_list.html",
                   context={"goal_id": goal_id})


@router.post("/{goal_id}/checkins", status_code=201, response_model=CheckInPublic,
             responses=problems(401, 403, 404, 413, 415, 422))
async def check_in(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                   body: FormOrJson[CheckInCreate]) -> Response:
    """Record progress: a short note, the status after it, the minutes spent learning."""
    checkin = await goals.check_in(db, user=caller.user, goal_id=goal_id, data=body)
    return respond(request, CheckInPublic.model_validate(checkin), "fragments/checkin_row.html", status=201,
                   headers={"HX-Trigger": "goal-changed"})


# --- support -------------------------------------------------------------------------------------

@router.get("/{goal_id}/comments", response_model=Page[CommentPublic], responses=problems(401, 403, 404, 422))
async def list_comments(request: Request, db: Db, caller: Reader, goal_id: ResourceId,
                        cursor: Cursor = None, limit: Limit = 50) -> Response:
    """Comments from the people the goal is shared with, oldest first."""
    found, next_cursor = await goal_support.list_comments(db, viewer=caller.user, goal_id=goal_id,
                                                          cursor=cursor, limit=limit)
    page = Page[CommentPublic](items=[comment_public(v) for v in found], next_cursor=next_cursor)
    return respond(request, page, "fragments/comment_list.html", context={"goal_id": goal_id})


@router.post("/{goal_id}/comments", status_code=201, response_model=CommentPublic,
             responses=problems(401, 403, 404, 413, 415, 422))
async def add_comment(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                      body: FormOrJson[CommentCreate]) -> Response:
    """Comment on a goal I can see; its owner hears of it in the bell."""
    view = await goal_support.add_comment(db, user=caller.user, goal_id=goal_id, data=body)
    return respond(request, comment_public(view), "fragments/comment_row.html", status=201)


@router.get("/{goal_id}/suggestions", response_model=Page[SuggestionPublic],
            responses=problems(401, 403, 404, 422))
async def list_suggestions(request: Request, db: Db, caller: Reader, goal_id: ResourceId,
                           cursor: Cursor = None, limit: Limit = 50) -> Response:
    """The owner sees every suggestion; anyone else the ones they made."""
    found, next_cursor = await goal_support.list_suggestions(db, viewer=caller.user, goal_id=goal_id,
                                                             cursor=cursor, limit=limit)
    page = Page[SuggestionPublic](items=[suggestion_public(v) for v in found], next_cursor=next_cursor)
    return respond(request, page, "fragments/suggestion_list.html", context={"goal_id": goal_id})


@router.post("/{goal_id}/suggestions", status_code=201, response_model=SuggestionPublic,
             responses=problems(401, 403, 404, 409, 413, 415, 422))
async def suggest(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                  body: FormOrJson[SuggestionCreate]) -> Response:
    """Suggest a session or a person for someone's shared goal."""
    view = await goal_support.suggest(db, user=caller.user, goal_id=goal_id, data=body)
    return respond(request, suggestion_public(view), "fragments/suggestion_row.html", status=201)


@router.post("/{goal_id}/suggestions/{suggestion_id}/accept", response_model=SuggestionPublic,
             responses=problems(401, 403, 404, 409, 422))
async def accept_suggestion(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                            suggestion_id: ResourceId) -> Response:
    """The owner takes the suggestion into the plan."""
    view, _item = await goal_support.accept_suggestion(db, user=caller.user, goal_id=goal_id,
                                                       suggestion_id=suggestion_id)
    return respond(request, suggestion_public(view), "fragments/suggestion_row.html",
                   headers={"HX-Trigger": "plan-changed"})


@router.post("/{goal_id}/suggestions/{suggestion_id}/ignore", response_model=SuggestionPublic,
             responses=problems(401, 403, 404, 409, 422))
async def ignore_suggestion(request: Request, db: Db, caller: Writer, goal_id: ResourceId,
                            suggestion_id: ResourceId) -> Response:
    view = await goal_support.ignore_suggestion(db, user=caller.user, goal_id=goal_id,
                                                suggestion_id=suggestion_id)
    return respond(request, suggestion_public(view), "fragments/suggestion_row.html")
