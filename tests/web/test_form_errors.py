"""What a newcomer reads when a form is refused: plain sentences, each once and beside its field,
every error at once (the end-before-start check too), and a summary that links to the fields by
their labels; tools still get `errors[]` with `loc`, `field`, `msg` and `type`."""

from __future__ import annotations

import re

from tests.api.sessions_helpers import make_lounge

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial", "HX-Source": "form#session-form"}
FORM = {"title": "Pairing hour", "kind": "workshop", "starts_at": "2030-03-05T16:00",
        "ends_at": "2030-03-05T15:00", "time_zone": "Europe/London", "description": "",
        "capacity": "0", "location": "", "join_url": ""}


def beside(html: str, slot: str) -> list[str]:
    return re.findall(rf'<hx-partial hx-target="#{slot}-error" hx-swap="innerHTML">(.*?)</hx-partial>', html)


async def test_every_error_of_the_schedule_form_shows_once_in_plain_words(ana):
    lounge = await make_lounge(ana)
    answer = await ana.client.post(f"/api/v1/lounges/{lounge['id']}/sessions", data=FORM,
                                   headers={**ana.csrf, **HTMX})
    assert answer.status_code == 422
    html = answer.text
    assert beside(html, "session-form-capacity") == ["Use a number of 1 or more."]
    assert beside(html, "session-form-ends_at") == ["The session must end after it starts."]
    for message in ("Use a number of 1 or more.", "The session must end after it starts."):
        assert html.count(message) == 1
    assert '<a href="#session-form-capacity">Seats (optional)</a>' in html
    assert '<a href="#session-form-ends_at">Ends</a>' in html
    assert "Input should" not in html and "capacity:" not in html and "ends_at:" not in html
    assert "Invalid input" not in html


async def test_a_bad_date_and_a_bad_number_are_told_as_a_colleague_would(ana):
    lounge = await make_lounge(ana)
    answer = await ana.client.post(f"/api/v1/lounges/{lounge['id']}/sessions",
                                   data={**FORM, "starts_at": "2030-03", "capacity": "lots"},
                                   headers={**ana.csrf, **HTMX})
    assert beside(answer.text, "session-form-starts_at") == [
        "Enter a date and time, such as 4 March 2027, 12:30."]
    assert beside(answer.text, "session-form-capacity") == ["Enter a whole number, such as 12."]
    assert '<a href="#session-form-starts_at">Starts</a>' in answer.text
    assert "Input should" not in answer.text and "ISO" not in answer.text


async def test_tools_keep_the_problem_details_in_plain_words(ana):
    lounge = await make_lounge(ana)
    answer = await ana.client.post(f"/api/v1/lounges/{lounge['id']}/sessions", data=FORM, headers=ana.csrf)
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"] == [
        {"loc": ["body", "capacity"], "field": "capacity", "msg": "Use a number of 1 or more.",
         "type": "greater_than_equal"},
        {"loc": ["body", "ends_at"], "field": "ends_at", "msg": "The session must end after it starts.",
         "type": "value_error"}]
    dates = await ana.client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf,
                                  json={**FORM, "starts_at": "2030-03", "capacity": 3})
    assert [e["msg"] for e in dates.json()["errors"]] == [
        "Enter a date and time in ISO 8601, such as 2027-03-04T12:30:00Z."]


async def test_a_conflict_says_what_clashes_beside_the_field(client, ana):
    answer = await client.post("/api/v1/auth/register", data={
        "email": ana.email, "password": "a long enough password", "display_name": "Ana Again"},
        headers={"HX-Request": "true", "HX-Request-Type": "partial", "HX-Source": "form#register-form"})
    assert answer.status_code == 409
    assert beside(answer.text, "register-form-email") == ["An account with this email already exists."]
    assert answer.text.count("An account with this email already exists.") == 1
    assert '<a href="#register-form-email">Work email</a>' in answer.text
    assert "Conflict" not in answer.text
