"""Events API listeners, and the guard that drops Slack's retries of events already handled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.blocks.checkin import confirmation

from bot.services import Services
from bot.services.errors import UserError
from handlers import home

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Attach the event de-duplication middleware and the channel membership listeners."""

    @app.middleware
    def drop_repeated_events(
        request: BoltRequest, body: dict[str, Any], next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        team_id = body.get("team_id")
        if event_id and team_id and not services.claim_event(team_id, event_id):
            logger.info("event %s already handled; dropping the retry", event_id)
            return BoltResponse(status=200, body="")
        return next()

    @app.event("member_joined_channel")
    def member_joined(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        services.teams.member_joined(body["team_id"], event["channel"], event["user"], context.bot_user_id)

    @app.event("member_left_channel")
    def member_left(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        services.teams.member_left(body["team_id"], event["channel"], event["user"], context.bot_user_id)

    @app.event("message")
    def message(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        # Only a person's reply in a thread can be a check-in answer.
        thread_ts, ts = event.get("thread_ts"), event.get("ts")
        if event.get("subtype") or event.get("bot_id") or not thread_ts or thread_ts == ts or not event.get("user"):
            return
        channel, user = event["channel"], event["user"]
        try:
            recorded = services.checkins.record_thread_reply(body["team_id"], user, channel, thread_ts,
                                                             event.get("text") or "", ts)
        except UserError as error:
            _answer_in_thread(client, channel, user, thread_ts, {"text": f":warning: {error.message}"})
            return
        if recorded is not None:
            _answer_in_thread(client, channel, user, thread_ts, confirmation(
                recorded.team, recorded.week, recorded.tags, replaced=recorded.replaced, by_hand=recorded.by_hand,
                update_id=recorded.update_id))

    @app.event("app_home_opened")
    def app_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        home.publish_home(services, client, body["team_id"], event["user"])


def _answer_in_thread(client: WebClient, channel: str, user: str, thread_ts: str, payload: dict[str, Any]) -> None:
    """Answer a thread reply: privately in a channel, in the thread of a direct message."""
    if channel.startswith("D"):
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)
    else:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **payload)
