"""Lounges and sessions in a real browser, with several people at once: the directory (empty
states, search as you type, tag filter, "my lounges"), opening, joining and leaving a lounge,
inviting into a private one (a 404 for everyone else), scheduling a session seen by two people
in two time zones, RSVPs until it is full, the waitlist and its promotion (on the page and in
the bell), the .ics download, the join link only for those going, /schedule, clearing a
session's seat limit and join link, what follows a session (notes, resources, feedback,
takeaways, check-in), the CSP header with htmx working under it, and the pages on a phone (no
sideways scroll, the menu behind a button the keyboard works). Every page visited passes an
accessibility scan."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers_lounges import api_client, move_live_session, person, shown_time, wall_time_in_days

pytestmark = pytest.mark.browser

SESSION_TITLE = "Property-based testing with Hypothesis"
JOIN_URL = "https://meet.example.com/hypothesis"
LOCAL = "%Y-%m-%dT%H:%M"


def open_lounge(page: Page, *, name: str, description: str = "", tags: str = "",
                visibility: str = "open") -> str:
    """Fill in "Open a lounge" on /lounges; returns the new lounge's slug."""
    page.goto("/lounges")
    form = page.locator("#lounge-form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Description (Markdown)").fill(description)
    form.get_by_label("Tags").fill(tags)
    form.get_by_label("Who can find it").select_option(visibility)
    form.get_by_role("button", name="Open lounge").click()
    page.wait_for_url(re.compile(r"/lounges/[a-z0-9-]+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return page.url.rsplit("/", 1)[1]


def results(page: Page):
    return page.locator("#lounge-results")


def search(page: Page, text: str) -> None:
    """Type into the search box as a person would: one key at a time, no submit."""
    box = page.get_by_label("Search lounges")
    box.fill("")
    box.press_sequentially(text, delay=20)


def test_directory_empty_states_search_as_you_type_tags_and_mine(new_page, create_account, axe_scan) -> None:
    ana = person(new_page, create_account, "Ana Lima", "Europe/London")
    ben = person(new_page, create_account, "Ben Okafor", "Asia/Tokyo")
    page = ana.page
    page.goto("/lounges")
    expect(results(page)).to_contain_text("There are no lounges yet. Be the first")
    axe_scan(page, "lounges-empty")

    # A field error appears beside its field and nothing is created.
    page.locator("#lounge-form").get_by_role("button", name="Open lounge").click()
    expect(page.locator("#lounge-form-name-error")).not_to_be_empty()
    expect(page.locator("#lounge-form-name")).to_have_attribute("aria-invalid", "true")
    axe_scan(page, "lounges-form-error")

    slug = open_lounge(page, name="Rust reading group", tags="rust, systems",
                       description="We read **The Rust Book**, one chapter a fortnight.")
    expect(page.locator("#lounge-about strong")).to_have_text("The Rust Book")
    expect(page.locator("#lounge-membership")).to_contain_text("You are the host of this lounge.")
    axe_scan(page, "lounge-new")
    open_lounge(page, name="Python guild", tags="python", description="Lunchtime talks.")

    page.goto("/lounges")
    expect(results(page).locator(".lounge-card")).to_have_count(2)
    search(page, "fortni")  # matches the description only
    expect(results(page).locator(".lounge-card")).to_have_count(1)
    expect(results(page)).to_contain_text("Rust reading group")
    assert page.url.endswith("/lounges"), "searching must not reload the page"
    search(page, "zzq")
    expect(results(page)).to_contain_text("No lounge matches “zzq”")
    axe_scan(page, "lounges-no-match")
    search(page, "")
    expect(results(page).locator(".lounge-card")).to_have_count(2)

    page.get_by_label("Tag", exact=True).select_option("python")
    expect(results(page).locator(".lounge-card")).to_have_count(1)
    expect(results(page)).to_contain_text("Python guild")
    search(page, "rust")
    expect(results(page)).to_contain_text("No lounge matches “rust” tagged #python")
    page.get_by_label("Tag", exact=True).select_option("")
    expect(results(page).locator(".lounge-card")).to_have_count(1)
    expect(results(page)).to_contain_text("Rust reading group")

    # A tag link on a card filters the directory.
    search(page, "")
    results(page).get_by_role("link", name="#systems").click()
    page.wait_for_url("/lounges?tag=systems")
    expect(results(page).locator(".lounge-card")).to_have_count(1)
    expect(page.get_by_label("Tag", exact=True)).to_have_value("systems")
    axe_scan(page, "lounges-tag")

    # Ben belongs nowhere yet: "my lounges" says so; he joins, appears among the members, and
    # the lounge is now his; he leaves again.
    other = ben.page
    other.goto("/lounges")
    other.get_by_label("Only lounges I belong to").check()
    expect(results(other)).to_contain_text("You have not joined a lounge yet.")
    axe_scan(other, "lounges-mine-empty")

    other.goto(f"/lounges/{slug}")
    expect(other.locator("#member-list")).not_to_contain_text("Ben Okafor")
    expect(other.locator("#chat")).to_contain_text("Join the lounge to read its chat")
    other.get_by_role("button", name="Join lounge").click()
    expect(other.locator("#lounge-membership")).to_contain_text("You are a member of this lounge.")
    expect(other.locator("#member-list")).to_contain_text("Ben Okafor")
    # Members chat and schedule: the page now offers both.
    expect(other.locator("[data-role=online]")).to_contain_text("Online")
    expect(other.get_by_text("Schedule a session")).to_be_visible()
    axe_scan(other, "lounge-joined")

    other.goto("/lounges?mine=true")
    expect(other.get_by_label("Only lounges I belong to")).to_be_checked()
    expect(results(other).locator(".lounge-card")).to_have_count(1)
    expect(results(other)).to_contain_text("you are a member")
    axe_scan(other, "lounges-mine")

    other.goto(f"/lounges/{slug}")
    other.get_by_role("button", name="Leave lounge").click()
    expect(other.get_by_role("button", name="Join lounge")).to_be_visible()
    expect(other.locator("#member-list")).not_to_contain_text("Ben Okafor")
    expect(other.locator("#chat")).to_contain_text("Join the lounge to read its chat")
    expect(other.locator("[data-chat-panel]")).to_have_count(0)
    axe_scan(other, "lounge-left")


def test_private_lounge_invitations_and_404_for_everyone_else(new_page, create_account, axe_scan) -> None:
    cleo = person(new_page, create_account, "Cleo Park", "Europe/Berlin")
    dev = person(new_page, create_account, "Dev Rao", "Asia/Kolkata")
    eve = person(new_page, create_account, "Eve Moreau", "America/New_York")
    slug = open_lounge(cleo.page, name="Promotion panel prep", visibility="private",
                       description="Practising for the panel, in confidence.")
    expect(cleo.page.get_by_role("heading", level=1)).to_contain_text("Private")

    for outsider in (dev, eve):
        response = outsider.page.goto(f"/lounges/{slug}")
        assert response is not None and response.status == 404
        expect(outsider.page.get_by_role("heading", level=1)).to_have_text("Not found")
        outsider.page.goto("/lounges")
        expect(results(outsider.page)).not_to_contain_text("Promotion panel prep")
    axe_scan(eve.page, "lounge-private-404")

    page = cleo.page
    page.get_by_label("Invite a colleague").press_sequentially("Dev R", delay=20)
    page.get_by_role("button", name="Invite Dev Rao").click()
    expect(page.locator("#invite-form-status")).to_have_text("Dev Rao is now a member.")
    expect(page.locator("#member-list")).to_contain_text("Dev Rao")
    page.get_by_label("Invite a colleague").fill("")
    page.get_by_label("Invite a colleague").press_sequentially("Dev", delay=20)
    expect(page.locator("#invite-form-people")).to_contain_text("Dev Rao (member)")
    axe_scan(page, "lounge-private-invited")

    dev.page.goto(f"/lounges/{slug}")
    expect(dev.page.get_by_role("heading", level=1)).to_contain_text("Promotion panel prep")
    expect(dev.page.locator("#lounge-membership")).to_contain_text("You are a member of this lounge.")
    axe_scan(dev.page, "lounge-private-member")
    response = eve.page.goto(f"/lounges/{slug}")
    assert response is not None and response.status == 404


def schedule_session(page: Page, *, starts_local: str, ends_local: str, time_zone: str,
                     capacity: str = "", join_url: str = "") -> str:
    """Fill in "Schedule a session" on a lounge page; returns the new session's id."""
    page.get_by_text("Schedule a session").click()
    form = page.locator("#session-form")
    form.get_by_label("Title").fill(SESSION_TITLE)
    form.get_by_label("Kind").select_option("workshop")
    form.get_by_label("Starts").fill(starts_local)
    form.get_by_label("Ends").fill(ends_local)
    form.get_by_label("Time zone").select_option(time_zone)
    form.get_by_label("Description (Markdown)").fill("Bring a laptop with *Python 3.11*.")
    form.get_by_label("Seats (optional)").fill(capacity)
    form.get_by_label("Location (optional)").fill("Room 4.01")
    form.get_by_label("Online join link (optional)").fill(join_url)
    form.get_by_role("button", name="Schedule session").click()
    page.wait_for_url(re.compile(r"/sessions/[A-Za-z0-9_-]+\?scheduled=1$"))
    return page.url.rsplit("/", 1)[1].split("?")[0]


def rsvp_state(page: Page):
    return page.locator("#rsvp-state")


def bell_count(page: Page):
    return page.locator("#bell-count")


def test_session_rsvps_waitlist_promotion_calendar_and_schedule(live_server, new_page, create_account,
                                                              axe_scan) -> None:
    host = person(new_page, create_account, "Fay Host", "Europe/London")
    gus = person(new_page, create_account, "Gus Tanaka", "Asia/Tokyo")
    hana = person(new_page, create_account, "Hana Silva", "America/Sao_Paulo")
    ivan = person(new_page, create_account, "Ivan Petrov", "America/New_York")
    slug = open_lounge(host.page, name="Testing guild", tags="testing")
    for someone in (gus, hana, ivan):  # by keyboard: the page reloads, the focus stays put
        someone.page.goto(f"/lounges/{slug}")
        someone.page.get_by_role("button", name="Join lounge").press("Enter")
        expect(someone.page.locator("#lounge-membership")).to_contain_text("You are a member")
        expect(someone.page.get_by_role("button", name="Leave lounge")).to_be_focused()
        expect(someone.page.locator("[data-announcer]")).to_have_text("You are a member of this lounge.")

    starts = wall_time_in_days(3, 12, 30, "Europe/London")
    ends = starts + timedelta(hours=1)
    london = "Europe/London"
    page = host.page
    page.goto(f"/lounges/{slug}")
    session_id = schedule_session(page, starts_local=starts.astimezone(ZoneInfo(london)).strftime(LOCAL),
                                  ends_local=ends.astimezone(ZoneInfo(london)).strftime(LOCAL),
                                  time_zone=london, capacity="2", join_url=JOIN_URL)
    details = page.locator("#session-details")
    expect(page.get_by_role("heading", level=1)).to_contain_text(SESSION_TITLE)
    expect(details).to_contain_text(shown_time(starts, london))
    expect(details).to_contain_text("2 (2 left)")
    expect(details.locator("em")).to_have_text("Python 3.11")
    expect(page.locator("main")).to_contain_text("Times are shown in your time zone, Europe/London.")
    axe_scan(page, "session-new")

    # Two people, two zones: each sees the time in their own zone, the zone named.
    for someone in (gus, ivan):
        someone.page.goto(f"/sessions/{session_id}")
        when = shown_time(starts, someone.time_zone)
        expect(someone.page.locator("#session-details")).to_contain_text(when)
        expect(someone.page.locator("main")).to_contain_text(
            f"Times are shown in your time zone, {someone.time_zone}.")
        expect(someone.page.locator("#session-details")).to_contain_text("Organised in Europe/London")
    assert shown_time(starts, "Asia/Tokyo") != shown_time(starts, "America/New_York")
    axe_scan(gus.page, "session-tokyo")

    # The join link is for people going: nobody else sees it, on the page or in the API.
    expect(gus.page.locator("#session-details")).to_contain_text("the link shows once you are going")
    expect(gus.page.get_by_role("link", name=JOIN_URL)).to_have_count(0)
    assert JOIN_URL not in gus.page.content()

    # RSVP until full, by keyboard: Gus and Hana take the two seats, Ivan is waitlisted #1. Each
    # answer updates every block it changes (seats left, the one join link, the attendees), keeps
    # the focus on the answer button and is said aloud.
    for someone, left in ((gus, 1), (hana, 0)):
        someone.page.goto(f"/sessions/{session_id}")
        someone.page.get_by_role("button", name="I'm going").press("Enter")
        expect(rsvp_state(someone.page)).to_contain_text("You are going.")
        expect(someone.page.get_by_role("button", name="I can't go")).to_be_focused()
        expect(someone.page.locator("#session-announce")).to_have_text("You're going.")
        expect(someone.page.locator("#session-details")).to_contain_text(f"2 ({left} left)")
        expect(someone.page.get_by_role("link", name="Join online")).to_have_attribute("href", JOIN_URL)
    expect(gus.page.locator("#attendee-list")).to_contain_text("Going (1)")
    expect(rsvp_state(hana.page)).to_contain_text("2 of 2 seats taken")
    expect(hana.page.locator("#attendee-list")).to_contain_text("Going (2)")
    axe_scan(hana.page, "session-full")

    waiting = ivan.page
    waiting.goto(f"/sessions/{session_id}")
    waiting.get_by_role("button", name="Join the waitlist").press("Enter")
    expect(rsvp_state(waiting)).to_contain_text("You are on the waitlist, #1.")
    expect(waiting.get_by_role("button", name="Leave the waitlist")).to_be_focused()
    expect(waiting.locator("#session-announce")).to_have_text("You're on the waitlist, position 1.")
    expect(waiting.locator("#attendee-list")).to_contain_text("waitlist #1")
    expect(waiting.get_by_role("link", name="Join online")).to_have_count(0)
    assert JOIN_URL not in waiting.content()
    expect(bell_count(waiting)).to_be_empty()
    axe_scan(waiting, "session-waitlisted")

    # Hana cannot go after all: her seat goes to Ivan, who sees it after a reload and in the bell.
    hana.page.get_by_role("button", name="I can't go").click()
    expect(rsvp_state(hana.page)).to_contain_text("You are not going.")
    expect(hana.page.get_by_role("link", name="Join online")).to_have_count(0)
    waiting.reload()
    expect(rsvp_state(waiting)).to_contain_text("You are going.")
    expect(waiting.get_by_role("link", name="Join online")).to_have_attribute("href", JOIN_URL)
    expect(waiting.locator("#attendee-list")).to_contain_text("Ivan Petrov")
    axe_scan(waiting, "session-promoted")
    _wait_for_notification(waiting, f"You have a seat at {SESSION_TITLE}")
    expect(waiting.locator("main")).to_contain_text(shown_time(starts, "America/New_York"))
    axe_scan(waiting, "notifications-promoted")

    # "Add to calendar" downloads an .ics with this session's UID and title.
    waiting.goto(f"/sessions/{session_id}")
    with waiting.expect_download() as download:
        waiting.get_by_role("link", name="Add to calendar").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    session = gus.page.request.get(f"/api/v1/sessions/{session_id}").json()
    assert str(events[0]["UID"]) == session["ical_uid"]
    assert str(events[0]["SUMMARY"]) == SESSION_TITLE
    assert events[0].decoded("DTSTART") == starts

    # /schedule lists it, in each viewer's zone, with their own answer.
    for someone, answer in ((ivan, "You are going"), (gus, "You are going"), (host, None)):
        someone.page.goto("/schedule")
        card = someone.page.locator(".session-card", has_text=SESSION_TITLE)
        expect(card).to_contain_text(shown_time(starts, someone.time_zone))
        if answer:
            expect(card).to_contain_text(answer)
        axe_scan(someone.page, f"schedule-{someone.time_zone.replace('/', '-')}")
    expect(host.page.locator("main")).to_contain_text("(Europe/London, change it)")
    hana.page.goto("/schedule")
    expect(hana.page.locator(".session-card", has_text=SESSION_TITLE)).to_have_count(0)
    axe_scan(hana.page, "schedule-empty")

    # The start page lists the next sessions and my lounges.
    ivan.page.goto("/")
    expect(ivan.page.locator("main")).to_contain_text(SESSION_TITLE)
    expect(ivan.page.locator("main")).to_contain_text("Testing guild")
    axe_scan(ivan.page, "home-with-sessions")
    with api_client(live_server, gus.email, gus.password) as api:
        listed = api.get("/api/v1/sessions", params={"mine": "true"}).json()["items"]
    assert [s["id"] for s in listed] == [session_id]


def _wait_for_notification(page: Page, title: str) -> None:
    """The outbox worker delivers notifications in the background: reload /notifications until
    the bell's one arrives (and the bell counts it)."""
    for _ in range(40):
        page.goto("/notifications")
        if page.locator(".notification", has_text=title).count():
            break
        page.wait_for_timeout(250)
    expect(page.locator(".notification", has_text=title)).to_be_visible()
    expect(bell_count(page)).not_to_be_empty()


def test_host_clears_the_seat_limit_and_the_join_link(new_page, create_account, axe_scan) -> None:
    host = person(new_page, create_account, "Jo Organiser", "Europe/Paris")
    open_lounge(host.page, name="Design critique")
    page = host.page
    starts = wall_time_in_days(5, 9, 0, "Europe/Paris")
    session_id = schedule_session(
        page, starts_local=starts.astimezone(ZoneInfo("Europe/Paris")).strftime(LOCAL),
        ends_local=(starts + timedelta(minutes=45)).astimezone(ZoneInfo("Europe/Paris")).strftime(LOCAL),
        time_zone="Europe/Paris", capacity="8", join_url=JOIN_URL)
    details = page.locator("#session-details")
    expect(details).to_contain_text("8 (8 left)")
    expect(details.get_by_role("link", name=JOIN_URL)).to_be_visible()

    page.get_by_text("Edit or cancel").click()
    form = page.locator("#session-edit")
    form.get_by_label("Seats").fill("")
    form.get_by_label("Online join link").fill("")
    form.get_by_role("button", name="Save changes").click()
    expect(details).to_contain_text("Saved.")
    expect(details).to_contain_text("No limit")
    expect(details).to_contain_text("Where Room 4.01")
    expect(details.get_by_role("link", name=JOIN_URL)).to_have_count(0)
    axe_scan(page, "session-edited")

    page.reload()
    expect(details).to_contain_text("No limit")
    session = page.request.get(f"/api/v1/sessions/{session_id}").json()
    assert session["capacity"] is None and session["join_url"] is None and not session["has_join_url"]

    # Leaving the fields as they are changes nothing.
    page.get_by_text("Edit or cancel").click()
    form.get_by_label("Title").fill("Design critique: onboarding flow")
    form.get_by_role("button", name="Save changes").click()
    expect(details).to_contain_text("Saved.")
    session = page.request.get(f"/api/v1/sessions/{session_id}").json()
    assert session["title"] == "Design critique: onboarding flow" and session["capacity"] is None
    assert session["location"] == "Room 4.01"

    page.get_by_text("Edit or cancel").click()
    form.get_by_label("Location").fill("")
    form.get_by_role("button", name="Save changes").click()
    expect(details).to_contain_text("Where To be announced")


PAGES = ["/", "/lounges", "/schedule", "/settings", "/notifications", "/webhooks"]


def test_every_page_sends_the_csp_and_htmx_works_under_it(new_page, create_account, axe_scan) -> None:
    """The policy forbids inline code; htmx (a file from /static) still searches as you type,
    and the page reports no CSP violation (the fixture fails the test on any)."""
    kim = person(new_page, create_account, "Kim Ng", "Australia/Sydney")
    slug = open_lounge(kim.page, name="Kotlin coroutines club", tags="kotlin")
    starts = wall_time_in_days(2, 17, 0, "Australia/Sydney")
    kim.page.goto(f"/lounges/{slug}")
    session_id = schedule_session(
        kim.page, starts_local=starts.astimezone(ZoneInfo("Australia/Sydney")).strftime(LOCAL),
        ends_local=(starts + timedelta(hours=1)).astimezone(ZoneInfo("Australia/Sydney")).strftime(LOCAL),
        time_zone="Australia/Sydney")
    page = kim.page
    for path in [*PAGES, f"/lounges/{slug}", f"/sessions/{session_id}", "/login", "/nope"]:
        response = page.goto(path)
        assert response is not None
        policy = response.headers.get("content-security-policy", "")
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives.get("script-src") == ["'self'"], (path, policy)
        assert directives.get("style-src") == ["'self'"], (path, policy)
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert page.evaluate("() => typeof htmx") == "object", path
        axe_scan(page, "csp" + path.replace("/", "-").rstrip("-"))

    page.goto("/lounges")
    with page.expect_response(lambda r: "/api/v1/lounges?" in r.url) as answer:
        search(page, "corout")
    assert answer.value.request.headers.get("hx-request") == "true"
    assert "content-security-policy" in answer.value.headers
    expect(results(page).locator(".lounge-card")).to_have_count(1)
    expect(results(page)).to_contain_text("Kotlin coroutines club")
    search(page, "qqq")
    expect(results(page)).to_contain_text("No lounge matches “qqq”")
    axe_scan(page, "lounges-search-csp")


def test_after_a_session_notes_resources_feedback_takeaways_and_check_in(
        live_server, new_page, create_account, axe_scan) -> None:
    host = person(new_page, create_account, "Lia Host", "Europe/Madrid")
    ola = person(new_page, create_account, "Ola Nowak", "Europe/Warsaw")
    slug = open_lounge(host.page, name="Accessibility champions")
    ola.page.goto(f"/lounges/{slug}")
    ola.page.get_by_role("button", name="Join lounge").click()
    expect(ola.page.locator("#lounge-membership")).to_contain_text("You are a member")

    madrid = ZoneInfo("Europe/Madrid")
    started = datetime.now(madrid).replace(second=0, microsecond=0) - timedelta(minutes=10)
    planned = started + timedelta(days=1)
    host.page.goto(f"/lounges/{slug}")
    session_id = schedule_session(host.page, starts_local=planned.strftime(LOCAL),
                                  ends_local=(planned + timedelta(hours=1)).strftime(LOCAL),
                                  time_zone="Europe/Madrid")
    move_live_session(live_server, session_id, starts_at=started)  # a day later, it has begun
    ola.page.goto(f"/sessions/{session_id}")
    ola.page.get_by_role("button", name="I'm going").click()
    expect(rsvp_state(ola.page)).to_contain_text("You are going.")

    page = host.page
    page.reload()
    page.get_by_text("Edit notes").click()
    page.get_by_label("Notes (Markdown)").fill("Slides and the **screen reader** demo below.")
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator("#session-notes")).to_contain_text("Notes saved.")
    expect(page.locator("#session-notes strong")).to_have_text("screen reader")

    form = page.locator("#resource-form")
    form.get_by_label("Link title").fill("Slides")
    form.get_by_label("Address").fill("javascript:alert(1)")
    form.get_by_role("button", name="Add resource").click()
    expect(page.locator("#resource-form-url-error")).to_contain_text("https://")
    expect(page.locator("#resource-list")).to_contain_text("No resources yet.")
    form.get_by_label("Address").fill("https://slides.example.com/a11y")
    form.get_by_role("button", name="Add resource").click()
    expect(page.locator("#resource-form-status")).to_contain_text("Added “Slides”.")
    expect(page.locator("#resource-list").get_by_role("link", name="Slides")).to_have_attribute(
        "href", "https://slides.example.com/a11y")
    expect(page.locator("#resource-form-url-error")).to_be_empty()
    axe_scan(page, "session-after-host")

    other = ola.page
    other.reload()
    expect(other.locator("#resource-list").get_by_role("link", name="Slides")).to_be_visible()
    feedback = other.locator("#feedback-form")
    feedback.get_by_label("5").check()
    feedback.get_by_label("Comment for the hosts (optional)").fill("Loved the live demo.")
    feedback.get_by_label("One takeaway to share with the lounge (optional)").fill(
        "Every icon button needs an accessible name.")
    feedback.get_by_role("button", name="Send feedback").click()
    expect(other.locator("#feedback-form-status")).to_contain_text(
        "You rated this session 5 out of 5 and shared your takeaway with the lounge.")
    expect(other.locator("ul.takeaways")).to_contain_text("Every icon button needs an accessible name.")
    axe_scan(other, "session-after-attendee")

    page.reload()
    expect(page.locator("ul.feedback")).to_contain_text("5/5 from Ola Nowak: Loved the live demo.")
    page.get_by_role("button", name="Check in Ola Nowak").click()
    expect(page.locator("#attendee-list")).to_contain_text("attended")
    expect(page.get_by_role("button", name="Undo check-in Ola Nowak")).to_be_visible()
    other.goto(f"/lounges/{slug}")
    expect(other.locator("ul.takeaways")).to_contain_text("Every icon button needs an accessible name.")
    axe_scan(other, "lounge-takeaways")


def test_pages_fit_a_phone_and_the_menu_opens_from_the_keyboard(live_server, new_page, create_account,
                                                                 axe_scan) -> None:
    """At 390 px nothing scrolls sideways (a session with a very long join link, its lounge, and
    the other main pages), and the main menu sits behind a button the keyboard opens and closes."""
    host = create_account("Kai Nakamura-Whitfield, Internationalisation and Localisation Practitioner",
                          time_zone="Pacific/Auckland")
    long_link = "https://meet.example.com/" + "a-very-long-meeting-room-name-without-breaks" * 3
    with api_client(live_server, host.email, host.password) as api:
        lounge = api.post("/api/v1/lounges", json={
            "name": "Internationalisation and localisation practitioners", "tags": ["i18n"],
            "description": "Read " + long_link}).json()
        starts = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) + timedelta(days=2)
        session = api.post(f"/api/v1/lounges/{lounge['id']}/sessions", json={
            "title": "Pluralisation rules across forty-two languages", "kind": "workshop",
            "time_zone": "Pacific/Auckland", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(), "join_url": long_link}).json()
        api.post(f"/api/v1/channels/{session['channel_id']}/messages", json={"body": "Slides: " + long_link})
    phone = new_page(viewport={"width": 390, "height": 800})
    assert phone.request.post("/api/v1/auth/login", data={"email": host.email, "password": host.password}).ok

    phone.goto(f"/sessions/{session['id']}")
    expect(phone.locator("#session-details")).to_contain_text(long_link)
    expect(phone.locator(".chat-body")).to_contain_text("Slides:")
    menu = phone.get_by_role("button", name="Menu")
    nav = phone.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Schedule")).to_be_hidden()
    phone.locator(".skip-link").focus()
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    expect(menu).to_be_focused()
    phone.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Schedule")).to_be_visible()
    phone.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Lounges")).to_be_focused()
    assert phone.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    phone.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav.get_by_role("link", name="Schedule")).to_be_hidden()
    assert phone.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    axe_scan(phone, "session-phone")

    for path in (f"/lounges/{lounge['slug']}", "/lounges", "/", "/schedule", "/goals", "/settings", "/team"):
        phone.goto(path)
        phone.wait_for_load_state("load")
        overflow = phone.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    phone.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Goals")).to_be_visible()
