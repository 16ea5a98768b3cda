"""Webhooks: registering endpoints (administrators for every lounge, hosts for their own),
turning domain events into signed deliveries, sending them, and the delivery log.

Each event an endpoint subscribed to becomes a `WebhookDelivery` and a `webhook.deliver`
outbox job, staged in the event's own transaction. The job POSTs the Standard Webhooks
message (`webhook-id`, `webhook-timestamp`, `webhook-signature`; body `{type, timestamp, data}`)
to every endpoint concerned at once, with a time limit each, so one slow receiver never holds
up the others. A failed attempt schedules its own retry job with exponential backoff; after
`disable_after` failures in a row the endpoint is switched off and its owner told. Targets are
checked against `app.services.ssrf` when registered and again before every request, and the
request goes to the very address that was checked.

Goal events (`goal.*`, `plan_item.done`) are about one person's development, so privacy
comes first: they go only to administrators' endpoints for every lounge, only while the goal's
current visibility (read from the database, not from the event) is `org`, and they carry the
goal's id, owner, title, status and visibility, never its contract text. A delivery whose goal
stopped being shared before it was sent is not sent.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import orjson
from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Conflict, Forbidden, NotFound
from app.models import Goal, LearningSession, Lounge, LoungeMember, User
from app.models.base import new_id, utcnow
from app.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.schemas.webhooks import (
    EVENT_TYPES,
    GOAL_EVENT_TYPES,
    GOAL_EVENTS_ONLY_EVERYWHERE,
    WebhookCreate,
    WebhookUpdate,
)
from app.services import lounges
from app.services.events import EventHandlers
from app.services.notifications import notify
from app.services.outbox import Worker, backoff, enqueue, job_id, job_time
from app.services.pagination import page_of
from app.services.ssrf import Allowlist, RefusedTarget, Target, check_target

log = logging.getLogger(__name__)

DELIVER_JOB = "webhook.deliver"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
HIDDEN = "There is no webhook here, or it is not yours to see."
USER_AGENT = "Lounge-Webhooks/1"


# --- Who may see and change which endpoints --------------------------------------------------

def _hosted_by(user_id: str) -> Any:
    return select(LoungeMember.lounge_id).where(LoungeMember.user_id == user_id, LoungeMember.role == "host")


def _visible(user: User, is_admin: bool) -> ColumnElement[bool]:
    """Administrators see every endpoint; hosts those of the lounges they host."""
    return true() if is_admin else WebhookEndpoint.lounge_id.in_(_hosted_by(user.id))


async def get_endpoint(db: AsyncSession, *, user: User, is_admin: bool, endpoint_id: str) -> WebhookEndpoint:
    endpoint = await db.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, _visible(user, is_admin)))
    if endpoint is None:
        raise NotFound(HIDDEN)
    return endpoint


async def list_endpoints(db: AsyncSession, *, user: User, is_admin: bool, cursor: str | None,
                         limit: int) -> tuple[list[WebhookEndpoint], str | None]:
    """The endpoints this caller may manage, newest first."""
    query = select(WebhookEndpoint).where(_visible(user, is_admin))
    return await page_of(db, query, WebhookEndpoint, cursor=cursor, limit=limit, newest_first=True)


async def hosted_lounges(db: AsyncSession, *, user: User) -> list[Lounge]:
    """The open (not archived) lounges `user` hosts: where they may add webhooks."""
    query = (select(Lounge).where(Lounge.id.in_(_hosted_by(user.id)), Lounge.archived_at.is_(None))
             .order_by(Lounge.name))
    return list((await db.execute(query)).scalars())


async def lounge_names(db: AsyncSession, endpoints: Sequence[WebhookEndpoint]) -> dict[str, str]:
    """Names of the lounges these endpoints belong to, for showing them."""
    ids = {e.lounge_id for e in endpoints if e.lounge_id is not None}
    if not ids:
        return {}
    rows = await db.execute(select(Lounge.id, Lounge.name).where(Lounge.id.in_(ids)))
    return dict(rows.all())


async def _checked_url(url: str, allowlist: Allowlist) -> str:
    """The URL, if the server will call it (its host resolves to public or allowlisted
    addresses); `Forbidden` otherwise. Its form is the schema's to check."""
    try:
        await check_target(url, allowlist)
    except RefusedTarget as exc:
        raise Forbidden(str(exc), field="url") from exc
    return url


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


async def create_endpoint(db: AsyncSession, *, user: User, is_admin: bool, data: WebhookCreate,
                          allowlist: Allowlist) -> WebhookEndpoint:
    """Register an endpoint; the returned row carries the new secret (shown to the caller once)."""
    if data.lounge_id is None:
        if not is_admin:
            raise Forbidden("Only administrators may receive every lounge's events; choose a lounge "
                            "you host.", field="lounge_id")
    else:
        _, role = await lounges.visible_lounge(db, lounge_id=data.lounge_id, user_id=user.id)
        if role != "host" and not is_admin:
            raise Forbidden("Only the lounge's hosts may add webhooks to it.", field="lounge_id")
    endpoint = WebhookEndpoint(owner_id=user.id, lounge_id=data.lounge_id,
                               url=await _checked_url(data.url, allowlist), description=data.description,
                               events=list(data.events), secret=new_secret())
    db.add(endpoint)
    await db.commit()
    return endpoint


def _switch_on(endpoint: WebhookEndpoint) -> None:
    endpoint.enabled, endpoint.disabled_reason, endpoint.consecutive_failures = True, None, 0


async def update_endpoint(db: AsyncSession, *, user: User, is_admin: bool, endpoint_id: str,
                          changes: WebhookUpdate, allowlist: Allowlist) -> WebhookEndpoint:
    endpoint = await get_endpoint(db, user=user, is_admin=is_admin, endpoint_id=endpoint_id)
    values = changes.model_dump(exclude_unset=True)
    if "url" in values:
        endpoint.url = await _checked_url(values["url"], allowlist)
    if "events" in values:
        if endpoint.lounge_id is not None and GOAL_EVENT_TYPES.intersection(values["events"]):
            raise Conflict(GOAL_EVENTS_ONLY_EVERYWHERE, field="events")
        endpoint.events = list(values["events"])
    if "description" in values:
        endpoint.description = values["description"]
    if values.get("enabled") is True and not endpoint.enabled:
        _switch_on(endpoint)
    elif values.get("enabled") is False and endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason = False, f"Switched off by {user.display_name}."
    endpoint.updated_at = utcnow()
    await db.commit()
    return endpoint


async def enable_endpoint(db: AsyncSession, *, user: User, is_admin: bool,
                          endpoint_id: str) -> WebhookEndpoint:
    """Switch an endpoint back on (after an automatic switch-off), with a clean failure count."""
    endpoint = await get_endpoint(db, user=user, is_admin=is_admin, endpoint_id=endpoint_id)
    _switch_on(endpoint)
    endpoint.updated_at = utcnow()
    await db.commit()
    return endpoint


async def delete_endpoint(db: AsyncSession, *, user: User, is_admin: bool, endpoint_id: str) -> None:
    """Remove an endpoint and its delivery log; jobs still queued for it find nothing to send."""
    endpoint = await get_endpoint(db, user=user, is_admin=is_admin, endpoint_id=endpoint_id)
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    await db.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    await db.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    await db.delete(endpoint)
    await db.commit()


async def list_deliveries(db: AsyncSession, *, user: User, is_admin: bool, endpoint_id: str,
                          status: str | None, cursor: str | None,
                          limit: int) -> tuple[list[WebhookDelivery], str | None]:
    """An endpoint's delivery log, newest first, optionally of one status."""
    endpoint = await get_endpoint(db, user=user, is_admin=is_admin, endpoint_id=endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return await page_of(db, query, WebhookDelivery, cursor=cursor, limit=limit, newest_first=True)


async def _delivery(db: AsyncSession, *, user: User, is_admin: bool,
                    delivery_id: str) -> tuple[WebhookDelivery, WebhookEndpoint]:
    delivery = await db.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(HIDDEN)
    return delivery, await get_endpoint(db, user=user, is_admin=is_admin, endpoint_id=delivery.endpoint_id)


async def get_delivery(db: AsyncSession, *, user: User, is_admin: bool,
                       delivery_id: str) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """A delivery and its attempts, oldest first."""
    delivery, _ = await _delivery(db, user=user, is_admin=is_admin, delivery_id=delivery_id)
    attempts = await db.execute(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
                                .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id))
    return delivery, list(attempts.scalars())


async def redeliver(db: AsyncSession, *, user: User, is_admin: bool, delivery_id: str) -> WebhookDelivery:
    """Send a delivery again now, with the same `webhook-id` and body."""
    delivery, endpoint = await _delivery(db, user=user, is_admin=is_admin, delivery_id=delivery_id)
    if not endpoint.enabled:
        raise Conflict("This endpoint is switched off; switch it on before sending again.")
    if delivery.status == "pending":
        return delivery
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    await _queue(db, [delivery], key=f"webhook:{delivery.id}:again:{secrets.token_urlsafe(8)}")
    await db.commit()
    return delivery


async def _queue(db: AsyncSession, deliveries: Sequence[WebhookDelivery], *, key: str,
                 run_at: datetime | None = None) -> None:
    # Each id travels with its attempt count: a job finding another count has been overtaken
    # (by a manual redelivery, say) and leaves that delivery alone.
    await enqueue(db, DELIVER_JOB, {"deliveries": [[d.id, d.attempts] for d in deliveries]},
                  key=key, run_at=run_at)


# --- From domain events to deliveries ----------------------------------------------------------

async def fan_out(db: AsyncSession, event_type: str, data: dict[str, Any]) -> None:
    """Event handler: one delivery per enabled endpoint subscribed to `event_type`.

    An endpoint counts only while its owner still holds the right to it: hosting its lounge,
    or being an administrator for an endpoint on every lounge. Goal events reach only the
    latter, and only for a goal shared with the whole organisation right now.
    """
    owner_is_admin = exists().where(User.id == WebhookEndpoint.owner_id, User.is_admin.is_(True))
    every_lounge = and_(WebhookEndpoint.lounge_id.is_(None), owner_is_admin)
    if event_type in GOAL_EVENT_TYPES:
        shared = await _goal_data(db, data)
        if shared is not None:
            await _deliver(db, event_type, every_lounge, shared)
        return
    lounge_id = data.get("lounge_id")
    if lounge_id is None and data.get("session_id"):
        lounge_id = await db.scalar(select(LearningSession.lounge_id).where(
            LearningSession.id == data["session_id"]))
    scope = every_lounge
    if lounge_id is not None:
        owner_hosts = exists().where(LoungeMember.lounge_id == WebhookEndpoint.lounge_id,
                                     LoungeMember.user_id == WebhookEndpoint.owner_id,
                                     LoungeMember.role == "host")
        scope = or_(scope, and_(WebhookEndpoint.lounge_id == lounge_id, owner_hosts))
    await _deliver(db, event_type, scope, {**data, "lounge_id": lounge_id})


async def _goal_data(db: AsyncSession, data: dict[str, Any]) -> dict[str, Any] | None:
    """What a goal event tells a receiver, read from the goal as it is now; None unless the
    goal still exists and is shared with the whole organisation (`org`)."""
    goal_id = data.get("goal_id")
    goal = await db.get(Goal, goal_id, populate_existing=True) if goal_id else None
    if goal is None or goal.visibility != "org":
        return None
    shared: dict[str, Any] = {"goal_id": goal.id, "owner_id": goal.owner_id, "title": goal.title,
                              "status": goal.status, "visibility": goal.visibility}
    for name in ("checkin_id", "plan_item_id", "changed"):  # ids and field names, never text
        if name in data:
            shared[name] = data[name]
    return shared


async def _deliver(db: AsyncSession, event_type: str, scope: ColumnElement[bool],
                   data: dict[str, Any]) -> None:
    endpoints = [endpoint for endpoint in
                 (await db.execute(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True),
                                                                  scope))).scalars()
                 if event_type in endpoint.events]
    if not endpoints:
        return
    body = {"type": event_type, "timestamp": utcnow().isoformat(), "data": data}
    deliveries = [WebhookDelivery(endpoint_id=e.id, event_type=event_type, payload=body) for e in endpoints]
    db.add_all(deliveries)
    await _queue(db, deliveries, key=f"webhook:event:{job_id() or new_id('evt')}")


def subscribe(events: EventHandlers) -> None:
    """Fan every webhook event type out to the endpoints (called once per app)."""
    for event_type in EVENT_TYPES:
        events.subscribe(event_type, fan_out)


# --- Sending ---------------------------------------------------------------------------------

def sign(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the decoded secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secret: str, *, msg_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, msg_id=msg_id, timestamp=timestamp, body=body),
            "content-type": "application/json", "user-agent": USER_AGENT}


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def _post(client: httpx.AsyncClient, target: Target, *, body: bytes, headers: dict[str, str]) -> int:
    url = httpx.URL(target.url)
    # Connect to the address that passed the check; Host and TLS name stay the URL's own.
    pinned = url.copy_with(host=str(target.addresses[0]))
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    async with client.stream("POST", pinned, content=body, extensions=extensions,
                             headers={**headers, "host": url.netloc.decode()}) as response:
        return response.status_code


@dataclass(frozen=True)
class Sender:
    """The `webhook.deliver` job, bound to the app's webhook settings."""

    allowlist: Allowlist
    timeout: float = 5.0
    retry_base: float = 30.0
    max_attempts: int = 8
    disable_after: int = 10
    concurrency: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> Sender:
        return cls(allowlist=Allowlist.parse(settings.webhook_allowlist),
                   timeout=settings.webhook_timeout_seconds, retry_base=settings.webhook_retry_base_seconds,
                   max_attempts=settings.webhook_max_attempts, disable_after=settings.webhook_disable_after,
                   concurrency=settings.webhook_concurrency)

    async def attempt(self, client: httpx.AsyncClient, delivery: WebhookDelivery,
                      endpoint: WebhookEndpoint) -> Outcome:
        started = time.monotonic()
        status_code: int | None = None
        error: str | None = None
        try:
            target = await check_target(endpoint.url, self.allowlist)
            body = orjson.dumps(delivery.payload)
            headers = signed_headers(endpoint.secret, msg_id=delivery.id, body=body)
            # One deadline for the whole exchange: a receiver trickling bytes cannot stretch it.
            async with asyncio.timeout(self.timeout):
                status_code = await _post(client, target, body=body, headers=headers)
            if 300 <= status_code < 400:
                error = "The receiver answered with a redirect; redirects are not followed."
            elif not 200 <= status_code < 300:
                error = f"The receiver answered {status_code}."
        except RefusedTarget as exc:
            error = f"Refused: {exc}"
        except TimeoutError:
            error = f"Timed out after {self.timeout:g} s."
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except Exception as exc:
            # One odd failure must not fail the job and re-send the deliveries that went well.
            log.exception("webhook delivery %s failed unexpectedly", delivery.id)
            error = f"Unexpected error: {type(exc).__name__}"
        return Outcome(status_code=status_code, error=error and error[:500],
                       duration_ms=int((time.monotonic() - started) * 1000))

    async def deliver(self, db: AsyncSession, payload: dict[str, Any]) -> None:
        """Send every delivery the job names that is still due, all at once (bounded)."""
        expected = dict(payload["deliveries"])
        rows = (await db.execute(
            select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.id.in_(list(expected)),
                   WebhookDelivery.status.in_(("pending", "failed"))))).all()
        due: list[tuple[WebhookDelivery, WebhookEndpoint]] = []
        for delivery, endpoint in rows:
            if delivery.attempts != expected[delivery.id]:
                continue
            if endpoint.enabled:
                due.append((delivery, endpoint))
            else:
                delivery.status, delivery.next_attempt_at = "dead", None
                delivery.last_error = "Not sent: the endpoint is switched off."
        due = await _still_shared(db, due)
        if not due:
            return
        limit = asyncio.Semaphore(self.concurrency)

        async def bounded(client: httpx.AsyncClient, delivery: WebhookDelivery,
                          endpoint: WebhookEndpoint) -> Outcome:
            async with limit:
                return await self.attempt(client, delivery, endpoint)

        async with httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                     timeout=httpx.Timeout(self.timeout)) as client:
            outcomes = await asyncio.gather(*(bounded(client, d, e) for d, e in due))
        for (delivery, endpoint), outcome in zip(due, outcomes, strict=True):
            await self._record(db, delivery, endpoint, outcome)

    async def _record(self, db: AsyncSession, delivery: WebhookDelivery, endpoint: WebhookEndpoint,
                      outcome: Outcome) -> None:
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
        db.add(WebhookAttempt(delivery_id=delivery.id, status_code=outcome.status_code,
                              error=outcome.error, duration_ms=outcome.duration_ms))
        if outcome.ok:
            delivery.status, delivery.next_attempt_at, delivery.delivered_at = "succeeded", None, utcnow()
            endpoint.consecutive_failures = 0
            return
        endpoint.consecutive_failures += 1
        if delivery.attempts >= self.max_attempts:
            delivery.status, delivery.next_attempt_at = "dead", None
        else:
            delivery.status = "failed"
            delivery.next_attempt_at = job_time() + backoff(delivery.attempts, base=self.retry_base)
            await _queue(db, [delivery], key=f"webhook:{delivery.id}:{delivery.attempts}",
                         run_at=delivery.next_attempt_at)
        if endpoint.enabled and endpoint.consecutive_failures >= self.disable_after:
            self._switch_off(db, endpoint, outcome)

    def _switch_off(self, db: AsyncSession, endpoint: WebhookEndpoint, outcome: Outcome) -> None:
        count = endpoint.consecutive_failures
        endpoint.enabled, endpoint.updated_at = False, utcnow()
        endpoint.disabled_reason = f"Switched off after {count} failed deliveries in a row."
        notify(db, user_id=endpoint.owner_id, kind="webhook.disabled",
               title=f"Webhook to {httpx.URL(endpoint.url).host} switched off",
               body=f"{count} deliveries in a row failed (the last: {outcome.error}). Fix the receiver, "
                    "then switch the webhook back on.",
               url=f"/webhooks/{endpoint.id}")


def _goal_of(delivery: WebhookDelivery) -> str | None:
    if delivery.event_type not in GOAL_EVENT_TYPES:
        return None
    return delivery.payload.get("data", {}).get("goal_id") or ""


async def _still_shared(db: AsyncSession, due: list[tuple[WebhookDelivery, WebhookEndpoint]]
                        ) -> list[tuple[WebhookDelivery, WebhookEndpoint]]:
    """Leave out (as dead) goal deliveries whose goal is gone or no longer shared with `org`."""
    goal_ids = {goal_id for d, _ in due if (goal_id := _goal_of(d)) is not None}
    if not goal_ids:
        return due
    shared = set((await db.scalars(select(Goal.id).where(Goal.id.in_(goal_ids),
                                                         Goal.visibility == "org"))).all())
    kept = []
    for delivery, endpoint in due:
        goal_id = _goal_of(delivery)
        if goal_id is None or goal_id in shared:
            kept.append((delivery, endpoint))
        else:
            delivery.status, delivery.next_attempt_at = "dead", None
            delivery.last_error = "Not sent: the goal is no longer shared with the organisation."
    return kept


def register_jobs(worker: Worker, settings: Settings) -> None:
    """Teach the outbox worker to send webhook deliveries (called once per app)."""
    worker.register(DELIVER_JOB, Sender.from_settings(settings).deliver)
