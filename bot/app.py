"""Composition root: build the database, services and Bolt app from one Settings object."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

import handlers
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
    installation_store: InstallationStore | None = None


def create_runtime(settings: Settings, *, upgrade_db: bool = True) -> Runtime:
    """Connect to the database (migrating it unless told not to) and build the services."""
    engine = make_engine(settings.database_url)
    if upgrade_db:
        migrate.upgrade(engine)
    store = _installation_store(settings, engine) if settings.oauth_enabled else None
    services = Services(settings, make_sessionmaker(engine), SlackClients(settings, store))
    if store is not None:
        store.on_install = services.installs.reinstalled
    return Runtime(settings=settings, engine=engine, services=services, installation_store=store)


def _installation_store(settings: Settings, engine: Engine) -> InstallationStore:
    assert settings.slack_client_id is not None
    return InstallationStore(
        client_id=settings.slack_client_id,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


def create_app(runtime: Runtime, *, token_verification: bool = True) -> App:
    """Build the Bolt app: single-workspace with a bot token, or multi-workspace OAuth."""
    settings = runtime.settings
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    if settings.oauth_enabled:
        app = App(
            signing_secret=signing_secret,
            client=web_client(settings, token=None),
            oauth_settings=_oauth_settings(runtime),
            process_before_response=False,
        )
    else:
        settings.require_bot_token()
        # Bolt switches to OAuth by itself when these variables exist, even blank ones,
        # which Settings reads as unset: drop the blanks so single-workspace mode stays so.
        for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
            if name in os.environ and not os.environ[name].strip():
                del os.environ[name]
        app = App(
            signing_secret=signing_secret,
            client=web_client(settings, settings.bot_token),
            token_verification_enabled=token_verification,
            process_before_response=False,
        )
    handlers.register_all(app, runtime.services)
    return app


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
