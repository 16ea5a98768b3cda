"""Chat over `/api/v1`: history, posting (idempotent on client_id), editing, deleting,
reactions, read markers and unread counts, for cookies and for chat-scoped tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.api.sessions_helpers import join, make_lounge, make_session, move_session
from tests.chat_support import lounge_with
from tests.conftest import bearer_token, sign_up

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
async def room(ana, ben):
    return (await lounge_with(ana, ben))["channel_id"]


async def _post(account, channel: str, body: str, **extra):
    return await account.client.post(f"/api/v1/channels/{channel}/messages", headers=account.csrf,
                                      json={"body": body, **extra})


async def test_post_and_read_history(ana, ben, room):
    first = await _post(ana, room, "Hello **team**")
    assert first.status_code == 201, first.text
    message = first.json()
    assert message["seq"] == 1 and message["channel_id"] == room
    assert message["author"] == {"id": ana.id, "display_name": "Ana Lima"}
    assert message["html"].strip() == "<p>Hello <strong>team</strong></p>"
    assert (await _post(ben, room, "hi")).json()["seq"] == 2
    history = await ben.client.get(f"/api/v1/channels/{room}/messages")
    assert history.status_code == 200
    assert [m["body"] for m in history.json()["items"]] == ["Hello **team**", "hi"]
    assert history.json()["next_cursor"] is None


async def test_the_same_client_id_posts_once(ana, room):
    first = await _post(ana, room, "only once", client_id="abc-1")
    again = await _post(ana, room, "only once", client_id="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and again.json()["seq"] == 1
    history = await ana.client.get(f"/api/v1/channels/{room}/messages")
    assert len(history.json()["items"]) == 1


async def test_history_pages_with_before_and_after(ana, room):
    for i in range(7):
        await _post(ana, room, f"m{i + 1}")
    page = (await ana.client.get(f"/api/v1/channels/{room}/messages?limit=3")).json()
    assert [m["seq"] for m in page["items"]] == [5, 6, 7] and page["next_cursor"] == "5"
    page = (await ana.client.get(f"/api/v1/channels/{room}/messages?limit=3&before=5")).json()
    assert [m["seq"] for m in page["items"]] == [2, 3, 4]
    page = (await ana.client.get(f"/api/v1/channels/{room}/messages?after=5")).json()
    assert [m["seq"] for m in page["items"]] == [6, 7] and page["next_cursor"] is None
    for query in ("limit=0", "limit=101", "before=-1", "after=x"):
        assert (await ana.client.get(f"/api/v1/channels/{room}/messages?{query}")).status_code == 422


@pytest.mark.parametrize("payload", [{"body": ""}, {"body": "x" * 4001}, {"body": "ok", "extra": 1},
                                     {"body": "ok", "client_id": "has space"}])
async def test_bad_messages_are_422(ana, room, payload):
    response = await ana.client.post(f"/api/v1/channels/{room}/messages", headers=ana.csrf, json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_outsiders_get_404_and_cookie_posts_need_csrf(ana, new_client, room):
    async with new_client() as c:
        cleo = await sign_up(c, "cleo@example.com", "Cleo Park")
        assert (await _post(cleo, room, "hi")).status_code == 404
        assert (await c.get(f"/api/v1/channels/{room}/messages")).status_code == 404
    no_csrf = await ana.client.post(f"/api/v1/channels/{room}/messages", json={"body": "hi"})
    assert no_csrf.status_code == 403
    assert (await ana.client.get("/api/v1/channels/chn_nope/messages")).status_code == 404


async def test_people_to_mention_in_a_channel(ana, ben, new_client, room):
    address = f"/api/v1/channels/{room}/people"
    response = await ana.client.get(address, params={"q": "Be"})
    assert response.status_code == 200
    assert response.json() == {"items": [{"id": ben.id, "display_name": "Ben Okafor",
                                          "handle": "ben.okafor", "member": True}], "next_cursor": None}
    fragment = await ana.client.get(address, params={"q": "be"}, headers=HTMX)
    assert 'role="option"' in fragment.text and 'data-handle="ben.okafor"' in fragment.text
    for query in ("limit=0", "limit=101", f"q={'x' * 32}"):
        assert (await ana.client.get(f"{address}?{query}")).status_code == 422
    async with new_client() as c:
        cleo = await sign_up(c, "cleo@example.com", "Cleo Park")
        assert (await c.get(address, params={"q": "be"})).status_code == 404
        outsider = (await ana.client.get(address, params={"q": "cle"})).json()["items"]
        assert outsider == [{"id": cleo.id, "display_name": "Cleo Park", "handle": "cleo.park",
                             "member": False}]
        assert "not in this chat" in (await ana.client.get(address, params={"q": "cle"}, headers=HTMX)).text


async def test_chat_scoped_tokens_post_and_read_only_tokens_do_not(app, ana, room):
    chat_token = await bearer_token(ana, ["chat", "read"], name="bot")
    read_token = await bearer_token(ana, ["read"], name="reader")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        posted = await c.post(f"/api/v1/channels/{room}/messages", json={"body": "beep"},
                              headers={"Authorization": f"Bearer {chat_token}"})
        assert posted.status_code == 201, posted.text
        refused = await c.post(f"/api/v1/channels/{room}/messages", json={"body": "boop"},
                               headers={"Authorization": f"Bearer {read_token}"})
        assert refused.status_code == 403
        read = await c.get(f"/api/v1/channels/{room}/messages",
                           headers={"Authorization": f"Bearer {read_token}"})
        assert [m["body"] for m in read.json()["items"]] == ["beep"]


async def test_edit_and_delete(ana, ben, room):
    mine = (await _post(ben, room, "typo")).json()
    edited = await ben.client.patch(f"/api/v1/messages/{mine['id']}", headers=ben.csrf,
                                    json={"body": "fixed"})
    assert edited.status_code == 200 and edited.json()["body"] == "fixed" and edited.json()["edited_at"]
    assert (await ana.client.patch(f"/api/v1/messages/{mine['id']}", headers=ana.csrf,
                                   json={"body": "hijack"})).status_code == 403
    hosts = (await _post(ana, room, "host speaking")).json()
    assert (await ben.client.delete(f"/api/v1/messages/{hosts['id']}", headers=ben.csrf)).status_code == 403
    assert (await ana.client.delete(f"/api/v1/messages/{mine['id']}", headers=ana.csrf)).status_code == 204
    items = (await ben.client.get(f"/api/v1/channels/{room}/messages")).json()["items"]
    assert [(m["seq"], m["deleted"], m["body"]) for m in items] == [
        (1, True, ""), (2, False, "host speaking")]
    fragment = await ben.client.get(f"/api/v1/channels/{room}/messages", headers=HTMX)
    assert "message removed" in fragment.text and "fixed" not in fragment.text


async def test_reactions(ana, ben, room):
    message = (await _post(ana, room, "lunch?")).json()
    url = f"/api/v1/messages/{message['id']}/reactions/%F0%9F%91%8D"
    for _ in range(2):
        added = await ben.client.put(url, headers=ben.csrf)
        assert added.status_code == 200
    assert added.json()["reactions"] == [{"emoji": "👍", "count": 1, "user_ids": [ben.id]}]
    removed = await ben.client.delete(url, headers=ben.csrf)
    assert removed.json()["reactions"] == []
    bad = await ben.client.put(f"/api/v1/messages/{message['id']}/reactions/lol", headers=ben.csrf)
    assert bad.status_code == 422


async def test_read_markers_and_unread(ana, ben, room):
    for i in range(3):
        await _post(ana, room, f"news {i}")
    unread = (await ben.client.get("/api/v1/me/unread")).json()["items"]
    assert unread == [{"channel_id": room, "last_seq": 3, "last_read_seq": 0, "unread": 3}]
    marked = await ben.client.post(f"/api/v1/channels/{room}/read", headers=ben.csrf, json={"seq": 2})
    assert marked.status_code == 200 and marked.json()["unread"] == 1
    assert (await ben.client.get("/api/v1/me/unread")).json()["items"][0]["unread"] == 1
    form = await ben.client.post(f"/api/v1/channels/{room}/read", headers={**ben.csrf, **HTMX},
                                 data={"seq": "3"})
    assert form.status_code == 200 and "unread" not in form.text


async def test_posted_message_fragment_escapes_names_and_text(ana, new_client):
    async with new_client() as c:
        evil = await sign_up(c, "evil@example.com", "<img src=x onerror=alert(1)>")
        channel = (await lounge_with(evil, visibility="open", name="Evil lounge"))["channel_id"]
        response = await c.post(f"/api/v1/channels/{channel}/messages", headers={**evil.csrf, **HTMX},
                                data={"body": "<script>alert(1)</script>"})
    assert response.status_code == 201
    assert "<script>" not in response.text and "<img" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


async def test_lounge_and_session_pages_carry_the_chat_panel(ana, ben, new_client):
    lounge = await lounge_with(ana, ben)
    page = await ben.client.get(f"/lounges/{lounge['slug']}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f'data-channel-id="{lounge["channel_id"]}"' in page.text and "/static/chat.js" in page.text
    assert 'data-can-moderate="false"' in page.text
    async with new_client() as c:
        await sign_up(c, "cleo@example.com", "Cleo Park")
        open_lounge = await lounge_with(ana, visibility="open", name="Open house")
        outsider = await c.get(f"/lounges/{open_lounge['slug']}", headers={"Accept": "text/html"})
    assert "Join the lounge to read its chat" in outsider.text and "data-chat-panel" not in outsider.text


async def _end(db, session_id: str) -> None:
    """Move a session into the past, as if it had run."""
    await move_session(db, session_id, starts_at=datetime.now(UTC) - timedelta(hours=2))


async def test_a_session_chat_takes_no_new_messages_after_the_session_but_stays_readable(ana, ben, db):
    lounge = await make_lounge(ana)
    await join(ben, lounge["id"])
    session = await make_session(ana, lounge["id"])
    channel = session["channel_id"]
    early = await _post(ben, channel, "Saving a seat", client_id="early-1")
    assert early.status_code == 201
    await _end(db, session["id"])

    late = await _post(ana, channel, "Thanks all!")
    assert late.status_code == 409 and late.headers["content-type"] == "application/problem+json"
    assert late.json()["detail"] == "This session has ended. Its chat stays here to read."
    retry = await _post(ben, channel, "Saving a seat", client_id="early-1")  # a resend is still answered
    assert retry.status_code == 201 and retry.json()["id"] == early.json()["id"]
    history = await ana.client.get(f"/api/v1/channels/{channel}/messages")
    assert [m["body"] for m in history.json()["items"]] == ["Saving a seat"]
    reacted = await ana.client.put(f"/api/v1/messages/{early.json()['id']}/reactions/👍", headers=ana.csrf)
    assert reacted.status_code == 200

    page = await ben.client.get(f"/sessions/{session['id']}", headers={"Accept": "text/html"})
    assert "This session has ended. Its chat stays here to read." in page.text
    assert re.search(r'<form id="chat-form"[^>]*\shidden', page.text)
    before = await ben.client.get(f"/sessions/{(await make_session(ana, lounge['id']))['id']}",
                                  headers={"Accept": "text/html"})
    assert "Its chat stays here to read" not in before.text
    assert not re.search(r'<form id="chat-form"[^>]*\shidden', before.text)


async def test_a_cancelled_session_chat_takes_no_new_messages(ana, ben):
    lounge = await make_lounge(ana)
    session = await make_session(ana, lounge["id"], in_days=1)
    assert (await _post(ana, session["channel_id"], "Agenda to follow")).status_code == 201
    cancelled = await ana.client.post(f"/api/v1/sessions/{session['id']}/cancel", headers=ana.csrf)
    assert cancelled.status_code == 200, cancelled.text
    late = await _post(ana, session["channel_id"], "Never mind")
    assert late.status_code == 409
    assert late.json()["detail"] == "This session was cancelled. Its chat stays here to read."
