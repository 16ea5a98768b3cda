"""Webhooks without HTTP in front: Standard Webhooks signatures checked by the reference
verifier, retries with backoff, slow receivers, address checks at creation and delivery,
automatic switch-off with a notice, manual redelivery, and which endpoints an event reaches.
Every request goes to a real receiver on 127.0.0.1; refused targets are never contacted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.errors import Forbidden, NotFound
from app.models import Notification, User
from app.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.schemas.lounges import LoungeCreate, LoungeUpdate
from app.schemas.webhooks import WebhookCreate
from app.services import lounges, webhooks
from app.services.ssrf import Allowlist
from tests.services.webhook_support import LOOPBACK, register
from tests.webhook_receiver import receiver


@pytest.fixture
async def lounge_id(db, ben) -> str:
    view = await lounges.create_lounge(db, user=ben, data=LoungeCreate(name="Python guild"))
    return view.lounge.id


async def subscribe(db, user: User, url: str, events: list[str], *, lounge_id: str | None = None,
                    allowlist: Allowlist = LOOPBACK) -> WebhookEndpoint:
    return await webhooks.create_endpoint(
        db, user=user, is_admin=user.is_admin, allowlist=allowlist,
        data=WebhookCreate(url=url, events=events, lounge_id=lounge_id))


async def rename(db, ben: User, lounge_id: str, name: str = "Python guild (Thursdays)") -> None:
    await lounges.update_lounge(db, user=ben, lounge_id=lounge_id, changes=LoungeUpdate(name=name))


async def deliveries(db, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    query = (select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
             .order_by(WebhookDelivery.created_at).execution_options(populate_existing=True))
    return list((await db.execute(query)).scalars())


async def attempts(db, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    query = (select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id)
             .order_by(WebhookAttempt.attempted_at))
    return list((await db.execute(query)).scalars())


async def test_messages_follow_standard_webhooks_and_tampering_is_caught(db, make_worker, ben, lounge_id):
    with receiver() as hook:
        endpoint = await subscribe(db, ben, hook.url, ["lounge.updated"], lounge_id=lounge_id)
        assert endpoint.secret.startswith("whsec_")
        assert 24 <= len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) <= 32
        await rename(db, ben, lounge_id)
        await make_worker().drain()

    [message] = hook.seen
    [delivery] = await deliveries(db, endpoint)
    assert message.headers["webhook-id"] == delivery.id
    assert message.headers["content-type"] == "application/json"
    payload = Webhook(endpoint.secret).verify(message.body, message.headers)
    assert payload["type"] == "lounge.updated"
    assert payload["data"]["lounge_id"] == lounge_id and payload["data"]["changed"] == ["name"]
    assert payload["timestamp"].endswith("+00:00")

    # The same signature by hand, as the docs show it.
    key = base64.b64decode(endpoint.secret.removeprefix("whsec_"))
    headers = message.headers
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + message.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert message.headers["webhook-signature"] == f"v1,{expected}"

    tampered_body = message.body.replace(b"lounge.updated", b"lounge.created")
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(tampered_body, message.headers)
    forged = base64.b64encode(hmac.new(b"not the secret", signed, hashlib.sha256).digest()).decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(message.body, {**headers, "webhook-signature": f"v1,{forged}"})
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(message.body, message.headers)


async def test_a_receiver_failing_twice_gets_three_attempts_and_one_success(db, make_worker, ana):
    with receiver(500, 503, 200) as hook:
        endpoint = await subscribe(db, ana, hook.url, ["lounge.created"])
        await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers"))
        await make_worker().drain()

    [delivery] = await deliveries(db, endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert [(a.status_code, a.error is None) for a in await attempts(db, delivery)] == [
        (500, False), (503, False), (200, True)]
    # One message, sent three times: the same id and body each time, signed each time.
    assert {m.headers["webhook-id"] for m in hook.seen} == {delivery.id}
    assert len({m.body for m in hook.seen}) == 1
    for message in hook.seen:
        Webhook(endpoint.secret).verify(message.body, message.headers)
    await db.refresh(endpoint)
    assert endpoint.consecutive_failures == 0 and endpoint.enabled


async def test_a_failed_attempt_waits_for_its_backoff(db, make_worker, ana):
    with receiver(500) as hook:
        endpoint = await subscribe(db, ana, hook.url, ["lounge.created"])
        await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers"))
        await make_worker(retry_base=600.0).drain()

    [delivery] = await deliveries(db, endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, 500)
    assert delivery.last_error == "The receiver answered 500."
    assert (delivery.next_attempt_at - delivery.created_at).total_seconds() >= 600
    assert len(hook.seen) == 1


async def test_a_hanging_receiver_times_out_and_others_are_delivered(db, make_worker, ana):
    with receiver("hang") as slow, receiver() as fast:
        hanging = await subscribe(db, ana, slow.url, ["lounge.created"])
        healthy = await subscribe(db, ana, fast.url, ["lounge.created"])
        await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers"))
        await make_worker(timeout=0.5, retry_base=600.0).drain()

        [stuck] = await deliveries(db, hanging)
        [done] = await deliveries(db, healthy)
    assert (done.status, done.attempts, done.last_status_code) == ("succeeded", 1, 200)
    assert (stuck.status, stuck.attempts, stuck.last_status_code) == ("failed", 1, None)
    assert stuck.last_error == "Timed out after 0.5 s."
    assert len(slow.seen) == 1 and len(fast.seen) == 1


async def test_the_deliveries_of_one_event_are_in_flight_together(db, make_worker, ana):
    # Each receiver answers only once the other one has been called: sent one after the
    # other, the first would time out.
    both = threading.Barrier(2, timeout=10)
    with receiver(both.wait) as first, receiver(both.wait) as second:
        endpoints = [await subscribe(db, ana, r.url, ["lounge.created"]) for r in (first, second)]
        await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers"))
        await make_worker(timeout=20.0, retry_base=600.0).drain()
    for endpoint in endpoints:
        [delivery] = await deliveries(db, endpoint)
        assert delivery.status == "succeeded"


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook",
    "http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::ffff:127.0.0.1]/hook",
    "http://[64:ff9b::a9fe:a9fe]/", "http://0.0.0.0/", "http://224.0.0.1/", "http://192.168.1.10/",
    "http://100.64.0.1/",
])
async def test_private_targets_are_refused_at_creation(db, ana, url):
    with pytest.raises(Forbidden) as refused:
        await subscribe(db, ana, url, ["lounge.created"], allowlist=Allowlist())
    assert refused.value.field == "url"
    assert (await db.execute(select(WebhookEndpoint))).first() is None


@pytest.mark.parametrize("url", ["ftp://files.example.com/hook", "file:///etc/passwd", "http:///nohost",
                                 "http://user:secret@127.0.0.1/hook", "http://127.0.0.1:99999/"])
def test_odd_urls_are_not_webhook_addresses(url):
    with pytest.raises(ValidationError, match="url"):
        WebhookCreate(url=url, events=["lounge.created"])


async def test_the_allowlist_admits_hosts_and_networks(db, ana):
    for allowed in ("127.0.0.0/8", "localhost, 10.1.0.0/16"):
        await subscribe(db, ana, "http://localhost:9/hook", ["lounge.created"],
                        allowlist=Allowlist.parse(allowed))
    with pytest.raises(Forbidden):
        await subscribe(db, ana, "http://127.0.0.1:9/hook", ["lounge.created"],
                        allowlist=Allowlist.parse("10.0.0.0/8, example.com"))


async def test_the_target_is_checked_again_before_each_delivery(db, make_worker, ana):
    with receiver() as hook:
        endpoint = await subscribe(db, ana, hook.url, ["lounge.created"])
        await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers"))
        await make_worker(allowlist=Allowlist(), retry_base=600.0).drain()
    [delivery] = await deliveries(db, endpoint)
    assert delivery.status == "failed" and delivery.last_error.startswith("Refused:")
    assert hook.seen == []


async def test_repeated_failures_switch_the_endpoint_off_and_tell_its_owner(db, make_worker, ana):
    with receiver(default=500) as hook:
        endpoint = await subscribe(db, ana, hook.url, ["lounge.created"])
        await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers"))
        await make_worker(disable_after=3).drain()

    assert len(hook.seen) == 3
    await db.refresh(endpoint)
    assert not endpoint.enabled and endpoint.consecutive_failures == 3
    assert endpoint.disabled_reason == "Switched off after 3 failed deliveries in a row."
    [delivery] = await deliveries(db, endpoint)
    assert (delivery.status, delivery.attempts) == ("dead", 3)
    [notice] = (await db.execute(select(Notification).where(Notification.user_id == ana.id))).scalars()
    assert notice.kind == "webhook.disabled" and notice.url == f"/webhooks/{endpoint.id}"
    assert "3 deliveries in a row failed" in notice.body

    # Switched back on, it gets new events again, with a clean count.
    endpoint = await webhooks.enable_endpoint(db, user=ana, is_admin=True, endpoint_id=endpoint.id)
    assert endpoint.enabled and endpoint.consecutive_failures == 0 and endpoint.disabled_reason is None


async def test_manual_redelivery_sends_the_same_message_again(db, make_worker, ana):
    with receiver() as hook:
        endpoint = await subscribe(db, ana, hook.url, ["lounge.created"])
        await lounges.create_lounge(db, user=ana, data=LoungeCreate(name="Rust readers"))
        worker = make_worker()
        await worker.drain()
        [delivery] = await deliveries(db, endpoint)
        again = await webhooks.redeliver(db, user=ana, is_admin=True, delivery_id=delivery.id)
        assert again.status == "pending"
        await worker.drain()

    [first, second] = hook.seen
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.id
    assert first.body == second.body
    [delivery] = await deliveries(db, endpoint)
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


async def test_events_reach_only_subscribed_endpoints_of_their_lounge(db, make_worker, ana, ben, lounge_id):
    other = await lounges.create_lounge(db, user=ben, data=LoungeCreate(name="Go gophers"))
    with receiver() as hook:
        mine = await subscribe(db, ben, hook.url, ["lounge.updated"], lounge_id=lounge_id)
        elsewhere = await subscribe(db, ben, hook.url, ["lounge.updated"], lounge_id=other.lounge.id)
        other_kind = await subscribe(db, ben, hook.url, ["session.created"], lounge_id=lounge_id)
        everything = await subscribe(db, ana, hook.url, ["lounge.updated", "session.created"])
        await rename(db, ben, lounge_id)
        await make_worker().drain()
    assert [len(await deliveries(db, e)) for e in (mine, elsewhere, other_kind, everything)] == [1, 0, 0, 1]
    assert {json.loads(m.body)["data"]["lounge_id"] for m in hook.seen} == {lounge_id}


async def test_an_endpoint_stops_when_its_owner_stops_hosting(db, make_worker, ana, ben, lounge_id):
    await lounges.join_lounge(db, user=ana, lounge_id=lounge_id)
    await lounges.set_member_role(db, user=ben, lounge_id=lounge_id, member_id=ana.id, role="host")
    with receiver() as hook:
        endpoint = await subscribe(db, ben, hook.url, ["lounge.updated"], lounge_id=lounge_id)
        await lounges.set_member_role(db, user=ana, lounge_id=lounge_id, member_id=ben.id, role="member")
        await rename(db, ana, lounge_id)
        await make_worker().drain()
    assert await deliveries(db, endpoint) == [] and hook.seen == []


async def test_who_may_register_what(db, ana, ben, lounge_id):
    carla = await register(db, "carla@example.com", "Carla")
    url = "http://127.0.0.1:9/hook"
    with pytest.raises(Forbidden):
        await subscribe(db, ben, url, ["lounge.created"])  # every lounge: administrators only
    with pytest.raises(Forbidden):
        await subscribe(db, carla, url, ["lounge.updated"], lounge_id=lounge_id)  # not a host
    private = await lounges.create_lounge(db, user=ben,
                                          data=LoungeCreate(name="Secret", visibility="private"))
    with pytest.raises(NotFound):
        await subscribe(db, carla, url, ["lounge.updated"], lounge_id=private.lounge.id)
    hosted = await subscribe(db, ben, url, ["lounge.updated"], lounge_id=lounge_id)
    admins = await subscribe(db, ana, url, ["lounge.created"])
    seen_by = {}
    for user in (ana, ben, carla):
        found, _ = await webhooks.list_endpoints(db, user=user, is_admin=user.is_admin, cursor=None, limit=10)
        seen_by[user.display_name] = {e.id for e in found}
    assert seen_by == {"Ana": {hosted.id, admins.id}, "Ben": {hosted.id}, "Carla": set()}
    with pytest.raises(NotFound):
        await webhooks.get_endpoint(db, user=ben, is_admin=False, endpoint_id=admins.id)
