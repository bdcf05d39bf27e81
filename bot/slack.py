"""Web API clients: every call goes to SLACK_API_URL and survives rate limits and blips."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

TIMEOUT_SECONDS = 10


def retry_handlers() -> list:
    """Return the retry policy: wait out 429s, back off on 5xx and dropped connections."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=3),
        RateLimitErrorRetryHandler(max_retry_count=5),
        ServerErrorRetryHandler(max_retry_count=3),
    ]


def web_client(settings: Settings, token: str | None) -> WebClient:
    """Return a WebClient for `token` (None: the app's OAuth client) pointed at SLACK_API_URL."""
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
    )


def oauth_authorize_url(settings: Settings) -> str:
    """Return the OAuth authorize page that belongs to SLACK_API_URL (slack.com, GovSlack, ...)."""
    base = settings.slack_api_url
    root = base[: -len("api/")] if base.endswith("/api/") else base
    return root + "oauth/v2/authorize"


class NotInstalled(Exception):
    """No bot token is known for a workspace (OAuth mode, app not installed there)."""


class SlackClients:
    """Hand out a WebClient per workspace: the bot token, or the token its OAuth install stored."""

    def __init__(self, settings: Settings, installation_store: InstallationStore | None = None) -> None:
        self._settings = settings
        self._store = installation_store

    @property
    def installation_store(self) -> InstallationStore | None:
        """Return the OAuth installation store (None in single-workspace mode)."""
        return self._store

    def for_team(self, slack_team_id: str) -> WebClient:
        """Return a client that acts as the bot in `slack_team_id`."""
        if self._store is None:
            return web_client(self._settings, self._settings.bot_token)
        bot = self._store.find_bot(enterprise_id=None, team_id=slack_team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"Alignbot is not installed in workspace {slack_team_id}")
        return web_client(self._settings, bot.bot_token)
