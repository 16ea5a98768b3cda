"""Recurring series as a newcomer meets them in the pages: the schedule form's plain choices
make the series the API would from an RRULE, the session page confirms how many sessions were
scheduled and says in words how they repeat, and the lounge page shows a series once, with its
next date and the rest folded away."""

from __future__ import annotations

import re

import pytest

from tests.api.sessions_helpers import make_lounge
from tests.conftest import Account

PAGE = {"Accept": "text/html"}
HTMX = {"HX-Request": "true", "HX-Request-Type": "partial", "HX-Source": "form#session-form"}
TUESDAY = "2030-03-05"


def form(**fields: str) -> dict[str, str]:
    return {"title": "Pairing hour", "kind": "workshop", "starts_at": f"{TUESDAY}T16:00",
            "ends_at": f"{TUESDAY}T17:00", "time_zone": "Europe/London", "description": "",
            "capacity": "", "location": "", "join_url": "", **fields}


async def post_form(account: Account, lounge_id: str, **fields: str):
    return await account.client.post(f"/api/v1/lounges/{lounge_id}/sessions", data=form(**fields),
                                     headers={**account.csrf, **HTMX})


async def series_starts(account: Account, lounge_id: str) -> list[str]:
    listed = await account.client.get("/api/v1/sessions", params={"lounge_id": lounge_id, "limit": 100})
    return [item["starts_at"][:10] for item in listed.json()["items"]]


async def test_the_form_offers_plain_choices_without_rfc_jargon(ana):
    lounge = await make_lounge(ana)
    page = (await ana.client.get(f"/lounges/{lounge['slug']}", headers=PAGE)).text
    choices = re.search(r'<select id="session-form-repeat" name="_repeat".*?</select>', page, re.S)
    assert choices is not None
    assert re.findall(r'<option value="([\w-]+)">([^<]+)</option>', choices.group(0)) == [
        ("never", "Never"), ("weekly", "Every week"), ("fortnightly", "Every 2 weeks"),
        ("monthly", "Every month")]
    assert 'name="_repeat_count"' in page and 'name="_repeat_until"' in page
    assert "RFC" not in page and "RRULE" not in page and "FREQ=" not in page


@pytest.mark.parametrize(("choice", "rule", "starts"), [
    ({"_repeat": "weekly", "_repeat_count": "6"}, "FREQ=WEEKLY;COUNT=6",
     ["2030-03-05", "2030-03-12", "2030-03-19", "2030-03-26", "2030-04-02", "2030-04-09"]),
    ({"_repeat": "fortnightly", "_repeat_count": "", "_repeat_until": "2030-04-16"},
     "FREQ=WEEKLY;INTERVAL=2;UNTIL=20300416", ["2030-03-05", "2030-03-19", "2030-04-02", "2030-04-16"]),
    ({"_repeat": "monthly", "_repeat_count": "3"}, "FREQ=MONTHLY;COUNT=3",
     ["2030-03-05", "2030-04-05", "2030-05-05"]),
    ({"_repeat": "never", "_repeat_count": "6"}, None, ["2030-03-05"]),
])
async def test_the_forms_plain_choices_schedule_the_series(ana, choice, rule, starts):
    lounge = await make_lounge(ana)
    created = await post_form(ana, lounge["id"], **choice)
    assert created.status_code == 201, created.text
    first_id = re.fullmatch(r"/sessions/([\w-]+)\?scheduled=1", created.headers["HX-Redirect"])[1]
    first = await ana.client.get(f"/api/v1/sessions/{first_id}")
    assert first.json()["recurrence"] == rule
    assert await series_starts(ana, lounge["id"]) == starts


async def test_unclear_choices_are_refused_beside_their_field(ana):
    lounge = await make_lounge(ana)
    weekly = {"_repeat": "weekly", "_repeat_count": "6"}
    for fields, slot in (({"_repeat": "weekly"}, "repeat_count"),
                         ({**weekly, "_repeat_until": "2030-06-30"}, "repeat_until"),
                         ({**weekly, "recurrence": "FREQ=DAILY;COUNT=2"}, "repeat")):
        refused = await post_form(ana, lounge["id"], **fields)
        assert refused.status_code == 422
        assert f'hx-target="#session-form-{slot}-error"' in refused.text
    assert await series_starts(ana, lounge["id"]) == []
    # Tools keep sending an RRULE.
    made = await ana.client.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=ana.csrf, json={
        **form(recurrence="FREQ=WEEKLY;COUNT=2"), "capacity": None})
    assert made.status_code == 201 and made.json()["repeats"] == "Every Tuesday, twice, until 12 Mar 2030"


async def test_after_scheduling_a_series_the_session_page_confirms_it_in_plain_words(ana, ben):
    lounge = await make_lounge(ana)
    created = await post_form(ana, lounge["id"], _repeat="weekly", _repeat_count="6")
    redirect = created.headers["HX-Redirect"]
    assert redirect.endswith("?scheduled=1")
    page = (await ana.client.get(redirect, headers=PAGE)).text
    assert "6 sessions scheduled." in page
    assert "<dt>Repeats</dt><dd>Every Tuesday, 6 times, until 9 Apr 2030</dd>" in page
    assert "FREQ=" not in page
    # Without the flag (a later visit, or someone else) there is nothing to confirm.
    again = (await ben.client.get(redirect.split("?")[0], headers=PAGE)).text
    assert "sessions scheduled" not in again and "Every Tuesday, 6 times, until 9 Apr 2030" in again
    one_off = await post_form(ana, lounge["id"], _repeat="never")
    assert "1 session scheduled." in (await ana.client.get(one_off.headers["HX-Redirect"], headers=PAGE)).text


async def test_the_lounge_page_shows_a_series_once_with_its_next_date_and_the_rest_folded(ana):
    lounge = await make_lounge(ana)
    await post_form(ana, lounge["id"], _repeat="weekly", _repeat_count="6")
    await post_form(ana, lounge["id"], title="Code review clinic", starts_at=f"{TUESDAY}T18:00",
                    ends_at=f"{TUESDAY}T19:00")
    listed = (await ana.client.get("/api/v1/sessions", params={"lounge_id": lounge["id"]})).json()["items"]
    series = [item for item in listed if item["title"] == "Pairing hour"]
    assert len(series) == 6  # the API still lists every occurrence

    page = (await ana.client.get(f"/lounges/{lounge['slug']}", headers=PAGE)).text
    cards = re.findall(r'<article class="session-card.*?</article>', page, re.S)
    assert [re.search(r'<h3><a href="/sessions/([\w-]+)">([^<]+)</a>', c).groups() for c in cards] == [
        (series[0]["id"], "Pairing hour"), (listed[1]["id"], "Code review clinic")]
    pairing, clinic = cards
    assert f'datetime="{series[0]["starts_at"][:19]}' in pairing  # its next date
    assert "<summary>5 more</summary>" in pairing
    assert re.findall(r'<li><a href="/sessions/([\w-]+)">', pairing) == [item["id"] for item in series[1:]]
    assert "more</summary>" not in clinic

    # Once the first has been cancelled, the card shows the next one and four more.
    cancelled = await ana.client.post(f"/api/v1/sessions/{series[0]['id']}/cancel", headers=ana.csrf)
    assert cancelled.status_code == 200
    page = (await ana.client.get(f"/lounges/{lounge['slug']}", headers=PAGE)).text
    pairing = next(c for c in re.findall(r'<article class="session-card.*?</article>', page, re.S)
                   if "Pairing hour" in c)
    assert f'href="/sessions/{series[1]["id"]}">Pairing hour' in pairing
    assert "<summary>4 more</summary>" in pairing
