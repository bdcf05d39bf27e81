"""Token buckets and the shared pool of senders (pure: a clock of our own, no Slack)."""

from __future__ import annotations

import threading
from collections import defaultdict

from bot.pacing import PacedPool, Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_workspace_bucket_allows_its_burst_then_one_post_per_interval() -> None:
    clock = Clock()
    pacer = Pacer(2.0, clock=clock)  # 2 a second: bursts of 2
    keys = pacer.keys("T1", "C1")[:1]
    assert pacer.try_take(keys) == 0
    # The burst's last token waits a tenth of a second: posts may reach Slack that much early.
    wait = pacer.try_take(keys)
    assert 0 < wait <= 0.11
    clock.now += wait
    assert pacer.try_take(keys) == 0
    wait = pacer.try_take(keys)
    assert wait > 0.5  # a little over 1/rate: the pacer keeps under Slack's figure
    clock.now += wait
    assert pacer.try_take(keys) == 0
    assert pacer.try_take(pacer.keys("T2", None)) == 0  # another workspace has its own bucket


def test_a_conversation_gets_about_one_post_a_second() -> None:
    clock = Clock()
    pacer = Pacer(100.0, clock=clock)
    keys = pacer.keys("T1", "C1")
    taken = 0
    while (wait := pacer.try_take(keys)) <= 0.11:  # Slack's short burst, a tenth of a second kept in hand
        clock.now += wait
        taken += wait == 0
    assert taken == 3 and wait > 0.8
    assert pacer.try_take(pacer.keys("T1", "C2")) == 0  # the workspace still has tokens


def test_a_429_empties_the_buckets_for_its_retry_after() -> None:
    clock = Clock()
    pacer = Pacer(10.0, clock=clock)
    keys = pacer.keys("T1", None)
    pacer.hold(keys, 3.0)
    assert 2.9 < pacer.try_take(keys) <= 3.0
    clock.now += 3.0
    assert pacer.try_take(keys) == 0


def test_a_reserved_token_is_kept_for_its_ticket_and_freed_when_unused() -> None:
    clock = Clock()
    pacer = Pacer(1.0, clock=clock)  # one token
    keys = pacer.keys("T1", None)
    assert pacer.try_reserve(keys) == 0
    assert pacer.try_take(keys) > 0  # set aside for the ticket
    with pacer.ticket(keys):
        pass  # the job posted nothing (sent before, say)
    assert pacer.try_take(keys) == 0
    assert pacer.try_reserve(keys) > 0


def test_a_post_waits_for_a_token_at_most_max_wait_then_goes_on_credit() -> None:
    pacer = Pacer(0.001)  # one post in 1,000 seconds
    keys = pacer.keys("T1", None)
    pacer.acquire(keys)
    pacer.acquire(keys, max_wait=0.05)  # returns: a send must end within its claim's lease
    assert pacer.try_take(keys) > 1000  # the token taken on credit is owed


def test_the_pool_runs_many_groups_on_few_threads_each_job_once() -> None:
    pool = PacedPool(Pacer(1000.0), threads=4, name="test-send")
    ran: dict[int, list[int]] = defaultdict(list)
    threads: set[str] = set()
    lock = threading.Lock()

    def job(group: int, n: int) -> int:
        with lock:
            ran[group].append(n)
            threads.add(threading.current_thread().name)
        return n

    for n in range(3):
        for group in range(200):
            pool.submit(group, (), lambda group=group, n=n: job(group, n))
    results = pool.results()

    assert len(results) == 600 and all(error is None for _, _, error in results)
    # Taken in order; two threads may start a group's neighbouring jobs a moment apart in either order.
    assert all(sorted(ran[group]) == [0, 1, 2] for group in range(200))
    assert 1 <= len(threads) <= 4


def test_a_failing_job_is_reported_with_its_group_and_stops_no_other() -> None:
    pool = PacedPool(Pacer(1000.0), threads=2)

    def boom() -> None:
        raise RuntimeError("boom")

    pool.submit("T1", (), boom)
    pool.submit("T2", (), lambda: "sent")
    results = {group: (result, error) for group, result, error in pool.results()}
    assert isinstance(results["T1"][1], RuntimeError)
    assert results["T2"] == ("sent", None)
