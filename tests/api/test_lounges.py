"""`/api/v1/lounges`: creating, finding, editing, archiving, membership, roles and invitations,
and 404s on private lounges, as tools and pages call them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Channel, Lounge, OutboxJob
from tests.conftest import sign_up

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


async def make_lounge(account, **fields) -> dict:
    body = {"name": "Python guild", "description": "Talks on **Python**.", "tags": ["python"],
            "visibility": "open", **fields}
    response = await account.client.post("/api/v1/lounges", json=body, headers=account.csrf)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_lounge_makes_the_creator_host_with_a_channel(client, ana, db):
    lounge = await make_lounge(ana, tags=["Python", "testing", "python"])
    assert lounge["slug"] == "python-guild" and lounge["my_role"] == "host"
    assert lounge["tags"] == ["python", "testing"] and lounge["member_count"] == 1
    assert lounge["description_html"] == "<p>Talks on <strong>Python</strong>.</p>\n"
    assert lounge["archived"] is False and lounge["visibility"] == "open"
    channel = await db.get(Channel, lounge["channel_id"])
    assert channel is not None and channel.kind == "lounge"
    kinds = (await db.execute(select(OutboxJob.kind))).scalars().all()
    assert "event:lounge.created" in kinds


async def test_slugs_stay_unique_and_a_taken_explicit_slug_conflicts(client, ana):
    assert (await make_lounge(ana))["slug"] == "python-guild"
    assert (await make_lounge(ana))["slug"] == "python-guild-2"
    response = await client.post("/api/v1/lounges", headers=ana.csrf,
                                 json={"name": "Other", "slug": "python-guild"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "slug"


async def test_markdown_description_is_sanitised(client, ana):
    lounge = await make_lounge(ana, description="<script>alert(1)</script> [x](javascript:alert(1))")
    assert "<script>" not in lounge["description_html"]
    assert 'href="javascript' not in lounge["description_html"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": ""}, "name"),
    ({"name": "Ok name", "visibility": "secret"}, "visibility"),
    ({"name": "Ok name", "slug": "Not A Slug"}, "slug"),
    ({"name": "Ok name", "tags": ["no spaces allowed"]}, "tags"),
    ({"name": "Ok name", "tags": [f"t{i}" for i in range(11)]}, "tags"),
    ({"name": "Ok name", "colour": "red"}, "colour"),
])
async def test_create_lounge_rejects_bad_input(client, ana, payload, field):
    response = await client.post("/api/v1/lounges", json=payload, headers=ana.csrf)
    assert response.status_code == 422
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()


async def test_create_lounge_needs_sign_in_and_csrf(client, new_client, ana):
    async with new_client() as anonymous:
        assert (await anonymous.post("/api/v1/lounges", json={"name": "X lounge"})).status_code == 401
    assert (await client.post("/api/v1/lounges", json={"name": "X lounge"})).status_code == 403


async def test_search_tag_and_mine(client, ana, ben):
    await make_lounge(ana, name="Python guild", tags=["python"])
    await make_lounge(ana, name="Data literacy", description="Charts that tell the truth", tags=["data"])
    await make_lounge(ana, name="100% honest feedback", description="", tags=["leadership"])
    names = lambda r: [i["name"] for i in r.json()["items"]]  # noqa: E731
    assert names(await ben.client.get("/api/v1/lounges?q=CHART")) == ["Data literacy"]
    assert names(await ben.client.get("/api/v1/lounges?q=pyth")) == ["Python guild"]
    assert names(await ben.client.get("/api/v1/lounges?tag=data")) == ["Data literacy"]
    assert names(await ben.client.get("/api/v1/lounges?q=%25")) == ["100% honest feedback"]
    assert names(await ben.client.get("/api/v1/lounges?q=_")) == []
    assert names(await ben.client.get("/api/v1/lounges?mine=true")) == []
    assert len(names(await client.get("/api/v1/lounges?mine=true"))) == 3
    page = await ben.client.get("/api/v1/lounges?limit=2")
    assert len(page.json()["items"]) == 2 and page.json()["next_cursor"]
    rest = await ben.client.get(f"/api/v1/lounges?limit=2&cursor={page.json()['next_cursor']}")
    assert len(rest.json()["items"]) == 1
    assert (await ben.client.get("/api/v1/lounges?limit=101")).status_code == 422


async def test_private_lounges_are_404_to_non_members_everywhere(client, ana, ben):
    lounge = await make_lounge(ana, name="Leadership circle", visibility="private")
    lid = lounge["id"]
    session = await client.post(f"/api/v1/lounges/{lid}/sessions", headers=ana.csrf, json={
        "title": "Circle", "starts_at": "2030-01-10T12:00:00Z", "ends_at": "2030-01-10T13:00:00Z",
        "time_zone": "UTC"})
    sid = session.json()["id"]
    c, h = ben.client, ben.csrf
    for response in [
        await c.get(f"/api/v1/lounges/{lid}"),
        await c.patch(f"/api/v1/lounges/{lid}", json={"name": "Mine now"}, headers=h),
        await c.delete(f"/api/v1/lounges/{lid}", headers=h),
        await c.post(f"/api/v1/lounges/{lid}/join", headers=h),
        await c.post(f"/api/v1/lounges/{lid}/leave", headers=h),
        await c.get(f"/api/v1/lounges/{lid}/members"),
        await c.post(f"/api/v1/lounges/{lid}/invites", json={"user_id": ben.id}, headers=h),
        await c.put(f"/api/v1/lounges/{lid}/members/{ben.id}", json={"role": "host"}, headers=h),
        await c.get(f"/api/v1/lounges/{lid}/takeaways"),
        await c.post(f"/api/v1/lounges/{lid}/sessions", headers=h, json={
            "title": "Sneaky", "starts_at": "2030-01-10T12:00:00Z", "ends_at": "2030-01-10T13:00:00Z",
            "time_zone": "UTC"}),
        await c.get(f"/api/v1/sessions/{sid}"),
        await c.get(f"/api/v1/sessions?lounge_id={lid}"),
        await c.put(f"/api/v1/sessions/{sid}/rsvp", json={"status": "going"}, headers=h),
        await c.get(f"/api/v1/sessions/{sid}/attendees"),
        await c.post(f"/api/v1/sessions/{sid}/cancel", headers=h),
        await c.get("/lounges/leadership-circle", headers={"Accept": "text/html"}),
        await c.get(f"/sessions/{sid}", headers={"Accept": "text/html"}),
    ]:
        assert response.status_code == 404, (response.request.url, response.text)
    assert (await c.get("/api/v1/lounges")).json()["items"] == []
    assert (await c.get("/api/v1/sessions")).json()["items"] == []


async def test_invite_lets_a_colleague_into_a_private_lounge(client, ana, ben):
    lounge = await make_lounge(ana, visibility="private")
    response = await client.post(f"/api/v1/lounges/{lounge['id']}/invites", headers=ana.csrf,
                                 json={"user_id": ben.id})
    assert response.status_code == 201
    assert response.json()["role"] == "member" and response.json()["display_name"] == "Ben Okafor"
    seen = await ben.client.get(f"/api/v1/lounges/{lounge['id']}")
    assert seen.status_code == 200 and seen.json()["my_role"] == "member"
    members = await ben.client.get(f"/api/v1/lounges/{lounge['id']}/members")
    assert [(m["display_name"], m["role"]) for m in members.json()["items"]] == [
        ("Ana Lima", "host"), ("Ben Okafor", "member")]
    unknown = await client.post(f"/api/v1/lounges/{lounge['id']}/invites", headers=ana.csrf,
                                json={"user_id": "usr_nobody"})
    assert unknown.status_code == 409


async def test_join_leave_and_the_last_host_cannot_leave(client, ana, ben):
    lounge = await make_lounge(ana)
    lid = lounge["id"]
    joined = await ben.client.post(f"/api/v1/lounges/{lid}/join", headers=ben.csrf)
    assert joined.status_code == 200 and joined.json()["my_role"] == "member"
    assert joined.json()["member_count"] == 2
    again = await ben.client.post(f"/api/v1/lounges/{lid}/join", headers=ben.csrf)
    assert again.json()["member_count"] == 2
    left = await ben.client.post(f"/api/v1/lounges/{lid}/leave", headers=ben.csrf)
    assert left.json()["my_role"] is None and left.json()["member_count"] == 1
    alone = await client.post(f"/api/v1/lounges/{lid}/leave", headers=ana.csrf)
    assert alone.status_code == 409


async def test_hosts_appoint_moderators_who_may_edit_but_not_archive(client, ana, ben):
    lid = (await make_lounge(ana))["id"]
    await ben.client.post(f"/api/v1/lounges/{lid}/join", headers=ben.csrf)
    refused = await ben.client.patch(f"/api/v1/lounges/{lid}", json={"name": "Ben's"}, headers=ben.csrf)
    assert refused.status_code == 403
    made = await client.put(f"/api/v1/lounges/{lid}/members/{ben.id}", json={"role": "moderator"},
                            headers=ana.csrf)
    assert made.status_code == 200 and made.json()["role"] == "moderator"
    edited = await ben.client.patch(f"/api/v1/lounges/{lid}", headers=ben.csrf,
                                    json={"description": "Now *fortnightly*", "tags": "python, guild"})
    assert edited.status_code == 200
    assert edited.json()["tags"] == ["guild", "python"]
    assert "<em>fortnightly</em>" in edited.json()["description_html"]
    assert (await ben.client.delete(f"/api/v1/lounges/{lid}", headers=ben.csrf)).status_code == 403
    demote_self = await client.put(f"/api/v1/lounges/{lid}/members/{ana.id}", json={"role": "member"},
                                   headers=ana.csrf)
    assert demote_self.status_code == 409
    stranger = await client.put(f"/api/v1/lounges/{lid}/members/usr_nobody", json={"role": "host"},
                                headers=ana.csrf)
    assert stranger.status_code == 404
    bad_role = await client.put(f"/api/v1/lounges/{lid}/members/{ben.id}", json={"role": "owner"},
                                headers=ana.csrf)
    assert bad_role.status_code == 422


async def test_archive_hides_from_directory_and_refuses_new_sessions(client, ana, ben, db):
    lid = (await make_lounge(ana))["id"]
    archived = await client.delete(f"/api/v1/lounges/{lid}", headers=ana.csrf)
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert (await db.get(Lounge, lid)).archived_at is not None
    assert (await ben.client.get("/api/v1/lounges")).json()["items"] == []
    assert (await ben.client.post(f"/api/v1/lounges/{lid}/join", headers=ben.csrf)).status_code == 409
    response = await client.post(f"/api/v1/lounges/{lid}/sessions", headers=ana.csrf, json={
        "title": "Late", "starts_at": "2030-01-10T12:00:00Z", "ends_at": "2030-01-10T13:00:00Z",
        "time_zone": "UTC"})
    assert response.status_code == 409


async def test_unknown_lounge_is_404(client, ana):
    assert (await client.get("/api/v1/lounges/lng_missing")).status_code == 404


async def test_htmx_search_returns_the_results_fragment(client, ana):
    await make_lounge(ana, name="Spanish conversation", tags=["spanish"])
    response = await client.get("/api/v1/lounges?q=zzz", headers=HTMX)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert "No lounge matches" in response.text
    found = await client.get("/api/v1/lounges?q=span", headers=HTMX)
    assert 'href="/lounges/spanish-conversation"' in found.text


async def test_htmx_create_errors_land_beside_their_fields(client, ana):
    response = await client.post("/api/v1/lounges", data={"name": "", "visibility": "open"},
                                 headers={**HTMX, **ana.csrf, "HX-Source": "form#lounge-form"})
    assert response.status_code == 422
    assert 'hx-target="#lounge-form-name-error"' in response.text


async def test_form_create_redirects_htmx_to_the_lounge_page(client, ana):
    response = await client.post("/api/v1/lounges", data={"name": "Accessibility champions",
                                                          "tags": "a11y, design"},
                                 headers={**HTMX, **ana.csrf})
    assert response.status_code == 201
    assert response.headers["hx-redirect"] == "/lounges/accessibility-champions"
    page = await client.get("/lounges/accessibility-champions", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert '<section id="chat" aria-label="Chat">' in page.text and "#a11y" in page.text


async def test_pages_render_for_a_member(client, ana):
    await make_lounge(ana)
    for path in ("/", "/lounges", "/lounges?tag=python", "/schedule"):
        response = await client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, path


async def test_other_account_sees_open_lounge_and_can_join(new_client, ana):
    await make_lounge(ana)
    async with new_client() as c:
        cat = await sign_up(c, "cat@example.com", "Cat Ng")
        listed = await c.get("/api/v1/lounges")
        assert [i["my_role"] for i in listed.json()["items"]] == [None]
        lid = listed.json()["items"][0]["id"]
        assert (await c.post(f"/api/v1/lounges/{lid}/join", headers=cat.csrf)).status_code == 200
