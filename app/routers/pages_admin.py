"""The administration and webhook pages: `/admin` (an overview for administrators, people with
their managers and roles, business goals, and every webhook), `/webhooks` (registering
endpoints: administrators for every lounge, hosts for theirs) and `/webhooks/{id}` (one
endpoint with its delivery log). Their forms and buttons call `/api/v1/users`,
`/api/v1/business-goals` and `/api/v1/webhooks`, whose fragments they render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.errors import Forbidden
from app.routers.pages import render_page, to_login
from app.schemas.accounts import UserPublic
from app.schemas.common import Page
from app.schemas.learning_business import BusinessGoalPublic
from app.schemas.webhooks import EVENT_TYPES, DeliveryPublic, WebhookPublic
from app.services import admin, business_goals, people, webhooks
from app.web.auth import MaybeUser, Principal
from app.web.params import ResourceId

router = APIRouter(include_in_schema=False)


async def _webhooks_context(db: Db, caller: Principal) -> dict[str, Any]:
    is_admin = "admin" in caller.scopes
    found, next_cursor = await webhooks.list_endpoints(db, user=caller.user, is_admin=is_admin,
                                                       cursor=None, limit=100)
    hosted = await webhooks.hosted_lounges(db, user=caller.user)
    return {
        "endpoints": Page[WebhookPublic].of_rows(found, next_cursor),
        "lounge_names": await webhooks.lounge_names(db, found),
        "hosted": hosted, "can_register": is_admin or bool(hosted), "event_types": EVENT_TYPES,
    }


@router.get("/admin")
async def admin_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    if caller is None:
        return to_login(request)
    if "admin" not in caller.scopes:
        raise Forbidden("Only administrators may open the administration page.")
    goals, next_cursor = await business_goals.list_business_goals(db, include_archived=True, limit=100)
    return render_page(request, "pages/admin.html", overview=await admin.overview(db),
                       business_goals=Page[BusinessGoalPublic].of_rows(goals, next_cursor),
                       **await _webhooks_context(db, caller))


@router.get("/admin/people")
async def admin_person(request: Request, db: Db, caller: MaybeUser,
                       user_id: Annotated[str, Query(max_length=40)] = "") -> Response:
    """The People section's panel for one person (chosen in its search), or a hint without one."""
    if caller is None:
        return to_login(request)
    if "admin" not in caller.scopes:
        raise Forbidden("Only administrators may manage people.")
    if not user_id:
        return render_page(request, "fragments/person_admin.html", item=None)
    person = await people.get_person(db, user_id=user_id)
    return render_page(request, "fragments/person_admin.html", item=UserPublic.model_validate(person.user),
                       manager=UserPublic.model_validate(person.manager) if person.manager else None)


@router.get("/webhooks")
async def webhooks_page(request: Request, db: Db, caller: MaybeUser) -> Response:
    if caller is None:
        return to_login(request)
    return render_page(request, "pages/webhooks.html", **await _webhooks_context(db, caller))


@router.get("/webhooks/{webhook_id}")
async def webhook_page(request: Request, db: Db, caller: MaybeUser, webhook_id: ResourceId) -> Response:
    if caller is None:
        return to_login(request)
    is_admin = "admin" in caller.scopes
    endpoint = await webhooks.get_endpoint(db, user=caller.user, is_admin=is_admin, endpoint_id=webhook_id)
    found, next_cursor = await webhooks.list_deliveries(db, user=caller.user, is_admin=is_admin,
                                                        endpoint_id=endpoint.id, status=None, cursor=None,
                                                        limit=50)
    names = await webhooks.lounge_names(db, [endpoint])
    return render_page(
        request, "pages/webhook.html", endpoint=WebhookPublic.model_validate(endpoint),
        lounge_name=names.get(endpoint.lounge_id or ""), event_types=EVENT_TYPES,
        deliveries=Page[DeliveryPublic].of_rows(found, next_cursor))
