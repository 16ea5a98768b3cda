"""What the fuzzer needs to know that an OpenAPI document cannot say.

The schema states every rule about a single value. A few rules relate two values, or a value
and the clock, and JSON Schema has no words for them: a session ends after it starts and lasts
at most 12 hours, starts no earlier than now, and its RRULE yields occurrences from that start;
a token expires in the future; a goal's target date is today or later. A case generated as
valid that breaks one of these is not sent as a valid case (the API would rightly answer 422).
Cases generated as invalid are never touched, and nothing here judges a response.

Each rule is checked with the app's own models and functions, so the fuzzer and the API cannot
disagree about it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import schemathesis
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import FormData

from app.errors import AppError
from app.schemas.accounts import TokenCreate
from app.schemas.goals import GoalCreate, GoalUpdate
from app.schemas.schedule import SessionCreate, SessionUpdate
from app.services.recurrence import expand, resolve, wall_time
from app.services.sessions import MAX_DURATION
from app.web.forms import form_to_dict

# Generated times near "now" must not turn into the past while the request travels.
MARGIN = timedelta(minutes=5)
_EXPIRY = TypeAdapter(TokenCreate.model_fields["expires_at"].annotation)


def _parsed(model: type[BaseModel], body: Any) -> Any:
    """The body read as the API reads it, or None when the model refuses it (the API will too,
    and the schema then disagrees, which the fuzzer must hear about)."""
    try:
        return model.model_validate(body)
    except ValidationError:
        return None


def _session_times_hold(start: Any, end: Any, zone: str, recurrence: str | None) -> bool:
    now = datetime.now(UTC)
    try:
        tz = ZoneInfo(zone)
        first, last = resolve(start, tz, field="starts_at"), resolve(end, tz, field="ends_at")
        if recurrence:
            expand(recurrence, local_start=wall_time(first, tz), zone=tz)
    except AppError:
        return False
    return timedelta(0) < last - first <= MAX_DURATION and first >= now + MARGIN


def _new_session(body: Any) -> bool:
    data = _parsed(SessionCreate, body)
    return data is None or _session_times_hold(data.starts_at, data.ends_at, data.time_zone, data.recurrence)


def _session_change(body: Any) -> bool:
    """A change that moves a session is judged only when it gives both ends with offsets: the
    stored session (and its zone) decide the rest."""
    data = _parsed(SessionUpdate, body)
    if data is None:
        return True
    moved = data.model_fields_set & {"starts_at", "ends_at"}
    if not moved:
        return True
    if moved != {"starts_at", "ends_at"} or data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        return False
    return _session_times_hold(data.starts_at, data.ends_at, data.time_zone or "UTC", None)


def _token(body: Any) -> bool:
    """The expiry, read alone (the model itself refuses one in the past), is ahead of now by
    more than the request takes."""
    try:
        expires = _EXPIRY.validate_python(body.get("expires_at"))
    except ValidationError:
        return True
    if isinstance(expires, date) and not isinstance(expires, datetime):
        expires = datetime.combine(expires, time(23, 59, 59), tzinfo=UTC)
    return expires is None or expires >= datetime.now(UTC) + MARGIN


def _target_date(model: type[BaseModel]) -> Callable[[Any], bool]:
    def holds(body: Any) -> bool:
        data = _parsed(model, body)
        # "Today" is the owner's, in any time zone: two days ahead is today everywhere.
        target = None if data is None else data.target_date
        return target is None or target >= date.today() + timedelta(days=2)

    return holds


RULES: dict[tuple[str, str], tuple[type[BaseModel], Callable[[Any], bool]]] = {
    ("POST", "/api/v1/lounges/{lounge_id}/sessions"): (SessionCreate, _new_session),
    ("PATCH", "/api/v1/sessions/{session_id}"): (SessionUpdate, _session_change),
    ("POST", "/api/v1/me/tokens"): (TokenCreate, _token),
    ("POST", "/api/v1/goals"): (GoalCreate, _target_date(GoalCreate)),
    ("PATCH", "/api/v1/goals/{goal_id}"): (GoalUpdate, _target_date(GoalUpdate)),
}


def _form_text(value: Any) -> str:
    """One value as schemathesis writes it into a form field."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_the_api_reads(model: type[BaseModel], case: Any) -> Any:
    """The body of `case` as the API hands it to `model`: a form goes through the app's own
    form reading (empty fields left out, lists repeated), JSON as it is."""
    if not str(case.media_type or "").startswith("application/x-www-form-urlencoded"):
        return case.body
    pairs = [(name, _form_text(item)) for name, value in case.body.items()
             for item in (value if isinstance(value, list) else [value])]
    return form_to_dict(model, FormData(pairs))


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or not isinstance(case.body, dict):
        return True
    rule = RULES.get((case.method.upper(), case.operation.path))
    if rule is None:
        return True
    model, holds = rule
    return holds(as_the_api_reads(model, case))
