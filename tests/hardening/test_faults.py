"""Injected Slack faults: no prompt, update or digest is lost, and nothing is sent twice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot import slack as slack_module
from bot.services.checkins import Answer
from bot.services.deliveries import LEASE
from storage.models import utcnow

TEAM = "T0000001"
WEEK = "2026-W48"
# Monday 23 November 2026, 09:00 in Berlin: the prompts are due.
PROMPT_TIME = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TARGETS = ["C0MKTG01", "C0SALES1", "U0MEMB01", "U0MEMB02", "U0SELL01"]


@pytest.fixture(autouse=True)
def impatient_client(monkeypatch):
    """Give up on a slow Slack after half a second, so a timeout test takes no longer."""
    monkeypatch.setattr(slack_module, "TIMEOUT_SECONDS", 0.5)


def top_level(messages: list[dict]) -> list[dict]:
    """Return the messages that are not replies in a thread (a digest's chart is one)."""
    return [m for m in messages if m.get("thread_ts") in (None, m["ts"])]


def posted(fake_slack) -> Counter:
    """Count top-level messages per conversation the prompts go to."""
    return Counter({target: len(top_level(fake_slack.messages(target))) for target in TARGETS})


def tick_until_done(prompts, rounds: int = 5, clock=None):
    """Tick until every prompt is out; with a clock, let each round's lease and back-off pass first."""
    for _ in range(rounds):
        report = prompts.tick(now=PROMPT_TIME)
        if report.sent + report.already == len(TARGETS):
            return report
        if clock is not None:
            clock.shift(LEASE + timedelta(seconds=1))
    return report


@pytest.mark.parametrize("fault", ["429", "500", "timeout", "mixed"])
def test_prompts_survive_faults_and_go_out_once(fault, runtime, org, fake_slack, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    if fault in ("429", "mixed"):
        fake_slack.fail("chat.postMessage", status=429, retry_after=1, times=2)
    if fault in ("500", "mixed"):
        # More than the client retries: the first send of one prompt fails, the next tick sends it.
        fake_slack.fail("chat.postMessage", status=500, times=5)
    if fault in ("timeout", "mixed"):
        # Slack got it but answered too late: the message exists, the sender does not know.
        fake_slack.delay("chat.postMessage", 1.0, times=2)

    tick_until_done(runtime.services.prompts, clock=time_machine)
    fake_slack.clear_faults()
    # A post that timed out is looked for only after the lease, so it is never posted twice.
    assert tick_until_done(runtime.services.prompts, clock=time_machine).already == len(TARGETS)
    fake_slack.wait_for("chat.postMessage", 1)
    assert posted(fake_slack) == Counter({t: 1 for t in TARGETS})


@pytest.mark.parametrize("problem", ["is_archived", "not_in_channel"])
def test_a_broken_channel_loses_no_update_and_no_digest(problem, runtime, org, fake_slack):
    if problem == "is_archived":
        fake_slack.update_channel("C0MKTG01", is_archived=True)
    else:
        fake_slack.update_channel("C0MKTG01", is_member=False)
    checkins, digests = runtime.services.checkins, runtime.services.digests
    tick_until_done(runtime.services.prompts)
    tick_until_done(runtime.services.prompts)

    assert fake_slack.messages("C0MKTG01") == []
    assert posted(fake_slack) == Counter({"C0MKTG01": 0, "C0SALES1": 1, "U0MEMB01": 1, "U0MEMB02": 1, "U0SELL01": 1})
    alerts = [m["text"] for m in fake_slack.messages("C0LEAD01") if problem in m["text"]]
    assert len(alerts) == 1  # told once, not every tick

    # The team still answers (in DMs, or with /checkin elsewhere): every answer reaches the digest.
    for user, text in (
        ("U0MEMB01", "Shipped the pipeline webinar"),
        ("U0MEMB02", "Cut agency costs"),
        ("U0SELL01", "Closed two new logos"),
    ):
        checkins.record(Answer(TEAM, user, text, week=WEEK))
    fake_slack.fail("chat.postMessage", error="internal_error")  # the first digest post fails, the next one goes
    first = digests.post(TEAM, WEEK)
    again = digests.post(TEAM, WEEK)
    assert first.outcome.status == "retry" and again.outcome.status == "sent"
    assert digests.post(TEAM, WEEK).outcome.status == "duplicate"
    [digest] = [m for m in top_level(fake_slack.messages("C0LEAD01")) if problem not in m["text"]]
    assert sorted(u.text for u in digests.build(TEAM, WEEK).report.updates) == [
        "Closed two new logos",
        "Cut agency costs",
        "Shipped the pipeline webinar",
    ]
    assert digest["blocks"]


@pytest.mark.parametrize("fault", ["429", "timeout"])
def test_the_digest_is_posted_once_through_faults(fault, runtime, org, fake_slack, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    runtime.services.checkins.record(Answer(TEAM, "U0MEMB01", "Booked six discovery calls", week=WEEK))
    if fault == "429":
        fake_slack.fail("chat.postMessage", status=429, retry_after=1)
    else:
        fake_slack.delay("chat.postMessage", 1.0)
    digests = runtime.services.digests
    outcomes = [digests.post(TEAM, WEEK).outcome.status]
    fake_slack.wait_for("chat.postMessage", 1)
    outcomes.append(digests.post(TEAM, WEEK).outcome.status)  # a timed-out post is still unsure: "busy"
    time_machine.shift(LEASE + timedelta(seconds=1))
    outcomes += [digests.post(TEAM, WEEK).outcome.status for _ in range(2)]

    assert outcomes[-1] == "duplicate" and "sent" in outcomes
    assert len(top_level(fake_slack.messages("C0LEAD01"))) == 1
