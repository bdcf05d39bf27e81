"""Check-in calendar arithmetic: ISO weeks, prompt times, reminders and deadlines in a team's zone.

Pure functions on aware datetimes; every result is in UTC. Local times that a
daylight-saving change skips move forward to the first valid instant; local
times that occur twice use the first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Cycle:
    """When one team's check-in for one week happens, in UTC."""

    week: str
    prompt_at: datetime
    reminder_at: datetime | None
    deadline_at: datetime


def week_label(day: date) -> str:
    """Return the ISO week of a date as YYYY-Www."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(moment: datetime, tz: str) -> str:
    """Return the ISO week a moment falls in, as seen in zone `tz`."""
    return week_label(moment.astimezone(ZoneInfo(tz)).date())


def slack_instant(ts: object) -> datetime | None:
    """Return the moment a Slack timestamp ("1700000000.123456") names, or None when it names none."""
    if not isinstance(ts, str) or not re.fullmatch(r"\d{1,12}(\.\d{1,6})?", ts):
        return None
    return datetime.fromtimestamp(float(ts), UTC)


def parse_week(label: str) -> tuple[int, int]:
    """Return (year, week) of a YYYY-Www label, or raise ValueError."""
    match = _WEEK.match(label.strip())
    if not match:
        raise ValueError(f"{label!r} is not a week like 2026-W48")
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{label!r} is not a week of {year}") from None
    return year, week


def is_week(label: str) -> bool:
    """Say whether a label is a real week like 2026-W48."""
    try:
        parse_week(label)
    except ValueError:
        return False
    return True


def shift_week(label: str, weeks: int) -> str:
    """Return the week `weeks` after (or before, if negative) `label`."""
    year, week = parse_week(label)
    return week_label(date.fromisocalendar(year, week, 1) + timedelta(weeks=weeks))


def local_instant(day: date, at: time, tz: str) -> datetime:
    """Return the UTC instant of wall-clock `at` on `day` in `tz`, resolving DST gaps and folds."""
    zone = ZoneInfo(tz)
    naive = datetime.combine(day, at)
    candidate = naive.replace(tzinfo=zone, fold=0)
    # A skipped wall time does not survive the round trip through UTC: move past the gap.
    if candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        gap = candidate.replace(fold=1).utcoffset() - candidate.utcoffset()  # type: ignore[operator]
        candidate = (naive + abs(gap)).replace(tzinfo=zone)
    return candidate.astimezone(UTC)


def parse_hhmm(value: str) -> time:
    """Return the time of an HH:MM string (24-hour clock), or raise ValueError."""
    match = re.match(r"^([01]?\d|2[0-3]):([0-5]\d)$", value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a time like 09:30")
    return time(int(match[1]), int(match[2]))


def cycle_for(week: str, weekday: int, at: str, tz: str, *, deadline_hours: int, reminder_hours: int) -> Cycle:
    """Return the prompt, reminder and deadline of a team's check-in in `week`.

    `weekday` is 0 for Monday. The reminder is `reminder_hours` before the deadline,
    or None when that would not fall after the prompt.
    """
    year, number = parse_week(week)
    day = date.fromisocalendar(year, number, weekday + 1)
    prompt_at = local_instant(day, parse_hhmm(at), tz)
    deadline_at = prompt_at + timedelta(hours=deadline_hours)
    reminder_at = deadline_at - timedelta(hours=reminder_hours) if reminder_hours > 0 else None
    if reminder_at is not None and reminder_at <= prompt_at:
        reminder_at = None
    return Cycle(week=week, prompt_at=prompt_at, reminder_at=reminder_at, deadline_at=deadline_at)


def open_cycle(
    now: datetime, weekday: int, at: str, tz: str, *, deadline_hours: int, reminder_hours: int
) -> Cycle | None:
    """Return the cycle whose prompt has come and whose deadline has not passed at `now`, if any.

    A deadline may run into the next ISO week, so last week's cycle is checked too.
    """
    this_week = week_of(now, tz)
    for week in (this_week, shift_week(this_week, -1)):
        cycle = cycle_for(week, weekday, at, tz, deadline_hours=deadline_hours, reminder_hours=reminder_hours)
        if cycle.prompt_at <= now < cycle.deadline_at:
            return cycle
    return None


def add_working_days(moment: datetime, days: int, tz: str) -> datetime:
    """Return the instant `days` working days (Monday to Friday) after `moment`, at the same wall time in `tz`."""
    local = moment.astimezone(ZoneInfo(tz))
    day = local.date()
    while days > 0:
        day += timedelta(days=1)
        days -= day.weekday() < 5
    return local_instant(day, local.time().replace(tzinfo=None), tz)
