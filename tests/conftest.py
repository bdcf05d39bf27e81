"""Shared fixtures: a migrated database (SQLite, or PostgreSQL from TEST_DATABASE_URL),
a Slack Web API fake on loopback, and the real app served over HTTP for signed requests."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Runtime, create_app, create_runtime
from bot.server import create_wsgi_app, serve_in_thread
from bot.settings import Settings
from storage import migrate
from storage.db import make_engine, make_sessionmaker, scratch_postgres_database
from storage.models import Base
from storage.slack_tables import slack_metadata

if TYPE_CHECKING:
    from bot.fakeslack import FakeSlack, SlackSender

SIGNING_SECRET = "test-signing-secret"


# --- clock ----------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="ISO-INSTANT",
        help="run the whole session as if it started at this instant (e.g. 2027-01-01T00:05:00+00:00); "
        "time moves on from there",
    )


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(
            f"--clock: {text!r} is not an ISO 8601 instant (e.g. 2027-01-01T00:05:00+00:00)"
        ) from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"--clock: {text!r} needs a UTC offset (e.g. +00:00) to be one instant")
    return instant


def pytest_configure(config: pytest.Config) -> None:
    text = config.getoption("--clock")
    if text:
        # tick=True: time moves on from the instant, so timeouts, leases and signatures behave as in real life.
        traveller = time_machine.travel(_instant(text), tick=True)
        traveller.start()
        config.stash[_CLOCK] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_CLOCK, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    text = config.getoption("--clock")
    return f"clock: the session started at {text}" if text else None


_CLOCK = pytest.StashKey[time_machine.travel]()

# A child Python process starts at the parent's (possibly moved) instant and ticks on from there.
_CHILD_ON_CLOCK = (
    "import datetime, runpy, sys, time_machine; "
    "time_machine.travel(datetime.datetime.fromisoformat(sys.argv.pop(1)), tick=True).start(); "
    "sys.argv[0] = sys.argv.pop(1); runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"
)


@pytest.fixture
def alignbot_argv(request: pytest.FixtureRequest) -> Callable[..., list[str]]:
    """Return a function giving the argv that runs `alignbot ARGS...` in a child process on the session's clock."""
    moved = request.config.getoption("--clock") is not None

    def argv(*args: str) -> list[str]:
        if not moved:
            return [sys.executable, "-m", "bot", *args]
        return [sys.executable, "-c", _CHILD_ON_CLOCK, datetime.now().astimezone().isoformat(), "bot", *args]

    return argv


# --- job workers ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_worker_outlives_its_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stop every job worker a test started: the database is shared, so one left running would
    take the next test's jobs and answer them to a Slack fake that is gone."""
    from bot.jobs import Worker

    started: list[Worker] = []
    start = Worker.start

    def start_and_remember(self: Worker) -> Worker:
        started.append(self)
        return start(self)

    monkeypatch.setattr(Worker, "start", start_and_remember)
    yield
    for worker in started:
        worker.stop()


# --- database -----------------------------------------------------------------------------


def _scratch_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base and make_url(base).get_backend_name() == "postgresql":
        with scratch_postgres_database(base, prefix="alignbot_test") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'alignbot.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URL of an empty database shared by this test session."""
    yield from _scratch_database(tmp_path_factory)


@pytest.fixture
def empty_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return the URL of a database of its own for one test, with no tables at all."""
    yield from _scratch_database(tmp_path_factory)


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """Return an engine on the session's database, migrated to head once."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """Return the migrated engine, emptied of rows after the test."""
    yield migrated_engine
    with migrated_engine.begin() as connection:
        for table in [*reversed(Base.metadata.sorted_tables), *slack_metadata.sorted_tables]:
            connection.execute(table.delete())


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory on the test database."""
    return make_sessionmaker(engine)


# --- Slack ----------------------------------------------------------------------------------


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """Start a Slack Web API fake on loopback with a workspace, two users and two channels."""
    from bot.fakeslack import FakeSlack

    with FakeSlack() as fake:
        fake.add_user("U0ADMIN1", name="ada", is_admin=True)
        fake.add_user("U0MEMB01", name="mo")
        fake.add_channel("C0MKTG01", "marketing", members=["U0MEMB01"])
        fake.add_channel("C0LEAD01", "leadership", members=["U0ADMIN1"])
        yield fake


@pytest.fixture
def settings(fake_slack: FakeSlack, database_url: str) -> Settings:
    """Return Settings for a single-workspace app talking to the fake."""
    return Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=fake_slack.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=database_url,
        ALIGNBOT_ADMINS="U0BOSS01",
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine) -> Iterator[Runtime]:
    """Return the runtime on the test database (already migrated)."""
    runtime = create_runtime(settings, upgrade_db=False)
    yield runtime
    runtime.close()


@pytest.fixture
def app_url(runtime: Runtime) -> Iterator[str]:
    """Serve the real WSGI app on loopback and return its base URL."""
    url, stop = serve_in_thread(create_wsgi_app(runtime, create_app(runtime)))
    yield url
    stop()


@pytest.fixture
def slack(app_url: str, fake_slack: FakeSlack, runtime: Runtime) -> SlackSender:
    """Return a sender of signed Slack requests into the running app; response_urls go to the fake.

    Each send returns once the in-process worker did the work the request queued.
    """
    from bot.fakeslack import SlackSender

    class Draining(SlackSender):
        def post(self, *args: Any, **kwargs: Any) -> Any:
            response = super().post(*args, **kwargs)
            for worker in runtime.workers:
                worker.drain()
            return response

    return Draining(
        f"{app_url}/slack/events", SIGNING_SECRET, team_id=fake_slack.team_id, response_urls=fake_slack.response_url
    )


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path, fake_slack: FakeSlack, database_url: str) -> None:
    """Point the in-process CLI (`bot.cli.main`) at the fake Slack and the test database, from a scratch folder."""
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
