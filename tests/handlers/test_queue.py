"""The durable queue: work is stored before the ack, done by a worker, redone after a crash, retried when it fails."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_bolt.request import BoltRequest
from sqlalchemy import select

from bot.app import create_app, create_runtime, create_worker
from bot.fakeslack import SlackSender
from bot.jobs import BACKOFF_SECONDS, LEASE, MAX_ATTEMPTS, Pacer, Traffic, Wake
from bot.server import create_wsgi_app, serve_in_thread
from storage.models import Job, Update, utcnow
from tests.conftest import SIGNING_SECRET
from tests.handlers.test_direct_messages import dm_channel

MARKETING = "C0MKTG01"


@pytest.fixture
def web_only(runtime, fake_slack) -> Iterator[SlackSender]:
    """Serve the web app with no worker in this process; return a sender of signed requests into it."""
    url, stop = serve_in_thread(create_wsgi_app(runtime, create_app(runtime, worker_threads=0)))
    yield SlackSender(
        f"{url}/slack/events", SIGNING_SECRET, team_id=fake_slack.team_id, response_urls=fake_slack.response_url
    )
    stop()


@pytest.fixture
def new_process(settings, engine):
    """Return a runtime of its own, as a worker process started later would have."""
    runtime = create_runtime(settings, upgrade_db=False)
    yield runtime
    runtime.close()


def jobs(runtime) -> list[Job]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def updates(runtime) -> list[Update]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Update).order_by(Update.id)))


def test_a_checkin_is_acked_stored_as_a_job_and_answered_once_the_worker_ran_it(web_only, runtime, fake_slack):
    worker = create_worker(runtime)
    assert web_only.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING).status == 200
    worker.drain()

    response = web_only.command(
        "/checkin", "Booked 6 discovery calls with new prospects", user_id="U0MEMB01", channel_id=MARKETING
    )

    assert response.status == 200 and response.body == ""
    [job] = jobs(runtime)
    assert job.function == "command_checkin" and job.slack_team_id == fake_slack.team_id
    assert updates(runtime) == []
    answered = len(fake_slack.responses())

    worker.drain()

    assert jobs(runtime) == []
    [update] = updates(runtime)
    assert update.text == "Booked 6 discovery calls with new prospects" and update.author_user_id == "U0MEMB01"
    [answer] = [r["body"] for r in fake_slack.wait_for_responses(answered + 1)[answered:]]
    assert answer["response_type"] == "ephemeral" and "Your marketing update" in answer["text"]


def test_a_socket_mode_command_is_stored_with_its_text_and_done_by_the_worker(runtime, fake_slack):
    # Socket Mode hands Bolt an object and no raw body: the job must still carry the command.
    app = create_app(runtime, worker_threads=0)
    worker = create_worker(runtime)

    def command(command: str, text: str, user: str) -> int:
        body = {
            "team_id": fake_slack.team_id,
            "channel_id": MARKETING,
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": fake_slack.response_url(MARKETING),
            "trigger_id": "1.2.socket",
        }
        return app.dispatch(BoltRequest(body=body, mode="socket_mode")).status

    assert command("/alignment", "team marketing", "U0ADMIN1") == 200
    worker.drain()
    assert command("/checkin", "Booked 6 discovery calls over socket mode", "U0MEMB01") == 200
    worker.drain()

    assert jobs(runtime) == []
    assert [u.text for u in updates(runtime)] == ["Booked 6 discovery calls over socket mode"]


def test_help_and_usage_are_answered_in_the_ack_and_queue_nothing(web_only, runtime):
    help_ = web_only.command("/checkin", "help", user_id="U0MEMB01", channel_id=MARKETING)
    usage = web_only.command("/alignment", "frobnicate", user_id="U0ADMIN1", channel_id=MARKETING)

    assert "/checkin" in help_.json()["text"] and "frobnicate" in usage.json()["text"]
    assert jobs(runtime) == []


def test_work_acked_by_a_process_that_died_is_done_by_a_worker_started_later(
    web_only, runtime, new_process, fake_slack
):
    web_only.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING)
    create_worker(runtime).drain()
    assert (
        web_only.command("/checkin", "Closed the Acme renewal", user_id="U0MEMB01", channel_id=MARKETING).status == 200
    )
    answered = len(fake_slack.responses())

    create_worker(new_process).drain()
    create_worker(new_process).drain()  # nothing left to do twice

    assert [u.text for u in updates(runtime)] == ["Closed the Acme renewal"]
    assert len(fake_slack.wait_for_responses(answered + 1)) == answered + 1
    assert jobs(runtime) == []


def test_a_job_whose_worker_died_is_taken_again_once_its_lease_ends(web_only, runtime, new_process, fake_slack):
    worker = create_worker(new_process)
    web_only.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING)
    worker.drain()
    web_only.command("/checkin", "Shipped the onboarding emails", user_id="U0MEMB01", channel_id=MARKETING)
    taken = runtime.queue.take()  # a worker took it, then its process died
    assert taken is not None and taken.attempts == 1

    assert worker.run_one() is False  # still under lease
    assert worker.run_one(now=utcnow() + LEASE + timedelta(seconds=1)) is True

    assert [u.text for u in updates(runtime)] == ["Shipped the onboarding emails"]
    assert jobs(runtime) == []


def test_a_failing_job_is_tried_again_later_and_not_lost(web_only, runtime, fake_slack):
    worker = create_worker(runtime)
    channel = dm_channel(runtime, fake_slack, "U0MEMB01")
    fake_slack.fail("chat.postMessage", error="fatal_error", times=1)
    ts = fake_slack.post_user_message(channel, "U0MEMB01", "help")
    assert (
        web_only.event(
            {"type": "message", "channel": channel, "user": "U0MEMB01", "text": "help", "ts": ts, "channel_type": "im"},
            event_id="Ev0QUEUE01",
        ).status
        == 200
    )

    worker.drain()  # the first attempt fails: the job waits for its back-off

    [job] = jobs(runtime)
    assert job.attempts == 1 and job.due_at > utcnow()
    assert not [m for m in fake_slack.messages(channel) if m.get("bot_id")]

    assert worker.run_one(now=utcnow() + timedelta(seconds=BACKOFF_SECONDS[0] + 1)) is True

    assert jobs(runtime) == []
    [helped] = [m for m in fake_slack.messages(channel) if m.get("bot_id")]
    assert "update" in helped["text"].lower() or helped.get("blocks")


def test_a_job_that_keeps_failing_is_given_up_after_the_last_attempt(web_only, runtime, fake_slack, caplog):
    worker = create_worker(runtime)
    channel = dm_channel(runtime, fake_slack, "U0MEMB01")
    fake_slack.fail("chat.postMessage", error="fatal_error", times=None)
    ts = fake_slack.post_user_message(channel, "U0MEMB01", "help")
    web_only.event(
        {"type": "message", "channel": channel, "user": "U0MEMB01", "text": "help", "ts": ts, "channel_type": "im"},
        event_id="Ev0QUEUE02",
    )

    later = utcnow()
    for _ in range(MAX_ATTEMPTS):
        later += timedelta(seconds=max(BACKOFF_SECONDS) + 1)
        assert worker.run_one(now=later) is True
    assert worker.run_one(now=later + timedelta(days=1)) is False

    assert jobs(runtime) == []
    assert sum("failed with SlackApiError" in r.getMessage() for r in caplog.records) == MAX_ATTEMPTS - 1
    assert sum("unhandled error in event_callback listener" in r.getMessage() for r in caplog.records) == 1


def wait_until(condition, timeout: float = 15.0) -> bool:
    """Poll `condition` until true or `timeout` seconds passed (a deadline for a slow machine, not a speed figure)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def marketing_team(web_only, runtime):
    web_only.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING)
    create_worker(runtime).drain()


def test_an_in_process_worker_lets_the_requests_in_flight_go_first_then_does_the_job(
    web_only, runtime, fake_slack, marketing_team
):
    traffic = Traffic()
    worker = create_worker(runtime)
    worker.pacer.yield_to(traffic, hold_back=60)
    worker.start()
    traffic.enter()  # a request this process is still answering
    answered = len(fake_slack.responses())

    assert (
        web_only.command("/checkin", "Booked 6 discovery calls", user_id="U0MEMB01", channel_id=MARKETING).status == 200
    )
    time.sleep(0.5)

    assert len(jobs(runtime)) == 1 and updates(runtime) == []  # held back while the request is in flight
    traffic.leave()
    assert wait_until(lambda: not jobs(runtime))
    assert [u.text for u in updates(runtime)] == ["Booked 6 discovery calls"]
    [answer] = [r["body"] for r in fake_slack.wait_for_responses(answered + 1)[answered:]]
    assert "Your marketing update" in answer["text"]


def test_a_form_is_opened_at_once_even_while_requests_are_in_flight(web_only, runtime, fake_slack, marketing_team):
    traffic = Traffic()
    worker = create_worker(runtime)
    worker.pacer.yield_to(traffic, hold_back=60)
    worker.start()
    traffic.enter()  # a request this process is still answering

    assert web_only.command("/checkin", "", user_id="U0MEMB01", channel_id=MARKETING).status == 200

    # Not held back: Slack's trigger would be gone long before the request in flight ended.
    [opened] = fake_slack.wait_for("views.open")
    assert opened.args["trigger_id"]
    assert wait_until(lambda: not jobs(runtime))  # the job is done with the request still in flight
    traffic.leave()


def test_a_job_is_still_done_within_the_bound_while_requests_keep_arriving(
    web_only, runtime, fake_slack, marketing_team
):
    traffic = Traffic()
    worker = create_worker(runtime, threads=2)
    worker.pacer.yield_to(traffic, hold_back=0.2)
    worker.start()
    traffic.enter()  # never quiet: requests keep arriving
    answered = len(fake_slack.responses())

    for n in range(3):
        assert (
            web_only.command("/checkin", f"Shipped release {n}", user_id=f"U0MEMB0{n + 1}", channel_id=MARKETING).status
            == 200
        )

    assert wait_until(lambda: not jobs(runtime))
    assert sorted(u.text for u in updates(runtime)) == ["Shipped release 0", "Shipped release 1", "Shipped release 2"]
    assert len(fake_slack.wait_for_responses(answered + 3)) == answered + 3
    time.sleep(0.3)
    assert len(fake_slack.responses()) == answered + 3  # each answered once
    traffic.leave()


def test_served_requests_are_counted_and_the_in_process_worker_answers_after_them(app_url, runtime, fake_slack):
    from bot.fakeslack import SlackSender

    sender = SlackSender(
        f"{app_url}/slack/events", SIGNING_SECRET, team_id=fake_slack.team_id, response_urls=fake_slack.response_url
    )
    sender.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING)
    assert wait_until(lambda: not jobs(runtime))
    answered = len(fake_slack.responses())

    senders = [
        threading.Thread(
            target=sender.command,
            args=("/checkin", f"Update {n}"),
            kwargs={"user_id": f"U0MEMB{n:02d}", "channel_id": MARKETING},
        )
        for n in range(8)
    ]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()

    assert wait_until(lambda: not jobs(runtime))
    assert sorted(u.text for u in updates(runtime)) == sorted(f"Update {n}" for n in range(8))
    assert len(fake_slack.wait_for_responses(answered + 8)) == answered + 8


def test_one_enqueue_sends_one_waiting_thread_to_work_and_a_wake_before_the_wait_is_not_lost():
    wake = Wake()
    woken: list[bool] = []
    waiters = [threading.Thread(target=lambda: woken.append(wake.wait(1.0))) for _ in range(2)]
    for thread in waiters:
        thread.start()
    time.sleep(0.2)
    wake.set()
    for thread in waiters:
        thread.join()

    assert sorted(woken) == [False, True]
    wake.set()
    assert wake.wait(0) is True and wake.wait(0) is False


def test_waking_all_wakes_every_waiting_thread_at_once():
    wake = Wake()
    woken: list[float] = []
    waiters = [threading.Thread(target=lambda: woken.append(wake.wait(30.0) and time.monotonic())) for _ in range(3)]
    for thread in waiters:
        thread.start()
    time.sleep(0.2)
    wake.wake_all()
    for thread in waiters:
        thread.join(timeout=10)

    # None waits out its 30 s: stopping a worker does not wait a poll per thread.
    assert len(woken) == 3 and all(woken)


def test_a_held_back_worker_thread_goes_on_for_a_form_stored_here_and_not_for_other_work():
    pacer, traffic, stopping = Pacer(), Traffic(), threading.Event()
    pacer.yield_to(traffic, hold_back=60)
    traffic.enter()  # a request this process is still answering
    went = threading.Event()
    thread = threading.Thread(target=lambda: pacer.let_acks_go_first(stopping) and went.set())
    thread.start()

    pacer.stored()
    assert not went.wait(0.3)  # other work waits for quiet
    pacer.stored(form=True)
    assert went.wait(5)
    thread.join()
    traffic.leave()


def test_a_form_to_open_goes_ahead_of_the_work_queued_before_it(web_only, runtime, fake_slack):
    worker = create_worker(runtime)
    assert web_only.command("/alignment", "team marketing", user_id="U0ADMIN1", channel_id=MARKETING).status == 200
    worker.drain()
    for n in range(3):
        web_only.command("/checkin", f"Booked {n + 2} discovery calls", user_id=f"U0MEMB0{n + 2}", channel_id=MARKETING)
    web_only.command("/checkin", "", user_id="U0MEMB01", channel_id=MARKETING)  # alone: opens the form

    queued_ = jobs(runtime)
    assert [job.function for job in queued_] == ["command_checkin"] * 4
    # Slack's trigger lasts 3 s from the click: the form's job is the one a worker takes next.
    taken = runtime.queue.take()
    assert taken is not None and taken.id == queued_[-1].id

    runtime.queue.later(taken.id, timedelta(0))
    worker.drain()
    [opened] = fake_slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] and len(updates(runtime)) == 3
