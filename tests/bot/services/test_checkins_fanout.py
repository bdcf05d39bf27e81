"""A clock tick serves many workspaces side by side, paced under each one's Slack limit, each prompt exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.settings import Settings
from storage import repositories
from storage.models import Team, TeamMember
from tests.conftest import SIGNING_SECRET

WORKSPACES = [f"T0FAN{n:04d}" for n in range(12)]
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(request, fake_slack, database_url) -> Settings:
    """Multi-workspace OAuth: every workspace posts with its own installation's token, at a rate a test may set."""
    return Settings(
        _env_file=None,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=database_url,
        ALIGNBOT_POST_RATE=getattr(request, "param", 50.0),
    )


@pytest.fixture
def many_workspaces(runtime, fake_slack) -> dict[str, list[str]]:
    """Install 12 workspaces with two teams each (a channel and two members a team); return their conversations."""
    expected: dict[str, list[str]] = {}
    for n, slack_team in enumerate(WORKSPACES):
        runtime.installation_store.save(
            Installation(
                app_id=fake_slack.app_id,
                team_id=slack_team,
                user_id="U0ADMIN1",
                bot_id=fake_slack.bot_id,
                bot_user_id=fake_slack.bot_user_id,
                bot_token=fake_slack.workspace_token(slack_team),
                bot_scopes="chat:write",
            )
        )
        with runtime.services.sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team)
            for t in range(2):
                channel, people = f"C{n:04d}{t}TEAM", [f"U{n:04d}{t}{m}PPL" for m in range(2)]
                for person in people:
                    fake_slack.add_user(person, name=person.lower())
                fake_slack.add_channel(channel, f"team-{n}-{t}", members=people)
                team = Team(
                    workspace_id=workspace.id,
                    name=f"team {t}",
                    channel_id=channel,
                    prompt_weekday=0,
                    prompt_time="09:00",
                    timezone="UTC",
                )
                session.add(team)
                session.flush()
                session.add_all(TeamMember(workspace_id=workspace.id, team_id=team.id, user_id=p) for p in people)
                expected[slack_team] = [*expected.get(slack_team, []), channel, *people]
    return expected


def test_a_tick_prompts_every_workspace_once_and_a_second_tick_nothing(runtime, many_workspaces, fake_slack):
    prompts = runtime.services.prompts
    first = prompts.tick(now=MONDAY_9)
    again = prompts.tick(now=MONDAY_9)

    everyone = [c for conversations in many_workspaces.values() for c in conversations]
    assert first.sent == len(everyone) and first.failed == 0
    assert again.sent == 0 and again.already == len(everyone)
    posted = Counter(call.args["channel"] for call in fake_slack.calls_to("chat.postMessage"))
    assert posted == Counter(everyone)


@pytest.mark.parametrize("settings", [1.5], indirect=True)
def test_paced_sends_stay_under_each_workspace_limit_and_serve_the_workspaces_side_by_side(
    runtime, many_workspaces, fake_slack
):
    # Slack's limits: 1 message a second per conversation and, here, 1.5 per workspace (the bot's setting).
    fake_slack.rate_limit(1.0)
    fake_slack.workspace_rate_limit(1.5)

    report = runtime.services.prompts.tick(now=MONDAY_9)

    everyone = [c for conversations in many_workspaces.values() for c in conversations]
    assert report.sent == len(everyone) and report.failed == report.pending == 0
    # Paced: posts wait for their turn. Unpaced, the workspaces' bursts meet more 429s than there are
    # posts; a rare one can still come from a loaded machine's timing, and is waited out.
    assert fake_slack.rejected <= len(everyone) // 10
    # The refused calls are recorded too; what people see is the posts Slack accepted.
    posts = [call for call in fake_slack.calls_to("chat.postMessage") if call.status == 200]
    assert Counter(call.args["channel"] for call in posts) == Counter(everyone)
    assert {call.team for call in posts} == set(WORKSPACES)
    # Each workspace's six posts take seconds at its limit; served one after another, the first
    # would finish before the next began. Side by side, every one had begun before any finished.
    order = [call.team for call in posts]
    first_done = min(max(i for i, team in enumerate(order) if team == w) for w in WORKSPACES)
    assert set(order[:first_done]) == set(WORKSPACES)


def test_a_429_is_waited_out_for_its_retry_after_and_the_prompt_posted_once(runtime, many_workspaces, fake_slack):
    fake_slack.fail("chat.postMessage", retry_after=1, times=1)

    report = runtime.services.prompts.tick(now=MONDAY_9)

    everyone = [c for conversations in many_workspaces.values() for c in conversations]
    assert report.sent == len(everyone) and report.failed == report.pending == 0
    calls = fake_slack.calls_to("chat.postMessage")
    refused = [call for call in calls if call.status == 429]
    assert len(refused) == 1
    posted = [call for call in calls if call.status == 200]
    assert Counter(call.args["channel"] for call in posted) == Counter(everyone)
    assert all(len(fake_slack.messages(c)) == 1 for c in everyone)
    # The refused post went again only once its Retry-After had passed.
    again = next(call for call in posted if call.args["channel"] == refused[0].args["channel"])
    assert again.at - refused[0].at >= 1.0
