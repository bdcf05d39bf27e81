"""SQLite transactions of one process wait in line: the lock goes to waiters in the order they asked."""

from __future__ import annotations

import threading
import time

from storage.db import FairLock


def test_the_lock_goes_to_the_waiters_in_the_order_they_asked():
    lock = FairLock()
    assert lock.acquire(1.0)
    order: list[int] = []

    def wait_then_hold(n: int) -> None:
        assert lock.acquire(5.0)
        order.append(n)
        lock.release()

    threads = []
    for n in range(3):
        threads.append(threading.Thread(target=wait_then_hold, args=(n,)))
        threads[-1].start()
        while len(lock._waiters) < n + 1:  # each in line before the next asks
            time.sleep(0.001)
    lock.release()
    assert lock.acquire(5.0)  # asked last, so served last
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2]


def test_a_waiter_that_gives_up_leaves_the_line():
    lock = FairLock()
    assert lock.acquire(1.0)
    assert lock.acquire(0.01) is False
    lock.release()
    assert lock.acquire(0.01) is True
