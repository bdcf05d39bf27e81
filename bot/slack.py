"""Web API clients: every call goes to SLACK_API_URL and survives rate limits and blips."""

from __future__ import annotations

from slack_sdk import WebClient
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
