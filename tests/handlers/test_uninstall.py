"""app_uninstalled and tokens_revoked: tokens deleted, scheduling stops, data kept RETENTION then deleted."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select

from bot.cli import main
from bot.fakeslack.server import PATIENCE
from bot.services.checkins import Answer
from bot.services.installs import RETENTION
from bot.settings import Settings
from storage import repositories
from storage.models import Team, TeamMember, Update, Workspace, utcnow
from tests.conftest import SIGNING_SECRET

TEAM = "T0000001"


def seed(runtime) -> None:
    with runtime.services.sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, TEAM)
        team = Team(workspace_id=workspace.id, name="marketing", channel_id="C0MKTG01")
        session.add(team)
        session.flush()
        session.add(TeamMember(workspace_id=workspace.id, team_id=team.id, user_id="U0MEMB01"))
    runtime.services.checkins.record(Answer(TEAM, "U0MEMB01", "Refreshed the brand colours", channel_id="C0MKTG01"))


def uninstalled_at(runtime, team: str = TEAM):
    with runtime.services.sessions() as session:
        workspace = repositories.find_workspace(session, team)
        return workspace.uninstalled_at if workspace else "gone"


def wait_for(check, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_uninstall_in_single_workspace_mode_stops_the_schedule_and_keeps_data(slack, runtime, fake_slack):
    seed(runtime)
    response = slack.event({"type": "app_uninstalled"})
    assert response.status == 200
    wait_for(lambda: uninstalled_at(runtime) not in (None, "gone"))
    fake_slack.reset_calls()
    report = runtime.services.prompts.tick()
    assert report.sent == 0 and fake_slack.calls_to("chat.postMessage") == []
    assert runtime.services.digests.tick() == 0
    with runtime.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Update)) == 1  # kept for a reinstall

    # A request from the workspace is no sign of a new install: the old token is revoked.
    assert slack.command("/checkin", "help").status == 200
    assert uninstalled_at(runtime) not in (None, "gone")


def test_a_retried_uninstall_and_a_late_event_leave_the_workspace_uninstalled(
    ask, teams, slack, runtime, fake_slack, time_machine
):
    time_machine.move_to(datetime(2026, 12, 2, 12, 0, tzinfo=UTC), tick=False)
    team = fake_slack.team_id
    uninstall = {"type": "app_uninstalled"}
    assert slack.event(uninstall, event_id="Ev0GONE001").status == 200
    assert uninstalled_at(runtime, team) not in (None, "gone")
    assert slack.event(uninstall, event_id="Ev0GONE001", retry_num=1, retry_reason="http_timeout").status == 200
    late = {"type": "app_home_opened", "user": "U0MEMB01", "channel": "D0MEMB01", "tab": "home"}
    assert slack.event(late, event_time=int(time.time()) - 30).status == 200
    assert uninstalled_at(runtime, team) not in (None, "gone")

    # Monday 10:01, when the teams' check-in prompts are due: none goes to the workspace that removed the app.
    fake_slack.reset_calls()
    report = runtime.services.prompts.tick(now=datetime(2026, 12, 7, 10, 1, tzinfo=UTC))
    assert report.sent == 0
    assert fake_slack.calls_to("chat.postMessage") == [] and fake_slack.messages("U0MEMB01") == []


def test_data_is_deleted_retention_days_after_the_uninstall(runtime):
    seed(runtime)
    runtime.services.installs.uninstalled(TEAM, now=utcnow() - RETENTION + (RETENTION / 30))
    assert runtime.services.installs.purge() == []
    assert uninstalled_at(runtime) not in (None, "gone")
    assert runtime.services.installs.purge(now=utcnow() + RETENTION / 15) == [TEAM]
    assert uninstalled_at(runtime) == "gone"
    with runtime.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Update)) == 0
        assert session.scalar(select(func.count()).select_from(Team)) == 0


def test_forget_deletes_a_workspace_at_once(runtime, cli_env, capsys):
    seed(runtime)
    assert main(["forget", "--team-id", TEAM]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert uninstalled_at(runtime) is None
    assert main(["forget", "--team-id", TEAM, "--yes"]) == 0
    assert capsys.readouterr().out.startswith(f"deleted workspace {TEAM}")
    assert uninstalled_at(runtime) == "gone"
    assert main(["forget", "--team-id", TEAM, "--yes"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


class TestOAuth:
    @pytest.fixture
    def settings(self, fake_slack, database_url) -> Settings:
        return Settings(
            _env_file=None,
            SLACK_CLIENT_ID="111.222",
            SLACK_CLIENT_SECRET="client-secret",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.base_url,
            DATABASE_URL=database_url,
        )

    @pytest.fixture
    def installed(self, runtime, fake_slack):
        runtime.installation_store.save(
            Installation(
                app_id=fake_slack.app_id,
                team_id=TEAM,
                user_id="U0ADMIN1",
                bot_id=fake_slack.bot_id,
                bot_user_id=fake_slack.bot_user_id,
                bot_token=fake_slack.bot_token,
                bot_scopes="chat:write",
            )
        )
        seed(runtime)

    @pytest.mark.parametrize(
        "event", [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT0001"]}}]
    )
    def test_the_tokens_are_deleted_and_the_workspace_no_longer_scheduled(
        self, slack, runtime, installed, fake_slack, event
    ):
        store = runtime.installation_store
        assert store.find_bot(enterprise_id=None, team_id=TEAM) is not None
        assert slack.event(event).status == 200
        wait_for(lambda: store.find_bot(enterprise_id=None, team_id=TEAM) is None)
        wait_for(lambda: uninstalled_at(runtime) not in (None, "gone"))
        fake_slack.reset_calls()
        runtime.services.prompts.tick()
        assert fake_slack.calls == []

    def test_installing_again_schedules_the_workspace_again(self, slack, runtime, installed, fake_slack):
        assert slack.event({"type": "app_uninstalled"}).status == 200
        wait_for(lambda: uninstalled_at(runtime) not in (None, "gone"))
        runtime.installation_store.save(
            Installation(  # what the OAuth redirect stores
                app_id=fake_slack.app_id,
                team_id=TEAM,
                user_id="U0ADMIN1",
                bot_id=fake_slack.bot_id,
                bot_user_id=fake_slack.bot_user_id,
                bot_token=fake_slack.bot_token,
                bot_scopes="chat:write",
            )
        )
        assert uninstalled_at(runtime) is None

    def test_a_revoked_user_token_is_not_an_uninstall(self, slack, runtime, installed):
        assert slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U0ADMIN1"]}}).status == 200
        time.sleep(0.3)
        assert runtime.installation_store.find_bot(enterprise_id=None, team_id=TEAM) is not None
        assert uninstalled_at(runtime) is None

    def test_an_uninstall_for_an_unknown_workspace_changes_nothing(self, slack, runtime, installed):
        from bot.fakeslack import SlackSender

        other = SlackSender(slack.url, SIGNING_SECRET, team_id="T0UNKNOWN")
        assert other.event({"type": "app_uninstalled"}).status == 200
        time.sleep(0.3)
        with runtime.services.sessions() as session:
            assert session.scalars(select(Workspace.slack_team_id)).all() == [TEAM]
        assert uninstalled_at(runtime) is None
