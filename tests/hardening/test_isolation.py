"""Two workspaces with the same team and objective names never see each other's data."""

from __future__ import annotations

import json

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.blocks.digest import digest_text
from bot.cli import main
from bot.settings import Settings
from tests.conftest import SIGNING_SECRET

ALPHA, BRAVO = "T0000001", "T0000002"
# Every workspace's own words carry its marker; the other's marker must never show up.
SETUP = {
    ALPHA: {"admin": "U0ADMIN1", "member": "U0ALPHA1", "channel": "C0MKTG01", "marker": "ALPHA"},
    BRAVO: {"admin": "U0BOSS01", "member": "U0BRAVO1", "channel": "C0MKTGB2", "marker": "BRAVO"},
}


def other(team: str) -> str:
    return SETUP[BRAVO if team == ALPHA else ALPHA]["marker"]


@pytest.fixture
def settings(fake_slack, database_url) -> Settings:
    """Multi-workspace OAuth: each workspace's requests are authorized by its own installation."""
    return Settings(
        _env_file=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=database_url,
        ALIGNBOT_ADMINS="U0BOSS01",
    )


@pytest.fixture
def installed(runtime, fake_slack):
    for team in (ALPHA, BRAVO):
        runtime.installation_store.save(
            Installation(
                app_id=fake_slack.app_id,
                team_id=team,
                user_id=SETUP[team]["admin"],
                bot_id=fake_slack.bot_id,
                bot_user_id=fake_slack.bot_user_id,
                bot_token=fake_slack.workspace_token(team),
                bot_scopes="chat:write",
            )
        )


@pytest.fixture
def two_workspaces(installed, answer, fake_slack, runtime):
    fake_slack.add_user("U0BOSS01", name="boss")
    fake_slack.add_user("U0ALPHA1", name="alpha")
    fake_slack.add_user("U0BRAVO1", name="bravo")
    fake_slack.update_channel("C0MKTG01", members=["U0MEMB01", "U0ALPHA1"])
    fake_slack.add_channel("C0MKTGB2", "marketing-b", members=["U0BRAVO1"])
    for team, who in SETUP.items():
        marker, channel = who["marker"], who["channel"]

        def say(command: str, text: str, user: str = who["admin"], channel: str = channel, team: str = team) -> str:
            kind, shown = answer(command, text, user=user, channel=channel, team=team)
            return json.dumps(shown)

        assert "marketing" in say("/alignment", "team marketing")
        assert "grow-revenue" in say("/objective", f"add Grow revenue | {marker} plan for revenue")
        say("/initiative", f"add {marker} webinar launch #grow-revenue", user=who["member"])
        say("/checkin", f"{marker} update: grew revenue pipeline with the webinar", user=who["member"])
    return SETUP


@pytest.mark.parametrize("team", [ALPHA, BRAVO])
def test_no_command_shows_the_other_workspace(team, two_workspaces, answer):
    who = two_workspaces[team]
    seen = []
    for command, text in (
        ("/objective", "list"),
        ("/initiative", "list"),
        ("/initiative", "list marketing"),
        ("/initiative", "list mine"),
        ("/alignment", "teams"),
        ("/alignment", "status"),
        ("/alignment", "report"),
        ("/checkin", "help"),
    ):
        for user in (who["admin"], who["member"]):
            kind, shown = answer(command, text, user=user, channel=who["channel"], team=team)
            seen.append(json.dumps(shown))
    everything = "\n".join(seen)
    assert who["marker"] in everything  # the workspace's own data is there...
    assert other(team) not in everything  # ...and nothing of the other's


@pytest.mark.parametrize("team", [ALPHA, BRAVO])
def test_the_digest_and_app_home_show_only_their_workspace(team, two_workspaces, runtime, slack, fake_slack):
    who = two_workspaces[team]
    data = runtime.services.digests.build(team)
    texts = [u.text for u in data.report.updates]
    assert texts and all(who["marker"] in text for text in texts)  # the update and the initiative
    assert other(team) not in digest_text(data) + json.dumps(texts)

    sender = type(slack)(slack.url, slack.signing_secret, team_id=team, response_urls=slack.response_urls)
    before = len(fake_slack.calls_to("views.publish"))
    sender.event({"type": "app_home_opened", "user": who["member"], "channel": "D0HOME01", "tab": "home"})
    fake_slack.wait_for("views.publish", before + 1)
    home = json.dumps(fake_slack.home(who["member"]))
    assert who["marker"] in home and other(team) not in home


@pytest.mark.parametrize("team", [ALPHA, BRAVO])
def test_the_cli_shows_only_its_workspace(
    team, two_workspaces, monkeypatch, tmp_path, capsys, fake_slack, database_url
):
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
    outputs = []
    for argv in (
        ["digest", "--team-id", team, "--format", "json"],
        ["digest", "--team-id", team],
        ["org", "export", "--team-id", team],
    ):
        assert main(argv) == 0, argv
        outputs.append(capsys.readouterr().out)
    everything = "\n".join(outputs)
    assert "grow-revenue" in everything and "marketing" in everything
    assert other(team) not in everything
