"""Requests naming another workspace than the one the app is authorized in create nothing and do nothing."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from bot.fakeslack import SlackSender
from storage.models import Workspace
from tests.conftest import SIGNING_SECRET


def workspaces(runtime) -> list[str]:
    with runtime.services.sessions() as session:
        return sorted(session.scalars(select(Workspace.slack_team_id)))


def stranger(slack: SlackSender, team: str = "T0STRANGE") -> SlackSender:
    return SlackSender(slack.url, SIGNING_SECRET, team_id=team, response_urls=slack.response_urls)


def test_a_signed_event_for_an_unknown_workspace_creates_nothing(slack, runtime, fake_slack):
    fake_slack.reset_calls()
    response = stranger(slack).event({"type": "app_home_opened", "user": "U0MEMB01", "channel": "D0X", "tab": "home"})
    assert response.status == 200
    response = stranger(slack).event({"type": "member_joined_channel", "user": "U0MEMB01", "channel": "C0MKTG01"})
    assert response.status == 200
    time.sleep(0.3)
    assert workspaces(runtime) == []
    assert fake_slack.calls_to("views.publish") == []


def test_a_slack_connect_event_naming_another_team_is_ignored(slack, runtime, fake_slack):
    # Shared channels: the event's team_id is the other organisation's, the authorization ours.
    envelope = {
        "token": "t",
        "team_id": "T0PARTNER",
        "api_app_id": "A0000001",
        "type": "event_callback",
        "event_id": "Ev0SHARED1",
        "event_time": int(time.time()),
        "is_ext_shared_channel": True,
        "event": {"type": "member_joined_channel", "user": "U0PARTN01", "channel": "C0MKTG01"},
        "authorizations": [
            {
                "team_id": fake_slack.team_id,
                "user_id": "U0BOT0001",
                "is_bot": True,
                "enterprise_id": None,
                "is_enterprise_install": False,
            }
        ],
    }
    response = slack.post(json.dumps(envelope), "application/json")
    assert response.status == 200
    time.sleep(0.3)
    assert workspaces(runtime) == []


def test_commands_and_actions_from_an_unknown_workspace_do_nothing(slack, runtime, fake_slack):
    other = stranger(slack)
    assert other.command("/objective", "add Take over the world", user_id="U0ADMIN1").status == 200
    assert other.block_action("digest_details", value="", user_id="U0ADMIN1").status == 200
    time.sleep(0.3)
    assert workspaces(runtime) == []
    assert fake_slack.responses() == []


def test_the_authorized_workspace_still_works(slack, runtime, fake_slack):
    assert "/objective" in slack.command("/objective", "help").body
    slack.event({"type": "member_joined_channel", "user": fake_slack.bot_user_id, "channel": "C0MKTG01"})
    deadline = time.monotonic() + 5
    while workspaces(runtime) != [fake_slack.team_id]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
