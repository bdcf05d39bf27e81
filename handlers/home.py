"""The App Home tab: published when a person opens it, and again after they answer from it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.home import home_view
from bot.parsing import ListFilter
from bot.services import Services
from bot.services.checkins import open_value


def publish_home(services: Services, client: WebClient, slack_team_id: str, user: str) -> None:
    """Build and publish a person's App Home: their week, initiatives, open handoffs, the latest digest."""
    mine = services.checkins.person_week(slack_team_id, user)
    _, initiatives = services.initiatives.list(slack_team_id, user, ListFilter(mine=True))
    week = mine[2] if mine else services.digests.current_week(slack_team_id)
    digest = services.digests.build(slack_team_id, week, trend_weeks=1) if mine else None
    handed_to, handoffs = services.handoffs.open_for(slack_team_id, user)
    client.views_publish(user_id=user, view=home_view(
        user_id=user,
        team=mine[1] if mine else None,
        week=week,
        answered=bool(mine and mine[3]),
        open_value=open_value(mine[0], mine[2]) if mine else None,
        update_text=mine[3] if mine else None,
        initiatives=[(str(i.id), i.title) for i in initiatives],
        digest=digest,
        handed_to=handed_to,
        handoffs=handoffs,
    ))


def register(app: App, services: Services) -> None:
    """Attach the App Home listener."""

    @app.event("app_home_opened")
    def app_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(services, client, body["team_id"], event["user"])
