"""Calendar arithmetic for check-ins, across time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.schedule import (
    cycle_for,
    local_instant,
    open_cycle,
    parse_hhmm,
    parse_week,
    shift_week,
    slack_instant,
    week_of,
)

UTC = UTC


def test_week_of_depends_on_the_zone():
    # Sunday 23:30 in New York is already Monday in Berlin.
    moment = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)
    assert week_of(moment, "America/New_York") == "2026-W48"
    assert week_of(moment, "Europe/Berlin") == "2026-W49"


def test_iso_week_at_the_turn_of_the_year():
    assert week_of(datetime(2027, 1, 1, 12, tzinfo=UTC), "UTC") == "2026-W53"
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert shift_week("2027-W01", -1) == "2026-W53"


@pytest.mark.parametrize("bad", ["2026-48", "2026-W54", "2025-W53", "W48", ""])
def test_parse_week_refuses_what_is_not_a_week(bad):
    with pytest.raises(ValueError):
        parse_week(bad)


def test_prompt_keeps_local_time_across_a_dst_change():
    # Berlin leaves summer time on Sunday 25 October 2026.
    before = cycle_for("2026-W43", 0, "09:30", "Europe/Berlin", deadline_hours=24, reminder_hours=4)
    after = cycle_for("2026-W44", 0, "09:30", "Europe/Berlin", deadline_hours=24, reminder_hours=4)
    assert before.prompt_at == datetime(2026, 10, 19, 7, 30, tzinfo=UTC)
    assert after.prompt_at == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


def test_a_skipped_local_time_moves_past_the_gap():
    # 02:30 does not exist in New York on 8 March 2026.
    assert local_instant(date(2026, 3, 8), time(2, 30), "America/New_York") == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_a_repeated_local_time_uses_the_first_occurrence():
    # 01:30 happens twice in New York on 1 November 2026; the first is still daylight time.
    assert local_instant(date(2026, 11, 1), time(1, 30), "America/New_York") == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_reminder_comes_before_the_deadline_and_after_the_prompt():
    cycle = cycle_for("2026-W48", 4, "16:00", "UTC", deadline_hours=24, reminder_hours=4)
    assert cycle.prompt_at == datetime(2026, 11, 27, 16, tzinfo=UTC)
    assert cycle.reminder_at == datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert cycle.deadline_at == datetime(2026, 11, 28, 16, tzinfo=UTC)
    assert cycle_for("2026-W48", 4, "16:00", "UTC", deadline_hours=2, reminder_hours=4).reminder_at is None


def test_open_cycle_spans_into_the_next_week():
    # Sunday prompt with a 24 h deadline is still open on Monday morning of the next ISO week.
    monday = datetime(2026, 11, 30, 9, tzinfo=UTC)
    cycle = open_cycle(monday, 6, "17:00", "UTC", deadline_hours=24, reminder_hours=4)
    assert cycle is not None and cycle.week == "2026-W48"
    assert (
        open_cycle(datetime(2026, 11, 30, 18, tzinfo=UTC), 6, "17:00", "UTC", deadline_hours=24, reminder_hours=4)
        is None
    )


@pytest.mark.parametrize(("text", "expected"), [("09:30", time(9, 30)), ("9:05", time(9, 5)), ("23:59", time(23, 59))])
def test_parse_hhmm(text, expected):
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("bad", ["24:00", "9", "09:60", "nine", "9am"])
def test_parse_hhmm_refuses(bad):
    with pytest.raises(ValueError):
        parse_hhmm(bad)


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    at=st.times(),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]),
)
def test_local_instant_is_aware_utc_and_close_to_the_wall_time(day, at, tz):
    instant = local_instant(day, at.replace(tzinfo=None), tz)
    assert instant.tzinfo == UTC
    wall = datetime.combine(day, at.replace(tzinfo=None))
    shown = instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    # Equal, or pushed forward by at most the size of a DST gap.
    assert timedelta_ok(shown - wall)


def timedelta_ok(delta) -> bool:
    return 0 <= delta.total_seconds() <= 2 * 3600


def test_working_days_skip_the_weekend_and_keep_the_wall_time():
    from bot.schedule import add_working_days

    wednesday = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    assert add_working_days(wednesday, 3, "UTC") == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    saturday = datetime(2026, 3, 7, 9, 0, tzinfo=UTC)
    assert add_working_days(saturday, 1, "UTC") == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    # Across the spring change in Berlin: the same 09:00 local time, one hour less in UTC.
    friday = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert add_working_days(friday, 1, "Europe/Berlin") == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_a_slack_timestamp_names_its_moment_and_anything_else_none():
    assert slack_instant("1772726400.123456") == datetime(2026, 3, 5, 16, 0, 0, 123456, tzinfo=UTC)
    assert slack_instant("1772726400") == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    for bad in (None, "", "soon", "1e9", "-5", "12.3.4", 1772726400, "9" * 30):
        assert slack_instant(bad) is None
