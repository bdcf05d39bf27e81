"""The guard that keeps requests naming another workspace away from every listener."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

logger = logging.getLogger(__name__)


def only_the_authorized_workspace(
    body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """Refuse a request naming a workspace other than the authorized one."""
    # Listeners act on the team the body names; Slack Connect and org-wide payloads can name
    # a team other than the one our token (single-workspace) or installation (OAuth) belongs to.
    authorized = context.authorize_result.team_id if context.authorize_result else None
    named = named_teams(body)
    if authorized and named - {authorized}:
        logger.info(
            "ignored a request (%s) for another workspace than the authorized one", body.get("type") or "command"
        )
        return BoltResponse(status=200, body="")
    # Not a sign of a reinstall: Slack's retries and late events of an uninstalled workspace come here too.
    return next()


def register(app: App) -> None:
    """Attach the middleware that refuses requests for a workspace other than the authorized one."""
    app.middleware(only_the_authorized_workspace)


def named_teams(body: dict[str, Any]) -> set[str]:
    """Return the workspace ids a payload names where our listeners read them."""
    team = body.get("team")
    named = {body.get("team_id"), team.get("id") if isinstance(team, dict) else team}
    return {t for t in named if isinstance(t, str) and t}
