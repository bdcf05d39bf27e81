"""People service: skips and holidays against the clock, time off in prompts, nudges once a day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.deliveries import Deliveries
from bot.services.errors import NotFound, Refused, UserError
from bot.services.people import PeopleService
from bot.services.permissions import Permissions
from bot.slack import SlackClients

TEAM = "T0000001"
ADMIN = "U0BOSS01"  # ALIGNBOT_ADMINS in the test settings
# Monday 23 November 2026: marketing and sales are prompted at 09:00 Berlin (08:00 UTC).
BEFORE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def people(settings, sessions):
    clients = SlackClients(settings)
    return PeopleService(settings, sessions, clients, Permissions(settings, clients), Deliveries(sessions))


def test_a_skipped_week_sends_nothing_and_unskipping_sends_it(people, prompts, org, fake_slack):
    skipped = people.skip(TEAM, ADMIN, "all", date(2026, 11, 25), now=BEFORE)
    assert [(s.team, s.week) for s in skipped] == [("marketing", "2026-W48"), ("sales", "2026-W48")]
    assert prompts.tick(now=at(8, 0)).sent == 0
    with pytest.raises(NotFound, match="no team called 'legal'"):
        people.skip(TEAM, ADMIN, "legal", date(2026, 11, 25), now=BEFORE)
    with pytest.raises(Refused, match="Only Alignbot admins"):
        people.unskip(TEAM, "U0MEMB01", "sales", date(2026, 11, 25), now=BEFORE)

    assert [s.team for s in people.unskip(TEAM, ADMIN, "Sales", date(2026, 11, 23), now=at(7, 0))] == ["sales"]
    assert prompts.tick(now=at(8, 1)).sent == 2  # sales' channel and its one member


def test_past_weeks_and_days_are_refused(people, org):
    with pytest.raises(UserError, match="2026-W47 is over"):
        people.skip(TEAM, ADMIN, "all", date(2026, 11, 22), now=at(7, 0))
    # A day earlier in the current week still names this week.
    assert people.skip(TEAM, ADMIN, "sales", date(2026, 11, 23), now=at(12, 0, day=25))
    with pytest.raises(UserError, match="in the past"):
        people.add_holiday(TEAM, ADMIN, date(2026, 11, 24), "", now=at(12, 0, day=25))


def test_a_person_away_gets_no_prompt_and_no_reminder(people, prompts, org, fake_slack):
    people.away(TEAM, "U0MEMB02", date(2026, 11, 23), date(2026, 11, 23), now=BEFORE)
    prompts.tick(now=at(8, 0))
    prompts.tick(now=at(4, 30, day=24))  # the reminder, 4 h before the deadline
    dm_targets = {c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")}
    assert "U0MEMB02" not in dm_targets and {"U0MEMB01", "U0SELL01"} <= dm_targets
    assert [s.missing for s in prompts.status(TEAM, now=at(9, 0)) if s.team == "marketing"] == [("U0MEMB01",)]


def test_back_cancels_what_is_to_come_and_keeps_what_is_over(people, org):
    people.away(TEAM, "U0MEMB01", date(2026, 11, 23), date(2026, 11, 27), now=BEFORE)
    people.away(TEAM, "U0MEMB01", date(2026, 12, 7), date(2026, 12, 8), now=BEFORE)
    assert people.back(TEAM, "U0MEMB01", now=at(12, 0, day=25)) == 2
    assert [(a.first, a.last) for a in people.time_off(TEAM, "U0MEMB01", now=at(12, 0, day=24))] == [
        (date(2026, 11, 23), date(2026, 11, 24))
    ]


def test_time_off_under_way_can_be_made_longer_but_not_to_start_earlier(people, org):
    away = people.away(TEAM, "U0MEMB01", date(2026, 11, 23), date(2026, 11, 25), now=BEFORE)
    on_tuesday = at(12, 0, day=24)
    longer = people.away(TEAM, "U0MEMB01", date(2026, 11, 23), date(2026, 11, 27), now=on_tuesday, replace=away.id)
    assert (longer.first, longer.last) == (date(2026, 11, 23), date(2026, 11, 27))
    with pytest.raises(UserError, match="in the past"):
        people.away(TEAM, "U0MEMB01", date(2026, 11, 22), date(2026, 11, 27), now=on_tuesday, replace=away.id)
