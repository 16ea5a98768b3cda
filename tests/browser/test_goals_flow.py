"""Employee-owned development in a real browser: the empty start page and goals page that help
write a first contract; writing a contract from the example (field errors beside the fields, a
live character count, a clear save state) and reading it as a document; changing who can see it
and editing it in place; a session step found by search-as-you-type that ticks itself when the
host checks the owner in; check-ins and their timeline; moving steps by keyboard with focus kept
on the moved step; a colleague's comment and suggestion, the owner accepting it; the friendly
404 for a goal one may not see; deleting with a confirmation. Every page passes an
accessibility scan."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers_lounges import Person, api_client, move_live_session, person

pytestmark = pytest.mark.browser

EXAMPLE_TITLE = "Run a design review on my own"
WHERE_I_AM = "I take notes in reviews but have never led one. **Yet.**"


def goal_id_of(page: Page) -> str:
    return page.url.rsplit("/", 1)[1]


def new_goal(live_server: str, someone: Person, **fields) -> dict:
    with api_client(live_server, someone.email, someone.password) as api:
        answer = api.post("/api/v1/goals", json={"title": "Speak up in architecture reviews", **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()


def add_steps(live_server: str, someone: Person, goal_id: str, *steps: dict) -> list[dict]:
    with api_client(live_server, someone.email, someone.password) as api:
        added = []
        for step in steps:
            answer = api.post(f"/api/v1/goals/{goal_id}/plan", json=step)
            assert answer.status_code == 201, answer.text
            added.append(answer.json())
        return added


def step_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#plan .plan-title").all_inner_texts()]


def test_empty_start_page_and_goals_page_help_write_a_first_contract(new_page, create_account,
                                                                     axe_scan) -> None:
    ana = person(new_page, create_account, "Ana Lima", "Europe/Lisbon")
    page = ana.page
    page.goto("/")
    goals = page.locator("section", has=page.get_by_role("heading", name="My goals"))
    expect(goals).to_contain_text("You have no active goal.")
    expect(goals.locator(".example-contract")).to_contain_text(EXAMPLE_TITLE)
    expect(goals.locator(".example-contract")).to_contain_text("Where I am now")
    time_box = page.locator("section", has=page.get_by_role("heading", name="Learning time this week"))
    expect(time_box).to_contain_text("You have not protected any learning time yet")
    # The existing start page still loads the sessions and lounges.
    expect(page.locator("main")).not_to_contain_text("Loading your")
    axe_scan(page, "home-no-goals")

    page.get_by_role("link", name="or start from this example").click()
    page.wait_for_url(re.compile(r"/goals\?example=true"))
    expect(page.locator("#goal-form-title")).to_have_value(EXAMPLE_TITLE)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Goals").click()
    page.wait_for_url("/goals")
    expect(page.locator("#my-goals")).to_contain_text("You have not written a learning contract yet.")
    expect(page.locator("#shared-goals")).to_contain_text("Nobody has shared a goal with you yet.")
    expect(page.locator("#goal-form-title")).to_have_value("")
    axe_scan(page, "goals-empty")

    # The empty state's own example button fills the form, character counts included.
    page.get_by_role("button", name="Start from an example contract").click()
    expect(page.locator("#goal-form-title")).to_be_focused()
    expect(page.locator("#goal-form-title")).to_have_value(EXAMPLE_TITLE)
    why = page.locator("#goal-form-why").input_value()
    expect(page.locator("#goal-form-why-count")).to_have_text(f"{len(why)} of 5000 characters")


def test_write_a_contract_from_the_example_see_it_as_a_document_and_edit_it_in_place(
        live_server, new_page, create_account, axe_scan) -> None:
    ana = person(new_page, create_account, "Bea Costa", "Europe/Madrid")
    page = ana.page
    page.goto("/goals")
    form = page.locator("#goal-form")
    form.get_by_role("button", name="Save my contract").wait_for()
    page.get_by_role("button", name="Use an example contract").click()
    expect(form.get_by_label("Title")).to_have_value(EXAMPLE_TITLE)
    save_state = form.locator("[data-save-state-text]")
    expect(save_state).to_have_text("Example filled in: make it yours, then save.")
    expect(form.get_by_label("Skills")).to_have_value("facilitation, system design")
    expect(form.get_by_label("Minutes a week")).to_have_value("90")
    expect(form.get_by_role("radio", name=re.compile("^Only me"))).to_be_checked()

    # The live count follows typing, and says when a field is too long.
    where = form.get_by_label("Where I am now")
    where.fill(WHERE_I_AM)
    expect(page.locator("#goal-form-where_i_am-count")).to_have_text(f"{len(WHERE_I_AM)} of 5000 characters")
    where.fill("x" * 5003)
    expect(page.locator("#goal-form-where_i_am-count")).to_have_text("3 characters too many (at most 5000)")

    # Errors show beside their fields and nothing is saved.
    form.get_by_label("Title").fill("")
    form.get_by_label("Target date (optional)").fill("2001-01-01")
    form.get_by_role("button", name="Save my contract").click()
    expect(page.locator("#goal-form-title-error")).not_to_be_empty()
    expect(page.locator("#goal-form-where_i_am-error")).not_to_be_empty()
    expect(page.locator("#goal-form-title")).to_have_attribute("aria-invalid", "true")
    expect(save_state).to_have_text("Not saved: see the messages beside the fields.")
    assert page.url.endswith("/goals")
    axe_scan(page, "goals-form-errors")

    form.get_by_label("Title").fill(EXAMPLE_TITLE)
    where.fill(WHERE_I_AM)
    form.get_by_label("Target date (optional)").fill((date.today() + timedelta(days=90)).isoformat())
    form.get_by_role("button", name="Save my contract").click()
    page.wait_for_url(re.compile(r"/goals/gol_[A-Za-z0-9_-]+$"))
    goal_id = goal_id_of(page)

    contract = page.locator("#goal-contract")
    expect(page.get_by_role("heading", level=1)).to_have_text(EXAMPLE_TITLE)
    expect(contract.locator("#part-where_i_am strong")).to_have_text("Yet.")
    expect(contract.locator("#part-how_i_will_know")).to_contain_text("I have led one review alone")
    expect(contract.locator("#part-details")).to_contain_text("90 minutes a week, Fridays from 14:00")
    expect(contract.locator("#part-details")).to_contain_text("facilitation")
    visibility = page.get_by_label("Who can see this")
    expect(visibility).to_have_value("private")
    expect(contract.locator("#who-can-see")).to_contain_text("Nobody else sees it")
    axe_scan(page, "goal-new")

    # Who can see it changes in place: saved at once, focus stays on the control.
    visibility.focus()  # as it is when someone changes it
    visibility.select_option("team")
    expect(contract.locator("#who-can-see")).to_contain_text(
        "Saved: You, your manager and your team can see it now.")
    expect(page.get_by_label("Who can see this")).to_be_focused()
    expect(page.get_by_label("Who can see this")).to_have_value("team")
    with api_client(live_server, ana.email, ana.password) as api:
        assert api.get(f"/api/v1/goals/{goal_id}").json()["visibility"] == "team"
    axe_scan(page, "goal-visibility-saved")

    # One part is edited in place; its "Saved" note takes the focus.
    contract.get_by_text("Edit “Where I want to be”").click()
    part = page.locator("#contract-where_i_want_to_be")
    part.get_by_label("Where I want to be (Markdown)").fill("I lead a review and the team *acts* on it.")
    expect(part.locator("[data-save-state-text]")).to_have_text("Changes not saved yet.")
    part.get_by_role("button", name="Save “Where I want to be”").click()
    saved = page.locator("#part-where_i_want_to_be .saved-note")
    expect(saved).to_contain_text("Saved.")
    expect(saved).to_be_focused()
    expect(page.locator("#part-where_i_want_to_be em")).to_have_text("acts")

    page.get_by_label("Status", exact=True).focus()
    page.get_by_label("Status", exact=True).select_option("paused")
    expect(page.get_by_label("Status", exact=True)).to_be_focused()
    expect(page.locator(".goal-status-box")).to_contain_text("Saved: the goal is paused.")
    axe_scan(page, "goal-edited")
    page.reload()
    expect(page.get_by_label("Status", exact=True)).to_have_value("paused")
    expect(page.get_by_label("Who can see this")).to_have_value("team")

    page.goto("/goals")
    card = page.locator(".goal-card", has_text=EXAMPLE_TITLE)
    expect(card).to_contain_text("Who can see it: You, your manager and your team")
    expect(card).to_contain_text("Paused")
    expect(card).to_contain_text("No plan yet.")
    axe_scan(page, "goals-mine")


def _session_coming_up(live_server: str, host: Person, title: str) -> tuple[str, str]:
    """An open lounge with one session starting in an hour; returns (lounge id, session id)."""
    now = datetime.now(UTC)
    with api_client(live_server, host.email, host.password) as api:
        lounge = api.post("/api/v1/lounges", json={"name": "Architecture guild"}).json()
        session = api.post(f"/api/v1/lounges/{lounge['id']}/sessions", json={
            "title": title, "starts_at": (now + timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(), "time_zone": "UTC"})
        assert session.status_code == 201, session.text
    return lounge["id"], session.json()["id"]


def test_a_session_step_found_by_search_ticks_itself_when_the_host_checks_the_owner_in(
        live_server, new_page, create_account, axe_scan) -> None:
    host = person(new_page, create_account, "Cai Host", "UTC")
    owner = person(new_page, create_account, "Dana Owner", "Europe/Berlin")
    lounge_id, session_id = _session_coming_up(live_server, host, "Design review clinic")
    _, _other = _session_coming_up(live_server, host, "Kotlin coroutines")
    goal = new_goal(live_server, owner)

    page = owner.page
    page.goto(f"/goals/{goal['id']}")
    expect(page.locator("#plan")).to_contain_text("No steps yet.")
    expect(page.get_by_label("A session", exact=True)).to_be_checked()
    expect(page.get_by_label("Address")).to_be_hidden()  # the link form shows for links only
    search = page.get_by_label("Find an upcoming session")
    search.press_sequentially("review cl", delay=20)
    results = page.locator("#pick-session-results")
    expect(results.locator("li")).to_have_count(1)
    expect(results).to_contain_text("Design review clinic")
    expect(results).to_contain_text("Architecture guild")
    assert page.url.endswith(goal["id"]), "searching must not reload the page"
    axe_scan(page, "goal-plan-search")
    results.get_by_role("button", name="Add “Design review clinic” to the plan").click()
    expect(page.locator("#plan .plan-item")).to_have_count(1)
    expect(page.locator("#plan")).to_contain_text("Design review clinic")
    expect(page.locator("#plan")).to_contain_text("0 of 1 step done")
    expect(search).to_have_value("")
    expect(search).to_be_focused()
    expect(page.locator("#goal-announce")).to_have_text("Added “Design review clinic” to the plan.")
    expect(page.locator("#plan").get_by_role("link", name="Design review clinic")).to_have_attribute(
        "href", f"/sessions/{session_id}")

    # A link step goes through its own small form.
    page.get_by_label("A link to read or watch").check()
    expect(search).to_be_hidden()
    link_form = page.locator("#plan-resource")
    link_form.get_by_label("Title").fill("The review guide")
    link_form.get_by_label("Address").fill("javascript:alert(1)")
    link_form.get_by_role("button", name="Add the link").click()
    expect(page.locator("#plan-resource-url-error")).not_to_be_empty()
    link_form.get_by_label("Address").fill("https://wiki.example.com/reviews")
    link_form.get_by_role("button", name="Add the link").click()
    expect(page.locator("#plan .plan-item")).to_have_count(2)
    expect(page.locator("#plan").get_by_role("link", name="The review guide")).to_have_attribute(
        "href", "https://wiki.example.com/reviews")
    axe_scan(page, "goal-plan-two-steps")

    # The owner goes; once the session is under way the host checks them in on the session page
    # (another browser).
    page.goto(f"/sessions/{session_id}")
    page.get_by_role("button", name="I'm going").click()
    expect(page.locator("#rsvp-state")).to_contain_text("You are going.")
    move_live_session(live_server, session_id, starts_at=datetime.now(UTC))  # check-in opens
    host.page.goto(f"/sessions/{session_id}")
    host.page.get_by_role("button", name="Check in Dana Owner").click()
    expect(host.page.get_by_role("button", name="Undo check-in Dana Owner")).to_be_visible()

    page.goto(f"/goals/{goal['id']}")
    step = page.locator(".plan-item", has_text="Design review clinic")
    expect(step).to_contain_text("Ticked by attendance")
    expect(step.get_by_role("checkbox")).to_be_checked()
    expect(page.locator("#plan")).to_contain_text("1 of 2 steps done")
    axe_scan(page, "goal-ticked-by-attendance")

    page.goto("/")
    goals = page.locator("section", has=page.get_by_role("heading", name="My goals"))
    expect(goals).to_contain_text("Speak up in architecture reviews")
    expect(goals).to_contain_text("1 of 2 steps done")
    expect(goals.locator(".next-steps")).to_contain_text("The review guide")
    axe_scan(page, "home-with-goal")
    assert lounge_id


def test_check_in_with_a_note_and_move_steps_by_keyboard(live_server, new_page, create_account,
                                                         axe_scan) -> None:
    eli = person(new_page, create_account, "Eli Novak", "UTC")
    goal = new_goal(live_server, eli, weekly_minutes=120)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    add_steps(live_server, eli, goal["id"], {"kind": "activity", "title": "Read the review guide"},
              {"kind": "activity", "title": "Shadow two reviews", "due_on": yesterday},
              {"kind": "activity", "title": "Co-lead a review"})
    page = eli.page
    page.goto(f"/goals/{goal['id']}")
    expect(page.locator(".plan-item", has_text="Shadow two reviews")).to_contain_text("Overdue")
    expect(page.locator("#checkins")).to_contain_text("No check-ins yet.")

    # Check in: the note heads the timeline and the form is ready for the next one.
    form = page.locator("#checkin-form")
    form.get_by_label("What did you do, and what did you learn?").fill(
        "Shadowed my first review.\nPriya framed the trade-offs before the details.")
    form.get_by_label("Minutes spent learning").fill("45")
    form.get_by_role("button", name="Check in").click()
    timeline = page.locator("#checkin-timeline")
    expect(timeline.locator("li")).to_have_count(1)
    expect(timeline.locator("li").first).to_contain_text("Priya framed the trade-offs")
    expect(timeline.locator("li").first).to_contain_text("45 minutes of learning")
    expect(page.locator("#checkins .if-empty")).to_be_hidden()
    expect(form.get_by_label("What did you do, and what did you learn?")).to_have_value("")
    expect(page.locator("#checkin-form-note-count")).to_have_text("0 of 2000 characters")
    page.goto("/")
    expect(page.locator("main")).to_contain_text("45 of 120 minutes")
    page.goto(f"/goals/{goal['id']}")

    form.get_by_label("What did you do, and what did you learn?").fill("Co-led a review: it went well.")
    form.get_by_label("Status after this").select_option("achieved")
    form.get_by_role("button", name="Check in").click()
    expect(timeline.locator("li")).to_have_count(2)
    expect(timeline.locator("li").first).to_contain_text("Co-led a review")
    expect(timeline.locator("li").first).to_contain_text("Achieved")
    # The status control follows the check-in.
    expect(page.get_by_label("Status", exact=True)).to_have_value("achieved")
    axe_scan(page, "goal-checked-in")

    # Move the last step up twice with Alt+ArrowUp; focus stays on it.
    assert step_titles(page) == ["Read the review guide", "Shadow two reviews", "Co-lead a review"]
    last = page.get_by_role("checkbox", name="Done: Co-lead a review")
    last.focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#plan .plan-item").nth(1)).to_contain_text("Co-lead a review")
    expect(page.get_by_role("checkbox", name="Done: Co-lead a review")).to_be_focused()
    expect(page.locator("#goal-announce")).to_have_text("Moved “Co-lead a review” to step 2 of 3.")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#plan .plan-item").first).to_contain_text("Co-lead a review")
    expect(page.get_by_role("checkbox", name="Done: Co-lead a review")).to_be_focused()
    assert step_titles(page) == ["Co-lead a review", "Read the review guide", "Shadow two reviews"]
    # At the top, Alt+ArrowUp does nothing; the "Down" button moves it back, focus on that button.
    page.keyboard.press("Alt+ArrowUp")
    page.get_by_role("button", name="Down: move “Co-lead a review” later").click()
    expect(page.locator("#plan .plan-item").nth(1)).to_contain_text("Co-lead a review")
    expect(page.get_by_role("button", name="Down: move “Co-lead a review” later")).to_be_focused()
    # Moving with the button to the very end leaves focus on the step (its button is now disabled).
    page.keyboard.press("Enter")
    expect(page.locator("#plan .plan-item").last).to_contain_text("Co-lead a review")
    expect(page.get_by_role("checkbox", name="Done: Co-lead a review")).to_be_focused()
    with api_client(live_server, eli.email, eli.password) as api:
        plan = api.get(f"/api/v1/goals/{goal['id']}/plan").json()["items"]
    assert [s["title"] for s in plan] == ["Read the review guide", "Shadow two reviews", "Co-lead a review"]

    # Ticking a step by keyboard keeps the focus on it.
    page.get_by_role("checkbox", name="Done: Read the review guide").focus()
    page.keyboard.press("Space")
    expect(page.locator("#plan")).to_contain_text("1 of 3 steps done")
    expect(page.get_by_role("checkbox", name="Done: Read the review guide")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Done: Read the review guide")).to_be_focused()
    axe_scan(page, "goal-reordered")


def test_a_colleague_comments_and_suggests_the_owner_accepts_hidden_goals_are_404_and_delete(
        live_server, new_page, create_account, axe_scan) -> None:
    fay = person(new_page, create_account, "Fay Owner", "UTC")
    gil = person(new_page, create_account, "Gil Colleague", "UTC")
    person(new_page, create_account, "Priya Reviewer", "UTC")
    shared = new_goal(live_server, fay, title="Learn to give useful code review", visibility="org",
                      why="Reviews are where our team *learns* most.")
    private = new_goal(live_server, fay, title="Prepare for the promotion panel")

    page = gil.page
    page.goto("/goals")
    card = page.locator("#shared-goals .goal-card", has_text="Learn to give useful code review")
    expect(card).to_contain_text("Fay Owner’s goal")
    expect(card).to_contain_text("Who can see it: Everyone in the organisation")
    expect(page.locator("#shared-goals")).not_to_contain_text("promotion panel")
    axe_scan(page, "goals-shared-with-me")
    card.get_by_role("link", name="Learn to give useful code review").click()
    page.wait_for_url(f"/goals/{shared['id']}")
    expect(page.locator("#who-can-see")).to_contain_text("Who can see this: Everyone in the organisation.")
    expect(page.get_by_label("Who can see this")).to_have_count(0)
    expect(page.locator("#part-why em")).to_have_text("learns")
    expect(page.get_by_role("button", name="Delete this goal")).to_have_count(0)

    comment = page.locator("#comment-form")
    comment.get_by_label("Add a comment (Markdown)").fill("Happy to **pair** on your next review.")
    comment.get_by_role("button", name="Comment").click()
    expect(page.locator("#comment-items li")).to_have_count(1)
    expect(page.locator("#comment-items strong", has_text="pair")).to_be_visible()
    expect(comment.get_by_label("Add a comment (Markdown)")).to_have_value("")

    page.get_by_label("Why (optional)").fill("Priya runs the best reviews.")
    page.get_by_label("Find a colleague").press_sequentially("Priya", delay=20)
    page.get_by_role("button", name="Suggest “Priya Reviewer”").click()
    expect(page.locator("ul.suggestions li")).to_have_count(1)
    expect(page.locator("ul.suggestions")).to_contain_text("talking to Priya Reviewer")
    expect(page.locator("ul.suggestions")).to_contain_text("Waiting for an answer")
    expect(page.get_by_label("Why (optional)")).to_have_value("")
    axe_scan(page, "goal-colleague")

    response = page.goto(f"/goals/{private['id']}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.locator("main")).not_to_contain_text("promotion panel")
    axe_scan(page, "goal-hidden-404")

    owner = fay.page
    owner.goto(f"/goals/{shared['id']}")
    expect(owner.locator("#comment-items")).to_contain_text("Gil Colleague")
    suggestion = owner.locator("ul.suggestions li", has_text="Priya Reviewer")
    expect(suggestion).to_contain_text("Priya runs the best reviews.")
    suggestion.get_by_role("button", name="Add to my plan: Priya Reviewer").click()
    expect(suggestion).to_contain_text("Added to the plan")
    expect(owner.locator("#plan")).to_contain_text("Talk to Priya Reviewer")  # the plan reloads itself
    axe_scan(owner, "goal-suggestion-accepted")

    owner.on("dialog", lambda dialog: dialog.accept())
    owner.get_by_role("button", name="Delete this goal").click()
    owner.wait_for_url("/goals")
    expect(owner.locator("#my-goals")).not_to_contain_text("Learn to give useful code review")
    expect(owner.locator("#my-goals")).to_contain_text("Prepare for the promotion panel")
    response = gil.page.goto(f"/goals/{shared['id']}")
    assert response is not None and response.status == 404
