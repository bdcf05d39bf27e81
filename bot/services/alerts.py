"""Problems a person must fix (the bot left a channel, the token was revoked): noted once, told to admins once."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import rows_changed
from storage.models import Workspace

logger = logging.getLogger(__name__)

CHANNEL_PROBLEMS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
TOKEN_PROBLEMS = frozenset(
    {"invalid_auth", "token_revoked", "account_inactive", "not_authed", "team_access_not_granted", "missing_scope"}
)


def note_workspace_problem(sessions: sessionmaker[Session], workspace_id: int, problem: str) -> bool:
    """Mark the workspace's problem; say True only to the one caller that marked it first."""
    with sessions.begin() as session:
        marked = rows_changed(
            session,
            update(Workspace).where(Workspace.id == workspace_id, Workspace.problem.is_(None)).values(problem=problem),
        )
        return marked == 1


def clear_workspace_problem(sessions: sessionmaker[Session], workspace_id: int, prefix: str) -> None:
    """Forget the workspace's problem once what it was about works again."""
    with sessions.begin() as session:
        session.execute(
            update(Workspace)
            .where(
                Workspace.id == workspace_id,
                Workspace.problem.startswith(prefix, autoescape=True),
            )
            .values(problem=None)
        )


def alert_admins(client: WebClient, targets: Iterable[str], text: str) -> None:
    """Post `text` to each target (a channel or an admin's id); one that fails does not stop the others."""
    targets = list(targets)
    if not targets:
        logger.warning("no admin to tell: %s", text)
    for target in targets:
        try:
            client.chat_postMessage(channel=target, text=text)
        except (SlackApiError, SlackClientError, OSError) as error:
            logger.warning("could not alert %s: %s", target, getattr(error, "response", {}).get("error") or error)
