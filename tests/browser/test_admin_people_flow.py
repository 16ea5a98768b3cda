"""People, roles, managers and business goals in a real browser: an administrator publishes a
business goal on /admin (a refused title explained beside its field), edits it in place and
archives it, finds a colleague as they type, makes them an advisor and, by keyboard, names
their manager; a person names their own manager on /settings, sees a circle refused beside
the field, and clears it again. Every page passes an accessibility scan on the way."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, BrowserAccount

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin(live_server: str) -> BrowserAccount:
    """The module's first account, so its administrator, whichever test runs first."""
    email = f"admin-{time.monotonic_ns()}@example.com"
    answer = httpx.post(f"{live_server}/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Ada Admin"})
    assert answer.status_code == 201 and answer.json()["is_admin"], answer.text
    return BrowserAccount(email=email, display_name="Ada Admin")


def user_id_of(page: Page, name: str) -> str:
    found = page.request.get("/api/v1/users", params={"q": name}).json()["items"]
    return next(person["id"] for person in found if person["display_name"] == name)


def test_an_administrator_publishes_a_business_goal_and_manages_people(
        page: Page, admin, create_account, sign_in, axe_scan):
    create_account("Ben Okafor")
    create_account("Cleo Diaz")
    sign_in(page, admin)
    page.goto("/admin")
    expect(page.get_by_role("heading", name="Business goals")).to_be_visible()
    expect(page.locator("#business-goal-list")).to_contain_text("No business goals yet")
    axe_scan(page, "admin-people-and-goals")

    form = page.locator("#business-goal-form")
    form.get_by_role("button", name="Publish business goal").click()
    expect(page.locator("#business-goal-form-title-error")).to_have_text("Enter a title.")
    form.get_by_label("Title").fill("Serve customers in Spanish")
    form.get_by_label("Description (optional)").fill("Half of our new customers write in Spanish.")
    form.get_by_role("button", name="Publish business goal").click()
    expect(page.locator("#business-goal-form-status")).to_contain_text(
        "Published “Serve customers in Spanish”")
    expect(form.get_by_label("Title")).to_have_value("")
    row = page.locator("li.business-goal").filter(has_text="Serve customers in Spanish")
    expect(row).to_contain_text("Half of our new customers write in Spanish.")

    row.locator("summary").click()
    row.get_by_label("Title").fill("Serve customers in Spanish by 2027")
    row.get_by_role("button", name="Save changes").click()
    row = page.locator("li.business-goal").filter(has_text="by 2027")
    expect(row).to_contain_text("Saved.")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("^Archive")).click()
    expect(row.locator(".badge")).to_have_text("Archived")
    expect(row.get_by_role("button", name=re.compile("^Archive"))).to_have_count(0)
    listed = page.request.get("/api/v1/business-goals", params={"include_archived": "true"}).json()
    assert [(g["title"], g["archived"]) for g in listed["items"]] == [
        ("Serve customers in Spanish by 2027", True)]

    page.get_by_label("Find a person").fill("Ben")
    page.locator("#people-search-results").get_by_role("button", name="Choose Ben Okafor").click()
    panel = page.locator("#person-admin")
    expect(panel.get_by_role("heading", level=3)).to_contain_text("Ben Okafor")
    expect(panel.locator("#person-admin-manager")).to_have_text("None named")
    panel.get_by_role("button", name="Make an advisor").click()
    expect(panel).to_contain_text("Ben Okafor is now an advisor.")
    expect(panel.locator("#person-admin-roles")).to_contain_text("Advisor")
    ben_id = user_id_of(page, "Ben Okafor")
    assert page.request.get(f"/api/v1/users/{ben_id}").json()["is_advisor"] is True

    # By keyboard: type in the search box, Tab to the person's button, press Enter.
    panel.get_by_label("Find a manager for Ben Okafor").press_sequentially("Cleo")
    choose = panel.locator("#person-manager-results").get_by_role("button", name="Choose Cleo Diaz")
    expect(choose).to_be_visible()
    page.keyboard.press("Tab")
    expect(choose).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel).to_contain_text("Ben Okafor now reports to Cleo Diaz.")
    expect(panel.locator("#person-admin-manager")).to_have_text("Cleo Diaz")
    assert page.request.get(f"/api/v1/users/{ben_id}").json()["manager_id"] == user_id_of(page, "Cleo Diaz")
    axe_scan(page, "admin-person")


def test_a_person_names_their_manager_and_a_circle_is_refused(new_page, admin, create_account, sign_in,
                                                              axe_scan):
    dana, eli = create_account("Dana Eze"), create_account("Eli Fox")
    eli_page = new_page()
    sign_in(eli_page, eli)
    eli_page.goto("/settings")
    field = eli_page.locator("#manager-field")
    expect(field).to_contain_text("You have not named a manager.")
    axe_scan(eli_page, "settings-manager")
    field.get_by_label("Find your manager").fill("Dana")
    field.get_by_role("button", name="Choose Dana Eze").click()
    expect(eli_page.locator("#manager-form-status")).to_contain_text("Dana Eze is now your manager.")
    expect(eli_page.locator("#manager-current")).to_contain_text("Your manager is Dana Eze.")

    dana_page = new_page()
    sign_in(dana_page, dana)
    dana_page.goto("/settings")
    search = dana_page.get_by_label("Find your manager")
    search.fill("Eli")
    dana_page.locator("#manager-form-results").get_by_role("button", name="Choose Eli Fox").click()
    expect(dana_page.locator("#manager-form-manager_id-error")).to_contain_text("circle")
    expect(search).to_have_attribute("aria-invalid", "true")
    expect(dana_page.locator("#manager-current")).to_contain_text("You have not named a manager.")
    assert dana_page.request.get("/api/v1/me").json()["manager_id"] is None
    axe_scan(dana_page, "settings-manager-refused")

    eli_page.reload()
    expect(eli_page.locator("#manager-current")).to_contain_text("Your manager is Dana Eze.")
    eli_page.get_by_role("button", name=re.compile("^I have no manager")).click()
    expect(eli_page.locator("#manager-form-status")).to_contain_text("You have no manager now.")
    assert eli_page.request.get("/api/v1/me").json()["manager_id"] is None
