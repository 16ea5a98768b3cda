"""`/api/v1/me` and `/api/v1/me/tokens`: my profile and my personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.accounts import MePublic, MeUpdate, TokenCreate, TokenCreated, TokenPublic, UserPublic
from app.schemas.common import Page, time_zones
from app.services import accounts, people
from app.web.auth import Reader, Writer
from app.web.forms import FormOrJson
from app.web.negotiation import wants_fragment
from app.web.openapi import problems
from app.web.params import Cursor, Limit, ResourceId
from app.web.respond import respond

router = APIRouter(prefix="/api/v1/me", tags=["me"])



@router.get("", response_model=MePublic, responses=problems(401, 403))
async def read_me(request: Request, caller: Reader) -> Response:
    """My own account."""
    return respond(request, MePublic.model_validate(caller.user), "fragments/profile_form.html",
                   context={"time_zones": time_zones()})


@router.patch("", response_model=MePublic, responses=problems(401, 403, 409, 413, 415, 422))
async def update_me(request: Request, db: Db, caller: Writer, body: FormOrJson[MeUpdate]) -> Response:
    """Change my display name, time zone, bio or manager."""
    user = await accounts.update_profile(db, user=caller.user, changes=body)
    request.app.state.token_cache.forget_user(user.id)
    me = MePublic.model_validate(user)
    if body.model_fields_set == {"manager_id"}:  # the settings page's manager picker
        manager = await people.manager_of(db, user=user)
        return respond(request, me, "fragments/manager_field.html", context={
            "manager": UserPublic.model_validate(manager) if manager else None, "saved": True})
    return respond(request, me, "fragments/profile_form.html",
                   context={"time_zones": time_zones(), "saved": True})


@router.get("/tokens", response_model=Page[TokenPublic], responses=problems(401, 403, 422))
async def list_tokens(request: Request, db: Db, caller: Reader, cursor: Cursor = None,
                      limit: Limit = 50) -> Response:
    """My API tokens, newest first (secrets are never shown again)."""
    tokens, next_cursor = await accounts.list_tokens(db, user=caller.user, cursor=cursor,
                                                     limit=limit)
    page = Page[TokenPublic].of_rows(tokens, next_cursor)
    return respond(request, page, "fragments/token_list.html")


@router.post("/tokens", status_code=201, response_model=TokenCreated,
             responses=problems(401, 403, 413, 415, 422))
async def create_token(request: Request, db: Db, caller: Writer,
                       body: FormOrJson[TokenCreate]) -> Response:
    """Create a token with the chosen scopes; the `token` value is shown only in this answer."""
    token, secret = await accounts.create_token(db, user=caller.user, data=body,
                                                granted=caller.scopes)
    created = TokenCreated(**TokenPublic.model_validate(token).model_dump(), token=secret)
    return respond(request, created, "fragments/token_created.html", status=201,
                   headers={"HX-Trigger": "tokens-changed"})


@router.delete("/tokens/{token_id}", status_code=204, responses=problems(401, 403, 404))
async def revoke_token(request: Request, db: Db, caller: Writer, token_id: ResourceId) -> Response:
    """Revoke a token; it stops working at once."""
    token = await accounts.revoke_token(db, user=caller.user, token_id=token_id)
    request.app.state.token_cache.forget_token(token.id)
    if wants_fragment(request):
        return respond(request, TokenPublic.model_validate(token), "fragments/token_row.html")
    return respond(request, None, "", status=204)
