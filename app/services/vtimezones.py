"""VTIMEZONE components (RFC 5545 §3.6.5) from the tz database, for the years a calendar needs.

icalendar can build them, but it probes a zone's offset hour by hour: a feed whose sessions
use a few hundred zones took seconds of CPU. Here the offset is sampled once a day and each
change is found to the second by bisection; each (zone, years) is built once per process.
Every onset is written as RFC 5545 asks: local time in the offset in force before it.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)


def _offset(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str]:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.tzname() or ""


def _standard(zone: ZoneInfo, instant: datetime, offset: timedelta) -> bool:
    """Whether `offset` is the zone's winter time that year: the lower of its offsets on 1
    January and 1 July (so Dublin's and Morocco's "negative summer time" read as clients
    expect, which the tz database's own `dst()` does not)."""
    year = instant.year
    lowest = min(_offset(zone, datetime(year, month, 1, tzinfo=UTC))[0] for month in (1, 7))
    return offset <= lowest


def _changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) at which the zone's offset or name changes."""
    found = []
    before, day = _offset(zone, start), start
    while day < end:
        after_day = min(day + _DAY, end)
        if _offset(zone, after_day) != before:
            low, high = day, after_day  # the change lies in (low, high]
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                low, high = (low, middle) if _offset(zone, middle) != before else (middle, high)
            found.append(high.replace(microsecond=0))
            before, day = _offset(zone, high), high
        else:
            day = after_day
    return found


@functools.lru_cache(maxsize=4096)
def observances(tzid: str, first_year: int, last_year: int) -> tuple[icalendar.Component, ...]:
    """The STANDARD and DAYLIGHT subcomponents of `tzid` from 1 January of `first_year` to the
    end of `last_year`, grouped by (offset before, offset after, name) with RDATEs. Callers
    share them and must not change them."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    offset, name = _offset(zone, start)
    onsets: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = {
        (offset, offset, name, _standard(zone, start, offset)): [(start + offset).replace(tzinfo=None)]}
    for instant in _changes(zone, start, end):
        after, name = _offset(zone, instant)
        onsets.setdefault((offset, after, name, _standard(zone, instant, after)), []).append(
            (instant + offset).replace(tzinfo=None))
        offset = after
    parts = []
    for (before, after, name, standard), starts in onsets.items():
        part = icalendar.TimezoneStandard() if standard else icalendar.TimezoneDaylight()
        part.add("dtstart", starts[0])
        if starts[1:]:
            part.add("rdate", starts[1:])
        part.add("tzname", name)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        parts.append(part)
    return tuple(parts)


def vtimezone(tzid: str, years: list[tuple[int, int]]) -> icalendar.Timezone:
    """A VTIMEZONE for `tzid` holding the observances of each (first, last) span of years."""
    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    for first, last in years:
        timezone.subcomponents.extend(observances(tzid, first, last))
    return timezone
