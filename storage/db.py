"""Engines and sessions for SQLite and PostgreSQL."""

from __future__ import annotations

import os
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


class DriverMissing(Exception):
    """The database URL needs a driver that is not installed; the message (one line) says what to install."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine tuned for the app: foreign keys and concurrent readers on SQLite.

    Raise DriverMissing when the URL's driver cannot be imported.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # The web and clock processes share the file: wait on locks instead of failing.
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        _take_turns(engine)
        # Take the write lock at BEGIN so two writers never deadlock on a lock upgrade; a
        # connection marked READ_ONLY only reads, and under WAL a plain BEGIN blocks nobody.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    try:
        return create_engine(url, **kwargs)
    except ImportError as error:
        driver = error.name or parsed.get_driver_name()
        if driver == "psycopg":
            raise DriverMissing(
                "PostgreSQL needs the psycopg driver, which is not installed: "
                "pip install 'alignbot[postgres]' (in a checkout: pip install '.[postgres]')"
            ) from None
        raise DriverMissing(
            f"the {driver} driver is not installed; Alignbot uses psycopg: write DATABASE_URL as "
            "postgresql+psycopg://... and pip install 'alignbot[postgres]'"
        ) from None


# Execution option for a connection that only reads: on SQLite it neither waits for a turn nor
# takes the write lock (see make_engine); elsewhere it changes nothing.
READ_ONLY = "alignbot_read_only"
# Execution option for a SQLite connection that runs one statement per transaction: no BEGIN is
# sent, so the statement commits by itself (pysqlite sends no BEGIN of its own, see _sqlite_pragmas).
# It still waits for its turn unless READ_ONLY. Safe for one statement only: a write statement
# outside BEGIN takes the write lock when it starts, with SQLite's busy wait, so it never meets a
# lock upgrade; two statements would be two transactions. On PostgreSQL use AUTOCOMMIT instead.
SINGLE_STATEMENT = "alignbot_single_statement"


def _sqlite_begin(conn: Any) -> None:
    options = conn.get_execution_options()
    if options.get(SINGLE_STATEMENT):
        return
    conn.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")


class FairLock:
    """A lock handed to waiters in the order they asked: a busy thread cannot take it straight back."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        """Wait at most `timeout` seconds for the lock; say whether it is ours."""
        with self._guard:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(timeout):
            return True
        with self._guard:
            if turn.is_set():  # handed over as the wait ended
                return True
            self._waiters.remove(turn)
            return False

    def release(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().set()  # stays held, by the next in line
            else:
                self._held = False


# Seconds a transaction waits for its turn in this process; then SQLite's own busy wait takes over.
TURN_TIMEOUT = 30.0


def _take_turns(engine: Engine) -> None:
    """Make this process's transactions on a SQLite file wait in line for each other.

    SQLite lets one transaction write at a time (every one starts with BEGIN IMMEDIATE) and
    makes the others retry with growing sleeps: a short transaction, like storing a job before
    an ack, can sleep for hundreds of milliseconds behind a busy worker. In line, it waits only
    for the transactions ahead of it. Other processes still meet SQLite's busy wait.
    """
    turns = FairLock()

    def begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            return
        if turns.acquire(TURN_TIMEOUT):
            conn.info["alignbot_turn"] = True

    def end(conn: Any) -> None:
        if conn.info.pop("alignbot_turn", False):
            turns.release()

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see make_engine) instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _is_memory(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(row[1] == "main" and not row[2] for row in rows)


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE in `session`; return how many rows it changed."""
    result = session.execute(statement)
    # Session.execute is typed to return a plain Result; for UPDATE and DELETE it is a CursorResult.
    assert isinstance(result, CursorResult)
    return result.rowcount


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory every service uses."""
    return sessionmaker(engine, expire_on_commit=False)


def missing_sqlite_file(url: str) -> str | None:
    """Return the absolute path of the SQLite file `url` names if no such file exists, else None.

    None too for an in-memory database, a URI filename and any other backend.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") or "uri" in parsed.query:
        return None
    path = os.path.abspath(parsed.database)
    return None if os.path.exists(path) else path


def safe_url(url: str) -> str:
    """Render a database URL for logs, without its password."""
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def scratch_postgres_database(base_url: str, prefix: str = "alignbot_scratch") -> Iterator[str]:
    """Create an empty database on the server of `base_url`, yield its URL, and drop it afterwards.

    For the test suite and the benchmarks, which must never touch the database they are pointed at.
    """
    url = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
