"""Sends Slack refused are retried until they go out; admins are told once, and /alignment status shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.services.deliveries import BACKOFF_MAX
from storage.models import utcnow
from tests.hardening.conftest import shown

TEAM = "T0000001"
WEEK = "2026-W48"
PROMPT_TIME = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin: prompts are due


@pytest.fixture
def boss(fake_slack):
    fake_slack.add_user("U0BOSS01", name="boss")  # ALIGNBOT_ADMINS in the test settings


def test_a_channel_without_the_bot_gets_its_prompt_once_it_is_invited(
    runtime, org, fake_slack, boss, answer, time_machine
):
    time_machine.move_to(utcnow(), tick=False)
    fake_slack.update_channel("C0MKTG01", is_member=False)
    prompts = runtime.services.prompts
    prompts.tick(now=PROMPT_TIME)
    prompts.tick(now=PROMPT_TIME)
    assert fake_slack.messages("C0MKTG01") == []
    alerts = [m["text"] for m in fake_slack.messages("C0LEAD01") if "not_in_channel" in m["text"]]
    assert len(alerts) == 1 and "/invite @alignbot" in alerts[0]

    _, status = answer("/alignment", "status")
    assert "not_in_channel" in shown(status) and "/invite @alignbot" in shown(status)

    fake_slack.update_channel("C0MKTG01", is_member=True)  # an admin invited the bot
    time_machine.shift(BACKOFF_MAX)
    prompts.tick(now=PROMPT_TIME)
    assert len(fake_slack.messages("C0MKTG01")) == 1
    _, status = answer("/alignment", "status")
    assert "not_in_channel" not in shown(status)
    prompts.tick(now=PROMPT_TIME + timedelta(minutes=1))
    assert len(fake_slack.messages("C0MKTG01")) == 1


def test_checkins_send_retries_at_once(runtime, org, fake_slack, cli_env, capsys):
    fake_slack.update_channel("C0MKTG01", is_archived=True)
    assert main(["checkins", "send", "--team-id", TEAM, "--team", "marketing"]) == 1
    assert "failed 1" in capsys.readouterr().out
    fake_slack.update_channel("C0MKTG01", is_archived=False)
    # No waiting for the back-off: the command is a person asking now.
    assert main(["checkins", "send", "--team-id", TEAM, "--team", "marketing"]) == 0
    assert capsys.readouterr().out.startswith("sent 1")
    assert len(fake_slack.messages("C0MKTG01")) == 1


def test_a_digest_refused_by_the_leadership_channel_is_reported_once_and_posted_when_fixed(
    runtime, org, fake_slack, boss, answer, cli_env, capsys
):
    fake_slack.update_channel("C0LEAD01", is_archived=True)
    _, first = answer("/alignment", "post")
    assert "is_archived" in shown(first) and "unarchive" in shown(first)
    answer("/alignment", "post")
    dms = [m["text"] for m in fake_slack.messages("U0BOSS01") if "is_archived" in m["text"]]
    assert len(dms) == 1 and "leadership digest" in dms[0]
    _, status = answer("/alignment", "status")
    assert "leadership digest cannot be posted" in shown(status)

    fake_slack.update_channel("C0LEAD01", is_archived=False)
    assert main(["digest", "--team-id", TEAM, "--post"]) == 0
    assert ": sent" in capsys.readouterr().err
    _, status = answer("/alignment", "status")
    assert "cannot be posted" not in shown(status)


def test_a_revoked_token_shows_in_status_once_reinstalled(runtime, org, fake_slack, answer, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    fake_slack.fail("chat.postMessage", error="token_revoked", times=None)
    runtime.services.prompts.tick(now=PROMPT_TIME)
    fake_slack.clear_faults()
    _, status = answer("/alignment", "status")
    assert "token_revoked" in shown(status) and "reinstall" in shown(status)
    time_machine.shift(BACKOFF_MAX)
    runtime.services.prompts.tick(now=PROMPT_TIME)
    _, status = answer("/alignment", "status")
    assert "token_revoked" not in shown(status)
    assert len(fake_slack.messages("C0MKTG01")) == 1
