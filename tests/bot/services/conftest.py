"""Fixtures for service tests: a workspace with teams, members and objectives in the test database."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.services.checkins import Checkins
from bot.services.deliveries import Deliveries
from bot.services.prompts import Prompts
from bot.services.tagging import Tagging
from bot.slack import SlackClients
from storage import repositories
from storage.models import Objective, Team, TeamMember


@pytest.fixture
def org(sessions, fake_slack):
    """Create marketing (channel C0MKTG01, two members) and sales (C0SALES1, one member)."""
    fake_slack.add_user("U0MEMB02", name="mia")
    fake_slack.add_user("U0SELL01", name="sol")
    fake_slack.add_channel("C0SALES1", "sales", members=["U0SELL01"])
    with sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, fake_slack.team_id)
        workspace.leadership_channel_id = "C0LEAD01"
        marketing = Team(
            workspace_id=workspace.id,
            name="marketing",
            channel_id="C0MKTG01",
            prompt_weekday=0,
            prompt_time="09:00",
            timezone="Europe/Berlin",
        )
        sales = Team(
            workspace_id=workspace.id,
            name="sales",
            channel_id="C0SALES1",
            prompt_weekday=0,
            prompt_time="09:00",
            timezone="Europe/Berlin",
        )
        session.add_all([marketing, sales])
        session.flush()
        session.add_all(
            [
                TeamMember(workspace_id=workspace.id, team_id=marketing.id, user_id="U0MEMB01"),
                TeamMember(workspace_id=workspace.id, team_id=marketing.id, user_id="U0MEMB02"),
                TeamMember(workspace_id=workspace.id, team_id=sales.id, user_id="U0SELL01"),
                Objective(
                    workspace_id=workspace.id,
                    key="new-revenue",
                    title="Grow new-logo revenue",
                    description="Build qualified pipeline and close new customers.",
                ),
                Objective(workspace_id=workspace.id, key="margins", title="Increase margins"),
            ]
        )
        return {"workspace": workspace.id, "marketing": marketing.id, "sales": sales.id}


@pytest.fixture
def checkins(settings, sessions):
    return Checkins(settings, sessions, Tagging(sessions))


@pytest.fixture
def prompts(settings, sessions):
    return Prompts(settings, sessions, SlackClients(settings), Deliveries(sessions))


@pytest.fixture
def client(fake_slack):
    return WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url)
