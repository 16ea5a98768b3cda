"""Recurring series in plain words, both ways: what an RRULE means, read from the series' first
occurrence in its own time zone ("Every Tuesday, 6 times, until 12 Jan 2027"), and the RRULE
for the schedule form's plain choices (never, every week, every 2 weeks or every month, with a
number of sessions or the date of the last one). What a rule may say is `recurrence`'s."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.errors import InvalidInput
from app.services.recurrence import MAX_OCCURRENCES, expand, parse_until, wall_time

DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
        "SA": "Saturday", "SU": "Sunday"}
CODES = tuple(DAYS)  # Monday first, as `date.weekday()` counts
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
             -2: "second to last", -3: "third to last"}
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_WEEKDAYS = frozenset(CODES[:5])
_WEEKEND = frozenset(CODES[5:])

NEVER = "never"
# The schedule form's choices, as (FREQ, INTERVAL).
CHOICES = {"weekly": ("WEEKLY", 1), "fortnightly": ("WEEKLY", 2), "monthly": ("MONTHLY", 1)}


def _joined(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _nth(n: int) -> str:
    """3rd, 11th, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _ordinal(n: int) -> str:
    return _ORDINALS.get(n) or (_nth(n) if n > 0 else f"{_nth(-n)} to last")


def _month_day(n: int) -> str:
    return _nth(n) if n > 0 else f"{_ordinal(n)} day"


def short_date(day: date) -> str:
    """12 Jan 2027."""
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def _parts(text: str) -> dict[str, str]:
    body = text.strip().upper().removeprefix("RRULE:")
    return dict(piece.partition("=")[::2] for piece in body.split(";") if piece)


def _byday(token: str) -> tuple[int | None, str]:
    """'TU' is (None, 'TU'); '-1FR' is (-1, 'FR')."""
    number = token[:-2]
    return (int(number) if number else None), token[-2:]


def _days(codes: list[str], *, one: str = "and") -> str:
    """Monday and Thursday; weekdays and weekends by their names."""
    chosen = set(codes)
    if chosen == _WEEKDAYS:
        return "weekday"
    if chosen == _WEEKEND:
        return "weekend day"
    return _joined([DAYS[c] for c in CODES if c in chosen], one)


def _pattern(parts: dict[str, str], start: datetime) -> str:
    """The repeating part, without its end: "Every 2 weeks on Monday and Thursday"."""
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    unit = _UNITS[freq]
    every = f"Every {unit}" if interval == 1 else f"Every {interval} {unit}s"
    days = [_byday(t) for t in parts["BYDAY"].split(",")] if "BYDAY" in parts else []
    plain = [code for number, code in days if number is None]
    numbered = [(number, code) for number, code in days if number is not None]
    month_days = [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
    months = [MONTHS[int(m) - 1] for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else []
    positions = [int(p) for p in parts["BYSETPOS"].split(",")] if "BYSETPOS" in parts else []
    in_months = f" in {_joined(months)}" if months else ""
    if positions and plain and not numbered and not month_days and freq in ("MONTHLY", "YEARLY"):
        which = _joined([_ordinal(p) for p in positions])
        return f"{every} on the {which} {_days(plain, one='or')}{in_months}"
    if positions or (numbered and (plain or month_days)):
        return f"{every}{in_months}, on a pattern of its own"
    if freq == "YEARLY":
        of = _joined(months or [MONTHS[start.month - 1]])
        if numbered:
            return f"{every} on the {_numbered(numbered)} of {of}"
        if plain:
            return f"Every {_days(plain)} in {of}" + ("" if interval == 1 else f", every {interval} years")
        on = month_days or [start.day]
        if len(on) == 1 and on[0] > 0 and len(months) <= 1:
            return f"{every} on {on[0]} {of}"
        return f"{every} on the {_joined([_month_day(d) for d in on])} of {of}"
    if freq == "MONTHLY":
        if numbered:
            return f"{every} on the {_numbered(numbered)}{in_months}"
        if plain:
            return f"Every {_days(plain)}{in_months}" + (f", every {interval} months" if interval > 1 else "")
        return f"{every} on the {_joined([_month_day(d) for d in month_days or [start.day]])}{in_months}"
    if month_days:
        return f"{every}{in_months}, on a pattern of its own"
    if freq == "WEEKLY":
        codes = plain or [CODES[start.weekday()]]
        if interval == 1:
            return f"Every {_days(codes)}{in_months}"
        return f"{every} on {_days(codes)}{'s' if set(codes) == _WEEKDAYS else ''}{in_months}"
    if plain:  # DAILY on some days
        if interval == 1:
            return f"Every {_days(plain)}{in_months}"
        return f"{every}{in_months}, when it is a {_days(plain, one='or')}"
    return f"{every}{in_months}"


def _numbered(numbered: list[tuple[int, str]]) -> str:
    """'first Tuesday', 'second and fourth Monday', 'first Monday and last Friday'."""
    codes = {code for _, code in numbered}
    if len(codes) == 1:
        return f"{_joined([_ordinal(n) for n, _ in numbered])} {DAYS[codes.pop()]}"
    return _joined([f"{_ordinal(n)} {DAYS[code]}" for n, code in numbered], "and the")


def describe(text: str, *, start: datetime, zone: ZoneInfo) -> str:
    """An RRULE in plain English, read from the series' first occurrence `start` (aware, or naive
    wall time in `zone`): "Every Tuesday, 6 times, until 12 Jan 2027", "Every 2 weeks on Monday
    and Thursday, until 30 Jun 2027", "Every month on the 3rd, 4 times, until 3 Apr 2027"."""
    local = wall_time(start, zone) if start.tzinfo else start
    parts = _parts(text)
    pattern = _pattern(parts, local)
    if "UNTIL" in parts:
        return f"{pattern}, until {short_date(parse_until(parts['UNTIL'], zone).date())}"
    count = int(parts["COUNT"])
    try:
        last = expand(text, local_start=local, zone=zone).occurrences[-1].date()
    except InvalidInput:  # a rule stored before today's limits: still say how often
        return f"{pattern}, {count} times"
    if count == 1:
        return f"{pattern}, once, on {short_date(last)}"
    return f"{pattern}, {'twice' if count == 2 else f'{count} times'}, until {short_date(last)}"


def rule_for_choice(repeat: str, *, count: str = "", until: str = "") -> str | None:
    """The RRULE for the schedule form's plain choices: how often (`repeat`, one of `CHOICES` or
    `NEVER`), and either how many sessions in all (`count`) or the date of the last (`until`,
    YYYY-MM-DD). None when it does not repeat. Refusals name the form's fields."""
    repeat, count, until = repeat.strip(), count.strip(), until.strip()
    if repeat in ("", NEVER):
        return None
    if repeat not in CHOICES:
        raise InvalidInput("Choose how often it repeats: never, every week, every 2 weeks or every month.",
                           field="repeat")
    freq, interval = CHOICES[repeat]
    rule = f"FREQ={freq}" + (f";INTERVAL={interval}" if interval > 1 else "")
    if count and until:
        raise InvalidInput("Give the number of sessions or the date of the last one, not both.",
                           field="repeat_until")
    if count:
        if not count.isdigit() or not 2 <= int(count) <= MAX_OCCURRENCES:
            raise InvalidInput(f"The number of sessions is a whole number from 2 to {MAX_OCCURRENCES}.",
                               field="repeat_count")
        return f"{rule};COUNT={int(count)}"
    if until:
        try:
            last = date.fromisoformat(until)
        except ValueError as exc:
            raise InvalidInput("Give the date of the last session, like 2027-06-30.",
                               field="repeat_until") from exc
        return f"{rule};UNTIL={last.year:04d}{last.month:02d}{last.day:02d}"
    raise InvalidInput("Say how many sessions there are in all, or the date of the last one.",
                       field="repeat_count")
