"""The bell through `/api/v1/notifications`: listing newest first, the unread count, marking read,
the fragments htmx swaps in, the `/notifications` page, and the bell on every page."""

from __future__ import annotations

import pytest

from app.services.notifications import notify

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def give(db, user_id: str, *titles: str) -> None:
    for title in titles:
        notify(db, user_id=user_id, kind="test", title=title, body=f"About {title}",
               url="/sessions/lsn_x")
        await db.commit()  # one commit each, so their times differ


async def test_a_new_account_has_no_notifications(client, ana):
    listing = await client.get("/api/v1/notifications")
    assert listing.status_code == 200
    assert listing.json() == {"items": [], "next_cursor": None}
    count = await client.get("/api/v1/notifications/unread_count")
    assert count.json() == {"unread": 0}


async def test_notifications_are_listed_newest_first_a_page_at_a_time(client, db, ana):
    await give(db, ana.id, "first", "second", "third")
    page = (await client.get("/api/v1/notifications", params={"limit": 2})).json()
    assert [n["title"] for n in page["items"]] == ["third", "second"]
    assert page["items"][0]["body"] == "About third" and page["items"][0]["read_at"] is None
    assert page["items"][0]["created_at"].endswith("Z") or "+00:00" in page["items"][0]["created_at"]
    rest = (await client.get("/api/v1/notifications",
                             params={"limit": 2, "cursor": page["next_cursor"]})).json()
    assert [n["title"] for n in rest["items"]] == ["first"] and rest["next_cursor"] is None


async def test_marking_some_or_all_read_lowers_the_count(client, db, ana, ben):
    await give(db, ana.id, "one", "two", "three")
    await give(db, ben.id, "bens")
    items = (await client.get("/api/v1/notifications")).json()["items"]
    bens = (await ben.client.get("/api/v1/notifications")).json()["items"]
    assert (await client.get("/api/v1/notifications/unread_count")).json() == {"unread": 3}

    marked = await client.post("/api/v1/notifications/read", headers=ana.csrf,
                               json={"ids": [items[0]["id"], bens[0]["id"]]})
    assert marked.status_code == 200 and marked.json() == {"unread": 2}
    listed = (await client.get("/api/v1/notifications")).json()["items"]
    assert [n["read_at"] is not None for n in listed] == [True, False, False]
    # Someone else's id is ignored, not marked.
    assert (await ben.client.get("/api/v1/notifications/unread_count")).json() == {"unread": 1}

    everything = await client.post("/api/v1/notifications/read", headers=ana.csrf, json={})
    assert everything.json() == {"unread": 0}
    assert (await ben.client.get("/api/v1/notifications/unread_count")).json() == {"unread": 1}


async def test_a_plain_form_marks_everything_read_and_tells_the_page(client, db, ana):
    await give(db, ana.id, "one", "two")
    response = await client.post("/api/v1/notifications/read", headers={**ana.csrf, **HTMX},
                                 data={})
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "notifications-changed"
    assert "badge" not in response.text
    assert (await client.get("/api/v1/notifications/unread_count")).json() == {"unread": 0}


async def test_fragments_show_the_count_and_the_list(client, db, ana):
    await give(db, ana.id, "Seat <b>free</b>")
    count = await client.get("/api/v1/notifications/unread_count", headers=HTMX)
    assert "text/html" in count.headers["content-type"]
    assert '<span class="badge bell-badge">1<span class="visually-hidden"> unread</span>' in count.text
    listing = await client.get("/api/v1/notifications", headers=HTMX)
    assert "Seat &lt;b&gt;free&lt;/b&gt;" in listing.text  # escaped, never markup
    assert 'href="/sessions/lsn_x"' in listing.text and "New</span>" in listing.text


async def test_the_notifications_page_lists_them_or_says_none(client, db, ana):
    empty = await client.get("/notifications", headers={"Accept": "text/html"})
    assert empty.status_code == 200 and "Nothing yet" in empty.text
    await give(db, ana.id, "You have a seat at Rust basics")
    page = await client.get("/notifications", headers={"Accept": "text/html"})
    assert "You have a seat at Rust basics" in page.text
    assert 'hx-post="/api/v1/notifications/read"' in page.text


async def test_the_page_sends_visitors_to_sign_in(client):
    response = await client.get("/notifications")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/notifications"


async def test_the_bell_is_on_every_page_for_signed_in_people_only(client, new_client, ana):
    for path in ("/", "/settings", "/notifications"):
        page = await client.get(path, headers={"Accept": "text/html"})
        assert 'hx-get="/api/v1/notifications/unread_count"' in page.text, path
        assert 'hx-trigger="load, every 30s, notifications-changed from:body"' in page.text
    async with new_client() as anonymous:
        welcome = await anonymous.get("/", headers={"Accept": "text/html"})
    assert "unread_count" not in welcome.text


async def test_signing_in_is_required(new_client, app):
    async with new_client() as anonymous:
        for response in (await anonymous.get("/api/v1/notifications"),
                         await anonymous.get("/api/v1/notifications/unread_count"),
                         await anonymous.post("/api/v1/notifications/read", json={})):
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"


async def test_marking_read_needs_the_csrf_token(client, ana):
    response = await client.post("/api/v1/notifications/read", json={})
    assert response.status_code == 403


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}])
async def test_bad_paging_is_a_422(client, ana, params):
    response = await client.get("/api/v1/notifications", params=params)
    assert response.status_code == 422


@pytest.mark.parametrize("body", [{"ids": "ntf_1"}, {"ids": ["x" * 41]}, {"ids": ["n"] * 101},
                                  {"everything": True}])
async def test_bad_bodies_are_a_422(client, ana, body):
    response = await client.post("/api/v1/notifications/read", headers=ana.csrf, json=body)
    assert response.status_code == 422
