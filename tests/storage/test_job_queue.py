"""The job queue's bookkeeping: one statement per step, no BEGIN, and no job missed or taken twice."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from bot.jobs import JobQueue
from storage.models import Job, utcnow
from storage.statements import StatementCounter


def stored(engine) -> list[tuple[int, int]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(Job.id, Job.attempts).order_by(Job.id))]


def test_a_job_stored_taken_and_finished_here_costs_three_statements_and_no_begin(engine):
    queue = JobQueue(engine)
    counted = StatementCounter(engine)

    queue.put("command_checkin", "application/json", "{}", "T0TEAM01")
    taken = queue.take(known_due=True)  # as by the worker thread the store woke
    assert queue.done(taken.id) is False  # the finish saw no other job due: nothing to look for

    assert counted.queue_statements == 3
    assert (taken.function, taken.body, taken.attempts) == ("command_checkin", "{}", 1)
    assert stored(engine) == []


def test_a_job_stored_by_another_process_is_looked_for_then_taken_once(engine):
    web, worker = JobQueue(engine), JobQueue(engine)
    web.put("command_checkin", "application/json", "{}")

    counted = StatementCounter(engine)
    taken = worker.take()
    assert taken is not None and worker.take(utcnow() + timedelta(seconds=1)) is None  # leased
    # On SQLite a read first (the claim would take the write lock); on PostgreSQL the claim alone.
    assert counted.queue_statements == (2 if engine.dialect.name == "sqlite" else 1) + 1
    assert stored(engine) == [(taken.id, 1)]
    assert worker.take(utcnow() + timedelta(minutes=5)).id == taken.id  # the lease ended: taken again


def test_a_finish_that_sees_another_job_due_lets_the_next_take_claim_it(engine):
    queue, other = JobQueue(engine), JobQueue(engine)
    queue.put("first", "application/json", "{}")
    first = queue.take()
    other.put("second", "application/json", "{}")  # stored by another process: this one was not told

    assert queue.done(first.id) is True
    counted = StatementCounter(engine)
    second = queue.take(known_due=True)

    assert second is not None and second.function == "second"
    assert counted.queue_statements == 1  # claimed without a look
    assert queue.done(second.id) is False
    assert stored(engine) == []


def test_a_job_taken_by_another_process_is_not_taken_here_and_a_later_one_is(engine):
    here, elsewhere = JobQueue(engine), JobQueue(engine)
    here.put("mine", "application/json", "{}")
    assert elsewhere.take().function == "mine"

    assert here.take() is None  # its claim found nothing
    later = JobQueue(engine)
    later.put("another", "application/json", "{}")
    assert here.take().function == "another"


def test_a_job_made_due_later_is_taken_again_after_its_delay(engine):
    queue = JobQueue(engine)
    queue.put("retry", "application/json", "{}")
    taken = queue.take()
    queue.later(taken.id, timedelta(seconds=30))

    assert queue.take() is None
    again = queue.take(utcnow() + timedelta(seconds=31))
    assert again.id == taken.id and again.attempts == 2


def test_many_jobs_and_threads_take_every_job_once(engine):
    queue = JobQueue(engine)
    taken: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            job = queue.take()
            if job is None:
                stop.wait(0.01)
                continue
            with lock:
                taken.append(job.function)
            queue.done(job.id)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for n in range(60):
        (queue if n % 2 else JobQueue(engine)).put(f"job{n}", "application/json", "{}")
    deadline = utcnow() + timedelta(seconds=20)
    while len(taken) < 60 and utcnow() < deadline:
        threading.Event().wait(0.01)
    stop.set()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(f"job{n}" for n in range(60))
    assert stored(engine) == []


def test_on_sqlite_storing_a_job_waits_its_turn_behind_a_transaction_of_this_process(engine):
    import pytest

    if engine.dialect.name != "sqlite":
        pytest.skip("the in-process turn is SQLite's")
    queue = JobQueue(engine)
    stored_it = threading.Event()
    with engine.begin() as connection:
        connection.execute(select(Job.id))  # holds the turn and the write lock (BEGIN IMMEDIATE)
        thread = threading.Thread(target=lambda: (queue.put("waits", "application/json", "{}"), stored_it.set()))
        thread.start()
        assert not stored_it.wait(0.2)
    assert stored_it.wait(5)
    thread.join()
    assert [job[1] for job in stored(engine)] == [0]
