"""Objectives: what leadership wants the work to serve. Keys are slugs, unique per workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.alignment import model
from bot.blocks.objectives import Preview, PreviewLine
from bot.parsing import ObjectiveDraft, slugify, unique_slug
from bot.services.errors import NotFound, Repeated, UserError
from bot.services.permissions import Permissions
from bot.services.tagging import Tagging
from storage import repositories
from storage.models import Objective, Team, Update, UpdateTag, utcnow

# The form's preview re-tags the last week's updates: enough to see the effect, quick enough to wait for.
PREVIEW_DAYS = 7
PREVIEW_MAX_UPDATES = 300


@dataclass(frozen=True)
class ObjectiveView:
    """An objective as people see it."""

    key: str
    title: str
    description: str
    keywords: tuple[str, ...]
    open_initiatives: int = 0
    archived: bool = False
    examples: tuple[str, ...] = ()


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
        examples=tuple(objective.examples or ()),
        open_initiatives=open_initiatives,
        archived=objective.archived_at is not None,
    )


def known_keys(objectives: list[Objective]) -> str:
    """Return "`a`, `b`" for messages that list the keys."""
    if not objectives:
        return "there are no objectives yet (an admin adds one with `/objective add <title>`)"
    keys = [f"`{o.key}`" for o in objectives]
    return "known keys: " + ", ".join(keys[:20]) + (f" and {len(keys) - 20} more" if len(keys) > 20 else "")


def live_objectives(session: Session, workspace_id: int, keys: tuple[str, ...]) -> list[Objective]:
    """Return the live objectives with these keys, in order; raise a UserError naming the first unknown or archived."""
    found: list[Objective] = []
    for key in keys:
        objective = repositories.find_objective(session, workspace_id, key)
        if objective is None:
            active = repositories.list_objectives(session, workspace_id)
            raise NotFound(f"Nothing was saved: there is no objective `#{key}`; {known_keys(active)}.")
        if objective.archived_at is not None:
            raise UserError(f"Nothing was saved: objective `#{key}` is archived.")
        found.append(objective)
    return found


def normal_key(text: str) -> str:
    """Return a key as typed (`#New-Revenue`) in its stored form."""
    return text.strip().lstrip("#").casefold()


class ObjectivesService:
    """Add, list, edit and archive a workspace's objectives."""

    def __init__(
        self, sessions: sessionmaker[Session], permissions: Permissions, tagging: Tagging | None = None
    ) -> None:
        self._sessions = sessions
        self._permissions = permissions
        self._tagging = tagging or Tagging(sessions)

    def add(self, slack_team_id: str, user_id: str, draft: ObjectiveDraft, *, once: str | None = None) -> ObjectiveView:
        """Add an objective with a key derived from its title.

        `once` (see errors.once_key) is recorded with the objective: the same key again raises Repeated.
        """
        self._permissions.require_admin(slack_team_id, user_id, "add objectives")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            if once and not repositories.claim_event(session, workspace.id, once):
                raise Repeated()
            active = repositories.list_objectives(session, workspace.id)
            same = next((o for o in active if o.title.casefold() == draft.title.casefold()), None)
            if same is not None:
                raise UserError(f"There is already an objective called “{same.title}” (key `{same.key}`).")
            key = unique_slug(slugify(draft.title), repositories.objective_keys(session, workspace.id))
            objective = Objective(
                workspace_id=workspace.id,
                key=key,
                title=draft.title,
                description=draft.description,
                keywords=list(draft.keywords),
                examples=list(draft.examples),
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
        self,
        slack_team_id: str,
        user_id: str,
        key: str,
        title: str,
        description: str,
        keywords: tuple[str, ...],
        examples: tuple[str, ...] | None = None,
    ) -> ObjectiveView:
        """Change an objective's title, description, keywords and (given) examples; its key stays."""
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
            if examples is not None:
                objective.examples = list(examples)
            return view_of(objective)

    def preview(
        self, slack_team_id: str, user_id: str, key: str | None, draft: ObjectiveDraft, *, now: datetime | None = None
    ) -> Preview:
        """Return how the last PREVIEW_DAYS days' updates would be tagged with a new or edited objective's wording.

        Hand-tagged updates keep their tags whatever the wording, so they are left out.
        """
        self._permissions.require_admin(slack_team_id, user_id, "edit objectives")
        since = (now or utcnow()) - timedelta(days=PREVIEW_DAYS)
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            editing = self._find(session, slack_team_id, key, active=True) if key else None
            wanted = (
                editing.key
                if editing
                else unique_slug(slugify(draft.title), repositories.objective_keys(session, workspace.id))
            )
            tagger = self._tagging.draft_tagger(
                session,
                workspace.id,
                model.Objective(wanted, draft.title, draft.description, draft.keywords, draft.examples),
            )
            rows = session.execute(
                select(Update.id, Update.text, Team.name)
                .join(Team, Team.id == Update.team_id)
                .where(Update.workspace_id == workspace.id, Update.tags_by_hand.is_(False), Update.created_at >= since)
                .order_by(Update.id.desc())
                .limit(PREVIEW_MAX_UPDATES)
            ).all()
            tagged_now = (
                set(
                    session.scalars(
                        select(UpdateTag.update_id).where(
                            UpdateTag.update_id.in_([row.id for row in rows]),
                            UpdateTag.objective_id == editing.id,
                        )
                    )
                )
                if editing and rows
                else set()
            )
        lines = tuple(
            PreviewLine(
                team=team,
                text=text,
                before=update_id in tagged_now,
                after=any(m.key == wanted for m in tagger.tag(text)),
            )
            for update_id, text, team in rows
        )
        return Preview(draft.title, PREVIEW_DAYS, len(lines), lines)

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
            known = known_keys(repositories.list_objectives(session, workspace.id))
            raise NotFound(f"There is no objective `{wanted[:40]}`; {known}.")
        if active and objective.archived_at is not None:
            raise UserError(f"Objective `{objective.key}` is archived.")
        return objective
