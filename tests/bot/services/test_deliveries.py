"""Exactly-once delivery against the Slack fake: duplicates, races, crashes, faults."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.services.deliveries import BACKOFF_FIRST, BACKOFF_MAX, Deliveries, backoff, metadata_key
from bot.slack import retry_handlers
from storage import repositories
from storage.models import Delivery, DeliveryKey, DeliveryKind, Team, utcnow

MESSAGE = {"text": "Time for your weekly update"}


@pytest.fixture
def workspace_id(sessions):
    with sessions.begin() as session:
        return repositories.ensure_workspace(session, "T0000001").id


@pytest.fixture
def team_id(sessions, workspace_id):
    with sessions.begin() as session:
        team = Team(workspace_id=workspace_id, name="marketing")
        session.add(team)
        session.flush()
        return team.id


def digest(week: str, kind: DeliveryKind = "digest") -> DeliveryKey:
    return DeliveryKey(kind, week, to_channel_id="C0MKTG01")


def dm_prompt(team_id: int) -> DeliveryKey:
    return DeliveryKey("dm_prompt", "2026-W48", team_id=team_id, user_id="U0MEMB01")


@pytest.fixture
def client(fake_slack):
    return WebClient(
        token=fake_slack.bot_token, base_url=fake_slack.base_url, timeout=2, retry_handlers=retry_handlers()
    )


@pytest.fixture
def deliveries(sessions):
    return Deliveries(sessions)


def stored(sessions) -> list[Delivery]:
    with sessions() as session:
        return list(session.scalars(select(Delivery)))


def test_a_second_send_of_the_same_key_posts_nothing(deliveries, client, workspace_id, fake_slack, sessions):
    first = deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01")
    second = deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01")

    assert first.status == "sent" and second.status == "duplicate" and second.ts == first.ts
    assert [m["text"] for m in fake_slack.messages("C0MKTG01")] == [MESSAGE["text"]]
    [row] = stored(sessions)
    assert row.status == "sent" and row.message_ts == first.ts and row.channel_id == "C0MKTG01"


def test_another_week_or_kind_is_another_delivery(deliveries, client, workspace_id, fake_slack):
    deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01")
    deliveries.send(client, workspace_id, digest("2026-W49"), MESSAGE, "C0MKTG01")
    deliveries.send(client, workspace_id, digest("2026-W49", "digest_chart"), MESSAGE, "C0MKTG01")
    assert len(fake_slack.messages("C0MKTG01")) == 3


def test_racing_senders_post_once(deliveries, client, workspace_id, fake_slack):
    outcomes = []

    def send() -> None:
        outcomes.append(deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake_slack.messages("C0MKTG01")) == 1
    assert outcomes.count("sent") == 1


def test_rate_limit_and_server_errors_are_retried(deliveries, client, workspace_id, fake_slack):
    fake_slack.fail("chat.postMessage", status=429, retry_after=1)
    fake_slack.fail("chat.postMessage", status=500)
    outcome = deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01")

    assert outcome.status == "sent"
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 500, 200]
    assert len(fake_slack.messages("C0MKTG01")) == 1


def test_an_archived_channel_is_retried_with_back_off_and_sent_once_fixed(
    deliveries, client, workspace_id, fake_slack, sessions, time_machine
):
    time_machine.move_to(utcnow(), tick=False)
    fake_slack.update_channel("C0MKTG01", is_archived=True)
    first = deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01")
    again = deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01")
    assert first.status == "failed" and first.error == "is_archived"
    assert again.status == "failed" and again.error == "is_archived"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # within the back-off: not tried
    assert stored(sessions)[0].last_error == "is_archived"

    time_machine.shift(BACKOFF_FIRST + timedelta(seconds=1))
    assert deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "failed"
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    # The second failure waits twice as long.
    time_machine.shift(BACKOFF_FIRST + timedelta(seconds=1))
    assert deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "failed"
    assert len(fake_slack.calls_to("chat.postMessage")) == 2

    fake_slack.update_channel("C0MKTG01", is_archived=False)
    time_machine.shift(BACKOFF_FIRST)
    assert deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "sent"
    assert len(fake_slack.messages("C0MKTG01")) == 1
    assert deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "duplicate"


def test_retry_now_skips_the_back_off(deliveries, client, workspace_id, fake_slack):
    fake_slack.fail("chat.postMessage", error="not_in_channel")
    assert deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "failed"
    assert (
        deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01", retry_now=True).status == "sent"
    )
    assert len(fake_slack.messages("C0MKTG01")) == 1


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n) for n in (1, 2, 3)] == [BACKOFF_FIRST, 2 * BACKOFF_FIRST, 4 * BACKOFF_FIRST]
    assert backoff(50) == BACKOFF_MAX


def test_a_transient_failure_is_sent_on_the_next_try(deliveries, client, workspace_id, fake_slack, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    fake_slack.fail("chat.postMessage", error="fatal_error")
    assert deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "retry"
    time_machine.shift(BACKOFF_FIRST)
    assert deliveries.send(client, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "sent"
    assert len(fake_slack.messages("C0MKTG01")) == 1


@pytest.mark.parametrize("retry_after", [0.0, 0.5, 2.0])
def test_a_timeout_that_did_post_is_not_posted_again_however_soon_it_is_retried(
    deliveries, workspace_id, fake_slack, retry_after
):
    impatient = WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url, timeout=0.3)
    fake_slack.delay("chat.postMessage", 1.0)
    assert deliveries.send(impatient, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01").status == "retry"
    time.sleep(retry_after)
    # Before the lease ends nobody posts, even an admin's "retry now": the first post may still land.
    soon = deliveries.send(impatient, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01", retry_now=True)
    assert soon.status == "busy"
    fake_slack.wait_for("chat.postMessage", 1)
    time.sleep(1.0)

    later = Deliveries(deliveries._sessions, lease=timedelta(0))
    again = later.send(impatient, workspace_id, digest("2026-W48"), MESSAGE, "C0MKTG01")
    assert again.status == "sent"
    assert len(fake_slack.messages("C0MKTG01")) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_crashed_claim_is_taken_over_after_the_lease(deliveries, client, workspace_id, team_id, fake_slack, sessions):
    with sessions.begin() as session:
        session.add(
            Delivery(
                workspace_id=workspace_id,
                kind="dm_prompt",
                week="2026-W48",
                team_id=team_id,
                user_id="U0MEMB01",
                status="claimed",
                attempts=1,
                claimed_at=utcnow(),
            )
        )
    # Within the lease another process is assumed to be sending.
    assert deliveries.send(client, workspace_id, dm_prompt(team_id), MESSAGE, "U0MEMB01").status == "busy"

    with sessions.begin() as session:
        session.scalars(select(Delivery)).one().claimed_at = utcnow() - timedelta(minutes=10)
    outcome = deliveries.send(client, workspace_id, dm_prompt(team_id), MESSAGE, "U0MEMB01")
    assert outcome.status == "sent"
    assert stored(sessions)[0].attempts == 2
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_message_carries_its_key_as_messages_sent_before_typed_keys_do():
    # A claim taken over looks for what an earlier attempt posted by this text, whichever version posted it.
    keys = {
        DeliveryKey("prompt", "2026-W48", team_id=3): "7:prompt:team:3:2026-W48",
        DeliveryKey("dm_prompt", "2026-W48", team_id=3, user_id="U1"): "7:dm_prompt:team:3:user:U1:2026-W48",
        DeliveryKey("dm_prompt", "2026-W48", team_ids=(4, 3), user_id="U1"): "7:dm_prompt:teams:4,3:user:U1:2026-W48",
        DeliveryKey("nudge", "20261130", team_id=3, user_id="U1"): "7:nudge:team:3:user:U1:20261130",
        DeliveryKey("digest", "2026-W48", to_channel_id="CLEAD"): "7:digest:CLEAD:2026-W48",
        DeliveryKey("handoffs", "2026-W48", team_id=3, from_team_id=4): "7:handoffs:4>3:2026-W48",
        DeliveryKey("handoff_reminder", "2026-W48", handoff_id=9): "7:handoff_reminder:handoff:9:2026-W48",
    }
    assert {key: metadata_key(7, key) for key in keys} == keys
