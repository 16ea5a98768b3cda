"""Settings read from the environment: the public address follows the served one unless set."""

from __future__ import annotations

import pytest

from app.config import Settings


@pytest.fixture(autouse=True)
def no_address_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOUNGE_BASE_URL", "LOUNGE_HOST", "LOUNGE_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_the_base_url_follows_the_host_and_port_served_on(monkeypatch):
    assert Settings().base_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("LOUNGE_HOST", "lounge.internal")
    monkeypatch.setenv("LOUNGE_PORT", "8731")
    settings = Settings()
    assert settings.base_url == "http://lounge.internal:8731"
    assert settings.trusted_origins == {"http://lounge.internal:8731"}


def test_a_wildcard_listener_links_to_loopback():
    assert Settings(host="0.0.0.0", port=8731).base_url  # noqa: S104 == "http://127.0.0.1:8731"
    assert Settings(host="::", port=8731).base_url == "http://[::1]:8731"


def test_a_configured_base_url_wins(monkeypatch):
    monkeypatch.setenv("LOUNGE_PORT", "8731")
    monkeypatch.setenv("LOUNGE_BASE_URL", "https://lounge.example.com")
    settings = Settings()
    assert settings.base_url == "https://lounge.example.com"
    assert settings.trusted_origins == {"https://lounge.example.com"}
    monkeypatch.setenv("LOUNGE_BASE_URL", "")
    assert Settings().base_url == "http://127.0.0.1:8731"
