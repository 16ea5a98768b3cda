"""People, managers and roles through the API: `PATCH /api/v1/me {manager_id}` and an
administrator's `PATCH /api/v1/users/{id}` refuse circles with nothing written, `PUT
/api/v1/users/{id}/roles` makes advisors, only administrators may do either, tokens see the
change at once, and htmx callers get the fragments the pages swap in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import User
from tests.conftest import bearer_token, sign_up

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
async def cleo(new_client):
    async with new_client() as c:
        yield await sign_up(c, "cleo@example.com", "Cleo Diaz")


async def stored(db, user_id: str) -> User:
    db.expire_all()
    return await db.scalar(select(User).where(User.id == user_id))


async def test_a_person_names_and_clears_their_manager(client, ana, ben, db):
    named = await ben.client.patch("/api/v1/me", headers=ben.csrf, json={"manager_id": ana.id})
    assert named.status_code == 200 and named.json()["manager_id"] == ana.id
    assert (await stored(db, ben.id)).manager_id == ana.id
    cleared = await ben.client.patch("/api/v1/me", headers=ben.csrf, json={"manager_id": None})
    assert cleared.status_code == 200 and cleared.json()["manager_id"] is None
    assert (await stored(db, ben.id)).manager_id is None


async def test_the_settings_form_clears_the_manager_with_an_empty_value(client, ana, ben, db):
    await ben.client.patch("/api/v1/me", headers=ben.csrf, json={"manager_id": ana.id})
    cleared = await ben.client.patch("/api/v1/me", headers=ben.csrf, data={"manager_id": ""})
    assert cleared.status_code == 200 and cleared.json()["manager_id"] is None
    assert (await stored(db, ben.id)).manager_id is None


async def test_my_manager_cannot_be_someone_who_reports_to_me(client, ana, ben, cleo, db):
    # Cleo reports to Ben, Ben reports to Ana.
    for report, manager in ((cleo, ben), (ben, ana)):
        named = await report.client.patch("/api/v1/me", headers=report.csrf, json={"manager_id": manager.id})
        assert named.status_code == 200
    for manager in (ben, cleo):  # directly, and through Ben
        refused = await client.patch("/api/v1/me", headers=ana.csrf,
                                     json={"manager_id": manager.id, "bio": "Not saved"})
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == ["manager_id"]
        assert "circle" in refused.json()["detail"]
    row = await stored(db, ana.id)
    assert row.manager_id is None and row.bio == ""


async def test_a_refused_manager_answers_htmx_with_the_error_beside_the_field(client, ana, ben):
    await ben.client.patch("/api/v1/me", headers=ben.csrf, json={"manager_id": ana.id})
    refused = await client.patch("/api/v1/me", data={"manager_id": ben.id},
                                 headers={**ana.csrf, **HTMX, "HX-Source": "form#manager-form"})
    assert refused.status_code == 409
    assert 'hx-target="#manager-form-manager_id-error"' in refused.text and "circle" in refused.text


async def test_the_manager_picker_gets_the_manager_field_back(client, ana, ben):
    answer = await ben.client.patch("/api/v1/me", headers={**ben.csrf, **HTMX}, data={"manager_id": ana.id})
    assert answer.status_code == 200
    assert 'id="manager-field"' in answer.text and "Ana Lima is now your manager" in answer.text
    assert 'id="profile-form"' not in answer.text
    profile = await ben.client.patch("/api/v1/me", headers={**ben.csrf, **HTMX}, data={"bio": "Hi"})
    assert 'id="profile-form"' in profile.text


async def test_an_administrator_sets_and_clears_a_manager(client, ana, ben, cleo, db):
    answer = await client.patch(f"/api/v1/users/{cleo.id}", headers=ana.csrf, json={"manager_id": ben.id})
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == cleo.id and answer.json()["manager_id"] == ben.id
    assert (await stored(db, cleo.id)).manager_id == ben.id
    unchanged = await client.patch(f"/api/v1/users/{cleo.id}", headers=ana.csrf, json={})
    assert unchanged.status_code == 200 and unchanged.json()["manager_id"] == ben.id
    cleared = await client.patch(f"/api/v1/users/{cleo.id}", headers=ana.csrf, json={"manager_id": None})
    assert cleared.status_code == 200 and cleared.json()["manager_id"] is None
    assert (await stored(db, cleo.id)).manager_id is None


@pytest.mark.parametrize(("payload", "status"), [
    ({"manager_id": "usr_nobody"}, 409),
    ({"manager_id": "self"}, 409),
    ({"manager_id": "circle"}, 409),
    ({"manager_id": "x" * 41}, 422),
    ({"manager_id": "ok", "is_admin": True}, 422),
])
async def test_an_administrator_is_refused_bad_managers_with_nothing_written(client, ana, ben, cleo, db,
                                                                             payload, status):
    await client.patch(f"/api/v1/users/{cleo.id}", headers=ana.csrf, json={"manager_id": ben.id})
    names = {"self": ben.id, "circle": cleo.id, "ok": ana.id}
    body = {**payload, "manager_id": names.get(payload["manager_id"], payload["manager_id"])}
    refused = await client.patch(f"/api/v1/users/{ben.id}", headers=ana.csrf, json=body)
    assert refused.status_code == status, refused.text
    assert refused.json()["errors"]
    row = await stored(db, ben.id)
    assert row.manager_id is None and not row.is_admin


async def test_an_administrator_makes_and_unmakes_an_advisor(client, ana, ben, db):
    made = await client.put(f"/api/v1/users/{ben.id}/roles", headers=ana.csrf, json={"advisor": True})
    assert made.status_code == 200 and made.json()["is_advisor"] is True
    assert (await stored(db, ben.id)).is_advisor
    assert (await client.get(f"/api/v1/users/{ben.id}")).json()["is_advisor"] is True
    unmade = await client.put(f"/api/v1/users/{ben.id}/roles", headers=ana.csrf, data={"advisor": "false"})
    assert unmade.status_code == 200 and unmade.json()["is_advisor"] is False
    assert not (await stored(db, ben.id)).is_advisor


@pytest.mark.parametrize("payload", [{}, {"advisor": "perhaps"}, {"advisor": True, "admin": True}])
async def test_bad_roles_are_refused(client, ana, ben, db, payload):
    refused = await client.put(f"/api/v1/users/{ben.id}/roles", headers=ana.csrf, json=payload)
    assert refused.status_code == 422
    row = await stored(db, ben.id)
    assert not row.is_advisor and not row.is_admin


async def test_only_administrators_change_people(client, ana, ben, cleo, db, new_client):
    for method, path, body in (("PATCH", f"/api/v1/users/{cleo.id}", {"manager_id": ben.id}),
                               ("PUT", f"/api/v1/users/{cleo.id}/roles", {"advisor": True})):
        member = await ben.client.request(method, path, headers=ben.csrf, json=body)
        assert member.status_code == 403, member.text
        async with new_client() as anonymous:
            assert (await anonymous.request(method, path, json=body)).status_code == 401
        secret = await bearer_token(ana, ["read", "write"])
        async with new_client() as tool:
            lacking = await tool.request(method, path, json=body,
                                         headers={"Authorization": f"Bearer {secret}"})
        assert lacking.status_code == 403 and "admin" in lacking.json()["detail"]
    row = await stored(db, cleo.id)
    assert row.manager_id is None and not row.is_advisor


async def test_unknown_people_are_404(client, ana):
    for method, path, body in (("PATCH", "/api/v1/users/usr_nobody", {"manager_id": None}),
                               ("PUT", "/api/v1/users/usr_nobody/roles", {"advisor": True})):
        answer = await client.request(method, path, headers=ana.csrf, json=body)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"


async def test_a_token_sees_the_new_role_and_manager_at_once(client, ana, ben, new_client):
    secret = await bearer_token(ben, ["read"])
    async with new_client() as tool:
        auth = {"Authorization": f"Bearer {secret}"}
        assert (await tool.get("/api/v1/me", headers=auth)).json()["is_advisor"] is False
        await client.put(f"/api/v1/users/{ben.id}/roles", headers=ana.csrf, json={"advisor": True})
        await client.patch(f"/api/v1/users/{ben.id}", headers=ana.csrf, json={"manager_id": ana.id})
        me = (await tool.get("/api/v1/me", headers=auth)).json()
    assert me["is_advisor"] is True and me["manager_id"] == ana.id


async def test_administrators_get_the_person_panel_as_a_fragment(client, ana, ben):
    roles = await client.put(f"/api/v1/users/{ben.id}/roles", headers={**ana.csrf, **HTMX},
                             data={"advisor": "true"})
    assert roles.status_code == 200
    assert "Ben Okafor is now an advisor" in roles.text and "Remove the advisor role" in roles.text
    manager = await client.patch(f"/api/v1/users/{ben.id}", headers={**ana.csrf, **HTMX},
                                 data={"manager_id": ana.id})
    assert "Ben Okafor now reports to Ana Lima" in manager.text
    assert roles.headers["vary"] == "HX-Request, HX-Request-Type"


async def test_the_admin_people_panel_page_is_for_administrators(client, ana, ben):
    panel = await client.get(f"/admin/people?user_id={ben.id}", headers=HTMX)
    assert panel.status_code == 200 and "Find a manager for Ben Okafor" in panel.text
    hint = await client.get("/admin/people", headers=HTMX)
    assert hint.status_code == 200 and "Choose someone" in hint.text
    assert (await client.get("/admin/people?user_id=usr_nobody", headers=HTMX)).status_code == 404
    assert (await ben.client.get(f"/admin/people?user_id={ben.id}", headers=HTMX)).status_code == 403


async def test_the_people_search_offers_a_choice_per_person(client, ana, ben):
    found = await client.get("/api/v1/users?q=okaf", headers=HTMX)
    assert found.status_code == 200 and f'data-pick-person="{ben.id}"' in found.text
