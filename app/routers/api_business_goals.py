"""`/api/v1/business-goals`: the aims of the business that personal goals can serve. Everyone
signed in reads them; administrators publish, revise and archive them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.common import Page
from app.schemas.learning_business import BusinessGoalCreate, BusinessGoalPublic, BusinessGoalUpdate
from app.services import business_goals
from app.web.auth import AdminUser, Reader
from app.web.forms import FormOrJson
from app.web.openapi import problems
from app.web.params import Cursor, Limit, ResourceId
from app.web.respond import respond

router = APIRouter(prefix="/api/v1/business-goals", tags=["business goals"])
CHANGED = {"HX-Trigger": "business-goals-changed"}


@router.get("", response_model=Page[BusinessGoalPublic], responses=problems(401, 403, 422))
async def list_business_goals(
    request: Request, db: Db, caller: Reader, cursor: Cursor = None, limit: Limit = 50,
    include_archived: Annotated[bool, Query(description="Archived ones too")] = False,
) -> Response:
    """Business goals in the order they were published (active ones unless `include_archived`)."""
    found, next_cursor = await business_goals.list_business_goals(
        db, include_archived=include_archived, cursor=cursor, limit=limit)
    return respond(request, Page[BusinessGoalPublic].of_rows(found, next_cursor),
                   "fragments/business_goal_list.html", context={"can_manage": "admin" in caller.scopes})


@router.post("", status_code=201, response_model=BusinessGoalPublic,
             responses=problems(401, 403, 413, 415, 422))
async def create_business_goal(request: Request, db: Db, caller: AdminUser,
                               body: FormOrJson[BusinessGoalCreate]) -> Response:
    """Publish a business goal (administrators only)."""
    goal = await business_goals.publish_business_goal(db, author=caller.user, data=body)
    return respond(request, BusinessGoalPublic.model_validate(goal), "fragments/business_goal_published.html",
                   status=201, headers=CHANGED)


@router.get("/{business_goal_id}", response_model=BusinessGoalPublic, responses=problems(401, 403, 404))
async def read_business_goal(request: Request, db: Db, caller: Reader,
                             business_goal_id: ResourceId) -> Response:
    """One business goal still offered (an archived one is listed with `include_archived`)."""
    goal = await business_goals.get_business_goal(db, business_goal_id=business_goal_id,
                                                  include_archived=False)
    return respond(request, BusinessGoalPublic.model_validate(goal), "fragments/business_goal_row.html",
                   context={"can_manage": "admin" in caller.scopes})


@router.patch("/{business_goal_id}", response_model=BusinessGoalPublic,
              responses=problems(401, 403, 404, 409, 413, 415, 422))
async def update_business_goal(request: Request, db: Db, _caller: AdminUser, business_goal_id: ResourceId,
                               body: FormOrJson[BusinessGoalUpdate]) -> Response:
    """Change a business goal's title or description (administrators only; not once archived)."""
    goal = await business_goals.revise_business_goal(db, business_goal_id=business_goal_id, changes=body)
    return respond(request, BusinessGoalPublic.model_validate(goal), "fragments/business_goal_row.html",
                   context={"can_manage": True, "saved": True})


@router.delete("/{business_goal_id}", response_model=BusinessGoalPublic, responses=problems(401, 403, 404))
async def archive_business_goal(request: Request, db: Db, _caller: AdminUser,
                                business_goal_id: ResourceId) -> Response:
    """Archive a business goal (administrators only): goals that name it keep it, and lists with
    `include_archived` show it, but it is no longer offered for new goals and its address
    answers 404. Answers the archived goal."""
    goal = await business_goals.archive_business_goal(db, business_goal_id=business_goal_id)
    return respond(request, BusinessGoalPublic.model_validate(goal), "fragments/business_goal_row.html",
                   context={"can_manage": True})
