"""A manager's /team and a report's "what my manager sees" in real browsers, one context each:
the empty states, a private goal that stays out of sight, the report sharing it with the team
on /goals/{id} and the manager's /team showing it (who can see it, plan, check-ins, sessions
attended), the report's /me/manager-view showing exactly the same, support by keyboard (a
comment, a suggested session and person found as you type), and the goal leaving /team once
it is private again. Every page visited passes an accessibility scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers_lounges import api_client, move_live_session, person

pytestmark = pytest.mark.browser

GOAL = "Lead a design review on my own"
SESSION = "Design reviews that work"

# The report as shown, without what only one of the two sees: support for the manager, links to
# change visibility for the report, and the hint when nothing is shared (worded for each).
_REPORT_TEXT = """
(selector) => {
  const copy = document.querySelector(selector).cloneNode(true);
  copy.querySelectorAll(".goal-support, .change-visibility, .no-goals").forEach((el) => el.remove());
  return copy.innerText.replace(/\\s+/g, " ").trim();
}
"""


def report_text(page: Page, user_id: str) -> str:
    return page.evaluate(_REPORT_TEXT, f"#report-{user_id}")


def test_what_the_manager_sees_follows_what_the_report_shares(new_page, create_account, live_server,
                                                              axe_scan) -> None:
    maya = person(new_page, create_account, "Maya Manager", "Europe/Lisbon")
    rui = person(new_page, create_account, "Rui Report", "Europe/Lisbon")
    create_account("Cleo Park")

    # Before anyone names her: an empty team, and no manager for Rui.
    maya.page.goto("/team")
    expect(maya.page.get_by_role("heading", level=1)).to_have_text("My team")
    expect(maya.page.locator("#team-list")).to_contain_text(
        "People who name you as their manager in Settings appear here")
    nav = maya.page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Team")).to_be_visible()
    expect(nav.get_by_role("link", name="What my manager sees")).to_be_visible()
    axe_scan(maya.page, "team-empty")
    rui.page.goto("/me/manager-view")
    expect(rui.page.locator("main")).to_contain_text("You have not named a manager")
    expect(rui.page.get_by_role("link", name="Name your manager in Settings")).to_have_attribute(
        "href", "/settings#manager")
    axe_scan(rui.page, "manager-view-no-manager")

    # Rui names Maya, writes a private goal with a plan and a check-in, and attends a session.
    with api_client(live_server, rui.email, rui.password) as api:
        assert api.patch("/api/v1/me", json={"manager_id": maya.user_id}).status_code == 200
        goal = api.post("/api/v1/goals", json={"title": GOAL, "visibility": "private",
                                               "target_date": "2099-04-30"}).json()
        for step in ({"kind": "activity", "title": "Shadow two reviews"},
                     {"kind": "resource", "title": "Review guide", "url": "https://wiki.example.com/r"}):
            assert api.post(f"/api/v1/goals/{goal['id']}/plan", json=step).status_code == 201
        assert api.post(f"/api/v1/goals/{goal['id']}/checkins",
                        json={"note": "Shadowed the first review.", "minutes": 45}).status_code == 201
    with api_client(live_server, maya.email, maya.password) as api:
        lounge = api.post("/api/v1/lounges", json={"name": "Design guild", "description": "Reviews.",
                                                   "tags": [], "visibility": "open"}).json()
        now = datetime.now(UTC).replace(microsecond=0)
        held = api.post(f"/api/v1/lounges/{lounge['id']}/sessions", json={
            "title": "Reviews, part one", "description": "", "kind": "workshop",
            "starts_at": (now + timedelta(days=1)).isoformat(),
            "ends_at": (now + timedelta(days=1, hours=1)).isoformat(), "time_zone": "UTC"}).json()
        move_live_session(live_server, held["id"], starts_at=now - timedelta(minutes=10))
        api.post(f"/api/v1/lounges/{lounge['id']}/sessions", json={
            "title": SESSION, "description": "", "kind": "workshop",
            "starts_at": (now + timedelta(days=3)).isoformat(),
            "ends_at": (now + timedelta(days=3, hours=1)).isoformat(), "time_zone": "UTC"})
    with api_client(live_server, rui.email, rui.password) as api:
        assert api.put(f"/api/v1/sessions/{held['id']}/rsvp", json={"status": "going"}).status_code == 200
    with api_client(live_server, maya.email, maya.password) as api:
        assert api.put(f"/api/v1/sessions/{held['id']}/attendance/{rui.user_id}",
                       json={"attended": True}).status_code == 200

    # The private goal stays out of Maya's sight; she sees Rui and his attendance only.
    maya.page.goto("/team")
    report = maya.page.locator(f"#report-{rui.user_id}")
    expect(report.get_by_role("heading", level=2)).to_have_text("Rui Report")
    expect(report).to_contain_text("Sessions attended: 1")
    expect(report).to_contain_text("Rui Report shares no goal with you yet")
    expect(maya.page.locator("main")).not_to_contain_text(GOAL)
    axe_scan(maya.page, "team-nothing-shared")

    # Rui shares it with his team on the goal's own page.
    rui.page.goto(f"/goals/{goal['id']}")
    rui.page.get_by_label("Who can see this").select_option("team")
    expect(rui.page.locator("#goal-contract")).to_contain_text("Saved")

    maya.page.reload()
    shared = report.locator(f"#shared-goal-{goal['id']}")
    expect(shared.get_by_role("heading", level=3)).to_contain_text(GOAL)
    expect(shared).to_contain_text("Who can see it")
    expect(shared).to_contain_text("Rui Report, their manager and the people who share that manager")
    expect(shared).to_contain_text("30 April 2099")
    expect(shared).to_contain_text("0 of 2 steps done")
    expect(shared.locator(".plan-items li")).to_have_count(2)
    expect(shared.locator(".checkins")).to_contain_text("Shadowed the first review.")
    expect(shared.get_by_role("link", name="Change who can see it")).to_have_count(0)
    axe_scan(maya.page, "team")

    # Rui's "what my manager sees" is the same report, with a way to change each goal's visibility.
    rui.page.goto("/me/manager-view")
    expect(rui.page.locator("main")).to_contain_text("Maya Manager, your manager")
    change = rui.page.get_by_role("link", name="Change who can see it")
    expect(change).to_contain_text(GOAL)  # visually hidden, for screen readers
    expect(change).to_have_attribute("href", f"/goals/{goal['id']}#who-can-see")
    expect(rui.page.locator(".goal-support")).to_have_count(0)
    assert report_text(rui.page, rui.user_id) == report_text(maya.page, rui.user_id)
    axe_scan(rui.page, "manager-view")

    # Maya supports the goal by keyboard alone: a comment, then a session and a person.
    summary = shared.locator("summary")
    summary.focus()
    maya.page.keyboard.press("Enter")
    comment = shared.get_by_label("Your comment", exact=True)
    expect(comment).to_be_visible()
    comment.focus()
    maya.page.keyboard.type("Happy to pair on the March review.")
    maya.page.keyboard.press("Tab")
    expect(shared.get_by_role("button", name="Post comment")).to_be_focused()
    maya.page.keyboard.press("Enter")
    posted = shared.locator(f"#comment-{goal['id']}-posted")
    expect(posted).to_contain_text("Happy to pair on the March review.")
    expect(comment).to_have_value("")

    shared.get_by_label("Why you suggest it (optional)").fill("The best intro I know.")
    shared.get_by_label("Find an upcoming session").press_sequentially("design rev", delay=20)
    pick = shared.get_by_role("button", name=f"Suggest “{SESSION}”")
    expect(pick).to_be_visible()
    expect(shared.locator(f"#suggest-{goal['id']}-sessions")).not_to_contain_text("Reviews, part one")
    pick.focus()
    maya.page.keyboard.press("Enter")
    made = shared.locator(f"#suggest-{goal['id']}-made")
    expect(made).to_contain_text(SESSION)
    expect(made).to_contain_text("The best intro I know.")
    shared.get_by_label("Find a person").press_sequentially("cleo", delay=20)
    shared.get_by_role("button", name="Suggest “Cleo Park”").click()
    expect(made.locator("li")).to_have_count(2)
    expect(made).to_contain_text("Cleo Park")
    axe_scan(maya.page, "team-support")

    # Rui finds the support on his goal.
    rui.page.goto(f"/goals/{goal['id']}")
    expect(rui.page.locator("main")).to_contain_text("Happy to pair on the March review.")
    expect(rui.page.locator("main")).to_contain_text(SESSION)

    # Made private again, the goal leaves both views at once.
    rui.page.get_by_label("Who can see this").select_option("private")
    expect(rui.page.locator("#goal-contract")).to_contain_text("Saved")
    maya.page.reload()
    expect(report).to_contain_text("Rui Report shares no goal with you yet")
    expect(maya.page.locator("main")).not_to_contain_text(GOAL)
    rui.page.goto("/me/manager-view")
    expect(rui.page.locator("main")).not_to_contain_text(GOAL)
    expect(rui.page.locator("main")).to_contain_text("You share no goal with your team or the organisation")
    assert report_text(rui.page, rui.user_id) == report_text(maya.page, rui.user_id)
    axe_scan(rui.page, "manager-view-nothing-shared")


def test_team_reads_well_on_a_phone_in_dark_mode(new_page, create_account, live_server, axe_scan) -> None:
    boss = person(new_page, create_account, "Ana Lima")
    for name in ("Ben Okafor", "Cleo Park"):
        account = create_account(name)
        with api_client(live_server, account.email, account.password) as api:
            assert api.patch("/api/v1/me", json={"manager_id": boss.user_id}).status_code == 200
            api.post("/api/v1/goals", json={"title": f"{name}'s goal", "visibility": "org"})
    phone = new_page(viewport={"width": 390, "height": 844}, color_scheme="dark")
    answer = phone.request.post("/api/v1/auth/login", data={"email": boss.email, "password": boss.password})
    assert answer.ok
    phone.goto("/team")
    expect(phone.locator(".team-report")).to_have_count(2)
    expect(phone.locator("#team-list")).to_contain_text("2 people name you as their manager.")
    expect(phone.locator(".team-report h2")).to_have_text(["Ben Okafor", "Cleo Park"])
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    axe_scan(phone, "team-phone-dark")
