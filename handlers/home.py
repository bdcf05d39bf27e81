"""The App Home tab: what a person sees there, published when they open it (handlers.events) and after they answer from it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.blocks import checkin as checkin_blocks
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
    view = home_view(
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
    )
    # "Past weeks" goes above the closing line of command hints.
    view["blocks"][-1:-1] = _past_weeks(services, slack_team_id, user)
    client.views_publish(user_id=user, view=view)


def _past_weeks(services: Services, slack_team_id: str, user: str) -> list[dict[str, Any]]:
    """Return App Home's "Past weeks": the last weeks' answers of each of the person's teams."""
    return checkin_blocks.past_weeks_blocks([
        (past.team, [(w.week, [checkin_blocks.PastLine(a.author, a.text, a.objectives) for a in w.answers])
                     for w in past.weeks], past.weeks_asked)
        for past in services.history.for_person(slack_team_id, user)])

