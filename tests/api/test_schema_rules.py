"""The published schema states the real rules: what it allows is accepted, what it does not is
refused. A 405 names every method of its path; an archived lounge (or business goal) is gone
from its address; a body the schema requires is required; JSON numbers are numbers; `before`
with `after` reads a range; text rules, tags and cursors accept exactly what the schema says."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from pydantic import TypeAdapter, ValidationError

from app.schemas.common import CommaList, Text
from app.schemas.lounges import Tags
from tests.api.sessions_helpers import make_lounge
from tests.chat_support import lounge_with

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# ---- 405 and Allow ------------------------------------------------------------------------------

async def test_a_405_allows_every_method_its_path_has(app, client):
    """For every documented path, a method it lacks answers 405 naming exactly its methods."""
    paths = app.openapi()["paths"]
    checked = 0
    for path, operations in paths.items():
        if not path.startswith("/api/v1/"):
            continue
        documented = {method.upper() for method in operations}
        missing = [m for m in METHODS if m not in documented]
        if not missing:
            continue
        url = re.sub(r"\{[^}]+\}", "x1", path)
        response = await client.request(missing[0], url)
        assert response.status_code == 405, (path, missing[0], response.status_code)
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert allowed == documented, (path, response.headers["allow"])
        assert response.headers["content-type"] == "application/problem+json"
        checked += 1
    assert checked > 40


async def test_options_on_me_lists_get_and_patch(client):
    response = await client.options("/api/v1/me")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"


async def test_a_calendar_address_is_not_taken_for_a_session_id(client):
    response = await client.patch("/api/v1/sessions/lsn_abc.ics", json={})
    assert response.status_code == 405 and response.headers["allow"] == "GET"


# ---- archived means gone from the address -------------------------------------------------------

async def test_an_archived_lounge_is_gone_from_its_address_and_takes_no_changes(client, ana, ben):
    lounge = await make_lounge(ana)
    lid = lounge["id"]
    assert (await ben.client.post(f"/api/v1/lounges/{lid}/join", headers=ben.csrf)).status_code == 200
    assert (await client.delete(f"/api/v1/lounges/{lid}", headers=ana.csrf)).status_code == 200
    for address in (f"/api/v1/lounges/{lid}", f"/api/v1/lounges/{lid}/members",
                    f"/api/v1/lounges/{lid}/takeaways", f"/api/v1/lounges/{lid}/calendar.ics"):
        response = await client.get(address)
        assert response.status_code == 404, (address, response.status_code)
        assert "archived" in response.json()["detail"]
    changes = [
        client.patch(f"/api/v1/lounges/{lid}", headers=ana.csrf, json={"name": "Renamed"}),
        client.post(f"/api/v1/lounges/{lid}/invites", headers=ana.csrf, json={"user_id": ben.id}),
        client.put(f"/api/v1/lounges/{lid}/members/{ben.id}", headers=ana.csrf, json={"role": "moderator"}),
        client.post(f"/api/v1/lounges/{lid}/join", headers=ana.csrf),
    ]
    for change in changes:
        response = await change
        assert response.status_code == 409, response.text
    # Deleting again changes nothing, and its members still find it in their own list.
    assert (await client.delete(f"/api/v1/lounges/{lid}", headers=ana.csrf)).status_code == 200
    mine = (await ben.client.get("/api/v1/lounges?mine=true")).json()["items"]
    assert [(item["id"], item["archived"]) for item in mine] == [(lid, True)]


async def test_an_archived_business_goal_is_gone_from_its_address(client, ana):
    created = (await client.post("/api/v1/business-goals", headers=ana.csrf,
                                 json={"title": "Serve customers in Spanish"})).json()
    address = f"/api/v1/business-goals/{created['id']}"
    assert (await client.get(address)).status_code == 200
    assert (await client.delete(address, headers=ana.csrf)).status_code == 200
    assert (await client.get(address)).status_code == 404
    assert (await client.patch(address, headers=ana.csrf, json={"title": "Again"})).status_code == 409


# ---- bodies and JSON types ----------------------------------------------------------------------

async def test_a_body_with_required_fields_cannot_be_left_out(ana):
    room = (await lounge_with(ana))["channel_id"]
    posted = await ana.client.post(f"/api/v1/channels/{room}/messages", headers=ana.csrf,
                                   json={"body": "hello"})
    for method, address in (("POST", f"/api/v1/channels/{room}/read"),
                            ("POST", f"/api/v1/channels/{room}/messages"),
                            ("PATCH", f"/api/v1/messages/{posted.json()['id']}")):
        response = await ana.client.request(method, address, headers=ana.csrf)
        assert response.status_code == 422, (address, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # A body whose fields are all optional may be left out: it reads as `{}`.
    assert (await ana.client.patch("/api/v1/me", headers=ana.csrf)).status_code == 200


@pytest.mark.parametrize("seq", [False, True, "3", 1.5, -1, 2**31])
async def test_seq_must_be_a_json_integer_of_zero_or_more(ana, seq):
    room = (await lounge_with(ana))["channel_id"]
    response = await ana.client.post(f"/api/v1/channels/{room}/read", headers=ana.csrf, json={"seq": seq})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "seq"


async def test_seq_as_a_number_or_as_form_text_is_read(ana):
    room = (await lounge_with(ana))["channel_id"]
    as_json = await ana.client.post(f"/api/v1/channels/{room}/read", headers=ana.csrf, json={"seq": 0})
    as_form = await ana.client.post(f"/api/v1/channels/{room}/read", headers=ana.csrf, data={"seq": "0"})
    assert as_json.status_code == as_form.status_code == 200


async def test_json_booleans_are_booleans(client, ana):
    response = await client.put(f"/api/v1/users/{ana.id}/roles", headers=ana.csrf, json={"advisor": 1})
    assert response.status_code == 422
    response = await client.put(f"/api/v1/users/{ana.id}/roles", headers=ana.csrf, json={"advisor": False})
    assert response.status_code == 200


# ---- history ranges -----------------------------------------------------------------------------

async def test_before_with_after_reads_the_range_between(ana):
    room = (await lounge_with(ana))["channel_id"]
    for i in range(1, 11):
        await ana.client.post(f"/api/v1/channels/{room}/messages", headers=ana.csrf, json={"body": f"m{i}"})
    address = f"/api/v1/channels/{room}/messages"
    page = (await ana.client.get(address, params={"after": 2, "before": 9, "limit": 4})).json()
    assert [m["seq"] for m in page["items"]] == [3, 4, 5, 6] and page["next_cursor"] == "6"
    page = (await ana.client.get(address, params={"after": 6, "before": 9, "limit": 4})).json()
    assert [m["seq"] for m in page["items"]] == [7, 8] and page["next_cursor"] is None
    page = (await ana.client.get(address, params={"after": 8, "before": 3})).json()
    assert page == {"items": [], "next_cursor": None}


# ---- cursors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["/api/v1/lounges", "/api/v1/users", "/api/v1/me/tokens",
                                     "/api/v1/notifications", "/api/v1/sessions"])
async def test_any_cursor_of_the_published_shape_names_a_place(client, ana, address):
    for cursor in ("0.", "-5.abc", "999999999999999999.zzz", "1700000000000000.usr_x"):
        response = await client.get(address, params={"cursor": cursor})
        assert response.status_code == 200, (cursor, response.text)
    assert (await client.get(address, params={"cursor": "WzFd"})).status_code == 422


async def test_an_offset_cursor_of_any_size_names_a_place(client, ana):
    lid = (await make_lounge(ana))["id"]
    for cursor, count in (("0", 1), ("1", 0), ("999999999", 0)):
        response = await client.get(f"/api/v1/lounges/{lid}/members", params={"cursor": cursor})
        assert response.status_code == 200 and len(response.json()["items"]) == count
    assert (await client.get(f"/api/v1/lounges/{lid}/members", params={"cursor": "x"})).status_code == 422


async def test_pages_still_follow_their_cursors(client, ana):
    for i in range(3):
        await client.post("/api/v1/me/tokens", headers=ana.csrf, json={"name": f"t{i}", "scopes": ["read"]})
    first = (await client.get("/api/v1/me/tokens", params={"limit": 2})).json()
    second = (await client.get("/api/v1/me/tokens",
                               params={"limit": 2, "cursor": first["next_cursor"]})).json()
    names = [t["name"] for t in first["items"] + second["items"]]
    assert names == ["t2", "t1", "t0"] and second["next_cursor"] is None


# ---- text rules: the pattern and the check agree ------------------------------------------------

SAMPLES = ["", " ", "  \u3000 ", "a", " a ", "ab", "a b", "Ana Lima", "a\u202eb", "a\x00", "tab\there",
           "line\nbreak", "\r\n", "x\u200b", "\ufeffx", "soft\u00adhyphen", "private\ue000",
           "astral\U000f0001", "emoji 🎉", "ｆｕｌｌ", "ﷺ", "e\u0301", "\u00a0x\u00a0", "x" * 80,
           "x" * 81, "é" * 81, "a\x85", "a\u2028b"]
RULES = [Text(maximum=80, minimum=m, multiline=ml) for m in (0, 1, 2) for ml in (False, True)]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"min{r.minimum}-{'multi' if r.multiline else 'plain'}")
def test_a_text_rule_accepts_what_its_schema_allows(rule):
    schema = {"type": "string", "maxLength": rule.maximum, "pattern": rule.pattern}
    if rule.minimum:
        schema["minLength"] = rule.minimum
    validator = jsonschema_rs.validator_for(schema)
    for sample in SAMPLES:
        try:
            kept = rule.check(sample)
        except ValueError:
            accepted = False
        else:
            accepted = True
            assert kept == kept.strip() and len(kept) <= rule.maximum
        assert accepted == validator.is_valid(sample), repr(sample)


TAG_SAMPLES = ["", "python", "#Python", " python ", "python, testing", "python,,testing,", "no spaces",
               "a,b,c,d,e,f,g,h,i,j", "a,b,c,d,e,f,g,h,i,j,k", "x" * 32, "x" * 33, "c++", "-x",
               ["python"], ["python, testing"], ["a", "b"], ["a, b", "c"], ["a"] * 10, ["a"] * 11, [""],
               [], ["#A", "a"], [1], None]


def test_tags_accept_what_their_schema_allows():
    rule = next(m for m in Tags.__metadata__ if isinstance(m, CommaList))
    validator = jsonschema_rs.validator_for(TypeAdapter(Tags).json_schema())
    for sample in TAG_SAMPLES:
        try:
            kept = TypeAdapter(Tags).validate_python(sample)
        except ValidationError:
            accepted = False
        else:
            accepted = True
            assert len(kept) <= rule.most and kept == [t.lower().lstrip("#") for t in kept]
        assert accepted == validator.is_valid(sample), repr(sample)
