"""Queries the services use. Every function takes the workspace it is scoped to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import ProcessedEvent, Workspace


def ensure_workspace(session: Session, slack_team_id: str, name: str | None = None) -> Workspace:
    """Return the workspace row for a Slack team id, creating it on first sight."""
    workspace = session.scalar(select(Workspace).where(Workspace.slack_team_id == slack_team_id))
    if workspace is not None:
        return workspace
    try:
        # A savepoint: a concurrent request may create the same row first.
        with session.begin_nested():
            workspace = Workspace(slack_team_id=slack_team_id, name=name)
            session.add(workspace)
    except IntegrityError:
        workspace = session.scalars(select(Workspace).where(Workspace.slack_team_id == slack_team_id)).one()
    return workspace


def find_workspace(session: Session, slack_team_id: str) -> Workspace | None:
    """Return the workspace row for a Slack team id, if it exists."""
    return session.scalar(select(Workspace).where(Workspace.slack_team_id == slack_team_id))


def claim_event(session: Session, workspace_id: int, event_id: str) -> bool:
    """Record a Slack event id; say False when it was already handled (a Slack retry)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(workspace_id=workspace_id, event_id=event_id))
    except IntegrityError:
        return False
    return True
