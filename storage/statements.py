"""Count the SQL an engine runs, the job queue's bookkeeping apart (for tests and benchmarks)."""

from __future__ import annotations

import re
import threading
from typing import Any

from sqlalchemy import Engine, event

# A transaction whose first statement touches the jobs table is the queue's own.
_QUEUE = re.compile(r"\b(INTO|FROM|UPDATE) jobs\b")


class StatementCounter:
    """Record the statements and transactions an engine runs from now on.

    Statements count as the engine sends them, SQLite's `BEGIN IMMEDIATE` included. The durable
    job queue's statements (store, take, finish a job) are the same for any work queued, so
    they are only counted, in `queue_statements`, not listed with the work's.
    """

    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        self.transactions = 0
        self.queue_statements = 0
        self._lock = threading.Lock()
        # Per connection: its BEGIN until the first statement says whose transaction it is.
        self._opening: dict[int, list[str]] = {}
        self._queue_owned: dict[int, bool] = {}
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "before_cursor_execute", self._statement)

    def _begin(self, conn: Any) -> None:
        with self._lock:  # on SQLite the engine's own begin listener has already sent BEGIN
            self._opening.setdefault(id(conn), [])

    def _statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = " ".join(statement.split())[:80]
        key, queue = id(conn), bool(_QUEUE.search(text))
        with self._lock:
            if text.upper().startswith("BEGIN"):
                self._opening[key] = [text]
                return
            opening = self._opening.pop(key, None)
            if opening is not None:
                self._queue_owned[key] = queue
                if queue:
                    self.queue_statements += len(opening)
                else:
                    self.transactions += 1
                    self.statements.extend(opening)
            if queue or self._queue_owned.get(key):
                self.queue_statements += 1
            else:
                self.statements.append(text)

    def read(self) -> tuple[int, int, int]:
        """Return (statements, transactions, queue statements) so far."""
        with self._lock:
            return len(self.statements), self.transactions, self.queue_statements

    def reset(self) -> None:
        """Start counting again from zero."""
        with self._lock:
            self.statements, self.transactions, self.queue_statements = [], 0, 0
