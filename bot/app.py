"""Composition root: build the database, services and Bolt app from one Settings object."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

import handlers
from bot.jobs import Enqueue, JobQueue, Pacer, Worker, use_queue
from bot.services import Services
from bot.settings import Settings
from bot.slack import SlackClients, oauth_authorize_url, web_client
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.slack_tables import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE

logger = logging.getLogger(__name__)


class _QuietBolt(logging.Filter):
    """Keep Bolt's log lines short and free of what people wrote.

    Drop "`token` will be unused" (Bolt reads SLACK_BOT_TOKEN itself although we pass a
    client), and log "Unhandled request" without the request body it quotes.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "`token` will be unused" in message:
            return False
        if message.startswith("Unhandled request ("):
            record.msg, record.args = "Unhandled request: no listener for it (body not logged)", None
        return True


logging.getLogger("slack_bolt.App").addFilter(_QuietBolt())

# Every scope the app uses; manifest.yml lists the same (a test keeps them in step).
BOT_SCOPES = (
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "team:read",
    "users:read",
)


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy store, telling us when a workspace installs the app (again)."""

    on_install: Callable[[str], None] | None = None

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if self.on_install is not None and installation.team_id:
            self.on_install(installation.team_id)


@dataclass
class Runtime:
    """Everything a process of Alignbot runs on."""

    settings: Settings
    engine: Engine
    services: Services
    queue: JobQueue
    installation_store: InstallationStore | None = None
    # Wakes this process's worker threads when a job is stored here, and holds them back for acks.
    pacer: Pacer = field(default_factory=Pacer)
    # Workers running in this process's threads, if any (`alignbot serve`, the tests, the demo).
    workers: list[Worker] = field(default_factory=list)

    def close(self) -> None:
        """Stop this process's workers (each finishes its job in hand) and close the database connections."""
        for worker in self.workers:
            worker.stop()
        self.workers.clear()
        self.engine.dispose()


def create_runtime(settings: Settings, *, upgrade_db: bool = True) -> Runtime:
    """Connect to the database (migrating it unless told not to) and build the services."""
    engine = make_engine(settings.database_url)
    if upgrade_db:
        migrate.upgrade(engine)
    store = _installation_store(settings, engine) if settings.oauth_enabled else None
    services = Services(settings, make_sessionmaker(engine), SlackClients(settings, store))
    if store is not None:
        store.on_install = services.installs.reinstalled
    return Runtime(
        settings=settings, engine=engine, services=services, queue=JobQueue(engine), installation_store=store
    )


def _installation_store(settings: Settings, engine: Engine) -> InstallationStore:
    assert settings.slack_client_id is not None
    return InstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


# An in-process worker is woken by each enqueue; it polls only for retries and jobs of workers that died.
IN_PROCESS_POLL = 1.0
WORKER_POLL = 0.2


def create_app(runtime: Runtime, *, token_verification: bool = True, worker_threads: int = 2) -> App:
    """Build the web Bolt app: it acks, storing each request's work in the queue first.

    With `worker_threads`, a worker in this process's threads does the work (woken at once by
    each enqueue); with 0, `alignbot worker` processes do it.
    """
    app = _bolt_app(runtime, token_verification=token_verification)
    handlers.register_all(app)
    use_queue(app, Enqueue(runtime.queue, runtime.pacer))
    if worker_threads:
        runtime.workers.append(create_worker(runtime, threads=worker_threads, poll=IN_PROCESS_POLL).start())
    return app


def create_worker(runtime: Runtime, *, threads: int = 1, poll: float = WORKER_POLL) -> Worker:
    """Build a worker (not started): it runs queued jobs through a Bolt app of its own."""
    # It never faces HTTP: the web process verified each request's signature before storing it.
    app = _bolt_app(runtime, token_verification=False, request_verification=False)
    handlers.register_all(app)
    return Worker(runtime.queue, app, runtime.pacer, threads=threads, poll=poll)


def _bolt_app(runtime: Runtime, *, token_verification: bool, request_verification: bool = True) -> App:
    """Build a Bolt app without listeners, whose requests carry the services: single-workspace with a bot
    token, or multi-workspace OAuth."""
    app = _bare_bolt_app(runtime, token_verification=token_verification, request_verification=request_verification)
    services = runtime.services

    # Bolt passes what is in the context to every listener and middleware that names it: `services`.
    @app.middleware
    def provide_services(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["services"] = services
        return next()

    return app


def _bare_bolt_app(runtime: Runtime, *, token_verification: bool, request_verification: bool) -> App:
    settings = runtime.settings
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    # The ack function runs in the request thread before the answer, and the work it names is stored
    # before the answer too: nothing acked can be lost, and the ack waits for no listener thread.
    common: dict[str, Any] = {
        "signing_secret": signing_secret,
        "process_before_response": True,
        "request_verification_enabled": request_verification,
    }
    if settings.oauth_enabled:
        return App(client=web_client(settings, token=None), oauth_settings=_oauth_settings(runtime), **common)
    settings.require_bot_token()
    # Bolt switches to OAuth by itself when these variables exist, even blank ones,
    # which Settings reads as unset: drop the blanks so single-workspace mode stays so.
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        if name in os.environ and not os.environ[name].strip():
            del os.environ[name]
    return App(client=web_client(settings, settings.bot_token), token_verification_enabled=token_verification, **common)


def _oauth_settings(runtime: Runtime) -> OAuthSettings:
    settings = runtime.settings
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        installation_store=runtime.installation_store,
        state_store=SQLAlchemyOAuthStateStore(
            expiration_seconds=600, engine=runtime.engine, table_name=OAUTH_STATES_TABLE
        ),
        authorization_url=oauth_authorize_url(settings),
    )
