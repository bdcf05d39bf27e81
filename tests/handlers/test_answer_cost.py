"""An answer costs a few statements in one transaction, and a process's cached context never goes stale."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.app import create_app, create_runtime
from bot.server import create_wsgi_app, serve_in_thread
from bot.services.checkins import Answer
from storage.models import ProcessedEvent, Update, UpdateTag, Workspace
from storage.statements import StatementCounter
from tests.conftest import SIGNING_SECRET
from tests.handlers.conftest import shown

# Issue 17: at most 5 statements (SQLite's BEGIN IMMEDIATE included) and one transaction per answer;
# the job queue's own statements are counted apart (benchmarks/checkin_statements.py prints them).
MAX_STATEMENTS = 5
# A shared answer: its own statements, then its first copy's ts stored in a transaction of its own.
MAX_SHARED = 8


@pytest.fixture
def objectives(ask, teams):
    assert "new-revenue" in shown(
        ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    )
    assert "margins" in shown(ask("/objective", "add Margins | Spend less to earn more"))


@pytest.fixture
def other(settings, runtime, fake_slack) -> Iterator[tuple]:
    """Serve a second runtime (another process's caches) on the same database; return (runtime, ask)."""
    from bot.fakeslack import SlackSender

    second = create_runtime(settings, upgrade_db=False)
    url, stop = serve_in_thread(create_wsgi_app(second, create_app(second)))
    sender = SlackSender(
        f"{url}/slack/events", SIGNING_SECRET, team_id=fake_slack.team_id, response_urls=fake_slack.response_url
    )

    def ask(command: str, text: str, *, user: str, channel: str) -> dict:
        before = len(fake_slack.responses())
        response = sender.command(command, text, user_id=user, channel_id=channel)
        assert response.status == 200, response.body
        return response.json() if response.body else fake_slack.wait_for_responses(before + 1)[before]["body"]

    yield second, ask
    stop()
    second.close()


def test_an_objective_changed_in_another_process_is_used_by_the_next_answer(ask, objectives, other, runtime):
    _, ask_there = other
    first = shown(ask_there("/checkin", "Negotiated lower hosting costs", user="U0MEMB01", channel="C0MKTG01"))
    assert "Margins" in first  # the other process cached the workspace's objectives

    assert "archived" in shown(ask("/objective", "archive margins")).lower()
    assert "churn" in shown(ask("/objective", "add Reduce churn | Keep customers renewing; cut churn"))

    again = shown(
        ask_there("/checkin", "Called every at-risk account to cut churn", user="U0MEMB01", channel="C0MKTG01")
    )
    assert "Reduce churn" in again and "Margins" not in again
    with runtime.services.sessions() as session:
        [update] = session.scalars(select(Update)).all()
        tags = session.scalars(select(UpdateTag).where(UpdateTag.update_id == update.id)).all()
    assert update.text == "Called every at-risk account to cut churn" and len(tags) == 1


def test_a_team_mapped_in_another_process_takes_the_next_answer_there(ask, objectives, other, fake_slack):
    _, ask_there = other
    ask_there("/checkin", "Booked 6 discovery calls", user="U0MEMB01", channel="C0MKTG01")  # caches warm
    fake_slack.add_channel("C0SUPP01", "support", members=["U0MEMB01"])

    assert "now team" in shown(ask("/alignment", "team support", channel="C0SUPP01"))

    answer = shown(ask_there("/checkin", "Answered 40 tickets", user="U0MEMB01", channel="C0SUPP01"))
    assert "Your support update for" in answer


def test_a_hand_tag_given_in_another_process_teaches_the_next_answer(ask, objectives, other, runtime, fake_slack):
    _, ask_there = other
    ask_there("/checkin", "Warm-up about pipeline", user="U0SELL01", channel="C0SALES1")
    ask("/checkin", "Ran the quarterly tiger team", user="U0MEMB01", channel="C0MKTG01")
    with runtime.services.sessions() as session:
        before = session.scalar(select(Workspace.examples_version))
    runtime.services.checkins.record(
        Answer(
            fake_slack.team_id,
            "U0MEMB01",
            "Ran the quarterly tiger team",
            channel_id="C0MKTG01",
            objectives=["margins"],
        )
    )
    with runtime.services.sessions() as session:
        assert session.scalar(select(Workspace.examples_version)) > before

    answer = shown(ask_there("/checkin", "Ran the quarterly tiger team again", user="U0SELL02", channel="C0SALES1"))
    assert "Margins" in answer


def test_a_checkin_costs_at_most_five_statements_in_one_transaction(ask, objectives, runtime):
    ask("/checkin", "Warm-up: booked calls", user="U0ADMIN1", channel="C0MKTG01")
    counted = StatementCounter(runtime.engine)
    for user, text in (
        ("U0MEMB01", "Booked 6 discovery calls with new prospects"),
        ("U0SELL01", "Refreshed the brand colours"),
    ):
        counted.reset()
        ask("/checkin", text, user=user, channel="C0MKTG01")
        time.sleep(0.1)  # the listener may still be closing its session after answering
        assert len(counted.statements) <= MAX_STATEMENTS, counted.statements
        assert counted.transactions == 1


def test_a_thread_reply_costs_at_most_five_statements_in_one_transaction_claim_included(
    slack, objectives, runtime, fake_slack
):
    fake_slack.add_user("U0MEMB02", name="meg")
    fake_slack.update_channel("C0MKTG01", members=["U0MEMB01", "U0MEMB02"])
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = fake_slack.messages("C0MKTG01")[0]
    counted = StatementCounter(runtime.engine)
    for n, user in enumerate(("U0MEMB01", "U0MEMB02")):
        ts = fake_slack.post_user_message("C0MKTG01", user, "Shipped the pricing page", thread_ts=prompt["ts"])
        counted.reset()
        slack.event(
            {
                "type": "message",
                "channel": "C0MKTG01",
                "user": user,
                "text": "Shipped the pricing page",
                "ts": ts,
                "thread_ts": prompt["ts"],
                "channel_type": "channel",
            },
            event_id=f"Ev0COST{n}",
        )
        fake_slack.wait_for("chat.postEphemeral", n + 1)
        time.sleep(0.1)
        if n == 0:
            continue  # the week's cycle is created by the first answer
        assert len(counted.statements) <= MAX_STATEMENTS, counted.statements
        assert counted.transactions == 1
    with runtime.services.sessions() as session:
        claimed = set(session.scalars(select(ProcessedEvent.event_id)))
        assert len(session.scalars(select(Update)).all()) == 2
    # The objectives' /objective add commands were claimed by trigger id; the events by their id.
    assert {key for key in claimed if not key.startswith("trigger:")} == {"Ev0COST0", "Ev0COST1"}


def test_a_thread_reply_whose_confirmation_failed_is_answered_on_slacks_retry(slack, objectives, runtime, fake_slack):
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = fake_slack.messages("C0MKTG01")[0]
    ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "Shipped the pricing page", thread_ts=prompt["ts"])
    event = {
        "type": "message",
        "channel": "C0MKTG01",
        "user": "U0MEMB01",
        "text": "Shipped the pricing page",
        "ts": ts,
        "thread_ts": prompt["ts"],
        "channel_type": "channel",
    }
    fake_slack.fail("chat.postEphemeral", error="internal_error")

    slack.event(event, event_id="Ev0LOST01")
    fake_slack.wait_for("chat.postEphemeral")
    deadline = time.monotonic() + 5
    while runtime.services.event_done(fake_slack.team_id, "Ev0LOST01"):  # claimed with the answer, then released
        assert time.monotonic() < deadline
        time.sleep(0.02)

    slack.event(event, event_id="Ev0LOST01", retry_num=1, retry_reason="http_error")
    fake_slack.wait_for("chat.postEphemeral", 2)
    assert "Your marketing update for" in shown(fake_slack.calls_to("chat.postEphemeral")[-1].args)
    with runtime.services.sessions() as session:
        [update] = session.scalars(select(Update)).all()
        assert update.message_ts == ts
    assert runtime.services.event_done(fake_slack.team_id, "Ev0LOST01")


def test_a_shared_checkin_costs_one_transaction_and_its_first_copy_one_statement_more(
    ask, objectives, runtime, fake_slack
):
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = fake_slack.messages("C0MKTG01")[0]["ts"]
    ask("/checkin", "Warm-up: booked calls", user="U0ADMIN1", channel="C0MKTG01")  # learns where the prompt is
    counted = StatementCounter(runtime.engine)
    for n, text in enumerate(
        ("Booked 6 discovery calls with new prospects", "Booked 8 discovery calls with new prospects")
    ):
        counted.reset()
        assert "Shared in the check-in thread" in shown(ask("/checkin", text, user="U0MEMB01", channel="C0MKTG01"))
        time.sleep(0.1)
        # The answer is stored in one transaction, then shared: a first copy's ts is stored once it is posted,
        # in one statement of its own; a replacement edits that copy and stores nothing more.
        copy = [s for s in counted.statements if s.startswith("UPDATE updates SET shared_channel_id")]
        assert len(copy) == (1 if n == 0 else 0), counted.statements
        assert len(counted.statements) <= MAX_SHARED, counted.statements
        assert counted.transactions == 1 + len(copy)
        posts = [m for m in fake_slack.thread("C0MKTG01", prompt) if "discovery calls" in json.dumps(m)]
        assert len(posts) == 1 and text.split(" with")[0] in json.dumps(posts[0])
        with runtime.services.sessions() as session:
            shared_ts = session.scalar(select(Update.shared_ts).where(Update.author_user_id == "U0MEMB01"))
        assert shared_ts == posts[0]["ts"]
