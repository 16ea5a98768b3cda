"""Calendar models: where my personal calendar feed lives."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CalendarFeedPublic(BaseModel):
    """The secret address of my feed; anyone holding it can read my sessions, so rotate it if
    it leaks."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "url": "https://lounge.example.com/api/v1/calendar/3x9QeT0hZk2yWcL4.ics",
        "webcal_url": "webcal://lounge.example.com/api/v1/calendar/3x9QeT0hZk2yWcL4.ics"}]})

    url: str
    webcal_url: str
