"""Fixtures for tests that drive the outbox worker themselves: a real SMTP sink, settings with
the background worker off and mail going to the sink, and `drain` to run what is due.

Import them into a test module (`from tests.worker_fixtures import drain, settings, smtp`)."""

from __future__ import annotations

import pytest

from tests.smtp import SmtpSink


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
async def settings(settings, smtp):
    # The test drains the outbox itself, so nothing runs behind its back.
    return settings.model_copy(update={"worker_enabled": False, "smtp_url": smtp.url})


@pytest.fixture
def drain(app):
    return app.state.worker.drain
