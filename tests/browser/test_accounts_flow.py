"""The account pages in a real browser: register, sign out, sign in, profile and time zone, API
tokens (create, see once, revoke), field errors beside their fields, hostile display names
shown as text, keyboard-only sign-in, and an accessibility scan of every page on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
XSS_NAME = "<img src=x onerror=alert(1)><script>alert(1)</script>"


def register(page: Page, *, display_name: str, email: str, password: str = PASSWORD,
             time_zone: str | None = None) -> None:
    form = page.locator("#register-form")
    form.get_by_label("Display name").fill(display_name)
    form.get_by_label("Work email").fill(email)
    form.get_by_label("Password").fill(password)
    if time_zone:
        form.get_by_label("Time zone").select_option(time_zone)
    form.get_by_role("button", name="Create account").click()


def log_in(page: Page, *, email: str, password: str = PASSWORD) -> None:
    form = page.locator("#login-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def test_welcome_and_error_pages(page: Page, axe_scan) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn together, at work.")
    axe_scan(page, "welcome")

    response = page.goto("/nope")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_text("There is nothing at this address.")).to_be_visible()
    axe_scan(page, "error-404")


def test_register_sign_out_sign_in_and_settings(page: Page, axe_scan) -> None:
    page.goto("/register")
    axe_scan(page, "register")
    register(page, display_name="Ana Lima", email="ana@example.com", time_zone="Europe/Lisbon")

    page.wait_for_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana Lima")
    expect(page.locator("main")).to_contain_text("Europe/Lisbon")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Ana Lima")).to_be_visible()
    axe_scan(page, "home")

    nav.get_by_role("button", name="Sign out").click()
    page.wait_for_url("/login")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_have_count(0)
    axe_scan(page, "login")
    assert page.goto("/settings") is not None
    page.wait_for_url(re.compile(r"/login\?next=/settings$"))

    log_in(page, email="ana@example.com")
    page.wait_for_url("/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    axe_scan(page, "settings")

    profile = page.locator("#profile-form")
    profile.get_by_label("Time zone").select_option("Asia/Tokyo")
    profile.get_by_label("Short bio").fill("Learning Rust one lunch at a time.")
    with page.expect_request(lambda r: r.method == "PATCH") as sent:
        profile.get_by_role("button", name="Save profile").click()
    # The CSRF header comes from `hx-headers:inherited` on <body>.
    assert sent.value.headers.get("x-csrf-token")
    expect(page.locator("#profile-form-status")).to_have_text("Saved. Times now show in Asia/Tokyo.")
    axe_scan(page, "settings-profile-saved")

    page.reload()
    expect(profile.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    expect(profile.get_by_label("Short bio")).to_have_value("Learning Rust one lunch at a time.")
    page.goto("/")
    expect(page.locator("main")).to_contain_text("Asia/Tokyo")


def test_api_token_is_shown_once_listed_and_revoked(signed_in_page: Page, axe_scan) -> None:
    page = signed_in_page
    page.goto("/settings")
    expect(page.locator("#token-list")).to_contain_text("No tokens yet")

    form = page.locator("#token-form")
    form.get_by_label("Token name").fill("calendar bot")
    form.get_by_label("chat: post in lounge and session chats").check()
    form.get_by_role("button", name="Create token").click()

    created = page.locator("#token-created")
    expect(created).to_contain_text("Token “calendar bot” created.")
    secret = created.get_by_label("Your new token").input_value()
    assert len(secret) > 20
    row = page.locator("#token-list tbody tr", has_text="calendar bot")
    expect(row).to_contain_text("read, chat")
    expect(form.get_by_label("Token name")).to_have_value("")
    expect(form.get_by_label("chat: post in lounge and session chats")).not_to_be_checked()
    expect(row.get_by_role("button", name="Revoke token calendar bot")).to_be_visible()
    axe_scan(page, "settings-token-created")

    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200 and me.json()["email"] == page.account.email

    messages: list[str] = []

    def answer(accept: bool):
        def handle(dialog: Dialog) -> None:
            messages.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    page.once("dialog", answer(False))
    row.get_by_role("button", name="Revoke token calendar bot").click()
    expect(row.get_by_role("button", name="Revoke token calendar bot")).to_be_visible()
    assert messages == ["Revoke the token “calendar bot”? Tools using it stop working at once."]

    page.once("dialog", answer(True))
    row.get_by_role("button", name="Revoke token calendar bot").click()
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button")).to_have_count(0)

    page.reload()
    expect(page.locator("#token-list tbody tr", has_text="calendar bot")).to_contain_text("Revoked")
    expect(page.locator("#token-created")).to_be_empty()
    axe_scan(page, "settings-token-revoked")


def test_token_form_shows_its_errors(signed_in_page: Page) -> None:
    page = signed_in_page
    page.goto("/settings")
    form = page.locator("#token-form")
    form.get_by_label("read: see lounges, sessions, people").uncheck()
    form.get_by_role("button", name="Create token").click()

    expect(page.locator("#token-form-name-error")).to_have_text("Enter a name.")
    expect(page.locator("#token-form-scopes-error")).not_to_be_empty()
    expect(page.locator("#token-form-status [role=alert]")).to_contain_text("2 fields need a change")
    expect(page.locator("#token-created")).to_be_empty()
    expect(page.locator("#token-list")).to_contain_text("No tokens yet")


def test_register_shows_each_error_beside_its_field(page: Page, create_account, axe_scan) -> None:
    taken = create_account(display_name="Ben Okafor")
    page.goto("/register")

    register(page, display_name="Carla Diaz", email="not-an-email", password="short")
    email_error = page.locator("#register-form-email-error")
    password_error = page.locator("#register-form-password-error")
    expect(email_error).to_contain_text("Enter a valid email address")
    expect(password_error).to_have_text("Use at least 10 characters.")
    expect(page.locator("#register-form-display_name-error")).to_be_empty()
    email_field = page.locator("#register-form").get_by_label("Work email")
    expect(email_field).to_have_attribute("aria-describedby", re.compile(r"\bregister-form-email-error\b"))
    expect(email_field).to_have_attribute("aria-invalid", "true")
    axe_scan(page, "register-errors")

    register(page, display_name="Carla Diaz", email=taken.email)
    expect(email_error).to_have_text("An account with this email already exists.")
    expect(password_error).to_be_empty()
    expect(page.locator("#register-form").get_by_label("Password")).not_to_have_attribute(
        "aria-invalid", "true")
    assert page.url.endswith("/register")


def test_wrong_password_is_reported_beside_the_password(page: Page, create_account, axe_scan) -> None:
    account = create_account()
    page.goto("/login")
    log_in(page, email=account.email, password="not the password")

    expect(page.locator("#login-form-password-error")).not_to_be_empty()
    expect(page.locator("#login-form-status [role=alert]")).to_be_visible()
    assert page.url.endswith("/login")
    axe_scan(page, "login-error")

    log_in(page, email=account.email, password=account.password)
    page.wait_for_url("/")


def test_hostile_display_names_are_shown_as_text(page: Page, axe_scan) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/register")
    register(page, display_name=XSS_NAME, email="mallory@example.com")
    page.wait_for_url("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {XSS_NAME}")
    expect(page.get_by_role("link", name=XSS_NAME)).to_be_visible()
    injected = "img[src='x'], script:not([src])"
    assert page.locator(injected).count() == 0

    page.goto("/settings")
    profile = page.locator("#profile-form")
    expect(profile.get_by_label("Display name")).to_have_value(XSS_NAME)
    other = "<svg onload=alert(2)>"
    profile.get_by_label("Display name").fill(other)
    profile.get_by_role("button", name="Save profile").click()
    expect(page.locator("#profile-form-status")).to_contain_text("Saved.")
    expect(profile.get_by_label("Display name")).to_have_value(other)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name=other)).to_be_visible()

    form = page.locator("#token-form")
    form.get_by_label("Token name").fill(XSS_NAME)
    form.get_by_role("button", name="Create token").click()
    expect(page.locator("#token-created")).to_contain_text(f"Token “{XSS_NAME}” created.")
    expect(page.locator("#token-list tbody tr")).to_contain_text(XSS_NAME)

    assert page.locator(f"{injected}, svg:not(.bell-icon)").count() == 0
    assert dialogs == []
    axe_scan(page, "settings-hostile-names")


def test_sign_in_with_the_keyboard_alone(page: Page, create_account) -> None:
    account = create_account(display_name="Dee Keys")
    page.goto("/login")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    email = page.locator("#login-form-email")
    for _ in range(10):
        if email.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    expect(page.locator("#login-form-password")).to_be_focused()
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")

    page.wait_for_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Dee Keys")


def test_the_watch_catches_csp_violations(page: Page, page_watch) -> None:
    """The page fixture would miss a broken page if CSP refusals went unnoticed; prove they don't."""
    inject = """() => new Promise((resolve) => {
        document.addEventListener("securitypolicyviolation", resolve, {once: true});
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.head.append(script);
    })"""
    page.goto("/")
    page.evaluate(inject)
    problems = page_watch.take()
    assert any("script-src" in problem for problem in problems), problems
    assert page.evaluate("() => window.injected === undefined")

    page_watch.allow(r"script-src")
    page.evaluate(inject)
    assert page_watch.take() == []


def test_pages_fit_a_phone(signed_in_page: Page, axe_scan) -> None:
    page = signed_in_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/settings")
    form = page.locator("#token-form")
    form.get_by_label("Token name").fill("a rather long token name for the phone layout")
    form.get_by_label("write: create and change things").check()
    form.get_by_role("button", name="Create token").click()
    expect(page.locator("#token-list tbody tr")).to_have_count(1)

    for path, name in [("/settings", "settings-phone"), ("/", "home-phone")]:
        page.goto(path)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        axe_scan(page, name)


def test_dark_mode_pages_are_readable(new_page, axe_scan) -> None:
    page = new_page(color_scheme="dark")
    page.goto("/")
    axe_scan(page, "welcome-dark")
    page.goto("/register")
    register(page, display_name="", email="nobody", password="short")
    expect(page.locator("#register-form-display_name-error")).to_have_text("Enter a display name.")
    axe_scan(page, "register-errors-dark")
