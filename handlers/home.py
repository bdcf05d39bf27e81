"""The App Home: publish a person's home, and the time-off pickers and admin buttons on it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import checkin as checkin_blocks
from bot.blocks import home as home_blocks
from bot.blocks import settings as settings_blocks
from bot.parsing import ListFilter, parse_date
from bot.services import Services
from bot.services.cycles import open_value
from bot.services.errors import UserError
from handlers.queued import two_steps


def publish_home(services: Services, client: WebClient, team: str, user: str, notice: str | None = None) -> None:
    """Build and publish a person's App Home: each of their teams, their time off, open handoffs, the digest,
    admin settings."""
    weeks = services.checkins.person_weeks(team, user)
    mine = weeks[0] if weeks else None
    _, initiatives = services.initiatives.list(team, user, ListFilter(mine=True))
    week = mine[2] if mine else services.digests.current_week(team)
    digest = services.digests.build(team, week, trend_weeks=1) if mine else None
    handed_to, handoffs = services.handoffs.open_for(team, user)
    admin_blocks = (
        settings_blocks.settings_buttons([(t.id, t.name) for t in services.teams.overview(team).teams])
        if services.permissions.is_admin(team, user)
        else []
    )
    view = home_blocks.home_view(
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
        other_teams=[
            home_blocks.TeamWeek(name, wk, bool(text), open_value(tid, wk), text) for tid, name, wk, text in weeks[1:]
        ],
        time_off=[(a.id, a.first, a.last) for a in services.people.time_off(team, user)],
        today=services.people.today(team, user),
        admin_blocks=admin_blocks,
        past_weeks=_past_weeks(services, team, user),
        notice=notice,
        goals=services.goals.team_goals(team, mine[0]) if mine else (),
    )
    client.views_publish(user_id=user, view=view)


def _past_weeks(services: Services, slack_team_id: str, user: str) -> list[dict[str, Any]]:
    """Return App Home's "Past weeks": the last weeks' answers of each of the person's teams."""
    return checkin_blocks.past_weeks_blocks(
        [
            (
                past.team,
                [
                    (w.week, [checkin_blocks.PastLine(a.author, a.text, a.objectives) for a in w.answers])
                    for w in past.weeks
                ],
                past.weeks_asked,
            )
            for past in services.history.for_person(slack_team_id, user)
        ]
    )


TIME_OFF_ACTIONS = re.compile(
    rf"^({home_blocks.AWAY_FIRST_ACTION}|{home_blocks.AWAY_LAST_ACTION}|"
    rf"{home_blocks.AWAY_CANCEL_ACTION}):\d+$|^{home_blocks.AWAY_ADD_ACTION}$"
)


def time_off_changed(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Add, move or cancel a stretch of time off from the App Home's pickers."""
    ack()
    team, user = body["team"]["id"], body["user"]["id"]
    kind, _, raw_id = action["action_id"].partition(":")
    picked = parse_date(action.get("selected_date") or "")
    notice = None
    try:
        if kind == home_blocks.AWAY_CANCEL_ACTION:
            services.people.cancel_time_off(team, user, int(raw_id))
        elif isinstance(picked, date):
            current = {a.id: a for a in services.people.time_off(team, user)}
            if kind == home_blocks.AWAY_ADD_ACTION:
                services.people.away(team, user, picked, picked)
            elif raw_id.isdigit() and int(raw_id) in current:
                stretch = current[int(raw_id)]
                # Moving one end past the other moves both: the stretch stays a valid one.
                first = picked if kind == home_blocks.AWAY_FIRST_ACTION else min(stretch.first, picked)
                last = picked if kind == home_blocks.AWAY_LAST_ACTION else max(stretch.last, picked)
                services.people.away(team, user, first, last, replace=stretch.id)
    except UserError as error:
        notice = f":warning: {error.message}"
    publish_home(services, client, team, user, notice)


def register(app: App) -> None:
    """Attach the App Home listeners."""
    app.action(TIME_OFF_ACTIONS)(**two_steps(time_off_changed))
