"""VTIMEZONEs read back by someone else's parser (dateutil's `tzical`) give the tz database's
offset at every moment of the years they cover, in zones with and without summer time, with
odd offsets and with changes of rule."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil.tz import tzical

from app.services.vtimezones import observances, vtimezone

ZONES = ["Europe/London", "Europe/Dublin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca", "Asia/Tehran", "UTC"]


def read_back(tzid: str, years: list[tuple[int, int]]):
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//test//EN")
    calendar.add("version", "2.0")
    calendar.add_component(vtimezone(tzid, years))
    return tzical(io.StringIO(calendar.to_ical().decode())).get(tzid)


def same_offsets_for_local_times(parsed, truth: ZoneInfo, moments) -> None:
    """Each moment's wall-clock time in `truth`, read with `parsed` (as a client reads an
    event's DTSTART;TZID=...), has the tz database's offset. Wall times within three hours of a
    change are left out: they are skipped or repeated, and RFC 5545 settles those separately."""
    for moment in moments:
        offset = moment.astimezone(truth).utcoffset()
        if {(moment + hours).astimezone(truth).utcoffset() for hours in (-NEAR, NEAR)} != {offset}:
            continue
        wall = moment.astimezone(truth).replace(tzinfo=parsed)
        assert wall.utcoffset() == offset, moment


NEAR = timedelta(hours=3)


def every_five_hours(first: datetime, last: datetime):
    moment = first
    while moment < last:
        yield moment
        moment += timedelta(hours=5)


@pytest.mark.parametrize("tzid", ZONES)
def test_every_moment_has_the_offset_of_the_tz_database(tzid):
    same_offsets_for_local_times(read_back(tzid, [(2018, 2030)]), ZoneInfo(tzid), every_five_hours(
        datetime(2018, 1, 2, 0, 17, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)))


def test_summer_is_daylight_even_where_the_tz_database_calls_winter_the_exception():
    kinds = {p.decoded("TZOFFSETTO"): p.name for p in observances("Europe/Dublin", 2026, 2026)}
    assert kinds == {timedelta(0): "STANDARD", timedelta(hours=1): "DAYLIGHT"}


def test_onsets_are_local_times_in_the_offset_before_them():
    parts = {(str(p.name), p.decoded("TZOFFSETTO")): p for p in observances("Europe/London", 2026, 2026)}
    summer = parts[("DAYLIGHT", timedelta(hours=1))]
    winter = [p for (kind, to), p in parts.items() if kind == "STANDARD" and p.decoded("TZOFFSETFROM")]
    assert summer.decoded("DTSTART") == datetime(2026, 3, 29, 1, 0)  # 01:00 GMT, when clocks go on
    assert [p.decoded("DTSTART") for p in winter] == [datetime(2026, 10, 25, 2, 0)]  # 02:00 BST


def test_distant_spans_keep_observances_of_their_own():
    london = ZoneInfo("Europe/London")
    same_offsets_for_local_times(read_back("Europe/London", [(2026, 2027), (8998, 8999)]), london, [
        datetime(2026, 7, 1, 12, tzinfo=UTC), datetime(8999, 7, 1, 12, tzinfo=UTC),
        datetime(8999, 1, 10, 12, tzinfo=UTC)])
