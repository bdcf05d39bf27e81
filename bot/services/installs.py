"""Uninstall and reinstall: forget a workspace's tokens at once, its data RETENTION later (or on request)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store import InstallationStore
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage import repositories
from storage.models import Workspace, utcnow

logger = logging.getLogger(__name__)

# How long an uninstalled workspace's data is kept (a reinstall within it finds everything as it was).
RETENTION = timedelta(days=30)


class Installs:
    """Keep the workspace rows in step with Slack's install, uninstall and token revocation."""

    def __init__(self, sessions: sessionmaker[Session], store: InstallationStore | None) -> None:
        self._sessions = sessions
        self._store = store
        # Workspaces this process saw installed: every request reports its workspace, and the
        # acknowledgement must not wait on the database for what is nearly always a no-op.
        self._installed: set[str] = set()

    def uninstalled(self, slack_team_id: str, *, enterprise_id: str | None = None,
                    now: datetime | None = None) -> None:
        """Delete the workspace's tokens and stop scheduling it; its data goes RETENTION later."""
        self._installed.discard(slack_team_id)
        if self._store is not None:
            self._store.delete_all(enterprise_id=enterprise_id, team_id=slack_team_id)
        with self._sessions.begin() as session:
            session.execute(update(Workspace).where(
                Workspace.slack_team_id == slack_team_id, Workspace.uninstalled_at.is_(None),
            ).values(uninstalled_at=now or utcnow()))
        logger.info("workspace %s uninstalled Alignbot: tokens deleted, no more scheduling, data deleted after %d days",
                    slack_team_id, RETENTION.days)

    def tokens_revoked(self, slack_team_id: str, tokens: dict[str, Any], *,
                       enterprise_id: str | None = None) -> None:
        """Delete revoked user tokens; a revoked bot token is as good as an uninstall."""
        if tokens.get("bot"):
            return self.uninstalled(slack_team_id, enterprise_id=enterprise_id)
        if self._store is not None:
            for user_id in tokens.get("oauth") or []:
                self._store.delete_installation(enterprise_id=enterprise_id, team_id=slack_team_id, user_id=user_id)
        return None

    def reinstalled(self, slack_team_id: str) -> None:
        """Schedule the workspace again (it installed the app anew, or Slack accepts its token again)."""
        if slack_team_id in self._installed:
            return
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None or workspace.uninstalled_at is None:
                self._installed.add(slack_team_id)
                return
        self._installed.add(slack_team_id)
        with self._sessions.begin() as session:
            session.execute(update(Workspace).where(Workspace.slack_team_id == slack_team_id)
                            .values(uninstalled_at=None))
        logger.info("workspace %s installed Alignbot again", slack_team_id)

    def forget(self, slack_team_id: str) -> bool:
        """Delete everything stored about a workspace now: tokens, teams, updates, ...; say if there was any."""
        self._installed.discard(slack_team_id)
        if self._store is not None:
            self._store.delete_all(enterprise_id=None, team_id=slack_team_id)
        with self._sessions.begin() as session:
            # Every table hangs off the workspace with ON DELETE CASCADE.
            deleted = session.execute(delete(Workspace).where(Workspace.slack_team_id == slack_team_id)).rowcount
        return bool(deleted)

    def purge(self, *, now: datetime | None = None) -> list[str]:
        """Delete the data of workspaces uninstalled longer than RETENTION ago; return their ids."""
        cutoff = (now or utcnow()) - RETENTION
        with self._sessions() as session:
            # Deliberately across workspaces: a retention sweep, not a user query.
            due = list(session.scalars(select(Workspace.slack_team_id).where(Workspace.uninstalled_at < cutoff)))
        for slack_team_id in due:
            self.forget(slack_team_id)
            logger.info("deleted the data of workspace %s, uninstalled more than %d days ago",
                        slack_team_id, RETENTION.days)
        return due
