"""Web API clients: every call goes to SLACK_API_URL, paces its posts and survives rate limits and blips."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store import InstallationStore

from bot.pacing import Keys, Pacer
from bot.settings import Settings

TIMEOUT_SECONDS = 10
# Methods a PacedWebClient waits for a token before calling (Slack's special posting limit).
PACED_METHODS = frozenset({"chat.postMessage"})
# 429s in a row a paced call waits out before giving up (as RateLimitErrorRetryHandler's count).
RATE_LIMIT_RETRIES = 5


def retry_handlers(*, paced: frozenset[str] = frozenset()) -> list:
    """Return the retry policy: wait out 429s (of `paced` methods: the caller does), back off on 5xx and drops."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=3),
        _RateLimitHandler(paced, max_retry_count=RATE_LIMIT_RETRIES),
        ServerErrorRetryHandler(max_retry_count=3),
    ]


class _RateLimitHandler(RateLimitErrorRetryHandler):
    """Sleep out a 429's Retry-After, except for paced methods: their client waits on its buckets."""

    def __init__(self, paced: frozenset[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._paced = paced

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        method = request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        return method not in self._paced and super()._can_retry(
            state=state, request=request, response=response, error=error
        )


class PacedWebClient(WebClient):
    """A WebClient that takes a token of its workspace's (and the conversation's) bucket before each post.

    A 429 still comes through when Slack's limit is tighter than ours or shared with
    other processes: its Retry-After empties the buckets, and the post waits and goes again.
    """

    def __init__(self, *, pacer: Pacer, workspace: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pacer = pacer
        self._workspace = workspace

    def pace_keys(self, channel: str | None) -> Keys:
        """Return the buckets a post to `channel` draws from."""
        return self._pacer.keys(self._workspace, channel)

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        if api_method not in PACED_METHODS:
            return super().api_call(api_method, **kwargs)
        args = kwargs.get("json") or kwargs.get("data") or kwargs.get("params") or {}
        keys = self.pace_keys(str(args.get("channel") or "") or None)
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            self._pacer.acquire(keys)
            try:
                return super().api_call(api_method, **kwargs)
            except SlackApiError as error:
                if error.response.status_code != 429 or attempt == RATE_LIMIT_RETRIES:
                    raise
                self._pacer.hold(keys, _retry_after(error.response.headers))
        raise AssertionError("unreachable")


def _retry_after(headers: Any) -> float:
    """Return a 429's Retry-After in seconds (1 when missing or unreadable)."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                break
    return 1.0


def web_client(settings: Settings, token: str | None, *, pacer: Pacer | None = None, workspace: str = "") -> WebClient:
    """Return a WebClient for `token` (None: the app's OAuth client) pointed at SLACK_API_URL.

    Given a `pacer`, posts wait for a token of `workspace`'s buckets.
    """
    options: dict[str, Any] = {"token": token, "base_url": settings.slack_api_url, "timeout": TIMEOUT_SECONDS}
    if pacer is None:
        return WebClient(**options, retry_handlers=retry_handlers())
    return PacedWebClient(
        pacer=pacer, workspace=workspace, **options, retry_handlers=retry_handlers(paced=PACED_METHODS)
    )


def pacer_for(settings: Settings) -> Pacer:
    """Return the process's posting pacer, at ALIGNBOT_POST_RATE messages a second per workspace."""
    return Pacer(settings.post_rate)


def oauth_authorize_url(settings: Settings) -> str:
    """Return the OAuth authorize page that belongs to SLACK_API_URL (slack.com, GovSlack, ...)."""
    base = settings.slack_api_url
    root = base[: -len("api/")] if base.endswith("/api/") else base
    return root + "oauth/v2/authorize"


class NotInstalled(Exception):
    """No bot token is known for a workspace (OAuth mode, app not installed there)."""


class SlackClients:
    """Hand out a WebClient per workspace: the bot token, or the token its OAuth install stored."""

    def __init__(
        self, settings: Settings, installation_store: InstallationStore | None = None, *, pacer: Pacer | None = None
    ) -> None:
        self._settings = settings
        self._store = installation_store
        # One pacer for every client handed out: the limits are per workspace, not per client.
        self._pacer = pacer or pacer_for(settings)

    @property
    def pacer(self) -> Pacer:
        """Return the token buckets every client of this process posts through."""
        return self._pacer

    @property
    def installation_store(self) -> InstallationStore | None:
        """Return the OAuth installation store (None in single-workspace mode)."""
        return self._store

    def for_team(self, slack_team_id: str) -> WebClient:
        """Return a client that acts as the bot in `slack_team_id`."""
        if self._store is None:
            return web_client(self._settings, self._settings.bot_token, pacer=self._pacer, workspace=slack_team_id)
        bot = self._store.find_bot(enterprise_id=None, team_id=slack_team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"Alignbot is not installed in workspace {slack_team_id}")
        return web_client(self._settings, bot.bot_token, pacer=self._pacer, workspace=slack_team_id)
