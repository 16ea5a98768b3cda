"""The webhook pages in a real browser: an administrator registers an endpoint on /admin, copies
the secret shown once, watches a delivery retried until it succeeds at a receiver on
127.0.0.1, sends it again, switches the endpoint off and on, sees a refused URL explained
beside its field, and every page passes an accessibility scan."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.webhook_receiver import receiver

pytestmark = pytest.mark.browser

LIVE_SERVER_ENV = {"LOUNGE_WEBHOOK_ALLOWLIST": "127.0.0.1", "LOUNGE_WEBHOOK_RETRY_BASE_SECONDS": "0"}


def csrf_of(page: Page) -> str:
    return json.loads(page.locator("body").get_attribute("hx-headers:inherited") or "{}")["X-CSRF-Token"]


def wait_for_log(page: Page, text: str) -> None:
    """Refresh the delivery log until it shows `text` (the worker sends in the background)."""
    log = page.locator("#delivery-list")
    for _ in range(40):
        page.get_by_role("button", name="Refresh").click()
        page.wait_for_load_state("networkidle")
        if text in log.inner_text():
            return
        page.wait_for_timeout(250)
    expect(log).to_contain_text(text)


def test_an_administrator_registers_and_watches_a_webhook(page: Page, create_account, sign_in, axe_scan):
    admin = create_account("Ana Lima")  # the first account: an administrator
    sign_in(page, admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    expect(page.locator("#webhook-list")).to_contain_text("No webhooks yet")
    axe_scan(page, "admin")

    form = page.locator("#webhook-form")
    form.get_by_label("Receiver URL").fill("http://10.0.0.1/hook")
    form.get_by_label("lounge.created").check()
    form.get_by_role("button", name="Register endpoint").click()
    expect(page.locator("#webhook-form-url-error")).to_contain_text("private")

    with receiver(500, 200) as hook:
        form.get_by_label("Receiver URL").fill(hook.url)
        form.get_by_label("Description (optional)").fill("Team calendar")
        form.get_by_role("button", name="Register endpoint").click()
        secret = page.get_by_label(f"Signing secret for {hook.url}")
        expect(secret).to_have_value(re.compile(r"^whsec_"))
        expect(page.locator("#webhook-created")).to_contain_text("will not be shown again")
        expect(page.locator("#webhook-list")).to_contain_text(hook.url)
        axe_scan(page, "admin-webhook-created")

        created = page.request.post("/api/v1/lounges", headers={"X-CSRF-Token": csrf_of(page)},
                                    data={"name": "Rust readers"})
        assert created.status == 201
        page.locator("#webhook-list").get_by_role("link", name=hook.url).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhook")
        wait_for_log(page, "Delivered")
        row = page.locator("#delivery-list tbody tr").first
        expect(row).to_contain_text("lounge.created")
        expect(row.locator("td").nth(3)).to_have_text("200")
        expect(row.locator("td").nth(4)).to_contain_text("2")
        row.get_by_role("button", name="Show attempts").click()
        expect(row.locator(".attempt-log li")).to_have_count(2)
        expect(row.locator(".attempt-log li").first).to_contain_text("The receiver answered 500.")
        axe_scan(page, "webhook-deliveries")

        row.get_by_role("button", name="Send again").click()
        wait_for_log(page, "Delivered")
        expect(page.locator("#delivery-list tbody tr").first.locator("td").nth(4)).to_contain_text("3")
        assert len(hook.seen) == 3

    details = page.locator("#webhook-details")
    details.get_by_role("button", name="Switch off").click()
    expect(details).to_contain_text("Switched off by Ana Lima.")
    details.get_by_role("button", name="Switch on").click()
    expect(details.get_by_role("button", name="Switch off")).to_be_visible()
    axe_scan(page, "webhook-details")
