"""Live chat in a real browser: two people chat on a lounge page, one drops offline and sees
what was said meanwhile once back, typing shows, hostile text stays text, and the page with
its chat panel passes the accessibility scan; a session's chat closes when the session ends
and stays readable; times follow the profile's zone and clock, not the browser's; reactions
show only where someone reacted, the picker on hover or focus, the emoji in a colour font."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers_lounges import api_client, move_live_session, shown_time, signed_in_page
from tests.databases import IN_CI

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"
CHAT_FORMAT = "%d %b, %H:%M"  # a chat message's time, in the viewer's profile zone
EMOJI_FONTS = {"Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"}
EMOJI_FONT_FILE = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")  # Debian's fonts-noto-color-emoji


def _private_lounge(live_server: str, host, *members) -> str:
    with httpx.Client(base_url=live_server) as client:
        login = client.post("/api/v1/auth/login",
                            json={"email": host.email, "password": host.password})
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        lounge = client.post("/api/v1/lounges", headers=csrf, json={
            "name": f"Chat lab of {host.display_name}", "visibility": "private"}).json()
        for member in members:
            user = client.get("/api/v1/users", params={"q": member.display_name}).json()["items"][0]
            invited = client.post(f"/api/v1/lounges/{lounge['id']}/invites", headers=csrf,
                                  json={"user_id": user["id"]})
            assert invited.status_code == 201, invited.text
    return lounge["slug"]


def _say(page: Page, text: str) -> None:
    box = page.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def test_two_people_chat_live_and_catch_up_after_going_offline(live_server, new_page, create_account,
                                                               sign_in, axe_scan, page_watch) -> None:
    ana, ben = create_account("Ana Lima"), create_account("Ben Okafor")
    slug = _private_lounge(live_server, ana, ben)
    page_a, page_b = new_page(), new_page()
    for page, who in ((page_a, ana), (page_b, ben)):
        sign_in(page, who)
        page.goto(f"/lounges/{slug}")
        expect(page.locator("[data-role=online]")).to_contain_text("Online")
    log_a = page_a.get_by_role("log", name="Chat messages")
    log_b = page_b.get_by_role("log", name="Chat messages")

    _say(page_a, "Hello **Ben**")
    expect(log_b.locator("strong", has_text="Ben")).to_be_visible()
    expect(page_a.locator("[data-role=online]")).to_contain_text("Ben Okafor")

    page_b.get_by_label("Message", exact=True).press_sequentially("typing away")
    expect(page_a.locator("[data-role=typing]")).to_have_text("Ben Okafor is typing…")
    page_b.get_by_label("Message", exact=True).press("Enter")
    expect(log_a).to_contain_text("typing away")

    _say(page_b, XSS)
    expect(log_a.get_by_text(XSS)).to_be_visible()
    assert log_a.locator("img, script").count() == 0

    # Ben drops off the network; Ana keeps talking; Ben comes back and catches up, once each.
    # A reconnect tried while he is offline fails, as it should, and the browser says so.
    page_watch.allow(r"ERR_INTERNET_DISCONNECTED")
    page_b.context.set_offline(True)
    page_b.evaluate("document.querySelector('[data-chat-panel]').chat.ws.close()")
    _say(page_a, "missed one")
    _say(page_a, "missed two")
    page_b.context.set_offline(False)
    expect(log_b).to_contain_text("missed two", timeout=30_000)
    texts = log_b.locator(".chat-body").all_inner_texts()
    assert texts == ["Hello Ben", "typing away", XSS, "missed one", "missed two"]

    expect(log_a.locator(".chat-message").first).to_be_visible()
    axe_scan(page_a, "lounge-chat")


def test_typing_an_at_offers_members_to_mention_by_keyboard(live_server, new_page, create_account,
                                                           sign_in) -> None:
    fay, ben = create_account("Fay Okoro"), create_account("Ben Mensah")
    slug = _private_lounge(live_server, fay, ben)
    page = new_page()
    sign_in(page, fay)
    page.goto(f"/lounges/{slug}")
    expect(page.locator("[data-role=online]")).to_contain_text("Online")
    box = page.get_by_role("combobox", name="Message")
    people = page.get_by_role("listbox", name="People to mention")

    box.press_sequentially("@be")
    expect(people.get_by_role("option").first).to_contain_text("Ben Mensah")  # a member comes first
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")
    expect(people).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    box.press_sequentially("n")
    expect(people.get_by_role("option").first).to_contain_text("Ben Mensah")
    box.press("ArrowDown")
    expect(people.get_by_role("option", selected=True)).to_contain_text("Ben Mensah")
    box.press("Enter")  # picks, does not send
    expect(box).to_have_value("@ben.mensah ")
    expect(people).to_be_hidden()
    box.press_sequentially("over to you")
    box.press("Enter")
    expect(box).to_have_value("")
    log = page.get_by_role("log", name="Chat messages")
    expect(log.locator(".chat-body").last).to_have_text("@ben.mensah over to you")


def test_edit_react_and_delete_own_message(live_server, new_page, create_account, sign_in) -> None:
    ana, ben = create_account("Cleo Park"), create_account("Dev Rao")
    slug = _private_lounge(live_server, ana, ben)
    page_a, page_b = new_page(), new_page()
    for page, who in ((page_a, ana), (page_b, ben)):
        sign_in(page, who)
        page.goto(f"/lounges/{slug}")
        expect(page.locator("[data-role=online]")).to_contain_text("Online")
    log_a = page_a.get_by_role("log", name="Chat messages")
    log_b = page_b.get_by_role("log", name="Chat messages")
    _say(page_b, "teh typo")
    mine = log_b.locator(".chat-message").last
    mine.hover()  # a message's actions show while it is hovered or focused
    mine.get_by_role("button", name="Edit").click()
    page_b.get_by_label("Edit message").fill("the typo")
    mine.get_by_role("button", name="Save").click()
    expect(log_a.locator(".chat-message", has_text="the typo")).to_contain_text("(edited)")

    theirs = log_a.locator(".chat-message", has_text="the typo")
    theirs.hover()
    theirs.get_by_role("button", name="React with 🎉").click()
    expect(log_b.get_by_role("button", name="🎉 1; react")).to_be_visible()

    page_b.on("dialog", lambda dialog: dialog.accept())
    edited = log_b.locator(".chat-message", has_text="the typo")
    edited.hover()
    edited.get_by_role("button", name="Delete").click()
    expect(log_a).to_contain_text("message removed")
    expect(log_a).not_to_contain_text("the typo")


def test_unread_counts_show_on_the_dashboard_until_read(live_server, new_page, create_account,
                                                        sign_in, axe_scan) -> None:
    ana, ben = create_account("Eva Brown"), create_account("Finn Gray")
    slug = _private_lounge(live_server, ana, ben)
    page_a, page_b = new_page(), new_page()
    sign_in(page_a, ana)
    page_a.goto(f"/lounges/{slug}")
    expect(page_a.locator("[data-role=online]")).to_contain_text("Online")
    _say(page_a, "first news")
    _say(page_a, "second news")
    sign_in(page_b, ben)
    expect(page_b.locator("[data-unread-channel]")).to_have_text("2 unread")
    axe_scan(page_b, "home-unread")
    page_b.goto(f"/lounges/{slug}")
    expect(page_b.get_by_role("log", name="Chat messages")).to_contain_text("second news")
    with page_b.expect_response(lambda r: r.url.endswith("/read") and r.status == 200):
        pass  # the panel marks what it showed as read
    page_b.goto("/")
    expect(page_b.locator("[data-unread-channel]")).to_have_attribute("data-unread-state", "shown")
    expect(page_b.locator("[data-unread-channel]")).to_have_text("")


def test_session_chat_is_live_while_it_runs_and_readable_afterwards(live_server, new_page, create_account,
                                                                    sign_in, axe_scan) -> None:
    ana, ben = create_account("Gus Hale"), create_account("Hana Ito")
    slug = _private_lounge(live_server, ana, ben)
    now = datetime.now(UTC).replace(microsecond=0)
    with httpx.Client(base_url=live_server) as host:
        login = host.post("/api/v1/auth/login", json={"email": ana.email, "password": ana.password})
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        lounge = next(item for item in host.get("/api/v1/lounges", params={"q": "Gus Hale"}).json()["items"]
                      if item["slug"] == slug)
        session = host.post(f"/api/v1/lounges/{lounge['id']}/sessions", headers=csrf, json={
            "title": "Open chat: estimates", "kind": "chat", "time_zone": "Europe/London",
            "starts_at": (now + timedelta(days=1)).isoformat(),
            "ends_at": (now + timedelta(days=1, hours=1)).isoformat()}).json()
        move_live_session(live_server, session["id"], starts_at=now - timedelta(minutes=10),
                          ends_at=now + timedelta(hours=1))
        page_a, page_b = new_page(), new_page()
        for page, who in ((page_a, ana), (page_b, ben)):
            sign_in(page, who)
            page.goto(f"/sessions/{session['id']}")
            expect(page.locator("[data-role=online]")).to_contain_text("Online")
        _say(page_b, "Glad this is on")
        expect(page_a.get_by_role("log", name="Chat messages")).to_contain_text("Glad this is on")

        move_live_session(live_server, session["id"], starts_at=now - timedelta(hours=2),
                          ends_at=now - timedelta(hours=1))  # it has ended

    box = page_a.get_by_label("Message", exact=True)
    box.fill("One more thing")
    box.press("Enter")
    expect(page_a.locator("#chat-form-body-error")).to_have_text(
        "This session has ended. Its chat stays here to read.")

    page_b.reload()
    expect(page_b.get_by_role("log", name="Chat messages")).to_contain_text("Glad this is on")
    expect(page_b.locator("[data-role=closed]")).to_have_text(
        "This session has ended. Its chat stays here to read.")
    expect(page_b.get_by_label("Message", exact=True)).to_be_hidden()
    assert "One more thing" not in page_b.get_by_role("log", name="Chat messages").inner_text()
    axe_scan(page_b, "session-chat-closed")


def test_chat_times_follow_the_profile_and_reactions_show_only_when_there(
        live_server, new_page, create_account) -> None:
    """A person whose profile says New York, in a browser set to London, reads every time on
    the page (a session's, a message loaded with the page, a live one) in 24-hour New York time,
    as the server renders them; reactions show under a message only once someone reacted, the
    picker only while the message is hovered or focused, and the emoji in a colour font."""
    new_york = "America/New_York"
    ana = create_account("Ida Moss", time_zone=new_york)
    ben = create_account("Jon Bell")
    slug = _private_lounge(live_server, ana, ben)
    with api_client(live_server, ben.email, ben.password) as api:
        lounge = next(item for item in api.get("/api/v1/lounges", params={"mine": "true"}).json()["items"]
                      if item["slug"] == slug)
        starts = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)
        scheduled = api.post(f"/api/v1/lounges/{lounge['id']}/sessions", json={
            "title": "Clock check", "kind": "chat", "time_zone": "Europe/London",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()})
        assert scheduled.status_code == 201, scheduled.text
        channel = lounge["channel_id"]
        earlier = api.post(f"/api/v1/channels/{channel}/messages", json={"body": "before you came"}).json()
        assert api.put(f"/api/v1/messages/{earlier['id']}/reactions/🎉").status_code == 200

        page, _ = signed_in_page(new_page, ana.email, ana.password, time_zone="Europe/London")
        page.goto(f"/lounges/{slug}")
        expect(page.locator("[data-role=online]")).to_contain_text("Online")
        expect(page.locator(".session-card")).to_contain_text(shown_time(starts, new_york))
        live = api.post(f"/api/v1/channels/{channel}/messages", json={"body": "live one"}).json()

    log = page.get_by_role("log", name="Chat messages")
    old_item, live_item = log.locator(f"#msg-{earlier['id']}"), log.locator(f"#msg-{live['id']}")
    expect(live_item).to_be_visible()
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/London"
    rendered = page.request.get(f"/api/v1/channels/{channel}/messages",
                                headers={"HX-Request": "true", "HX-Request-Type": "partial"}).text()
    for message, item in ((earlier, old_item), (live, live_item)):
        created = datetime.fromisoformat(message["created_at"])
        wanted = created.astimezone(ZoneInfo(new_york)).strftime(CHAT_FORMAT)
        expect(item.locator("time")).to_have_text(wanted)
        assert f">{wanted}</time>" in rendered, rendered

    # Only what someone reacted with shows; the picker waits for the mouse or the keyboard.
    page.mouse.move(0, 0)
    expect(live_item.get_by_role("button")).to_have_count(0)
    expect(old_item.get_by_role("button")).to_have_count(1)
    chip = old_item.get_by_role("button", name="🎉 1; react")
    expect(chip).to_be_visible()
    live_item.hover()
    expect(live_item.get_by_role("button", name="React with 👍")).to_be_visible()
    page.mouse.move(0, 0)
    expect(live_item.get_by_role("button")).to_have_count(0)
    live_item.focus()
    page.keyboard.press("Tab")
    expect(live_item.get_by_role("button", name="React with 👍")).to_be_focused()
    page.keyboard.press("Enter")
    expect(live_item.get_by_role("button", name="👍 1; remove your reaction")).to_be_visible()

    # The emoji is drawn by a colour emoji font, not as a missing-glyph box.
    stack = chip.locator(".emoji").evaluate("node => getComputedStyle(node).fontFamily")
    assert stack.split(",")[0].strip('" ') in EMOJI_FONTS, stack
    if not EMOJI_FONT_FILE.exists():
        if IN_CI:
            pytest.fail(f"{EMOJI_FONT_FILE} is missing (make chromium installs it)")
        pytest.skip(f"{EMOJI_FONT_FILE} is missing (make chromium installs it)")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f"#msg-{earlier['id']} .emoji"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    assert [f["familyName"] for f in fonts] == ["Noto Color Emoji"], fonts
    assert chip.locator(".emoji").bounding_box()["width"] > 0
