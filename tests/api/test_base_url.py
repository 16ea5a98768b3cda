"""With no `LOUNGE_BASE_URL`, the links the app hands out (the calendar feed on /settings, an
`.ics` file's `URL` and description) point at the host and port it is served on."""

from __future__ import annotations

import icalendar
import pytest

from app.config import Settings
from tests.api.sessions_helpers import make_lounge, make_session

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
SERVED = "http://127.0.0.1:8731"


@pytest.fixture
async def settings(settings: Settings) -> Settings:
    served = settings.model_dump(exclude={"base_url", "host", "port"})
    return Settings(**served, host="127.0.0.1", port=8731)


async def test_the_feed_address_and_session_links_follow_the_served_address(ana):
    feed = await ana.client.get("/api/v1/me/calendar", headers=HTMX)
    assert feed.status_code == 200, feed.text
    assert f'value="{SERVED}/api/v1/calendar/' in feed.text

    session = await make_session(ana, (await make_lounge(ana))["id"])
    download = await ana.client.get(f"/api/v1/sessions/{session['id']}.ics")
    [event] = icalendar.Calendar.from_ical(download.content).walk("VEVENT")
    assert str(event["URL"]) == f"{SERVED}/sessions/{session['id']}"
    assert str(event["DESCRIPTION"]).endswith(f"{SERVED}/sessions/{session['id']}")
