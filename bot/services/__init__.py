"""Services: what handlers, the scheduler and the CLI call. They own transactions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.slack import SlackClients
from storage import repositories


@dataclass
class Services:
    """The bot's services, built once by the composition root and passed down."""

    settings: Settings
    sessions: sessionmaker[Session]
    clients: SlackClients

    def workspace_id(self, slack_team_id: str) -> int:
        """Return our id for a Slack workspace, registering it on first sight."""
        with self.sessions.begin() as session:
            return repositories.ensure_workspace(session, slack_team_id).id

    def claim_event(self, slack_team_id: str, event_id: str) -> bool:
        """Record an event id; say False when it was already handled (Slack retried it)."""
        with self.sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            return repositories.claim_event(session, workspace.id, event_id)
