"""The main menu holds what people use day to day; integrations (API tokens, webhooks) live under
Settings and Admin, and the webhooks page stays at its address."""

from __future__ import annotations

import re

PAGE = {"Accept": "text/html"}


def main_menu(html: str) -> str:
    found = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert found, "the page has no main menu"
    return found.group(1)


async def test_webhooks_are_under_settings_not_in_the_main_menu(ana, ben):
    for account in (ana, ben):
        menu = main_menu((await account.client.get("/", headers=PAGE)).text)
        assert "Webhooks" not in menu and 'href="/webhooks"' not in menu
        assert 'href="/settings"' in menu
        settings = await account.client.get("/settings", headers=PAGE)
        assert settings.status_code == 200 and '<a href="/webhooks">' in settings.text
        assert (await account.client.get("/webhooks", headers=PAGE)).status_code == 200

    assert '<a href="/admin">Admin</a>' in main_menu((await ana.client.get("/", headers=PAGE)).text)
    assert 'href="/admin"' not in main_menu((await ben.client.get("/", headers=PAGE)).text)
    admin = await ana.client.get("/admin", headers=PAGE)
    assert admin.status_code == 200 and '<a href="/webhooks">' in admin.text
