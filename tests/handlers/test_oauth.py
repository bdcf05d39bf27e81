"""Multi-workspace OAuth: install through /slack/install, tokens kept in our database."""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from bot.fakeslack import SlackSender
from bot.settings import Settings
from storage.slack_tables import slack_metadata
from tests.conftest import SIGNING_SECRET


@pytest.fixture
def settings(fake_slack, database_url) -> Settings:
    return Settings(
        _env_file=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=database_url,
    )


def test_install_stores_the_bot_token_and_the_workspace_can_use_the_app(app_url, fake_slack, runtime):
    with urllib.request.urlopen(f"{app_url}/slack/install", timeout=5) as answer:
        page = answer.read().decode()
        # Bolt marks the state cookie Secure; a browser on https would send it back.
        cookie = answer.headers["Set-Cookie"].split(";")[0]
    authorize = re.search(r'href="([^"]+oauth/v2/authorize[^"]+)"', page).group(1).replace("&amp;", "&")
    # The authorize page belongs to the configured API host, not to slack.com.
    assert authorize.startswith(fake_slack.root_url)
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == ["111.222"] and "chat:write" in query["scope"][0]

    callback = urllib.request.Request(
        f"{app_url}/slack/oauth_redirect?code=fake-code&state={query['state'][0]}", headers={"Cookie": cookie}
    )
    with urllib.request.urlopen(callback, timeout=5) as answer:
        assert answer.status == 200

    bots = slack_metadata.tables["slack_bots"]
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(bots.c.team_id, bots.c.bot_token)).all()
    assert [row.team_id for row in rows] == [fake_slack.team_id]
    assert rows[0].bot_token.startswith("xoxb-")
    assert runtime.services.clients.for_team(fake_slack.team_id).token == rows[0].bot_token

    sender = SlackSender(f"{app_url}/slack/events", SIGNING_SECRET, team_id=fake_slack.team_id)
    assert "/checkin" in sender.command("/checkin", "help").body


def test_a_workspace_that_never_installed_is_refused(app_url, fake_slack):
    sender = SlackSender(
        f"{app_url}/slack/events", SIGNING_SECRET, team_id="T0NOTINSTALLED", response_urls=fake_slack.response_url
    )
    response = sender.command("/checkin", "help")
    assert "/checkin" not in response.body
    [answer] = fake_slack.wait_for_responses(1)
    assert "install" in str(answer).lower()
