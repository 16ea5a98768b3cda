"""`/api/v1/users`: find people and read their public profile; administrators set a person's
manager and roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.accounts import RolesUpdate, UserAdminUpdate, UserPublic
from app.schemas.common import Page
from app.services import accounts, people
from app.services.people import PersonView
from app.web.auth import AdminUser, Reader
from app.web.forms import FormOrJson
from app.web.openapi import problems
from app.web.params import Cursor, Limit, ResourceId
from app.web.respond import respond

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("", response_model=Page[UserPublic], responses=problems(401, 403, 422))
async def list_users(request: Request, db: Db, _caller: Reader,
                     q: Annotated[str | None, Query(max_length=80)] = None,
                     cursor: Cursor = None, limit: Limit = 50) -> Response:
    """People whose display name contains `q`."""
    users, next_cursor = await accounts.find_users(db, q=q, cursor=cursor, limit=limit)
    page = Page[UserPublic].of_rows(users, next_cursor)
    return respond(request, page, "fragments/user_list.html")


@router.get("/{user_id}", response_model=UserPublic, responses=problems(401, 403, 404))
async def read_user(request: Request, db: Db, _caller: Reader,
                    user_id: ResourceId) -> Response:
    """One person's public profile."""
    user = await accounts.get_user(db, user_id=user_id)
    return respond(request, UserPublic.model_validate(user), "fragments/user_card.html")


def _person_answer(request: Request, person: PersonView, saved: str) -> Response:
    request.app.state.token_cache.forget_user(person.user.id)
    manager = UserPublic.model_validate(person.manager) if person.manager else None
    return respond(request, UserPublic.model_validate(person.user), "fragments/person_admin.html",
                   context={"manager": manager, "saved": saved})


@router.patch("/{user_id}", response_model=UserPublic,
              responses=problems(401, 403, 404, 409, 413, 415, 422))
async def update_user(request: Request, db: Db, _caller: AdminUser, user_id: ResourceId,
                      body: FormOrJson[UserAdminUpdate]) -> Response:
    """Set or clear (`null`) a person's manager (administrators only; no circles)."""
    if "manager_id" in body.model_fields_set:
        person = await people.set_manager(db, user_id=user_id, manager_id=body.manager_id)
    else:
        person = await people.get_person(db, user_id=user_id)
    return _person_answer(request, person, "manager")


@router.put("/{user_id}/roles", response_model=UserPublic,
            responses=problems(401, 403, 404, 413, 415, 422))
async def set_user_roles(request: Request, db: Db, _caller: AdminUser, user_id: ResourceId,
                         body: FormOrJson[RolesUpdate]) -> Response:
    """Give or take away a person's Workplace Learning Advisor role (administrators only)."""
    person = await people.set_advisor(db, user_id=user_id, advisor=body.advisor)
    return _person_answer(request, person, "roles")
