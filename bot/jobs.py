"""The durable queue: the web process stores a request's work before it acks; a worker does it.

The web app's Bolt listeners ack and name a lazy function (Bolt's lazy listeners). Instead of
starting that function in a thread, `Enqueue` stores the raw request in the `jobs` table, in one
short transaction, before the HTTP answer goes back to Slack. A `Worker` takes the oldest job due,
rebuilds the request and runs it through a Bolt app of its own, which runs just that lazy
function; the row goes once the function returned. A job taken by a worker that died is taken again
when its lease ends; a failing job is tried again after a back-off, at most MAX_ATTEMPTS times.
`JobQueue` is all of that is stored; a `Pacer` only paces the worker threads of one process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from slack_bolt import App, BoltResponse
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_bolt.request import BoltRequest
from slack_bolt.util.utils import get_arg_names_of_callable
from sqlalchemy import Connection, Engine, Table, delete, exists, func, insert, select, update

from bot.slackrequest import bolt_request, stored_body
from storage.db import READ_ONLY, SINGLE_STATEMENT
from storage.models import Job, utcnow

logger = logging.getLogger(__name__)

# Longer than any job runs (a few Slack calls at most), short enough that a dead worker's job is soon redone.
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (2, 10, 30, 60)  # before the 2nd, 3rd, 4th and 5th attempt
# Set in a request's context by an ack that said everything there is to say: nothing to enqueue.
ANSWERED = "alignbot_answered"
_FAILED = "alignbot_failed"
# Set in a request's context by an ack whose work opens a form (handlers.queued.ack_form).
OPENS_FORM = "alignbot_opens_form"
# Set in the context of a request a worker runs: when it was acked (its job's created_at), and whether
# the attempt before failed, so that the work it left half done is done again.
ACKED = "alignbot_acked"
AGAIN = "alignbot_again"
SLACK_TIMESTAMP = "x-slack-request-timestamp"
# A form's job is stored as due this much earlier, so that it is taken before every job due now:
# Slack's trigger_id, which opening the form needs, lasts 3 s from the click.
FORMS_AHEAD = timedelta(hours=1)
# Built once: the ack path runs it on every request (a Core insert skips the ORM's per-call work).
_INSERT = insert(cast(Table, Job.__table__))
# Longest an in-process worker waits for a gap between requests before its next job: under steady
# load each thread still does a job at least this often, and acks have the GIL the rest of the time.
HOLD_BACK = 1.0
# How often a held-back worker looks whether a form's job came in, which must not wait.
FORM_CHECK = 0.05


@dataclass(frozen=True)
class Taken:
    """A job a worker took, under lease."""

    id: int
    function: str
    content_type: str
    body: str
    attempts: int
    sent_at: datetime | None
    created_at: datetime
    failed_attempt: int | None


class JobQueue:
    """Store, take and finish jobs in the database, one statement each, each its own transaction."""

    def __init__(self, engine: Engine, *, lease: timedelta = LEASE) -> None:
        self._engine = engine
        self._lease = lease
        self._postgres = engine.dialect.name == "postgresql"

    def _single(self, *, read_only: bool = False) -> Connection:
        """Return a connection whose one statement is its own transaction, without a BEGIN sent for it."""
        if self._postgres:
            return self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._engine.connect().execution_options(**{SINGLE_STATEMENT: True, READ_ONLY: read_only})

    def put(
        self,
        function: str,
        content_type: str,
        body: str,
        slack_team_id: str | None = None,
        *,
        first: bool = False,
        sent_at: datetime | None = None,
    ) -> None:
        """Store a job due now, durably: this runs before the ack. `first`: take it before the others due.

        `sent_at`: the request's X-Slack-Request-Timestamp, which the work gets back with the request.
        """
        now = utcnow()
        row = {
            "slack_team_id": slack_team_id,
            "function": function,
            "content_type": content_type,
            "body": body,
            "attempts": 0,
            "due_at": now - FORMS_AHEAD if first else now,
            "sent_at": sent_at,
            "created_at": now,
        }
        # One statement is atomic by itself: one round trip instead of BEGIN, INSERT, COMMIT.
        with self._single() as connection:
            connection.execute(_INSERT, row)
            connection.commit()

    def take(self, now: datetime | None = None, *, known_due: bool = False) -> Taken | None:
        """Take the oldest job due, leasing it; None when no job is due.

        `known_due`: the caller was just told a job is due (stored, or seen by a finish): claim without a look.
        """
        now = now or utcnow()
        due = select(Job.id).where(Job.due_at <= now).order_by(Job.due_at, Job.id).limit(1)
        if self._postgres:
            # Workers never wait on each other's job: each takes the next one nobody holds.
            due = due.with_for_update(skip_locked=True)
        elif not known_due:
            # On SQLite a claim holds the write lock, so idle workers would keep acks waiting:
            # look first, in a read that takes no lock.
            with self._single(read_only=True) as connection:
                if connection.scalar(due) is None:
                    return None
        # One statement: it holds the write lock (SQLite) or the row (PostgreSQL) while it runs.
        claim = (
            update(Job)
            .where(Job.id == due.scalar_subquery())
            .values(due_at=now + self._lease, attempts=Job.attempts + 1)
            .returning(
                Job.id,
                Job.function,
                Job.content_type,
                Job.body,
                Job.attempts,
                Job.sent_at,
                Job.created_at,
                Job.failed_attempt,
            )
        )
        with self._single() as connection:
            row = connection.execute(claim).first()
            connection.commit()
        return Taken(**row._asdict()) if row else None

    def done(self, job_id: int) -> bool:
        """Forget a job whose work is done (or given up); say whether another job is due."""
        # The same statement answers, so that a worker looks for the next job only when there is one.
        others = exists().where(Job.id != job_id, Job.due_at <= utcnow())
        with self._single() as connection:
            row = connection.execute(delete(Job).where(Job.id == job_id).returning(others)).first()
            connection.commit()
        return row is not None and bool(row[0])

    def later(self, job_id: int, delay: timedelta, now: datetime | None = None) -> None:
        """Make a job whose attempt failed due again after `delay`."""
        with self._single() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(due_at=(now or utcnow()) + delay, failed_attempt=Job.attempts)
            )
            connection.commit()

    def pending(self) -> int:
        """Return how many jobs are stored, due or not."""
        with self._engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Job)) or 0)


class Wake:
    """A flag that an enqueue sets and one waiting worker thread takes: one job wakes one thread, not all."""

    def __init__(self) -> None:
        self._set = False
        # Counts wake_all calls: the first thread to wake takes the flag, and the others must wake all the same.
        self._everyone = 0
        self._changed = threading.Condition()

    def set(self) -> None:
        """Say there may be work; wake one waiting thread."""
        with self._changed:
            self._set = True
            self._changed.notify()

    def wake_all(self) -> None:
        """Wake every waiting thread (to stop them)."""
        with self._changed:
            self._everyone += 1
            self._changed.notify_all()

    def wait(self, timeout: float) -> bool:
        """Wait until set, woken all, or `timeout` seconds passed; take the flag; say whether woken."""
        with self._changed:
            everyone = self._everyone
            woken = self._changed.wait_for(lambda: self._set or self._everyone != everyone, timeout)
            self._set = False
            return woken


class Traffic:
    """Count the requests this process is answering, so that its worker does jobs in the gaps between them."""

    def __init__(self) -> None:
        self._in_flight = 0
        self._quiet = threading.Condition()

    def enter(self) -> None:
        with self._quiet:
            self._in_flight += 1

    def leave(self) -> None:
        with self._quiet:
            self._in_flight -= 1
            if not self._in_flight:
                self._quiet.notify_all()

    def wait_quiet(self, timeout: float) -> bool:
        """Wait until no request is in flight, at most `timeout` seconds; say whether it is quiet."""
        with self._quiet:
            return self._quiet.wait_for(lambda: not self._in_flight, timeout)


class Pacer:
    """Pace this process's worker threads: wake one per job stored here, and let acks go first.

    Only hints: what the queue stores does not depend on them, and a worker of another process finds
    the same jobs at its poll.
    """

    def __init__(self) -> None:
        self.wake = Wake()
        self._traffic: Traffic | None = None
        self._hold_back = HOLD_BACK
        # Forms' jobs stored here and not yet let through a hold-back: they must not wait for quiet.
        self._forms = 0
        self._forms_lock = threading.Lock()

    def stored(self, *, form: bool = False) -> None:
        """Say a job was stored in this process: wake one worker thread; a form's ends a hold-back."""
        if form:
            with self._forms_lock:
                self._forms += 1
        self.wake.set()

    def yield_to(self, traffic: Traffic, hold_back: float = HOLD_BACK) -> None:
        """Make the worker threads wait for a moment with no request in flight before each job, at most `hold_back` s.

        For a worker in the web process: its jobs hold the GIL, and acks waiting for it miss Slack's 3 s
        (and the p99 target) long before a job's answer is late. The bound keeps jobs moving under steady load.
        """
        self._traffic = traffic
        self._hold_back = hold_back

    def let_acks_go_first(self, stopping: threading.Event) -> bool:
        """Wait for a gap between requests (at most the hold-back, never for a form); say whether to go on."""
        if self._traffic is not None:
            deadline = time.monotonic() + self._hold_back
            # In slices, so that a form's job stored meanwhile goes at once.
            while not stopping.is_set() and not self._form_waiting():
                left = deadline - time.monotonic()
                if left <= 0 or self._traffic.wait_quiet(min(left, FORM_CHECK)):
                    break
        return not stopping.is_set()

    def _form_waiting(self) -> bool:
        with self._forms_lock:
            if not self._forms:
                return False
            self._forms -= 1
            return True


class Enqueue(LazyListenerRunner):
    """Bolt's lazy runner for the web process: store the work as a job instead of starting it."""

    def __init__(self, queue: JobQueue, pacer: Pacer) -> None:
        self.logger = logger
        self.queue = queue
        self.pacer = pacer

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        if request.context.get(ANSWERED):
            return  # the ack was the whole answer (help, usage): no work to do
        assert request.lazy_function_name is not None  # Bolt names the function on the copy it passes
        content_type, body = stored_body(request)
        form = bool(request.context.get(OPENS_FORM))
        self.queue.put(
            request.lazy_function_name,
            content_type,
            body,
            request.context.team_id,
            first=form,
            sent_at=request_sent_at(request),
        )
        self.pacer.stored(form=form)


class RunHere(LazyListenerRunner):
    """Bolt's lazy runner for the worker's app: run the function now, keeping its error for the worker."""

    def __init__(self) -> None:
        self.logger = logger

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        self.run(function, request)

    def run(self, function: Callable[..., None], request: BoltRequest) -> None:
        try:
            function(
                **build_required_kwargs(
                    logger=self.logger,
                    required_arg_names=get_arg_names_of_callable(function),
                    request=request,
                    response=None,
                    this_func=function,
                )
            )
        except Exception as error:  # the worker retries it, then hands it to the app's error handler
            request.context[_FAILED] = error


def request_sent_at(request: BoltRequest) -> datetime | None:
    """Return a request's X-Slack-Request-Timestamp (when Slack sent it, to the second); None without one."""
    stamp = (request.headers.get(SLACK_TIMESTAMP) or [""])[0]
    return datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None


def use_queue(app: App, runner: LazyListenerRunner) -> None:
    """Make a Bolt app start its lazy listeners with `runner`."""
    # Bolt has no public API for this (App() takes no lazy runner); its own adapters (AWS Lambda, Django) set it so.
    app.listener_runner.lazy_listener_runner = runner


class Worker:
    """Take jobs from the queue and run them through a Bolt app, in threads of this process."""

    def __init__(self, queue: JobQueue, app: App, pacer: Pacer, *, threads: int = 1, poll: float = 0.2) -> None:
        use_queue(app, RunHere())
        self.queue = queue
        self.pacer = pacer
        self._app = app
        self._threads_wanted = threads
        self._poll = poll
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._running = 0
        self._lock = threading.Lock()

    def run_one(self, now: datetime | None = None) -> bool:
        """Take one due job and do it; return False when no job was due."""
        return self._run_one(now) is not None

    def _run_one(self, now: datetime | None, known_due: bool = False) -> bool | None:
        """Take one due job and do it; None when no job was due, else whether another is known to be due."""
        # Counted from before the take, so drain() never sees a job taken but not yet counted.
        with self._lock:
            self._running += 1
        try:
            job = self.queue.take(now, known_due=known_due)
            return None if job is None else bool(self._do(job, now))
        finally:
            with self._lock:
                self._running -= 1

    def _do(self, job: Taken, now: datetime | None) -> bool:
        """Do a job; say whether another is known to be due."""
        headers: dict[str, str | Sequence[str]] = {
            "content-type": job.content_type,
            "x-slack-bolt-lazy-only": "1",
            "x-slack-bolt-lazy-function-name": job.function,
        }
        if job.sent_at is not None:
            headers[SLACK_TIMESTAMP] = str(int(job.sent_at.timestamp()))
        # Not after a crash or a done() that failed: the attempt before may have finished the work.
        again = job.failed_attempt == job.attempts - 1
        request = bolt_request(job.body, headers=headers, context={ACKED: job.created_at, AGAIN: again})
        response = self._app.dispatch(request)
        error = request.context.get(_FAILED)
        if error is None and response.status < 500:
            return self.queue.done(job.id)
        if error is None:  # a middleware failed; Bolt's middleware error handler logged it
            error = RuntimeError(f"the worker's app answered {response.status}")
        if job.attempts < MAX_ATTEMPTS:
            delay = BACKOFF_SECONDS[min(job.attempts, len(BACKOFF_SECONDS)) - 1]
            # One line per failed attempt, without the request (people's text) or the traceback (logged last).
            logger.warning(
                "job %d (%s) failed with %s on attempt %d of %d; trying again in %d s",
                job.id,
                job.function,
                type(error).__name__,
                job.attempts,
                MAX_ATTEMPTS,
                delay,
            )
            self.queue.later(job.id, timedelta(seconds=delay), now)
            return False
        logger.error("job %d (%s) failed %d times; giving up on it", job.id, job.function, job.attempts)
        # Bolt has no public API to call an app's error handler: it is the listener runner's.
        self._app.listener_runner.listener_error_handler.handle(
            error=error, request=request, response=BoltResponse(status=500, body="")
        )
        return self.queue.done(job.id)

    def drain(self, timeout: float = 10.0) -> None:
        """Do every job due, here and in the worker threads; return once none is due or running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run_one():
                continue
            with self._lock:
                idle = self._running == 0
            if idle:
                return
            time.sleep(0.005)
        raise TimeoutError(f"the queue did not drain in {timeout} s")

    def start(self) -> Worker:
        """Run the worker threads in the background."""
        self._stopping.clear()
        for n in range(self._threads_wanted):
            thread = threading.Thread(target=self._loop, name=f"alignbot-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def run_forever(self) -> None:
        """Run the worker threads until the process is stopped."""
        self.start()
        try:
            while any(thread.is_alive() for thread in self._threads):
                self._stopping.wait(1.0)
        finally:
            self.stop()

    def stop(self, timeout: float = 10.0) -> None:
        """Let the threads finish their job in hand, then stop them."""
        self._stopping.set()
        self.pacer.wake.wake_all()
        for thread in self._threads:
            thread.join(timeout=timeout)
        self._threads.clear()

    def _loop(self) -> None:
        due = False  # whether a job is known to be due: woken by a job stored here, or told by a finish
        while not self._stopping.is_set():
            try:
                while self.pacer.let_acks_go_first(self._stopping) and (due := bool(self._run_one(None, due))):
                    # Another job is due: let one more thread join in while this one goes on.
                    self.pacer.wake.set()
            except Exception:  # the database is away: log, wait a poll, try again
                logger.exception("the worker could not take or finish a job")
            due = self.pacer.wake.wait(self._poll)
