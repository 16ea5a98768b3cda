"""The iCalendar builder: stable UIDs, SEQUENCE, time zones with VTIMEZONE, cancellation, the
join link only when given, iTIP methods, and weekly learning-time blocks — checked by parsing
with `icalendar` (and `vobject` for the recurring blocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import icalendar
import vobject

from app.services.calendars import CalendarEntry, Person, build_calendar, learning_entry


def entry(**changes) -> CalendarEntry:
    start = datetime(2026, 7, 1, 11, 30, tzinfo=UTC)  # 12:30 in London (BST)
    values = {"uid": "lsn_abc@lounge", "sequence": 0, "title": "Lunch & learn: SQL, joins; windows",
              "description": "Bring questions.", "starts_at": start, "ends_at": start + timedelta(hours=1),
              "time_zone": "Europe/London", "created_at": start - timedelta(days=7),
              "updated_at": start - timedelta(days=1), "url": "https://lounge.example/sessions/lsn_abc",
              "location": "Room 4"}
    return CalendarEntry(**{**values, **changes})


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def test_an_event_carries_uid_sequence_times_in_its_zone_and_the_vtimezone():
    calendar = parse(build_calendar([entry(sequence=3)], name="Data lounge"))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == "-//Lounge//Learning sessions//EN"
    assert calendar["X-WR-CALNAME"] == "Data lounge"
    assert "METHOD" not in calendar
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "lsn_abc@lounge"
    assert event["SEQUENCE"] == 3
    assert str(event["SUMMARY"]) == "Lunch & learn: SQL, joins; windows"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (12, 30)
    assert start.astimezone(UTC) == datetime(2026, 7, 1, 11, 30, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Room 4"
    assert str(event["URL"]) == "https://lounge.example/sessions/lsn_abc"
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"


def test_winter_and_summer_occurrences_keep_their_local_time():
    winter = entry(uid="w", starts_at=datetime(2026, 12, 2, 12, 30, tzinfo=UTC),
                   ends_at=datetime(2026, 12, 2, 13, 30, tzinfo=UTC))
    events = parse(build_calendar([entry(), winter])).walk("VEVENT")
    assert [(e.decoded("DTSTART").hour, e.decoded("DTSTART").minute) for e in events] == [(12, 30), (12, 30)]


def test_a_session_years_away_gets_the_transitions_of_its_own_years_only():
    far = entry(uid="far", starts_at=datetime(8999, 7, 1, 11, 30, tzinfo=UTC),
                ends_at=datetime(8999, 7, 1, 12, 30, tzinfo=UTC))
    data = build_calendar([entry(), far])
    [zone] = parse(data).walk("VTIMEZONE")
    onsets = [part.decoded("DTSTART") for part in zone.subcomponents]
    no_dates = icalendar.vDDDLists([])
    onsets += [when.dt for part in zone.subcomponents for when in part.get("RDATE", no_dates).dts]
    assert len(onsets) < 20 and len(data) < 10_000  # not every year from 2026 to 8999
    # Summer time in that far year still has its onset in the zone (so 12:30 BST, 11:30 UTC).
    assert any((when.year, when.month) == (8999, 3) for when in onsets)
    assert parse(data).walk("VEVENT")[1].decoded("DTSTART").hour == 12
    vobject.readOne(data.decode()).validate()


def test_a_cancelled_session_says_so():
    [event] = parse(build_calendar([entry(cancelled=True, sequence=4)])).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 4


def test_the_join_link_appears_only_when_given():
    without = build_calendar([entry(location="")])
    assert b"meet.example" not in without
    [event] = parse(build_calendar([entry(location="", join_url="https://meet.example/r/1")])).walk("VEVENT")
    assert str(event["LOCATION"]) == "https://meet.example/r/1"
    assert "Join: https://meet.example/r/1" in str(event["DESCRIPTION"])


def test_a_published_calendar_is_stable_for_the_same_data():
    assert build_calendar([entry()]) == build_calendar([entry()])
    [event] = parse(build_calendar([entry()])).walk("VEVENT")
    assert event.decoded("DTSTAMP") == entry().updated_at


def test_itip_request_and_cancel():
    organizer, ben = Person("Lounge", "no-reply@example.org"), Person("Ben Okafor", "ben@example.com")
    request = parse(build_calendar([entry()], method="REQUEST", organizer=organizer, attendee=ben))
    assert request["METHOD"] == "REQUEST"
    [event] = request.walk("VEVENT")
    assert event["ATTENDEE"].params["CN"] == "Ben Okafor"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert event["ORGANIZER"].params["CN"] == "Lounge"
    cancel = parse(build_calendar([entry(cancelled=True, sequence=1)], method="CANCEL",
                                  organizer=organizer, attendee=ben))
    assert cancel["METHOD"] == "CANCEL"
    [event] = cancel.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and event["ATTENDEE"].params["PARTSTAT"] == "DECLINED"


def test_an_empty_calendar_is_still_valid():
    calendar = parse(build_calendar([], name="Nothing yet"))
    assert calendar.walk("VEVENT") == [] and calendar["VERSION"] == "2.0"


def goal(**changes) -> SimpleNamespace:
    written = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
    values = {"id": "gol_abc", "title": "Lead a design review", "learning_weekday": 2,
              "learning_start": "12:30", "weekly_minutes": 90, "target_date": None,
              "created_at": written, "updated_at": written + timedelta(days=1)}
    return SimpleNamespace(**{**values, **changes})


LONDON_OWNER = SimpleNamespace(time_zone="Europe/London")


def test_a_learning_block_starts_on_the_first_chosen_weekday_and_is_stable():
    block = learning_entry(goal(), owner=LONDON_OWNER, base_url="https://lounge.example")
    assert block is not None and block.uid == "learning-gol_abc@lounge"
    assert block.starts_at == datetime(2026, 3, 4, 12, 30, tzinfo=UTC)  # Wednesday, GMT
    assert block.ends_at - block.starts_at == timedelta(minutes=90)
    assert block.rrule == "FREQ=WEEKLY;BYDAY=WE" and block.transparency == "OPAQUE"
    assert block.sequence == 86400  # grows with every change, never resets
    assert build_calendar([block]) == build_calendar([block])
    [event] = parse(build_calendar([block])).walk("VEVENT")
    assert str(event["TRANSP"]) == "OPAQUE" and "DTEND" not in event


def test_a_start_inside_the_spring_gap_begins_a_week_later():
    # 29 March 2026 is the Sunday London skips 01:00-02:00; a 01:30 Sunday block starts 5 April.
    block = learning_entry(goal(learning_weekday=6, learning_start="01:30",
                                created_at=datetime(2026, 3, 27, 9, tzinfo=UTC)),
                           owner=LONDON_OWNER, base_url="")
    assert block is not None
    assert block.starts_at == datetime(2026, 4, 5, 0, 30, tzinfo=UTC)  # 01:30 BST
    data = build_calendar([block]).decode()
    [start] = [o for _, o in zip(range(1), vobject.readOne(data).vevent.getrruleset(), strict=False)]
    assert (start.date(), start.hour, start.minute) == (date(2026, 4, 5), 1, 30)


def test_a_target_date_before_the_first_week_gives_no_block_and_one_after_ends_it():
    assert learning_entry(goal(target_date=date(2026, 3, 3)), owner=LONDON_OWNER, base_url="") is None
    block = learning_entry(goal(target_date=date(2026, 3, 25)), owner=LONDON_OWNER, base_url="")
    assert block is not None
    data = build_calendar([block]).decode()
    starts = list(vobject.readOne(data).vevent.getrruleset())
    assert [s.date() for s in starts] == [date(2026, 3, d) for d in (4, 11, 18, 25)]


def test_a_far_target_date_reaches_no_further_in_the_vtimezone_than_an_open_ended_block():
    open_ended = learning_entry(goal(), owner=LONDON_OWNER, base_url="")
    far = learning_entry(goal(target_date=date(8999, 12, 31)), owner=LONDON_OWNER, base_url="")
    assert open_ended is not None and far is not None and "UNTIL=89991231" in far.rrule
    [zone] = parse(build_calendar([far])).walk("VTIMEZONE")
    assert zone.to_ical() == parse(build_calendar([open_ended])).walk("VTIMEZONE")[0].to_ical()
