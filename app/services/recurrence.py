"""Local wall time and RFC 5545 recurrence: turning local times into UTC (refusing times that
do not exist, taking the first of ambiguous ones), and expanding a bounded RRULE into at most
200 local occurrences, so a weekly 12:30 in London stays at 12:30 London time all year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from app.errors import InvalidInput

MAX_OCCURRENCES = 200
HORIZON = timedelta(days=5 * 366)
_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_ALLOWED = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}


def local_to_utc(local: datetime, zone: ZoneInfo, *, strict: bool, field: str = "starts_at") -> datetime:
    """UTC for a naive wall-clock time in `zone`.

    Ambiguous times (the hour repeated when clocks go back) mean the first occurrence, as
    RFC 5545 says. A time skipped when clocks go forward is refused when `strict` (someone
    typed it); for a series occurrence RFC 5545 reads it with the offset before the gap,
    which is what `fold=0` gives.
    """
    aware = local.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(UTC)
    if strict and utc.astimezone(zone).replace(tzinfo=None) != local:
        raise InvalidInput(
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip that hour. "
            "Choose a time outside the change.", field=field)
    return utc


def resolve(value: datetime, zone: ZoneInfo, *, field: str) -> datetime:
    """An aware time as UTC; a naive one read as wall-clock time in `zone`."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return local_to_utc(value, zone, strict=True, field=field)


def wall_time(value: datetime, zone: ZoneInfo) -> datetime:
    """The naive wall-clock time in `zone` of an aware time."""
    return value.astimezone(zone).replace(tzinfo=None)


@dataclass(frozen=True)
class Rule:
    text: str  # normalised, without the "RRULE:" prefix
    occurrences: list[datetime]  # naive local starts


def _refuse(detail: str) -> InvalidInput:
    return InvalidInput(detail, field="recurrence")


def parse_until(value: str, zone: ZoneInfo) -> datetime:
    """UNTIL as a naive local time (a date means the end of that day)."""
    try:
        if len(value) == 8:
            return datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59)
        if value.endswith("Z"):
            utc = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return wall_time(utc, zone)
        return datetime.strptime(value, "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise _refuse("UNTIL must look like 20270630 or 20270630T120000Z.") from exc


def expand(text: str, *, local_start: datetime, zone: ZoneInfo) -> Rule:
    """Expand an RRULE from `local_start` (naive, wall time in `zone`) into local occurrences.

    Refused with a clear message: rules without COUNT or UNTIL, both together, FREQ finer than
    DAILY, parts that multiply occurrences within a day, more than 200 occurrences, a series
    reaching more than five years ahead, and rules that produce nothing.
    """
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for piece in filter(None, body.upper().split(";")):
        name, sep, value = piece.partition("=")
        if not sep or not value:
            raise _refuse(f"'{piece[:40]}' is not a NAME=VALUE part of an RRULE.")
        if name in parts:
            raise _refuse(f"{name} appears twice.")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise _refuse("The rule needs a FREQ, e.g. FREQ=WEEKLY;COUNT=10.")
    if freq not in _FREQUENCIES:
        raise _refuse("Sessions repeat at most daily: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")
    unknown = sorted(set(parts) - _ALLOWED)
    if unknown:
        raise _refuse(f"{', '.join(unknown)} is not supported; use FREQ, INTERVAL, COUNT or UNTIL, "
                      "BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _refuse("Use COUNT or UNTIL, not both.")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _refuse("A series must end: add COUNT (at most 200) or UNTIL.")
    count: int | None = None
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= MAX_OCCURRENCES:
            raise _refuse(f"COUNT must be a number from 1 to {MAX_OCCURRENCES}.")
        count = int(parts["COUNT"])
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 52:
        raise _refuse("INTERVAL must be a number from 1 to 52.")
    horizon = local_start + HORIZON
    until = parse_until(parts["UNTIL"], zone) if "UNTIL" in parts else None
    if until is not None and until > horizon:
        raise _refuse("A series must end within five years.")
    open_ended = ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("COUNT", "UNTIL"))
    try:
        rule = rrulestr(open_ended, dtstart=local_start).replace(until=until or horizon)
        found = list(islice(iter(rule), MAX_OCCURRENCES + 1))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _refuse(f"This is not a valid RRULE: {str(exc)[:120]}") from exc
    if count is not None:
        if len(found) < count:
            raise _refuse(f"This rule gives only {len(found)} occurrence(s) in the next five years, "
                          f"not {count}.")
        found = found[:count]
    if not found:
        raise _refuse("This rule gives no occurrences.")
    if len(found) > MAX_OCCURRENCES:
        raise _refuse(f"A series may have at most {MAX_OCCURRENCES} occurrences; this one has more.")
    return Rule(text=";".join(f"{k}={v}" for k, v in parts.items()), occurrences=found)
