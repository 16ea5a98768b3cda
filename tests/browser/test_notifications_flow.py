"""The bell and the calendar in a real browser, against uvicorn with its outbox worker running:
a freed seat rings the bell of the person promoted, the notifications page lists it and marks
it read, the settings page shows the calendar feed and replaces it, and the session page's
"Add to calendar" downloads an .ics — with an accessibility scan of each page."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Dialog, expect

from tests.browser.helpers_lounges import api_client, person

pytestmark = pytest.mark.browser


def test_a_promotion_rings_the_bell_and_the_page_marks_it_read(live_server, new_page, create_account,
                                                                axe_scan) -> None:
    ana = person(new_page, create_account, "Ana Host")
    ben = person(new_page, create_account, "Ben Early")
    cara = person(new_page, create_account, "Cara Waiting")
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    with api_client(live_server, ana.email, ana.password) as host:
        lounge = host.post("/api/v1/lounges", json={"name": "Data guild"}).json()
        session = host.post(f"/api/v1/lounges/{lounge['id']}/sessions", json={
            "title": "Window functions", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), "time_zone": "Europe/London",
            "capacity": 1}).json()
    with api_client(live_server, ben.email, ben.password) as early, \
            api_client(live_server, cara.email, cara.password) as waiting:
        rsvp = f"/api/v1/sessions/{session['id']}/rsvp"
        assert early.put(rsvp, json={"status": "going"}).json()["status"] == "going"
        assert waiting.put(rsvp, json={"status": "going"}).json()["status"] == "waitlisted"
        cara.page.goto("/")
        expect(cara.page.locator("#bell-count")).to_be_empty()
        early.put(rsvp, json={"status": "not_going"})

    page = cara.page
    # The outbox worker writes the notification shortly after the change; reload until it has
    # (the bell also refreshes by itself every 30 s).
    deadline = time.monotonic() + 20
    while True:
        page.reload()
        try:
            expect(page.locator("#bell-count")).to_have_text("1 unread", timeout=2000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_url("**/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("link", name="You have a seat at Window functions")).to_be_visible()
    axe_scan(page, "notifications")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("#bell-count")).to_be_empty()
    expect(page.locator("li.notification.unread")).to_have_count(0)

    page.get_by_role("link", name="You have a seat at Window functions").click()
    page.wait_for_url(f"**/sessions/{session['id']}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == session["ical_uid"] and str(event["SUMMARY"]) == "Window functions"


def test_the_settings_page_shows_and_replaces_the_calendar_feed(live_server, new_page, create_account,
                                                                 axe_scan) -> None:
    ana = person(new_page, create_account, "Ana Feed")
    page = ana.page
    page.goto("/settings")
    feed = page.get_by_label("Feed address")
    expect(feed).to_be_visible()
    old = feed.input_value()
    assert old.startswith(f"{live_server}/api/v1/calendar/") and old.endswith(".ics")
    axe_scan(page, "settings-calendar")
    page.once("dialog", Dialog.accept)
    page.get_by_role("button", name="Replace address").click()
    expect(page.get_by_role("status")).to_contain_text("new address")
    new = page.get_by_label("Feed address").input_value()
    assert new != old
    assert page.request.get(old).status == 404
    assert page.request.get(new).status == 200
