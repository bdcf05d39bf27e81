"""Objectives: what leadership wants the work to serve. Keys are slugs, unique per workspace."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.parsing import ObjectiveDraft, slugify, unique_slug
from bot.services.errors import NotFound, UserError
from bot.services.permissions import Permissions
from storage import repositories
from storage.models import Objective, utcnow


@dataclass(frozen=True)
class ObjectiveView:
    """An objective as people see it."""

    key: str
    title: str
    description: str
    keywords: tuple[str, ...]
    open_initiatives: int = 0
    archived: bool = False


@dataclass(frozen=True)
class ObjectiveList:
    """The active objectives, and how many are archived."""

    objectives: tuple[ObjectiveView, ...]
    archived: int


def view_of(objective: Objective, open_initiatives: int = 0) -> ObjectiveView:
    """Return the plain view of an objective row."""
    return ObjectiveView(
        key=objective.key,
        title=objective.title,
        description=objective.description or "",
        keywords=tuple(objective.keywords or ()),
        open_initiatives=open_initiatives,
        archived=objective.archived_at is not None,
    )


def known_keys(objectives: list[Objective]) -> str:
    """Return "`a`, `b`" for messages that list the keys."""
    if not objectives:
        return "there are no objectives yet (an admin adds one with `/objective add <title>`)"
    keys = [f"`{o.key}`" for o in objectives]
    return "known keys: " + ", ".join(keys[:20]) + (f" and {len(keys) - 20} more" if len(keys) > 20 else "")


def normal_key(text: str) -> str:
    """Return a key as typed (`#New-Revenue`) in its stored form."""
    return text.strip().lstrip("#").casefold()


class ObjectivesService:
    """Add, list, edit and archive a workspace's objectives."""

    def __init__(self, sessions: sessionmaker[Session], permissions: Permissions) -> None:
        self._sessions = sessions
        self._permissions = permissions

    def add(self, slack_team_id: str, user_id: str, draft: ObjectiveDraft) -> ObjectiveView:
        """Add an objective with a key derived from its title."""
        self._permissions.require_admin(slack_team_id, user_id, "add objectives")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            active = repositories.list_objectives(session, workspace.id)
            same = next((o for o in active if o.title.casefold() == draft.title.casefold()), None)
            if same is not None:
                raise UserError(f"There is already an objective called “{same.title}” (key `{same.key}`).")
            key = unique_slug(slugify(draft.title), repositories.objective_keys(session, workspace.id))
            objective = Objective(
                workspace_id=workspace.id, key=key, title=draft.title, description=draft.description, keywords=[]
            )
            session.add(objective)
            session.flush()
            return view_of(objective)

    def list(self, slack_team_id: str) -> ObjectiveList:
        """Return the active objectives with their open-initiative counts."""
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            counts = repositories.open_initiative_counts(session, workspace.id)
            objectives = tuple(
                view_of(o, counts.get(o.id, 0)) for o in repositories.list_objectives(session, workspace.id)
            )
            return ObjectiveList(objectives, repositories.count_archived_objectives(session, workspace.id))

    def for_edit(self, slack_team_id: str, user_id: str, key: str) -> ObjectiveView:
        """Return an objective an admin is about to edit."""
        self._permissions.require_admin(slack_team_id, user_id, "edit objectives")
        with self._sessions.begin() as session:
            return view_of(self._find(session, slack_team_id, key, active=True))

    def update(
        self, slack_team_id: str, user_id: str, key: str, title: str, description: str, keywords: tuple[str, ...]
    ) -> ObjectiveView:
        """Change an objective's title, description and keywords; its key stays."""
        self._permissions.require_admin(slack_team_id, user_id, "edit objectives")
        with self._sessions.begin() as session:
            objective = self._find(session, slack_team_id, key, active=True)
            others = repositories.list_objectives(session, objective.workspace_id)
            same = next((o for o in others if o.id != objective.id and o.title.casefold() == title.casefold()), None)
            if same is not None:
                raise UserError(f"There is already an objective called “{same.title}” (key `{same.key}`).")
            objective.title = title
            objective.description = description
            objective.keywords = list(keywords)
            return view_of(objective)

    def archive(self, slack_team_id: str, user_id: str, key: str) -> ObjectiveView:
        """Archive an objective: new work can no longer be tagged with it; history keeps it."""
        self._permissions.require_admin(slack_team_id, user_id, "archive objectives")
        with self._sessions.begin() as session:
            objective = self._find(session, slack_team_id, key, active=False)
            if objective.archived_at is not None:
                raise UserError(f"Objective `{objective.key}` is already archived.")
            objective.archived_at = utcnow()
            return view_of(objective)

    def _find(self, session: Session, slack_team_id: str, key: str, *, active: bool) -> Objective:
        workspace = repositories.ensure_workspace(session, slack_team_id)
        wanted = normal_key(key)
        objective = repositories.find_objective(session, workspace.id, wanted)
        if objective is None:
            raise NotFound(
                f"There is no objective `{wanted[:40]}`; {known_keys(repositories.list_objectives(session, workspace.id))}."
            )
        if active and objective.archived_at is not None:
            raise UserError(f"Objective `{objective.key}` is archived.")
        return objective
