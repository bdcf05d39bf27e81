"""Channel joins and leaves change no team (admins and leads choose members).

The bot's own joins and leaves do, and the clock checks channels.
"""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.fakeslack.server import PATIENCE
from bot.scheduler import refresh_team_members
from storage import repositories
from storage.models import Team
from tests.handlers.conftest import team_rows


def _wait_until(check, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_people_joining_or_leaving_the_channel_change_no_team(slack, runtime, teams):
    before = team_rows(runtime)
    slack.event({"type": "member_joined_channel", "user": "U0NEW001", "channel": "C0MKTG01", "channel_type": "C"})
    slack.event({"type": "member_left_channel", "user": "U0MEMB01", "channel": "C0MKTG01", "channel_type": "C"})
    time.sleep(0.3)
    assert team_rows(runtime) == before


def test_the_bot_leaving_and_rejoining_notes_and_clears_the_problem(slack, runtime, teams, fake_slack):
    def problem():
        with runtime.services.sessions() as session:
            return session.scalar(select(Team.problem).where(Team.name == "marketing"))

    slack.event({"type": "member_left_channel", "user": fake_slack.bot_user_id, "channel": "C0MKTG01"})
    _wait_until(lambda: problem() is not None and "removed from the channel" in problem())
    slack.event({"type": "member_joined_channel", "user": fake_slack.bot_user_id, "channel": "C0MKTG01"})
    _wait_until(lambda: problem() is None)
    assert team_rows(runtime)["marketing"][1] == ["U0MEMB01"]


def test_events_in_unmapped_channels_change_nothing(slack, runtime, teams):
    before = team_rows(runtime)
    response = slack.event({"type": "member_joined_channel", "user": "U0NEW001", "channel": "C0LEAD01"})
    assert response.status == 200
    time.sleep(0.2)
    assert team_rows(runtime) == before


def test_daily_check_reads_every_team_channel_and_survives_a_failing_workspace(runtime, teams, fake_slack, engine):
    with runtime.services.sessions.begin() as session:
        other = repositories.ensure_workspace(session, "T0OTHER01")
        session.add(Team(workspace_id=other.id, name="ghosts", channel_id="C0GONE01"))
    fake_slack.update_channel("C0SALES1", members=["U0SELL01"])
    # The other workspace's channel does not exist: its team records the problem, the rest are fine.
    fake_slack.reset_calls()
    assert refresh_team_members(runtime) == 2
    # Reading each channel is the whole check: nothing else is asked of Slack.
    assert {call.method for call in fake_slack.calls} == {"conversations.members"}
    rows = team_rows(runtime)
    assert rows["sales"][1] == ["U0SELL01", "U0SELL02"]  # the channel does not choose the members
    with runtime.services.sessions() as session:
        ghosts = session.scalar(select(Team).where(Team.name == "ghosts"))
        assert "can't see that channel" in ghosts.problem


def test_a_workspace_that_breaks_does_not_stop_the_others(runtime, teams, monkeypatch):
    with runtime.services.sessions.begin() as session:
        other = repositories.ensure_workspace(session, "T0AAAAA01")  # sorts first
        session.add(Team(workspace_id=other.id, name="ghosts", channel_id="C0GONE01"))
    real = runtime.services.teams.refresh_members

    def flaky(slack_team_id):
        if slack_team_id == "T0AAAAA01":
            raise RuntimeError("uninstalled")
        return real(slack_team_id)

    monkeypatch.setattr(runtime.services.teams, "refresh_members", flaky)
    assert refresh_team_members(runtime) == 1
