"""Uninstall and reinstall: forget a workspace's tokens at once, its data RETENTION later (or on request)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import InstallationStore
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import rows_changed
from storage.models import Workspace, utcnow
from storage.slack_tables import enterprise_workspaces

logger = logging.getLogger(__name__)

# How long an uninstalled workspace's data is kept (a reinstall within it finds everything as it was).
RETENTION = timedelta(days=30)


class Installs:
    """Keep the workspace rows in step with Slack's install, uninstall and token revocation."""

    def __init__(self, sessions: sessionmaker[Session], store: InstallationStore | None) -> None:
        self._sessions = sessions
        self._store = store

    def uninstalled(
        self, slack_team_id: str | None, *, enterprise_id: str | None = None, now: datetime | None = None
    ) -> None:
        """Delete the workspace's tokens and stop scheduling it; its data goes RETENTION later.

        Without a workspace (an org-wide uninstall), do so for every workspace of the enterprise.
        """
        if slack_team_id is None:
            return self._enterprise_uninstalled(enterprise_id, now=now)
        if self._store is not None:
            self._store.delete_all(enterprise_id=enterprise_id, team_id=slack_team_id)
        with self._sessions.begin() as session:
            session.execute(
                update(Workspace)
                .where(
                    Workspace.slack_team_id == slack_team_id,
                    Workspace.uninstalled_at.is_(None),
                )
                .values(uninstalled_at=now or utcnow())
            )
        logger.info(
            "workspace %s uninstalled Alignbot: tokens deleted, no more scheduling, data deleted after %d days",
            slack_team_id,
            RETENTION.days,
        )
        return None

    def _enterprise_uninstalled(self, enterprise_id: str | None, *, now: datetime | None) -> None:
        if enterprise_id is None or self._store is None:
            # Single-workspace mode knows no enterprise's workspaces: its own token stops working by itself.
            logger.info("ignored an org-wide uninstall: no installation store to remove it from")
            return
        with self._sessions() as session:
            teams = enterprise_workspaces(session, enterprise_id)
        for slack_team_id in teams:
            self.uninstalled(slack_team_id, enterprise_id=enterprise_id, now=now)
        self._store.delete_all(enterprise_id=enterprise_id, team_id=None)  # the org-wide install itself
        logger.info(
            "enterprise %s uninstalled Alignbot from its %d workspace(s) with an install", enterprise_id, len(teams)
        )

    def tokens_revoked(
        self, slack_team_id: str | None, tokens: dict[str, Any], *, enterprise_id: str | None = None
    ) -> None:
        """Delete revoked user tokens; a revoked bot token is as good as an uninstall."""
        if tokens.get("bot"):
            return self.uninstalled(slack_team_id, enterprise_id=enterprise_id)
        if self._store is not None:
            for user_id in tokens.get("oauth") or []:
                self._store.delete_installation(enterprise_id=enterprise_id, team_id=slack_team_id, user_id=user_id)
        return None

    def reinstalled(self, slack_team_id: str) -> None:
        """Schedule the workspace again if it was uninstalled."""
        # Installed again only when Slack gives a working token: an OAuth install saved, or SLACK_BOT_TOKEN at start.
        with self._sessions.begin() as session:
            done = rows_changed(
                session,
                update(Workspace)
                .where(
                    Workspace.slack_team_id == slack_team_id,
                    Workspace.uninstalled_at.is_not(None),
                )
                .values(uninstalled_at=None),
            )
        if done:
            logger.info("workspace %s installed Alignbot again", slack_team_id)

    def forget(self, slack_team_id: str) -> bool:
        """Delete everything stored about a workspace now: tokens, teams, updates, ...; say if there was any."""
        if self._store is not None:
            self._store.delete_all(enterprise_id=None, team_id=slack_team_id)
        with self._sessions.begin() as session:
            # Every table hangs off the workspace with ON DELETE CASCADE.
            deleted = rows_changed(session, delete(Workspace).where(Workspace.slack_team_id == slack_team_id))
        return bool(deleted)

    def purge(self, *, now: datetime | None = None) -> list[str]:
        """Delete the data of workspaces uninstalled longer than RETENTION ago; return their ids."""
        cutoff = (now or utcnow()) - RETENTION
        with self._sessions() as session:
            # Deliberately across workspaces: a retention sweep, not a user query.
            due = list(session.scalars(select(Workspace.slack_team_id).where(Workspace.uninstalled_at < cutoff)))
        for slack_team_id in due:
            self.forget(slack_team_id)
            logger.info(
                "deleted the data of workspace %s, uninstalled more than %d days ago", slack_team_id, RETENTION.days
            )
        return due
