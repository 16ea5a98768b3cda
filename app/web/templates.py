"""The Jinja2 environment: autoescape always on, and the filters pages share.

Every time a page shows is in the viewer's profile zone on one clock, `HOUR_CYCLE`; scripts that
render times themselves (chat.js) read both from the page and format them the way
`local_time` does."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request

from app.web.labels import label_of

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
# The 24-hour clock (Intl.DateTimeFormat's `hourCycle`), which the formats below spell `%H`.
HOUR_CYCLE = "h23"
CHAT_TIME = "%d %b, %H:%M"  # a chat message's time, without the zone's name


def local_time(value: datetime | None, time_zone: str = "UTC", fmt: str = "%a %d %b %Y, %H:%M",
               *, name_zone: bool = True) -> str:
    """Render a UTC time in the viewer's zone, naming the zone unless `name_zone` is false."""
    if value is None:
        return ""
    zone = ZoneInfo(time_zone)
    local = value.astimezone(zone)
    return f"{local.strftime(fmt)} {local.tzname()}" if name_zone else local.strftime(fmt)


def page_context(request: Request) -> dict[str, object]:
    """What every template may use: the signed-in viewer and the CSRF token for htmx."""
    principal = getattr(request.state, "principal", None)
    if principal is None or principal is False:
        return {"viewer": None, "csrf_token": None}
    return {"viewer": principal.user, "csrf_token": principal.csrf_token}


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    env.globals.update(hour_cycle=HOUR_CYCLE, chat_time=CHAT_TIME)
    env.globals["label_of"] = label_of  # a form's labels, shared with its error summary
    return Jinja2Templates(env=env, context_processors=[page_context])
