"""Client-side pacing: token buckets per workspace and per conversation, and senders that wait their turn.

Slack lets an app post about one message a second to a conversation and a few
hundred a minute to a workspace, and answers 429 with Retry-After above that.
Waiting for a token before each post keeps under those limits instead of
collecting 429s and retrying in lockstep. `PacedPool` runs many workspaces'
sends on a fixed number of threads, always picking a workspace whose bucket has
a token, so a thousand workspaces need no more threads than one.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

# Slack's chat.postMessage allows about one message a second per conversation, with short bursts.
CHANNEL_RATE = 1.0
CHANNEL_BURST = 3.0
# Share of a limit's rate the pacer uses, and how early a post may reach Slack unharmed (see _under).
RATE_HEADROOM = 0.97
JITTER = 0.1
# Longest a post waits for a token outside a PacedPool (deliveries' lease is 3 minutes).
MAX_WAIT = 30.0
# Buckets kept before the full ones (idle long enough to have refilled) are dropped.
PRUNE_AT = 20_000

Keys = tuple[str, ...]


class Pacer:
    """Token buckets for posting: one per workspace (`rate` a second) and one per conversation.

    A bucket holds up to `burst` tokens (default: one second's worth, at least one) and
    refills continuously, both kept a little under Slack's figures (see `_under`).
    Thread-safe; one per process.
    """

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        channel_rate: float = CHANNEL_RATE,
        channel_burst: float = CHANNEL_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._limits = {
            "w": _under(rate, burst if burst is not None else rate),
            "c": _under(channel_rate, channel_burst),
        }
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, list[float]] = {}  # key -> [tokens, updated, reserved]
        self._tickets = threading.local()

    @staticmethod
    def keys(workspace: str, channel: str | None) -> Keys:
        """Return the buckets a post by `workspace` to `channel` draws from."""
        return (f"w:{workspace}",) + ((f"c:{workspace}:{channel}",) if channel else ())

    def try_take(self, keys: Keys) -> float:
        """Take a token from every bucket and return 0, or take none and return the seconds to wait."""
        return self._try(keys, reserve=False)

    def try_reserve(self, keys: Keys) -> float:
        """Set a token of every bucket aside for `ticket(keys)` and return 0, or return the seconds to wait.

        A reserved token is taken only when the post goes, so the bucket counts the post
        when Slack sees it, not while it waits on the database first.
        """
        return self._try(keys, reserve=True)

    def acquire(self, keys: Keys, *, max_wait: float = MAX_WAIT) -> None:
        """Block until a token of every bucket is taken; a ticket this thread holds for `keys` is used first.

        After `max_wait` seconds the token is taken on credit: a send must end well within
        its delivery claim's lease, and Slack's 429 (waited out by the caller) still guards the limit.
        """
        tickets = getattr(self._tickets, "held", None)
        if tickets and keys in tickets:
            tickets.remove(keys)
            # The token set aside is free again and taken just below, unless a 429's hold came since.
            with self._lock:
                for key in keys:
                    self._buckets[key][2] -= 1
        deadline = time.monotonic() + max_wait
        while (wait := self.try_take(keys)) > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                with self._lock:
                    for key in keys:
                        self._buckets[key][0] -= 1
                return
            time.sleep(min(wait, left))

    def hold(self, keys: Keys, seconds: float) -> None:
        """Have no token in these buckets for `seconds` (Slack answered 429 with that Retry-After)."""
        with self._lock:
            now = self._clock()
            for key in keys:
                self._refill(key, now)
                rate, _, need = self._limits[key[0]]
                bucket = self._buckets[key]
                bucket[0] = min(bucket[0], bucket[2] + need - seconds * rate)

    @contextlib.contextmanager
    def ticket(self, keys: Keys) -> Iterator[None]:
        """Let this thread's next `acquire(keys)` take the token `try_reserve(keys)` set aside; free it if unused."""
        held = getattr(self._tickets, "held", None)
        if held is None:
            held = self._tickets.held = []
        held.append(keys)
        try:
            yield
        finally:
            if keys in held:
                held.remove(keys)
                with self._lock:
                    for key in keys:
                        self._buckets[key][2] -= 1

    def _try(self, keys: Keys, *, reserve: bool) -> float:
        with self._lock:
            now = self._clock()
            wait = max((self._refill(key, now) for key in keys), default=0.0)
            if wait > 1e-9:  # not a float's rounding
                return wait
            for key in keys:
                self._buckets[key][2 if reserve else 0] += 1 if reserve else -1
            return 0.0

    def _refill(self, key: str, now: float) -> float:
        """Bring a bucket up to date; return the seconds until it has a whole token not reserved (<= 0: has one)."""
        rate, burst, need = self._limits[key[0]]
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= PRUNE_AT:
                self._prune(now)
            bucket = self._buckets[key] = [burst, now, 0]
        bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
        bucket[1] = now
        return (need + bucket[2] - bucket[0]) / rate

    def _prune(self, now: float) -> None:
        # A bucket that would be full again carries no state worth keeping.
        for key, (tokens, updated, reserved) in list(self._buckets.items()):
            rate, burst, _ = self._limits[key[0]]
            if not reserved and tokens + (now - updated) * rate >= burst:
                del self._buckets[key]


def _under(rate: float, burst: float) -> tuple[float, float, float]:
    """Return (rate, burst, tokens needed to post) a little under a limit's, so posts reaching Slack early stay in it.

    Slack's bucket counts a post when it arrives, ours when it leaves, and the gap varies
    from post to post. Keeping JITTER seconds' worth of tokens in hand absorbs that much
    of it at the edge of a burst; a slower refill absorbs it in the long run.
    """
    burst = max(1.0, burst)
    return rate * RATE_HEADROOM, burst, min(burst, 1 + rate * JITTER)


class PacedPool:
    """Run jobs on at most `threads` threads, each when its buckets have a token, groups side by side.

    Jobs of one group (a workspace) are taken in the order given, though two of them may run at
    once on different threads; among groups the one whose next job can go soonest goes first.
    Before a job runs a token is set aside for it (see `Pacer.ticket`), so its own post does not wait.
    """

    def __init__(self, pacer: Pacer, threads: int, *, name: str = "paced-send") -> None:
        self._pacer = pacer
        self._threads = max(1, threads)
        self._name = name
        self._changed = threading.Condition()
        self._queues: dict[Any, deque[tuple[Keys, Callable[[], Any]]]] = {}
        self._ready: list[tuple[float, int, Any]] = []  # (when its head may go, order, group)
        self._scheduled: set[Any] = set()
        self._order = itertools.count()
        self._workers: list[threading.Thread] = []
        self._idle = 0
        self._closed = False
        self._results: list[tuple[Any, Any, BaseException | None]] = []

    def submit(self, group: Any, keys: Keys, job: Callable[[], Any]) -> None:
        """Queue `job` for `group`; it runs once a token of every bucket in `keys` is taken."""
        with self._changed:
            if self._closed:
                raise RuntimeError("the pool is closed")
            self._queues.setdefault(group, deque()).append((keys, job))
            if group not in self._scheduled:
                self._scheduled.add(group)
                heapq.heappush(self._ready, (0.0, next(self._order), group))
            if self._idle == 0 and len(self._workers) < self._threads:
                worker = threading.Thread(target=self._work, name=f"{self._name}-{len(self._workers)}", daemon=True)
                self._workers.append(worker)
                worker.start()
            self._changed.notify()

    def results(self) -> list[tuple[Any, Any, BaseException | None]]:
        """Wait for every job; return (group, result, error) of each, in the order they finished."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for worker in list(self._workers):
            worker.join()
        return list(self._results)

    def __enter__(self) -> PacedPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.results()

    def _next(self) -> tuple[Keys, Callable[[], Any], Any] | None:
        with self._changed:
            while True:
                if not self._ready:
                    if self._closed:
                        return None
                    self._idle += 1
                    self._changed.wait()
                    self._idle -= 1
                    continue
                when, _, group = self._ready[0]
                now = time.monotonic()
                if when > now:
                    self._idle += 1
                    self._changed.wait(when - now)
                    self._idle -= 1
                    continue
                heapq.heappop(self._ready)
                queue = self._queues[group]
                keys, job = queue[0]
                wait = self._pacer.try_reserve(keys)
                if wait > 0:
                    heapq.heappush(self._ready, (now + wait, next(self._order), group))
                    continue
                queue.popleft()
                if queue:
                    heapq.heappush(self._ready, (now, next(self._order), group))
                else:
                    del self._queues[group]
                    self._scheduled.discard(group)
                if self._ready:
                    self._changed.notify()  # another group may be ready for an idle thread
                return keys, job, group

    def _work(self) -> None:
        while (item := self._next()) is not None:
            keys, job, group = item
            result, error = None, None
            try:
                with self._pacer.ticket(keys):
                    result = job()
            except BaseException as caught:  # noqa: BLE001 - handed to the caller with its group
                error = caught
            with self._changed:
                self._results.append((group, result, error))
