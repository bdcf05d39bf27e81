"""`alignbot checkins send` and `alignbot digest` against the database and the Slack fake."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.services.checkins import Answer
from storage import repositories
from storage.models import Objective, Team, TeamMember


@pytest.fixture
def cli_env(cli_env, fake_slack, runtime):
    """Add a workspace with marketing and its members to the CLI's environment."""
    with runtime.services.sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, fake_slack.team_id)
        workspace.leadership_channel_id = "C0LEAD01"
        team = Team(workspace_id=workspace.id, name="marketing", channel_id="C0MKTG01")
        session.add(team)
        session.flush()
        session.add(TeamMember(workspace_id=workspace.id, team_id=team.id, user_id="U0MEMB01"))
    runtime.services.checkins.record(
        Answer(fake_slack.team_id, "U0MEMB01", "Refreshed the brand colours", channel_id="C0MKTG01")
    )
    return fake_slack.team_id


def test_checkins_send_sends_each_prompt_once(cli_env, capsys, fake_slack):
    assert main(["checkins", "send", "--team-id", cli_env, "--team", "marketing"]) == 0
    assert capsys.readouterr().out.startswith("sent 2, already sent 0")
    assert main(["checkins", "send", "--team-id", cli_env]) == 0
    assert capsys.readouterr().out.startswith("sent 0, already sent 2")
    assert len(fake_slack.messages("C0MKTG01")) == 1


def test_checkins_send_for_an_unknown_team_is_one_line(cli_env, capsys):
    assert main(["checkins", "send", "--team-id", cli_env, "--team", "legal"]) == 2
    assert capsys.readouterr().err.strip() == "alignbot: No team called 'legal' in workspace T0000001."


def test_digest_json_is_the_analyze_object_with_workspace_and_week(cli_env, capsys):
    assert main(["digest", "--team-id", cli_env, "--format", "json"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["workspace"] == cli_env and digest["week"].count("-W") == 1
    assert {"updates", "coverage", "findings", "scores"} <= set(digest)
    assert any(f["kind"] == "unaligned_work" for f in digest["findings"])
    assert digest["handoffs"] == [] and digest["handoff_pairs"] == []


def test_digest_text_and_blocks(cli_env, capsys):
    assert main(["digest", "--team-id", cli_env]) == 0
    assert "Alignment report" in capsys.readouterr().out
    assert main(["digest", "--team-id", cli_env, "--format", "blocks"]) == 0
    assert json.loads(capsys.readouterr().out)["blocks"][0]["type"] == "header"


def test_digest_post_posts_once(cli_env, capsys, fake_slack):
    assert main(["digest", "--team-id", cli_env, "--post"]) == 0
    assert main(["digest", "--team-id", cli_env, "--post"]) == 0
    err = capsys.readouterr().err
    assert ": sent" in err and ": duplicate" in err
    assert len([m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]) == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["digest", "--team-id", "T0NOWHERE"], "workspace T0NOWHERE is not in the database"),
        (["digest", "--team-id", "T0000001", "--week", "2026-48"], "is not a week like 2026-W48"),
        (["digest", "--team-id", "lowercase"], "is not a Slack workspace id"),
    ],
)
def test_digest_bad_input_is_one_line(cli_env, capsys, args, expected):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1


def test_digest_json_lists_unconfirmed_guesses_apart_until_the_check_in_closes(cli_env, capsys, runtime, time_machine):
    assert main(["digest", "--team-id", cli_env, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["unconfirmed"] == []

    with runtime.services.sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, cli_env)
        session.add(
            Objective(
                workspace_id=workspace.id,
                key="new-revenue",
                title="Grow new-logo revenue",
                description="Build qualified pipeline and close new customers.",
            )
        )
    # Monday noon of 2026-W48: marketing's answers are due Tuesday 10:00.
    time_machine.move_to(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    guess = runtime.services.checkins.record(
        Answer(cli_env, "U0MEMB01", "Ran the partner summit in Lisbon", channel_id="C0MKTG01")
    )
    assert main(["digest", "--team-id", cli_env, "--week", "2026-W48", "--format", "json"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["unconfirmed"] == [str(guess.update_id)]
    assert not any(f["kind"] == "unaligned_work" for f in digest["findings"])
    assert main(["digest", "--team-id", cli_env, "--week", "2026-W48"]) == 0
    assert "- marketing: 1 update waits for its author's answer" in capsys.readouterr().out

    # Wednesday: the question went unanswered past the deadline, so the tagger's guess counts, marked as one.
    time_machine.move_to(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert main(["digest", "--team-id", cli_env, "--week", "2026-W48", "--format", "json"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["unconfirmed"] == []
    [finding] = [f for f in digest["findings"] if f["kind"] == "unaligned_work"]
    assert finding["teams"] == ["marketing"] and finding["guessed"] == [str(guess.update_id)]
    assert "(guess: its author didn't answer)" in finding["summary"]
