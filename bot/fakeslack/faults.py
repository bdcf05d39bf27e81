"""Faults a test injects into the fake: errors, 429s, slow answers, rate limits.

FakeSlack inherits these methods; for each call it takes a delay and a fault
(``_take``) and asks ``_rate_wait`` whether a rate limit refuses the call.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class _Fault:
    method: str
    times: int | None  # None: until cleared
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0

    def matches(self, method: str) -> bool:
        return self.method in (method, "*")


@dataclass
class _Bucket:
    tokens: float
    updated: float = field(default_factory=time.monotonic)


class Faults:
    """Injected failures and delays, and the per-channel and per-workspace rate limits."""

    def __init__(self) -> None:
        self._fault_lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._delays: list[_Fault] = []
        self._rate: float | None = None
        self._rate_burst = 1
        self._rate_methods: tuple[str, ...] = ()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._team_rate: float | None = None
        self._team_burst = 1.0
        self._team_methods: tuple[str, ...] = ()

    def fail(
        self,
        method: str,
        status: int | None = None,
        *,
        error: str | None = None,
        retry_after: int = 1,
        times: int | None = 1,
    ) -> None:
        """Make the next ``times`` calls to method ("*" for any) fail.

        With ``error`` alone the answer is HTTP 200 ``ok: false``; with no
        arguments it is HTTP 429 with Retry-After; any other status is sent as is.
        ``times=None`` fails until ``clear_faults()``.
        """
        if status is None:
            status = 200 if error else 429
        if status == 429:
            error = error or "ratelimited"
        elif status >= 500:
            error = error or "internal_error"
        else:
            error = error or "fatal_error"
        with self._fault_lock:
            self._faults.append(
                _Fault(
                    method,
                    times,
                    status=status,
                    error=error,
                    retry_after=retry_after if status == 429 else None,
                )
            )

    def delay(self, method: str, seconds: float, times: int | None = 1) -> None:
        """Hold the next ``times`` answers to method for ``seconds`` (for client timeouts)."""
        with self._fault_lock:
            self._delays.append(_Fault(method, times, seconds=seconds))

    def rate_limit(
        self,
        per_channel_per_second: float | None = 1.0,
        *,
        burst: int = 1,
        methods: Iterable[str] = ("chat.postMessage",),
    ) -> None:
        """Answer 429 when a channel gets more than the rate (None turns it off).

        A token bucket per (method, channel): ``burst`` calls may go at once,
        then one per 1/rate seconds, like Slack's message posting limit.
        """
        with self._fault_lock:
            self._rate = per_channel_per_second
            self._rate_burst = max(1, burst)
            self._rate_methods = tuple(methods)
            self._buckets.clear()

    def workspace_rate_limit(
        self,
        per_second: float | None,
        *,
        burst: float | None = None,
        methods: Iterable[str] = ("chat.postMessage",),
    ) -> None:
        """Answer 429 when a workspace (told by its token) calls more than the rate (None turns it off).

        A token bucket per (method, workspace), on top of the per-channel limit:
        ``burst`` calls may go at once (default one second's worth, at least one),
        then one per 1/rate seconds. Refused calls are counted by ``rejected``.
        """
        with self._fault_lock:
            self._team_rate = per_second
            self._team_burst = max(1.0, burst if burst is not None else per_second or 1.0)
            self._team_methods = tuple(methods)
            self._buckets = {k: b for k, b in self._buckets.items() if not k[1].startswith("team:")}

    def clear_faults(self) -> None:
        """Drop all injected failures, delays and the rate limits."""
        with self._fault_lock:
            self._faults.clear()
            self._delays.clear()
            self._rate = None
            self._team_rate = None
            self._buckets.clear()

    def _take(self, faults: list[_Fault], method: str) -> _Fault | None:
        with self._fault_lock:
            for fault in faults:
                if fault.matches(method):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            faults.remove(fault)
                    return fault
        return None

    def _rate_wait(self, method: str, args: dict, team: str) -> int | None:
        """Return whole seconds to wait if this call exceeds the channel's or the workspace's rate, else None."""
        with self._fault_lock:
            now = time.monotonic()
            limits = []
            if self._rate is not None and method in self._rate_methods:
                limits.append(((method, str(args.get("channel", ""))), self._rate, float(self._rate_burst)))
            if self._team_rate is not None and method in self._team_methods:
                limits.append(((method, "team:" + team), self._team_rate, self._team_burst))
            waits = []
            for key, rate, burst in limits:
                bucket = self._buckets.setdefault(key, _Bucket(tokens=burst, updated=now))
                bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
                bucket.updated = now
                waits.append((1 - bucket.tokens) / rate)
            if all(wait <= 0 for wait in waits):
                for key, _, _ in limits:  # a call refused by one limit takes no token from another
                    self._buckets[key].tokens -= 1
                return None
            return max(1, math.ceil(max(waits)))
