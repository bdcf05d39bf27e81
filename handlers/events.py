"""Events API listeners, and the guard that drops Slack's retries of events already handled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.request import BoltRequest

from bot.services import Services
from bot.services.errors import UserError

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
        try:
            services.teams.member_joined(body["team_id"], event["channel"], event["user"], context.bot_user_id)
        except UserError as error:  # nobody to tell; the next refresh tries again
            logger.warning("could not re-read members of %s: %s", event.get("channel"), error.message)

    @app.event("member_left_channel")
    def member_left(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        services.teams.member_left(body["team_id"], event["channel"], event["user"], context.bot_user_id)
