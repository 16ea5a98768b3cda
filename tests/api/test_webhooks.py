"""`/api/v1/webhooks` and the webhook pages over HTTP: the secret shown once, deliveries that
verify with `standardwebhooks` at a real receiver on 127.0.0.1, the delivery log, manual
redelivery, switching off and on, refused targets, and who may do what."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from tests.conftest import bearer_token, sign_up
from tests.webhook_receiver import receiver

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
async def settings(settings):
    # The receiver lives on 127.0.0.1; the test drives the outbox worker itself.
    return settings.model_copy(update={
        "webhook_allowlist": "127.0.0.1", "worker_enabled": False, "webhook_retry_base_seconds": 0.0,
        "webhook_disable_after": 3})


@pytest.fixture
def drain(app):
    return app.state.worker.drain


async def create(account, url: str, events: list[str], **extra):
    return await account.client.post("/api/v1/webhooks", headers=account.csrf,
                                     json={"url": url, "events": events, **extra})


async def new_lounge(account, name: str = "Python guild") -> str:
    response = await account.client.post("/api/v1/lounges", headers=account.csrf, json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_the_secret_is_shown_once(ana):
    created = await create(ana, "http://127.0.0.1:9/hook", ["lounge.created"], description="HR bot")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["lounge_id"] is None and body["enabled"] and body["description"] == "HR bot"
    one = await ana.client.get(f"/api/v1/webhooks/{body['id']}")
    listed = await ana.client.get("/api/v1/webhooks")
    assert one.status_code == listed.status_code == 200
    assert "secret" not in one.json() and body["secret"] not in one.text + listed.text
    assert [w["id"] for w in listed.json()["items"]] == [body["id"]]


async def test_deliveries_verify_and_the_log_shows_every_attempt(ana, ben, drain):
    with receiver(500, 502, 200) as hook:
        created = (await create(ana, hook.url, ["lounge.created"])).json()
        lounge_id = await new_lounge(ben)
        await drain()

    payloads = [Webhook(created["secret"]).verify(m.body, m.headers) for m in hook.seen]
    assert len(payloads) == 3 and payloads[0] == payloads[2]
    assert payloads[0]["type"] == "lounge.created" and payloads[0]["data"]["lounge_id"] == lounge_id
    log = await ana.client.get(f"/api/v1/webhooks/{created['id']}/deliveries")
    [delivery] = log.json()["items"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("succeeded", 3, 200)
    assert delivery["id"] == hook.seen[0].headers["webhook-id"]
    assert delivery["payload"] == payloads[0]
    failed = await ana.client.get(f"/api/v1/webhooks/{created['id']}/deliveries", params={"status": "failed"})
    assert failed.json()["items"] == []

    detail = await ana.client.get(f"/api/v1/webhook-deliveries/{delivery['id']}")
    assert [(a["status_code"], a["error"]) for a in detail.json()["attempt_log"]] == [
        (500, "The receiver answered 500."), (502, "The receiver answered 502."), (200, None)]
    fragment = await ana.client.get(f"/api/v1/webhook-deliveries/{delivery['id']}", headers=HTMX)
    assert fragment.text.count("<li>") == 3 and "The receiver answered 502." in fragment.text
    assert (await ben.client.get(f"/api/v1/webhook-deliveries/{delivery['id']}")).status_code == 404
    former = await ana.client.get(f"/api/v1/webhooks/deliveries/{delivery['id']}")  # still served
    assert former.json() == detail.json()


async def test_manual_redelivery(ana, ben, drain):
    with receiver() as hook:
        created = (await create(ana, hook.url, ["lounge.created"])).json()
        await new_lounge(ben)
        await drain()
        [delivery] = (await ana.client.get(f"/api/v1/webhooks/{created['id']}/deliveries")).json()["items"]
        again = await ana.client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver",
                                      headers=ana.csrf)
        assert again.status_code == 202 and again.json()["status"] == "pending"
        await drain()
    assert [m.headers["webhook-id"] for m in hook.seen] == [delivery["id"]] * 2
    [after] = (await ana.client.get(f"/api/v1/webhooks/{created['id']}/deliveries")).json()["items"]
    assert (after["status"], after["attempts"]) == ("succeeded", 2)

    missing = await ana.client.post("/api/v1/webhook-deliveries/msg_nope/redeliver", headers=ana.csrf)
    not_his = await ben.client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver",
                                    headers=ben.csrf)
    assert missing.status_code == not_his.status_code == 404
    former = await ana.client.post(f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver",
                                   headers=ana.csrf)  # still served
    assert former.status_code == 202 and former.json()["id"] == delivery["id"]


async def test_repeated_failures_switch_off_notify_and_can_be_switched_on(ana, drain):
    with receiver(default=500) as hook:
        created = (await create(ana, hook.url, ["lounge.created"])).json()
        await new_lounge(ana)
        await drain()
    assert len(hook.seen) == 3
    endpoint = (await ana.client.get(f"/api/v1/webhooks/{created['id']}")).json()
    assert not endpoint["enabled"] and endpoint["consecutive_failures"] == 3
    assert "3 failed deliveries" in endpoint["disabled_reason"]
    notices = (await ana.client.get("/api/v1/notifications")).json()["items"]
    assert [n["kind"] for n in notices] == ["webhook.disabled"]
    [delivery] = (await ana.client.get(f"/api/v1/webhooks/{created['id']}/deliveries")).json()["items"]
    refused = await ana.client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver",
                                    headers=ana.csrf)
    assert refused.status_code == 409

    enabled = await ana.client.post(f"/api/v1/webhooks/{created['id']}/enable", headers=ana.csrf)
    assert enabled.status_code == 200
    assert enabled.json()["enabled"] and enabled.json()["consecutive_failures"] == 0


@pytest.mark.parametrize(("url", "status"), [
    ("http://10.0.0.1/hook", 403), ("http://169.254.169.254/latest/meta-data/", 403),
    ("http://[::1]/hook", 403), ("http://127.0.0.2:9/hook", 403),
    ("gopher://127.0.0.1/", 422), ("http://user:secret@127.0.0.1:9/", 422)])
async def test_private_targets_are_refused(ana, url, status):
    # Only 127.0.0.1 itself is allowlisted here (for the receiver). Not an http(s) URL: 422;
    # one the server will not call: 403.
    response = await create(ana, url, ["lounge.created"])
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == "url" for e in response.json()["errors"])
    assert (await ana.client.get("/api/v1/webhooks")).json()["items"] == []


async def test_changing_switching_off_and_deleting(ana):
    created = (await create(ana, "http://127.0.0.1:9/hook", ["lounge.created"])).json()
    path = f"/api/v1/webhooks/{created['id']}"
    changed = await ana.client.patch(path, headers=ana.csrf, json={
        "events": ["rsvp.changed", "lounge.updated"], "description": "Calendar sync"})
    assert changed.status_code == 200
    assert changed.json()["events"] == ["lounge.updated", "rsvp.changed"]
    off = await ana.client.patch(path, headers=ana.csrf, json={"enabled": False})
    assert not off.json()["enabled"] and off.json()["disabled_reason"] == "Switched off by Ana Lima."
    private = await ana.client.patch(path, headers=ana.csrf, json={"url": "http://192.168.0.2/"})
    assert private.status_code == 403
    assert (await ana.client.delete(path, headers=ana.csrf)).status_code == 204
    assert (await ana.client.get(path)).status_code == 404
    assert (await ana.client.get(f"{path}/deliveries")).status_code == 404


async def test_who_may_do_what(client, ana, ben, new_client):
    url = "http://127.0.0.1:9/hook"
    everything = (await create(ana, url, ["lounge.created"])).json()
    assert (await create(ben, url, ["lounge.created"])).status_code == 403  # every lounge: admins only
    lounge_id = await new_lounge(ben)
    hosted = await create(ben, url, ["session.created"], lounge_id=lounge_id)
    assert hosted.status_code == 201
    hosted_id = hosted.json()["id"]

    async with new_client() as c:
        carla = await sign_up(c, "carla@example.com", "Carla Reis")
        assert (await create(carla, url, ["lounge.updated"], lounge_id=lounge_id)).status_code == 403
        assert (await create(carla, url, ["lounge.updated"], lounge_id="lng_missing")).status_code == 404
        assert (await carla.client.get(f"/api/v1/webhooks/{hosted_id}")).status_code == 404
        assert (await carla.client.patch(f"/api/v1/webhooks/{hosted_id}", headers=carla.csrf,
                                         json={"enabled": False})).status_code == 404
        assert (await carla.client.delete(f"/api/v1/webhooks/{hosted_id}",
                                          headers=carla.csrf)).status_code == 404
        assert (await carla.client.get("/api/v1/webhooks")).json()["items"] == []

    assert [w["id"] for w in (await ben.client.get("/api/v1/webhooks")).json()["items"]] == [hosted_id]
    assert (await ben.client.get(f"/api/v1/webhooks/{everything['id']}")).status_code == 404
    listed = (await ana.client.get("/api/v1/webhooks")).json()["items"]
    assert {w["id"] for w in listed} == {everything["id"], hosted_id}

    # An administrator's token acts as an administrator only with the admin scope.
    for scopes, status in ((["read", "write"], 403), (["read", "write", "admin"], 201), (["read"], 403)):
        token = await bearer_token(ana, scopes)
        response = await client.post("/api/v1/webhooks", headers={"Authorization": f"Bearer {token}"},
                                     json={"url": url, "events": ["lounge.created"]})
        assert response.status_code == status, (scopes, response.text)
    client.cookies.clear()
    assert (await client.get("/api/v1/webhooks")).status_code == 401


@pytest.mark.parametrize("body", [
    {"url": "http://127.0.0.1:9/", "events": []},
    {"url": "http://127.0.0.1:9/", "events": ["lounge.deleted"]},
    {"url": "http://127.0.0.1:9/"},
    {"url": "", "events": ["lounge.created"]},
    {"url": "http://127.0.0.1:9/", "events": ["lounge.created"], "secret": "whsec_mine"},
])
async def test_bad_bodies_are_422(ana, body):
    response = await ana.client.post("/api/v1/webhooks", headers=ana.csrf, json=body)
    assert response.status_code == 422, response.text


async def test_bad_list_parameters_are_422(ana):
    created = (await create(ana, "http://127.0.0.1:9/hook", ["lounge.created"])).json()
    assert (await ana.client.get("/api/v1/webhooks", params={"limit": 101})).status_code == 422
    assert (await ana.client.get(f"/api/v1/webhooks/{created['id']}/deliveries",
                                 params={"status": "lost"})).status_code == 422


async def test_pages(client, ana, ben, drain):
    assert (await ben.client.get("/admin")).status_code == 403
    from_form = {**HTMX, "HX-Source": "form#webhook-form"}
    with receiver() as hook:
        form = await ana.client.post("/api/v1/webhooks", headers={**ana.csrf, **from_form},
                                     data={"url": hook.url, "events": ["lounge.created", "lounge.updated"],
                                           "lounge_id": "", "description": "Team calendar"})
        assert form.status_code == 201
        assert "will not be shown again" in form.text and "whsec_" in form.text
        assert form.headers["HX-Trigger"] == "webhooks-changed"
        lounge_id = await new_lounge(ben)
        await drain()
    admin = await ana.client.get("/admin")
    assert admin.status_code == 200
    assert "Administration" in admin.text and hook.url in admin.text and "Team calendar" in admin.text
    webhook_id = (await ana.client.get("/api/v1/webhooks")).json()["items"][0]["id"]
    page = await ana.client.get(f"/webhooks/{webhook_id}")
    assert page.status_code == 200 and "Delivered" in page.text and "lounge.created" in page.text
    log = await ana.client.get(f"/api/v1/webhooks/{webhook_id}/deliveries", headers=HTMX)
    assert "<table" in log.text and "Send again" in log.text

    # A host sees the register form for their lounge; someone hosting nothing is told why not.
    hosting = await ben.client.get("/webhooks")
    assert hosting.status_code == 200 and 'name="lounge_id"' in hosting.text
    assert f'<option value="{lounge_id}">Python guild</option>' in hosting.text
    assert "Every lounge" not in hosting.text and hook.url not in hosting.text
    refused = await ben.client.post("/api/v1/webhooks", headers={**ben.csrf, **from_form}, data={
        "url": "http://10.0.0.1/", "events": ["lounge.updated"], "lounge_id": lounge_id})
    assert refused.status_code == 403
    assert 'role="alert"' in refused.text and 'hx-target="#webhook-form-url-error"' in refused.text
    client.cookies.clear()
    assert (await client.get("/webhooks")).status_code == 303


async def test_htmx_switching_renders_the_details(ana):
    created = (await create(ana, "http://127.0.0.1:9/hook", ["lounge.created"])).json()
    off = await ana.client.patch(f"/api/v1/webhooks/{created['id']}", headers={**ana.csrf, **HTMX},
                                 data={"enabled": "false"})
    assert off.status_code == 200 and 'id="webhook-details"' in off.text and "Switch on" in off.text
    on = await ana.client.post(f"/api/v1/webhooks/{created['id']}/enable", headers={**ana.csrf, **HTMX})
    assert "Switch off" in on.text
    gone = await ana.client.delete(f"/api/v1/webhooks/{created['id']}", headers={**ana.csrf, **HTMX})
    assert gone.status_code == 204 and gone.headers["HX-Redirect"] == "/webhooks"
    assert json.loads((await ana.client.get("/api/v1/webhooks")).text)["items"] == []


async def test_goal_events_reach_admins_only_for_goals_shared_with_everyone(ana, ben, drain):
    with receiver() as hook:
        created = (await create(ana, hook.url, ["goal.created", "goal.checked_in"])).json()
        goal_ids = {}
        for visibility in ("org", "team", "private"):
            goal = await ben.client.post("/api/v1/goals", headers=ben.csrf, json={
                "title": f"A {visibility} goal", "why": "Nobody else's business.", "visibility": visibility})
            assert goal.status_code == 201, goal.text
            goal_ids[visibility] = goal.json()["id"]
            checked = await ben.client.post(f"/api/v1/goals/{goal_ids[visibility]}/checkins",
                                            headers=ben.csrf, json={"note": "A private thought."})
            assert checked.status_code == 201, checked.text
        await drain()

    payloads = [Webhook(created["secret"]).verify(m.body, m.headers) for m in hook.seen]
    assert sorted(p["type"] for p in payloads) == ["goal.checked_in", "goal.created"]
    assert {p["data"]["goal_id"] for p in payloads} == {goal_ids["org"]}
    assert all(p["data"]["owner_id"] == ben.id and p["data"]["visibility"] == "org" for p in payloads)
    assert not any(b"private thought" in m.body or b"business" in m.body for m in hook.seen)
    log = (await ana.client.get(f"/api/v1/webhooks/{created['id']}/deliveries")).json()["items"]
    assert sorted(d["event_type"] for d in log) == ["goal.checked_in", "goal.created"]
    assert {d["status"] for d in log} == {"succeeded"}


async def test_a_lounge_webhook_cannot_take_goal_events(ana, ben):
    lounge_id = await new_lounge(ben)
    refused = await create(ben, "http://127.0.0.1:9/hook", ["lounge.updated", "goal.created"],
                           lounge_id=lounge_id)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "every lounge" in refused.text
