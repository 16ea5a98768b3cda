"""`/api/v1/users`: find people and read their public profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.accounts import UserPublic
from app.schemas.common import Page
from app.services import accounts
from app.web.auth import Reader
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
