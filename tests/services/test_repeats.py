"""Series in plain words: RRULEs described from their first occurrence in the series' own zone,
and the schedule form's plain choices turned into the RRULE the API accepts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.errors import InvalidInput
from app.services.recurrence import expand
from app.services.repeats import describe, rule_for_choice

LONDON = ZoneInfo("Europe/London")
TUESDAY = datetime(2026, 12, 8, 12, 30)  # wall time in London


@pytest.mark.parametrize(("rule", "words"), [
    ("FREQ=WEEKLY;COUNT=6", "Every Tuesday, 6 times, until 12 Jan 2027"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630",
     "Every 2 weeks on Monday and Thursday, until 30 Jun 2027"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=9", "Every Monday, Wednesday and Friday, 9 times, until 28 Dec 2026"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10", "Every weekday, 10 times, until 21 Dec 2026"),
    ("FREQ=WEEKLY;INTERVAL=3;COUNT=2", "Every 3 weeks on Tuesday, twice, until 29 Dec 2026"),
    ("FREQ=WEEKLY;UNTIL=20270112T235959Z", "Every Tuesday, until 12 Jan 2027"),
    ("FREQ=DAILY;COUNT=5", "Every day, 5 times, until 12 Dec 2026"),
    ("FREQ=MONTHLY;COUNT=4", "Every month on the 8th, 4 times, until 8 Mar 2027"),
    ("FREQ=MONTHLY;INTERVAL=3;COUNT=4", "Every 3 months on the 8th, 4 times, until 8 Sep 2027"),
    ("FREQ=MONTHLY;BYDAY=1TU;COUNT=6", "Every month on the first Tuesday, 6 times, until 1 Jun 2027"),
    ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6", "Every month on the last Friday, 6 times, until 28 May 2027"),
    ("FREQ=MONTHLY;BYDAY=2MO,4MO;COUNT=4",
     "Every month on the second and fourth Monday, 4 times, until 25 Jan 2027"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=6", "Every month on the 1st and 15th, 6 times, until 1 Mar 2027"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3", "Every month on the last day, 3 times, until 28 Feb 2027"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
     "Every month on the last weekday, 3 times, until 26 Feb 2027"),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=1MO;COUNT=2",
     "Every year on the first Monday of March, twice, until 6 Mar 2028"),
    ("RRULE:freq=weekly;count=1;wkst=su", "Every Tuesday, once, on 8 Dec 2026"),
])
def test_a_rule_in_plain_english(rule, words):
    assert describe(rule, start=TUESDAY, zone=LONDON) == words


def test_the_day_is_read_in_the_series_zone_not_utc():
    # 00:30 on Wednesday in Singapore is still Tuesday in UTC.
    singapore = ZoneInfo("Asia/Singapore")
    start = datetime(2027, 1, 5, 16, 30, tzinfo=UTC)
    assert describe("FREQ=WEEKLY;COUNT=2", start=start, zone=singapore) == \
        "Every Wednesday, twice, until 13 Jan 2027"
    assert describe("FREQ=MONTHLY;COUNT=4", start=datetime(2027, 1, 3, 12, 0), zone=LONDON) == \
        "Every month on the 3rd, 4 times, until 3 Apr 2027"


@pytest.mark.parametrize(("choice", "count", "until", "rule", "words"), [
    ("weekly", "6", "", "FREQ=WEEKLY;COUNT=6", "Every Tuesday, 6 times, until 12 Jan 2027"),
    ("fortnightly", "", "2027-06-30", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270630",
     "Every 2 weeks on Tuesday, until 30 Jun 2027"),
    ("monthly", "4", "", "FREQ=MONTHLY;COUNT=4", "Every month on the 8th, 4 times, until 8 Mar 2027"),
])
def test_the_forms_plain_choices_make_a_rule_the_api_accepts(choice, count, until, rule, words):
    made = rule_for_choice(choice, count=count, until=until)
    assert made == rule
    assert expand(made, local_start=TUESDAY, zone=LONDON).text == rule
    assert describe(made, start=TUESDAY, zone=LONDON) == words


def test_never_is_no_rule_whatever_else_is_filled_in():
    assert rule_for_choice("never", count="6", until="2027-01-01") is None
    assert rule_for_choice("") is None


@pytest.mark.parametrize(("choice", "count", "until", "field"), [
    ("hourly", "6", "", "repeat"),
    ("weekly", "", "", "repeat_count"),
    ("weekly", "6", "2027-06-30", "repeat_until"),
    ("weekly", "1", "", "repeat_count"),
    ("weekly", "201", "", "repeat_count"),
    ("weekly", "six", "", "repeat_count"),
    ("monthly", "", "30/06/2027", "repeat_until"),
])
def test_unclear_choices_are_refused_on_their_field(choice, count, until, field):
    with pytest.raises(InvalidInput) as refused:
        rule_for_choice(choice, count=count, until=until)
    assert refused.value.field == field
    assert "RFC" not in refused.value.detail and "RRULE" not in refused.value.detail
