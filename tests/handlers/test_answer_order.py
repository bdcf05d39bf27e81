"""Answers are ordered by when Slack sent them: a job a crash left behind never undoes a newer answer,
a job that finished never acts twice, and an event that reaches two processes is handled once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.app import create_app, create_runtime, create_worker
from bot.fakeslack import SlackSender
from bot.jobs import BACKOFF_SECONDS, LEASE, JobQueue
from bot.server import create_wsgi_app, serve_in_thread
from storage.models import Job, Team, TeamMember, Update, utcnow
from tests.conftest import SIGNING_SECRET
from tests.handlers.test_direct_messages import dm_channel

MARKETING = "C0MKTG01"
MEMBER = "U0MEMB01"


def sender_for(runtime, fake_slack) -> tuple[SlackSender, object]:
    """Serve a web app of `runtime` with no worker; return (a sender of signed requests into it, its stop)."""
    url, stop = serve_in_thread(create_wsgi_app(runtime, create_app(runtime, worker_threads=0)))
    return SlackSender(
        f"{url}/slack/events", SIGNING_SECRET, team_id=fake_slack.team_id, response_urls=fake_slack.response_url
    ), stop


@pytest.fixture
def web(runtime, fake_slack) -> Iterator[SlackSender]:
    """The web process: it acks and stores each request's work; workers are started by the test."""
    sender, stop = sender_for(runtime, fake_slack)
    yield sender
    stop()


@pytest.fixture
def other(settings, engine, fake_slack) -> Iterator[tuple]:
    """A second process on the same database: (its runtime, a sender into its web app)."""
    second = create_runtime(settings, upgrade_db=False)
    sender, stop = sender_for(second, fake_slack)
    yield second, sender
    stop()
    second.close()


@pytest.fixture
def prompt(web, runtime, fake_slack) -> str:
    """Map marketing and send its prompts; return the channel prompt's ts (where answers are shared)."""
    assert web.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING).status == 200
    create_worker(runtime).drain()
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    [message] = [m for m in fake_slack.messages(MARKETING) if m.get("bot_id") and "thread_ts" not in m]
    return message["ts"]


def stored(runtime) -> list[str]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Update.text).order_by(Update.id)))


def jobs(runtime) -> list[Job]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Job)))


def send_dm(sender: SlackSender, runtime, fake_slack, text: str, event_id: str, **envelope) -> tuple[str, str, dict]:
    """Write `text` to the bot in the member's DM; return (channel, ts, the event, to send again)."""
    channel = dm_channel(runtime, fake_slack, MEMBER)
    ts = fake_slack.post_user_message(channel, MEMBER, text)
    event = {"type": "message", "channel": channel, "user": MEMBER, "text": text, "ts": ts, "channel_type": "im"}
    assert sender.event(event, event_id=event_id, **envelope).status == 200
    return channel, ts, event


def confirmations(fake_slack, channel: str, ts: str) -> int:
    """Count the bot's answers in the thread of the person's DM message `ts`."""
    return sum(1 for m in fake_slack.messages(channel) if m.get("bot_id") and m.get("thread_ts") == ts)


def shared_copies(fake_slack, prompt: str) -> list[str]:
    """Return what the copies shared in the prompt's thread show."""
    return [
        m.get("text", "") + json.dumps(m.get("blocks", []))
        for m in fake_slack.thread(MARKETING, prompt)
        if m["ts"] != prompt
    ]


def shows_only_b(fake_slack, prompt: str) -> bool:
    """Say whether the prompt's thread shows answer B, once, and nothing of answer A."""
    copies = shared_copies(fake_slack, prompt)
    return sum("Launched the spring campaign" in c for c in copies) == 1 and not any("Drafted" in c for c in copies)


def after_lease() -> object:
    return utcnow() + LEASE + timedelta(seconds=1)


def fail_done_once(monkeypatch: pytest.MonkeyPatch, queue: JobQueue) -> None:
    """Make the queue's next done() fail, as when the database restarts right after a job's work committed."""
    done = queue.done
    calls = []

    def failing(job_id: int) -> None:
        calls.append(job_id)
        if len(calls) == 1:
            raise OperationalError("DELETE FROM jobs", {}, Exception("server closed the connection unexpectedly"))
        done(job_id)

    monkeypatch.setattr(queue, "done", failing)


# --- a crash never brings back an older answer ------------------------------------------------------


def test_a_dm_answer_whose_worker_was_killed_never_replaces_the_answer_sent_after_it(web, runtime, fake_slack, prompt):
    worker = create_worker(runtime)
    channel, a, _ = send_dm(web, runtime, fake_slack, "Drafted the spring campaign brief", "Ev0ORDA01")
    assert runtime.queue.take() is not None  # its worker is killed (kill -9) inside the job
    _, b, _ = send_dm(web, runtime, fake_slack, "Launched the spring campaign", "Ev0ORDB01")
    worker.drain()
    assert stored(runtime) == ["Launched the spring campaign"] and confirmations(fake_slack, channel, b) == 1

    assert worker.run_one(now=after_lease()) is True  # A's lease ends: its job is done again

    assert stored(runtime) == ["Launched the spring campaign"]
    assert confirmations(fake_slack, channel, a) == 0 and confirmations(fake_slack, channel, b) == 1
    assert shows_only_b(fake_slack, prompt)
    assert jobs(runtime) == []  # the stale job finished, without effect


def test_slacks_retry_of_an_older_dm_acked_after_a_newer_one_changes_nothing(web, runtime, fake_slack, prompt):
    worker = create_worker(runtime)
    sent = int(utcnow().timestamp())
    # A was sent first; the process that acked it died before its job was stored, so Slack retries it later.
    channel, a, event_a = send_dm(
        web, runtime, fake_slack, "Drafted the spring campaign brief", "Ev0ORDA02", event_time=sent - 5
    )
    assert runtime.queue.take() is not None
    _, b, _ = send_dm(web, runtime, fake_slack, "Launched the spring campaign", "Ev0ORDB02", event_time=sent)
    worker.drain()
    assert web.event(event_a, event_id="Ev0ORDA02", event_time=sent - 5, retry_num=1).status == 200

    worker.drain()  # the retry, acked after B
    assert worker.run_one(now=after_lease()) is True  # and the job of the first delivery

    assert stored(runtime) == ["Launched the spring campaign"]
    assert confirmations(fake_slack, channel, a) == 0 and confirmations(fake_slack, channel, b) == 1


def test_a_thread_reply_whose_worker_was_killed_never_replaces_the_next_one(web, runtime, fake_slack, prompt):
    worker = create_worker(runtime)

    def reply(text: str, event_id: str) -> None:
        ts = fake_slack.post_user_message(MARKETING, MEMBER, text, thread_ts=prompt)
        assert (
            web.event(
                {
                    "type": "message",
                    "channel": MARKETING,
                    "user": MEMBER,
                    "text": text,
                    "ts": ts,
                    "thread_ts": prompt,
                    "channel_type": "channel",
                },
                event_id=event_id,
            ).status
            == 200
        )

    reply("Drafted the spring campaign brief", "Ev0ORDA06")
    assert runtime.queue.take() is not None
    reply("Launched the spring campaign", "Ev0ORDB06")
    worker.drain()
    assert len(fake_slack.ephemerals(MARKETING, MEMBER)) == 1

    assert worker.run_one(now=after_lease()) is True

    assert stored(runtime) == ["Launched the spring campaign"]
    assert len(fake_slack.ephemerals(MARKETING, MEMBER)) == 1  # B's confirmation only


def test_a_checkin_command_whose_worker_was_killed_never_replaces_the_next_one(web, runtime, fake_slack, prompt):
    worker = create_worker(runtime)
    answered = len(fake_slack.responses())
    # Both in the same second, most likely: the ack order decides.
    assert (
        web.command("/checkin", "Drafted the spring campaign brief", user_id=MEMBER, channel_id=MARKETING).status == 200
    )
    assert runtime.queue.take() is not None
    assert web.command("/checkin", "Launched the spring campaign", user_id=MEMBER, channel_id=MARKETING).status == 200
    worker.drain()
    fake_slack.wait_for_responses(answered + 1)

    assert worker.run_one(now=after_lease()) is True

    assert stored(runtime) == ["Launched the spring campaign"]
    assert len(fake_slack.responses()) == answered + 1
    assert shows_only_b(fake_slack, prompt)


def test_a_command_slack_sent_earlier_but_acked_later_does_not_replace_the_newer_one(web, runtime, fake_slack, prompt):
    worker = create_worker(runtime)
    answered = len(fake_slack.responses())
    now = utcnow().timestamp()
    assert (
        web.command(
            "/checkin", "Launched the spring campaign", user_id=MEMBER, channel_id=MARKETING, timestamp=now
        ).status
        == 200
    )
    # Slack's timestamp of a request is kept with its job: the worker orders by it, not by the ack.
    assert (
        web.command(
            "/checkin", "Drafted the spring campaign brief", user_id=MEMBER, channel_id=MARKETING, timestamp=now - 30
        ).status
        == 200
    )

    worker.drain()

    assert stored(runtime) == ["Launched the spring campaign"]
    assert len(fake_slack.wait_for_responses(answered + 1)) == answered + 1
    assert shows_only_b(fake_slack, prompt)


def test_a_button_answer_whose_worker_was_killed_never_replaces_the_next_one(
    web, runtime, fake_slack, prompt, sales_channel
):
    web.command("/alignment", "team sales", user_id="U0ADMIN1", channel_id=sales_channel)
    worker = create_worker(runtime)
    worker.drain()
    with runtime.services.sessions.begin() as session:
        sales = session.scalar(select(Team).where(Team.name == "sales"))
        session.add(TeamMember(workspace_id=sales.workspace_id, team_id=sales.id, user_id=MEMBER))

    def answer_for_sales(text: str, event_id: str) -> tuple[str, str]:
        """DM an update, then press "sales" on the question which team it is for; return (channel, ts)."""
        channel, ts, _ = send_dm(web, runtime, fake_slack, text, event_id)
        worker.drain()
        question = [m for m in fake_slack.messages(channel) if m.get("bot_id") and m.get("thread_ts") == ts][-1]
        button = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]][1]
        assert (
            web.block_action(
                button["action_id"], button["value"], user_id=MEMBER, channel_id=channel, message=question
            ).status
            == 200
        )
        return channel, ts

    answered = len(fake_slack.responses())
    answer_for_sales("Drafted the pricing deck", "Ev0ORDA03")
    assert runtime.queue.take() is not None  # the button's job: its worker is killed
    answer_for_sales("Shipped the pricing deck", "Ev0ORDB03")
    worker.drain()
    fake_slack.wait_for_responses(answered + 1)

    assert worker.run_one(now=after_lease()) is True

    assert stored(runtime) == ["Shipped the pricing deck"]
    assert len(fake_slack.responses()) == answered + 1


# --- a finished job stays finished ---------------------------------------------------------------


def test_a_finished_dm_answer_whose_done_failed_is_not_done_again_after_a_newer_one(
    web, runtime, fake_slack, prompt, monkeypatch
):
    worker = create_worker(runtime)
    fail_done_once(monkeypatch, runtime.queue)
    channel, a, _ = send_dm(web, runtime, fake_slack, "Drafted the spring campaign brief", "Ev0ORDA04")
    with pytest.raises(OperationalError):
        worker.run_one()  # A is stored and confirmed; the database restarts before its job is forgotten
    assert confirmations(fake_slack, channel, a) == 1
    _, b, _ = send_dm(web, runtime, fake_slack, "Launched the spring campaign", "Ev0ORDB04")
    worker.drain()
    updates = len(fake_slack.calls_to("chat.update"))

    assert worker.run_one(now=after_lease()) is True  # A's job, again

    assert stored(runtime) == ["Launched the spring campaign"]
    assert confirmations(fake_slack, channel, a) == 1 and confirmations(fake_slack, channel, b) == 1
    assert len(fake_slack.calls_to("chat.update")) == updates  # the shared copy still shows B
    assert shows_only_b(fake_slack, prompt)
    assert jobs(runtime) == []


def test_a_finished_checkin_whose_done_failed_is_not_confirmed_or_shared_twice(
    web, runtime, fake_slack, prompt, monkeypatch
):
    worker = create_worker(runtime)
    fail_done_once(monkeypatch, runtime.queue)
    answered = len(fake_slack.responses())
    assert web.command("/checkin", "Launched the spring campaign", user_id=MEMBER, channel_id=MARKETING).status == 200
    with pytest.raises(OperationalError):
        worker.run_one()
    fake_slack.wait_for_responses(answered + 1)
    posts, edits = len(fake_slack.calls_to("chat.postMessage")), len(fake_slack.calls_to("chat.update"))

    assert worker.run_one(now=after_lease()) is True

    assert stored(runtime) == ["Launched the spring campaign"]
    assert len(fake_slack.responses()) == answered + 1
    assert len(fake_slack.calls_to("chat.postMessage")) == posts and len(fake_slack.calls_to("chat.update")) == edits
    assert len(shared_copies(fake_slack, prompt)) == 1
    assert jobs(runtime) == []


def test_an_answer_whose_confirmation_failed_is_confirmed_when_its_job_is_tried_again(web, runtime, fake_slack):
    assert web.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING).status == 200
    worker = create_worker(runtime)
    worker.drain()
    fake_slack.fail("chat.postMessage", error="fatal_error", times=1)
    channel, ts, _ = send_dm(web, runtime, fake_slack, "Launched the spring campaign", "Ev0ORDA05")
    worker.drain()  # stored, but Slack refused the confirmation: the job waits for its back-off
    assert stored(runtime) == ["Launched the spring campaign"] and confirmations(fake_slack, channel, ts) == 0

    assert worker.run_one(now=utcnow() + timedelta(seconds=BACKOFF_SECONDS[0] + 1)) is True

    assert stored(runtime) == ["Launched the spring campaign"] and confirmations(fake_slack, channel, ts) == 1
    assert jobs(runtime) == []


# --- an event that reaches two processes is handled once ----------------------------------------------


def test_a_dm_delivered_to_two_processes_is_stored_and_confirmed_once(web, other, runtime, fake_slack, prompt):
    second, there = other
    channel, ts, event = send_dm(web, runtime, fake_slack, "Launched the spring campaign", "Ev0TWICE01")
    assert there.event(event, event_id="Ev0TWICE01").status == 200
    assert len(jobs(runtime)) == 2  # each process acked it and stored its work

    create_worker(runtime).drain()
    create_worker(second).drain()

    assert stored(runtime) == ["Launched the spring campaign"]
    assert confirmations(fake_slack, channel, ts) == 1
    assert len(shared_copies(fake_slack, prompt)) == 1


def test_a_help_dm_delivered_to_two_processes_is_answered_once(web, other, runtime, fake_slack, prompt):
    second, there = other
    channel, _, event = send_dm(web, runtime, fake_slack, "help", "Ev0TWICE03")
    assert there.event(event, event_id="Ev0TWICE03").status == 200
    before = [m for m in fake_slack.messages(channel) if m.get("bot_id")]

    create_worker(runtime).drain()
    create_worker(second).drain()

    [helped] = [m for m in fake_slack.messages(channel) if m.get("bot_id") and m not in before]
    assert "/checkin" in helped["text"] + json.dumps(helped.get("blocks", []))


def test_app_home_opened_delivered_to_two_processes_at_once_is_published_once(web, other, runtime, fake_slack, prompt):
    second, there = other
    event = {"type": "app_home_opened", "user": MEMBER, "channel": "D0HOME01", "tab": "home"}
    assert web.event(event, event_id="Ev0TWICE02").status == 200
    assert there.event(event, event_id="Ev0TWICE02").status == 200
    assert len(jobs(runtime)) == 2
    published = len(fake_slack.calls_to("views.publish"))
    fake_slack.delay("views.publish", 1.5, times=2)  # both workers are inside the job at the same time

    workers = [threading.Thread(target=create_worker(r).drain) for r in (runtime, second)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert len(fake_slack.calls_to("views.publish")) == published + 1
    assert jobs(runtime) == []
