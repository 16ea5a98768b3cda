"""`/api/v1/webhooks`: registering webhook endpoints, their delivery log, sending a delivery
again, and switching an endpoint back on. Administrators (the `admin` scope) manage every
endpoint; lounge hosts those of the lounges they host."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.db import Db
from app.schemas.common import Page
from app.schemas.webhooks import (
    EVENT_TYPES,
    AttemptPublic,
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
    WebhookUpdate,
)
from app.services import webhooks
from app.services.ssrf import Allowlist
from app.web.auth import Principal, Reader, Writer
from app.web.forms import FormOrJson
from app.web.negotiation import VARY, wants_fragment
from app.web.openapi import problems
from app.web.params import Cursor, Limit, ResourceId
from app.web.respond import hx_redirect, respond

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
# One delivery is addressed by its own id, as a message is (`/messages/{id}`): under
# `/webhooks/…`, `deliveries` would read like a webhook id. The former paths,
# `/webhooks/deliveries/{id}[/redeliver]`, keep working but are no longer listed.
deliveries = APIRouter(prefix="/api/v1/webhook-deliveries", tags=["webhooks"])
CHANGED = {"HX-Trigger": "webhooks-changed"}
DETAILS = {"event_types": EVENT_TYPES}


def _who(caller: Principal) -> dict[str, object]:
    return {"user": caller.user, "is_admin": "admin" in caller.scopes}


def _allowlist(request: Request) -> Allowlist:
    return Allowlist.parse(request.app.state.settings.webhook_allowlist)


@router.post("", status_code=201, response_model=WebhookCreated,
             responses=problems(401, 403, 404, 413, 415, 422, 429))
async def create_webhook(request: Request, db: Db, caller: Writer,
                         body: FormOrJson[WebhookCreate]) -> Response:
    """Register an endpoint for some event types. The `secret` (`whsec_…`) that signs every
    delivery is shown in this answer only: keep it now."""
    endpoint = await webhooks.create_endpoint(db, **_who(caller), data=body, allowlist=_allowlist(request))
    created = WebhookCreated.model_validate(endpoint)
    return respond(request, created, "fragments/webhook_created.html", status=201, headers=CHANGED)


@router.get("", response_model=Page[WebhookPublic], responses=problems(401, 403, 422, 429))
async def list_webhooks(request: Request, db: Db, caller: Reader, cursor: Cursor = None,
                        limit: Limit = 50) -> Response:
    """The endpoints I may manage, newest first: all of them for administrators, those of the
    lounges I host otherwise."""
    found, next_cursor = await webhooks.list_endpoints(db, **_who(caller), cursor=cursor, limit=limit)
    page = Page[WebhookPublic].of_rows(found, next_cursor)
    return respond(request, page, "fragments/webhook_list.html",
                   context={"lounge_names": await webhooks.lounge_names(db, found)})


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=problems(401, 403, 404, 422, 429))
async def read_webhook(request: Request, db: Db, caller: Reader, webhook_id: ResourceId) -> Response:
    """One endpoint (never its secret)."""
    endpoint = await webhooks.get_endpoint(db, **_who(caller), endpoint_id=webhook_id)
    return respond(request, WebhookPublic.model_validate(endpoint), "fragments/webhook_details.html",
                   context=DETAILS)


@router.patch("/{webhook_id}", response_model=WebhookPublic,
              responses=problems(401, 403, 404, 409, 413, 415, 422, 429))
async def update_webhook(request: Request, db: Db, caller: Writer, webhook_id: ResourceId,
                         body: FormOrJson[WebhookUpdate]) -> Response:
    """Change the URL, event types or description, or switch the endpoint off (`enabled`)."""
    endpoint = await webhooks.update_endpoint(db, **_who(caller), endpoint_id=webhook_id, changes=body,
                                              allowlist=_allowlist(request))
    return respond(request, WebhookPublic.model_validate(endpoint), "fragments/webhook_details.html",
                   context=DETAILS, headers=CHANGED)


@router.delete("/{webhook_id}", status_code=204, responses=problems(401, 403, 404, 422, 429))
async def delete_webhook(request: Request, db: Db, caller: Writer, webhook_id: ResourceId) -> Response:
    """Remove an endpoint and its delivery log."""
    await webhooks.delete_endpoint(db, **_who(caller), endpoint_id=webhook_id)
    if wants_fragment(request):
        return hx_redirect(request, "/webhooks", Response(status_code=204, headers={"Vary": VARY}))
    return respond(request, None, "", status=204)


@router.post("/{webhook_id}/enable", response_model=WebhookPublic,
             responses=problems(401, 403, 404, 422, 429))
async def enable_webhook(request: Request, db: Db, caller: Writer, webhook_id: ResourceId) -> Response:
    """Switch an endpoint on again (after it was switched off for failing), clearing its
    failure count."""
    endpoint = await webhooks.enable_endpoint(db, **_who(caller), endpoint_id=webhook_id)
    return respond(request, WebhookPublic.model_validate(endpoint), "fragments/webhook_details.html",
                   context=DETAILS, headers=CHANGED)


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryPublic],
            responses=problems(401, 403, 404, 422, 429))
async def list_webhook_deliveries(request: Request, db: Db, caller: Reader, webhook_id: ResourceId,
                                  status: Annotated[DeliveryStatus | None, Query()] = None,
                                  cursor: Cursor = None, limit: Limit = 50) -> Response:
    """An endpoint's delivery log, newest first: status, last response code, attempts."""
    found, next_cursor = await webhooks.list_deliveries(db, **_who(caller), endpoint_id=webhook_id,
                                                        status=status, cursor=cursor, limit=limit)
    page = Page[DeliveryPublic].of_rows(found, next_cursor)
    return respond(request, page, "fragments/delivery_list.html", context={"endpoint_id": webhook_id})


@deliveries.get("/{delivery_id}", response_model=DeliveryDetail)
@router.get("/deliveries/{delivery_id}", include_in_schema=False)
async def read_webhook_delivery(request: Request, db: Db, caller: Reader,
                                delivery_id: ResourceId) -> Response:
    """One delivery with every attempt to send it (status code or error, and how long it took)."""
    delivery, attempts = await webhooks.get_delivery(db, **_who(caller), delivery_id=delivery_id)
    detail = DeliveryDetail(**DeliveryPublic.model_validate(delivery).model_dump(),
                            attempt_log=[AttemptPublic.model_validate(a) for a in attempts])
    return respond(request, detail, "fragments/delivery_attempts.html")


@deliveries.post("/{delivery_id}/redeliver", status_code=202, response_model=DeliveryPublic,
                 responses=problems(409))
@router.post("/deliveries/{delivery_id}/redeliver", status_code=202, include_in_schema=False)
async def redeliver_webhook_delivery(request: Request, db: Db, caller: Writer,
                                     delivery_id: ResourceId) -> Response:
    """Send a delivery again now, with the same `webhook-id` and body (receivers that already
    processed it can tell)."""
    delivery = await webhooks.redeliver(db, **_who(caller), delivery_id=delivery_id)
    return respond(request, DeliveryPublic.model_validate(delivery), "fragments/delivery_row.html",
                   status=202)
