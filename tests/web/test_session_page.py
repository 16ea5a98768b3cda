"""The session page agrees with itself after an action: an RSVP's answer carries, out of band,
the details (seats left, the join link, shown once), the attendees and what the status region
says; cancelling or editing carries the RSVP block and the attendees. Hosts and co-hosts are
not asked whether they are coming, and the page offers check-in exactly when and for whom
`sessions.check_in` accepts it: people going, from 15 minutes before the start until a day
after the end."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.sessions_helpers import join, make_lounge, make_session, move_session, rsvp
from tests.api.test_lounges import HTMX
from tests.conftest import Account, sign_up

JOIN_URL = "https://meet.example.com/sql"


def partial(html: str, target: str) -> str:
    """The content of the answer's out-of-band `<hx-partial>` for `target` ("" if none)."""
    found = re.search(rf'<hx-partial hx-target="{re.escape(target)}"[^>]*>(.*?)</hx-partial>', html, re.S)
    return found.group(1) if found else ""


def main_block(html: str) -> str:
    """What the answer swaps into the action's own target (everything outside the partials)."""
    return re.sub(r"<hx-partial .*?</hx-partial>", "", html, flags=re.S)


async def page(account: Account, session_id: str) -> str:
    answer = await account.client.get(f"/sessions/{session_id}", headers={"Accept": "text/html"})
    assert answer.status_code == 200
    return answer.text


async def answer_rsvp(account: Account, session_id: str, status: str) -> str:
    answer = await account.client.put(f"/api/v1/sessions/{session_id}/rsvp", data={"status": status},
                                      headers={**HTMX, **account.csrf})
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.fixture
async def cleo(new_client) -> AsyncIterator[Account]:
    """A third member-to-be with a client of her own."""
    async with new_client() as c:
        yield await sign_up(c, "cleo@example.com", "Cleo Park")


async def test_going_updates_the_details_and_attendees_and_says_so(ana, ben):
    lounge = await make_lounge(ana)
    await join(ben, lounge["id"])
    session = await make_session(ana, lounge["id"], capacity=20)
    before = await page(ben, session["id"])
    assert "20 (20 left)" in before and JOIN_URL not in before

    html = await answer_rsvp(ben, session["id"], "going")
    rsvp_block = main_block(html)
    assert 'id="rsvp"' in rsvp_block and "You are going." in rsvp_block
    assert re.search(r'<button type="button" id="rsvp-answer"[^>]*>I can\'t go', rsvp_block)
    details = partial(html, "#session-details")
    assert 'id="session-details"' in details and "20 (19 left)" in details
    attendees = partial(html, "#attendee-list")
    assert "Going (1)" in attendees and ben.display_name in attendees
    assert partial(html, "#session-announce") == "You're going."
    assert html.count(f'href="{JOIN_URL}"') == 1 and f'href="{JOIN_URL}"' in details
    assert (await page(ben, session["id"])).count(f'href="{JOIN_URL}"') == 1

    html = await answer_rsvp(ben, session["id"], "not_going")
    assert re.search(r'id="rsvp-answer"[^>]*>I\'m going', main_block(html))
    assert "20 (20 left)" in partial(html, "#session-details") and JOIN_URL not in html
    assert partial(html, "#session-announce") == "You're not going."


async def test_the_waitlist_answer_keeps_its_button_and_says_the_position(ana, ben, cleo):
    lounge = await make_lounge(ana)
    for someone in (ben, cleo):
        await join(someone, lounge["id"])
    session = await make_session(ana, lounge["id"], capacity=1)
    await rsvp(ben, session["id"], "going")
    assert re.search(r'id="rsvp-answer"[^>]*>Join the waitlist', await page(cleo, session["id"]))
    html = await answer_rsvp(cleo, session["id"], "going")
    assert re.search(r'id="rsvp-answer"[^>]*>Leave the waitlist', main_block(html))
    assert partial(html, "#session-announce") == "You're on the waitlist, position 1."
    assert "1 (0 left)" in partial(html, "#session-details")
    assert "Waitlist (1)" in partial(html, "#attendee-list")


async def test_cancelling_updates_the_rsvp_block_too(ana, ben):
    lounge = await make_lounge(ana)
    await join(ben, lounge["id"])
    moderator = await ana.client.put(f"/api/v1/lounges/{lounge['id']}/members/{ben.id}",
                                     json={"role": "moderator"}, headers=ana.csrf)
    assert moderator.status_code == 200, moderator.text
    session = await make_session(ana, lounge["id"])
    assert "I'm going" in await page(ben, session["id"])  # a moderator who does not host is asked
    answer = await ben.client.post(f"/api/v1/sessions/{session['id']}/cancel", headers={**HTMX, **ben.csrf})
    assert answer.status_code == 200, answer.text
    assert "This session will not take place." in main_block(answer.text)
    rsvp_block = partial(answer.text, "#rsvp")
    assert "This session is cancelled." in rsvp_block and "I'm going" not in rsvp_block
    assert 'id="rsvp-answer"' not in rsvp_block
    assert "Going (0)" in partial(answer.text, "#attendee-list")


async def test_editing_the_seats_updates_the_rsvp_block(ana, ben):
    lounge = await make_lounge(ana)
    await join(ben, lounge["id"])
    session = await make_session(ana, lounge["id"], capacity=3)
    await rsvp(ben, session["id"], "going")
    answer = await ana.client.patch(f"/api/v1/sessions/{session['id']}", data={"capacity": "5"},
                                    headers={**HTMX, **ana.csrf})
    assert answer.status_code == 200, answer.text
    assert "5 (4 left)" in main_block(answer.text)
    assert "1 of 5 seats taken" in partial(answer.text, "#rsvp")


async def test_hosts_and_co_hosts_see_that_they_host_not_an_rsvp_prompt(ana, ben, cleo):
    lounge = await make_lounge(ana)
    for someone in (ben, cleo):
        await join(someone, lounge["id"])
    session = await make_session(ana, lounge["id"], capacity=1, cohost_ids=[ben.id])
    await rsvp(cleo, session["id"], "going")  # full now: the prompt would say "Join the waitlist"
    for host in (ana, ben):
        html = await page(host, session["id"])
        assert "You are hosting this session." in html and ">Hosting</h2>" in html
        assert "Are you coming?" not in html and "Join the waitlist" not in html
        assert 'id="rsvp-answer"' not in html
        assert html.count(f'href="{JOIN_URL}"') == 1
    html = await page(cleo, session["id"])
    assert "You are going." in html and "You are hosting" not in html
    assert (await ana.client.get(f"/api/v1/sessions/{session['id']}")).json()["hosting"] is True


async def check_in(host: Account, session_id: str, who: Account, attended: bool = True) -> int:
    answer = await host.client.put(f"/api/v1/sessions/{session_id}/attendance/{who.id}",
                                   json={"attended": attended}, headers=host.csrf)
    return answer.status_code


def offered(html: str, who: Account) -> bool:
    return f"Check in<span class=\"visually-hidden\"> {who.display_name}</span>" in html


async def test_check_in_is_offered_exactly_when_and_for_whom_it_is_accepted(ana, ben, cleo, db):
    lounge = await make_lounge(ana)
    for someone in (ben, cleo):
        await join(someone, lounge["id"])
    session = await make_session(ana, lounge["id"], capacity=1)
    sid = session["id"]
    await rsvp(ben, sid, "going")
    assert (await rsvp(cleo, sid, "going"))["status"] == "waitlisted"

    # Days ahead: nobody is offered check-in and the service agrees.
    html = await page(ana, sid)
    assert not offered(html, ben) and not offered(html, cleo)
    assert await check_in(ana, sid, ben) == 409
    assert (await ana.client.get(f"/api/v1/sessions/{sid}")).json()["can_check_in"] is False

    # From 15 minutes before the start: the person going, not the one waiting.
    now = datetime.now(UTC)
    await move_session(db, sid, starts_at=now + timedelta(minutes=14))
    html = await page(ana, sid)
    assert offered(html, ben) and not offered(html, cleo)
    assert await check_in(ana, sid, cleo) == 409
    assert await check_in(ana, sid, ben) == 200
    listed = await ana.client.get(f"/api/v1/sessions/{sid}/attendees", headers=HTMX)
    assert "Undo check-in<span class=\"visually-hidden\"> Ben Okafor" in listed.text
    assert "Check in<span class=\"visually-hidden\"> Cleo Park" not in listed.text
    assert not offered(await page(ben, sid), ben)  # only hosts check people in

    # A day after the end it has closed again.
    await move_session(db, sid, starts_at=now - timedelta(days=1, hours=1, minutes=1))
    html = await page(ana, sid)
    assert "Undo check-in" not in html and not offered(html, ben)
    assert await check_in(ana, sid, ben, attended=False) == 409
