"""/alignment history: a team's past answers, newest week first, privately."""

from __future__ import annotations

import json

import pytest

from bot.schedule import shift_week
from bot.services.checkins import Answer
from tests.handlers.conftest import shown


@pytest.fixture
def answered(ask, teams, runtime, fake_slack):
    """Marketing answered this week and two weeks ago; return (this week, two weeks ago)."""
    ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    recorded = runtime.services.checkins.record(
        Answer(fake_slack.team_id, "U0MEMB01", "Booked 6 discovery calls", channel_id="C0MKTG01")
    )
    earlier = shift_week(recorded.week, -2)
    runtime.services.checkins.record(
        Answer(
            fake_slack.team_id, "U0MEMB01", "Cleaned the CRM & asked <@U0SELL01>", channel_id="C0MKTG01", week=earlier
        )
    )
    return recorded.week, earlier


def test_history_shows_the_channels_team_newest_week_first_with_dates(ask, answered):
    this_week, earlier = answered
    text = shown(ask("/alignment", "history", user="U0MEMB01", channel="C0MKTG01"))
    assert "*marketing*" in text and "last 4 weeks" in text
    assert text.index(this_week) < text.index(earlier)
    assert "Booked 6 discovery calls" in text and "New revenue" in text
    assert "week of " in text
    # The person's text is shown as they wrote it, the mention as a name.
    assert "Cleaned the CRM &amp; asked @sol" in text


def test_history_of_a_named_team_and_fewer_weeks(ask, answered):
    this_week, earlier = answered
    one = shown(ask("/alignment", "history marketing 1", user="U0SELL01", channel="C0SALES1"))
    assert this_week in one and earlier not in one
    assert "Nobody answered" in shown(ask("/alignment", "history sales", user="U0MEMB01"))


@pytest.mark.parametrize("text", ["history marketing 99", "history marketing 0", "history nosuch"])
def test_bad_history_requests_say_why(ask, answered, text):
    answer = shown(ask("/alignment", text, user="U0MEMB01"))
    assert "weeks" in answer or "no team called" in answer


def test_a_team_that_does_not_share_shows_its_history_to_members_and_admins_only(ask, answered):
    ask("/alignment", "share marketing off")
    assert "only its members and admins" in shown(ask("/alignment", "history marketing", user="U0SELL01"))
    assert "Booked 6" in shown(ask("/alignment", "history marketing", user="U0MEMB01"))
    assert "Booked 6" in shown(ask("/alignment", "history marketing", user="U0ADMIN1"))


def test_app_home_shows_past_weeks_of_the_persons_teams(slack, answered, fake_slack):
    this_week, earlier = answered
    slack.event({"type": "app_home_opened", "user": "U0MEMB01", "channel": "D0HOME01", "tab": "home"})
    fake_slack.wait_for("views.publish")
    home = json.dumps(fake_slack.home("U0MEMB01"), ensure_ascii=False)
    past = home[home.index("Past weeks") :]
    assert earlier in past and "Cleaned the CRM" in past
    # This week is the top of the tab, not history.
    assert this_week not in past
