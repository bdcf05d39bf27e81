"""Initiatives: work a team logs, linked to objectives (by hand or by the tagger) and partner teams."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.alignment.model import Verdict
from bot.llm import Ask, combine
from bot.parsing import InitiativeDraft, ListFilter
from bot.schedule import week_of
from bot.services.errors import NotFound, Refused, Repeated, UserError
from bot.services.handoffs import note_handoffs
from bot.services.model import ModelService, engine_objectives
from bot.services.objectives import live_objectives
from bot.services.permissions import Permissions
from bot.services.tagging import Tagging
from bot.services.teams import resolve_team, team_names
from storage import repositories
from storage.models import Initiative, InitiativePartner, InitiativeTag, Objective, Team, Workspace, utcnow

STATUS_WORDS = {"done": "done", "dropped": "dropped"}


@dataclass(frozen=True)
class TagView:
    """An objective an initiative serves."""

    key: str
    title: str
    auto: bool


@dataclass(frozen=True)
class InitiativeView:
    """An initiative as people see it."""

    id: int
    title: str
    team: str
    objectives: tuple[TagView, ...]
    partners: tuple[str, ...]
    owner: str | None
    status: str
    # Tagged by the lexicon alone (`add(..., ask_model=False)`) where the model would be asked: `retag`,
    # in a queued job, is to follow before it is confirmed.
    model_due: bool = False


@dataclass(frozen=True)
class Choice:
    """One option in a picker: the stored value and what people see."""

    value: str
    label: str


@dataclass(frozen=True)
class FormChoices:
    """What the initiative form offers, and its defaults."""

    teams: tuple[Choice, ...]
    objectives: tuple[Choice, ...]
    default_team: str | None


class InitiativesService:
    """Log, list and close initiatives."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        permissions: Permissions,
        tagging: Tagging,
        model: ModelService,
        timezone: str = "UTC",
    ) -> None:
        self._model = model
        self._timezone = timezone
        self._sessions = sessions
        self._permissions = permissions
        self._tagging = tagging

    def add(
        self,
        slack_team_id: str,
        user_id: str,
        channel_id: str | None,
        draft: InitiativeDraft,
        *,
        team_id: int | None = None,
        partner_ids: tuple[int, ...] = (),
        once: str | None = None,
        ask_model: bool = True,
    ) -> InitiativeView:
        """Log an initiative for the caller's team; tag it automatically when no objective is given.

        `once` (see errors.once_key) is recorded with the initiative: the same key again raises Repeated.
        `ask_model`: False where the caller answers Slack only afterwards (a form), which must not wait; the view
        then says whether the model is still to tag it (`retag`).
        """
        asking = ask_model and not draft.objective_keys
        answer = self._model_answer(slack_team_id, user_id, channel_id, draft, team_id) if asking else None
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            if once and not repositories.claim_event(session, workspace.id, once):
                raise Repeated()
            team = self._own_team(session, workspace.id, user_id, channel_id, team_id)
            objectives = live_objectives(session, workspace.id, draft.objective_keys)
            partners = self._partners(session, workspace.id, team, draft, partner_ids)
            initiative = Initiative(
                workspace_id=workspace.id,
                team_id=team.id,
                title=draft.title,
                owner_user_id=draft.owner or user_id,
                created_by=user_id,
            )
            model_due = False
            if objectives:
                initiative.tags = [InitiativeTag(objective_id=o.id, score=1.0, source="manual") for o in objectives]
            else:
                initiative.tags, verdict = self._auto_tags(session, workspace.id, draft.title, answer)
                model_due = not ask_model and self._model_would_ask(workspace, verdict)
            initiative.partners = [InitiativePartner(team_id=p.id) for p in partners]
            session.add(initiative)
            session.flush()
            week = week_of(initiative.created_at or utcnow(), workspace.timezone or self._timezone)
            note_handoffs(session, workspace.id, team, week, draft.title, user_id, initiative_id=initiative.id)
            return replace(self._view(session, initiative), model_due=model_due)

    def retag(
        self,
        slack_team_id: str,
        user_id: str,
        channel_id: str | None,
        draft: InitiativeDraft,
        *,
        team_id: int | None,
        logged_by: datetime,
        once: str | None,
        again: bool = False,
    ) -> InitiativeView | None:
        """Tag with the model, in a queued job, an initiative a form logged with the lexicon alone.

        The initiative is the caller's newest of that team and title logged by `logged_by` (the form's ack), tags
        all automatic. None, and nothing changed, when there is none, or when this was done already (`once`,
        see errors.once_key, unless `again`: the attempt before failed, so its work is done again).
        """
        answer = self._model_answer(slack_team_id, user_id, channel_id, draft, team_id)
        with self._sessions.begin() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                return None
            if once and not repositories.claim_event(session, workspace.id, once) and not again:
                return None
            team = self._own_team(session, workspace.id, user_id, channel_id, team_id)
            initiative = session.scalar(
                select(Initiative)
                .where(
                    Initiative.workspace_id == workspace.id,
                    Initiative.team_id == team.id,
                    Initiative.created_by == user_id,
                    Initiative.title == draft.title,
                    Initiative.created_at <= logged_by,
                )
                .order_by(Initiative.id.desc())
                .limit(1)
            )
            if initiative is None or any(t.source != "auto" for t in initiative.tags):
                return None
            tags = self._auto_tags(session, workspace.id, draft.title, answer)[0]
            # Emptied first: a tag kept under the same objective is a new row with the same key.
            initiative.tags.clear()
            session.flush()
            initiative.tags.extend(tags)
            return self._view(session, initiative)

    def _model_would_ask(self, workspace: Workspace, verdict: Verdict | None) -> bool:
        """Say whether the model is to be asked about a title the lexicon judged so."""
        return verdict is not None and self._model.will_ask(workspace.model_off, verdict.confident)

    def _own_team(
        self, session: Session, workspace_id: int, user_id: str, channel_id: str | None, team_id: int | None
    ) -> Team:
        if team_id is not None:
            team = repositories.get_team(session, workspace_id, team_id)
            if team is None:
                raise NotFound("That team no longer exists; pick another one.")
            return team
        if channel_id:
            team = repositories.find_team_by_channel(session, workspace_id, channel_id)
            if team is not None:
                return team
        mine = repositories.teams_of_user(session, workspace_id, user_id)
        if len(mine) == 1:
            return mine[0]
        if mine:
            names = ", ".join(t.name for t in mine)
            raise UserError(f"You are in several teams ({names}); run this in your team's channel.")
        raise UserError(
            "You are not in a team yet: run this in your team's channel, or ask an admin to map it with "
            "`/alignment team <name>`."
        )

    @staticmethod
    def _partners(
        session: Session, workspace_id: int, own: Team, draft: InitiativeDraft, partner_ids: tuple[int, ...]
    ) -> list[Team]:
        partners: dict[int, Team] = {}
        for ref in draft.partners:
            team = resolve_team(session, workspace_id, ref)
            if team is None:
                teams = repositories.list_teams(session, workspace_id)
                raise NotFound(
                    f"Nothing was saved: there is no team called '{ref.name}'; {team_names(teams)}. "
                    f'If "with {ref.name}" belongs to the title, put the title in quotes: '
                    f'`/initiative add "{draft.title} with {ref.name}"`.'
                )
            partners[team.id] = team
        for partner_id in partner_ids:
            team = repositories.get_team(session, workspace_id, partner_id)
            if team is None:
                raise NotFound("A partner team you picked no longer exists; pick again.")
            partners[team.id] = team
        partners.pop(own.id, None)  # working with yourself is not a partnership
        return list(partners.values())

    def _model_answer(
        self, slack_team_id: str, user_id: str, channel_id: str | None, draft: InitiativeDraft, team_id: int | None
    ) -> tuple[str, ...] | None:
        """Ask the model about the title before the transaction, which must not wait for it."""
        if self._model.config is None:
            return None
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                return None
            try:
                team = self._own_team(session, workspace.id, user_id, channel_id, team_id)
            except UserError:
                return None  # the transaction says why to the caller
            rows = repositories.list_objectives(session, workspace.id)
            verdict = self._tagging.tagger_for(workspace.id, session, rows).judge(draft.title)
        return self._model.answers(slack_team_id, [(Ask(team.name, draft.title), verdict)], engine_objectives(rows))[0]

    def _auto_tags(
        self, session: Session, workspace_id: int, title: str, answer: tuple[str, ...] | None
    ) -> tuple[list[InitiativeTag], Verdict | None]:
        """Return a title's tags, the model's `answer` (None: the lexicon's) standing, and the lexicon's verdict
        (None without objectives: nothing to ask the model about)."""
        rows = repositories.list_objectives(session, workspace_id)
        by_key = {o.key: o for o in rows}
        verdict = self._tagging.tagger_for(workspace_id, session, rows).judge(title)
        # No one is asked about an initiative: the model's answer stands, agreeing with the lexicon or not.
        matches = combine(verdict, answer)[0].matches
        tags = [
            InitiativeTag(objective_id=by_key[m.key].id, score=float(m.score), source="auto")
            for m in matches
            if m.key in by_key
        ]
        return tags, verdict if rows else None

    def list(self, slack_team_id: str, user_id: str, wanted: ListFilter) -> tuple[str, list[InitiativeView]]:
        """Return a heading and the open initiatives asked for (all, mine, or a team's)."""
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            if wanted.mine:
                rows = repositories.list_initiatives(session, workspace.id, user_id=user_id)
                heading = "Your open initiatives"
            elif wanted.team is not None:
                team = resolve_team(session, workspace.id, wanted.team)
                if team is None:
                    known = team_names(repositories.list_teams(session, workspace.id))
                    raise NotFound(f"There is no team called '{wanted.team.name}'; {known}.")
                rows = repositories.list_initiatives(session, workspace.id, team_id=team.id)
                heading = f"Open initiatives of {team.name}"
            else:
                rows = repositories.list_initiatives(session, workspace.id)
                heading = "Open initiatives"
            teams = {t.id: t.name for t in repositories.list_teams(session, workspace.id)}
            objectives = {o.id: o for o in repositories.list_objectives(session, workspace.id, include_archived=True)}
            return heading, [self._view(session, row, teams, objectives) for row in rows]

    def close(self, slack_team_id: str, user_id: str, initiative_id: int, status: str) -> InitiativeView:
        """Mark an initiative done or dropped; its owner, author, team or an admin may."""
        if status not in STATUS_WORDS:
            raise ValueError(status)
        verb = "close" if status == "done" else "drop"
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            initiative = repositories.get_initiative(session, workspace.id, initiative_id)
            if initiative is None:
                raise NotFound(f"There is no initiative #{initiative_id}; see `/initiative list`.")
            if initiative.status != "open":
                raise UserError(f"Initiative #{initiative.id} is already {initiative.status}.")
            team = repositories.get_team(session, workspace.id, initiative.team_id)
            team_name = team.name if team else "its team"
            allowed = user_id in (initiative.owner_user_id, initiative.created_by) or (
                user_id in repositories.member_ids(session, workspace.id, initiative.team_id)
            )
        # users.info may be slow: asked outside the transaction, and only when needed.
        if not allowed and not self._permissions.is_admin(slack_team_id, user_id):
            owner = f"<@{initiative.owner_user_id}>" if initiative.owner_user_id else "its owner"
            raise Refused(
                f"Only {owner}, whoever logged it, members of {team_name} or an Alignbot admin can {verb} "
                f"initiative #{initiative_id}."
            )
        with self._sessions.begin() as session:
            initiative = repositories.get_initiative(session, workspace.id, initiative_id)
            if initiative is None or initiative.status != "open":
                raise UserError(f"Initiative #{initiative_id} was closed meanwhile.")
            initiative.status = status
            initiative.closed_at = utcnow()
            return self._view(session, initiative)

    def form_choices(self, slack_team_id: str, user_id: str, channel_id: str | None) -> FormChoices:
        """Return the teams and objectives the initiative form offers, and the caller's team."""
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            teams = repositories.list_teams(session, workspace.id)
            if not teams:
                raise UserError(
                    "There are no teams yet: an admin maps a channel to a team with `/alignment team <name>` first."
                )
            default = repositories.find_team_by_channel(session, workspace.id, channel_id) if channel_id else None
            if default is None:
                mine = repositories.teams_of_user(session, workspace.id, user_id)
                default = mine[0] if len(mine) == 1 else None
            objectives = repositories.list_objectives(session, workspace.id)
            return FormChoices(
                teams=tuple(Choice(str(t.id), t.name) for t in teams),
                objectives=tuple(Choice(o.key, o.title) for o in objectives),
                default_team=str(default.id) if default else None,
            )

    @staticmethod
    def _view(
        session: Session,
        initiative: Initiative,
        teams: dict[int, str] | None = None,
        objectives: dict[int, Objective] | None = None,
    ) -> InitiativeView:
        workspace_id = initiative.workspace_id
        if teams is None:
            teams = {t.id: t.name for t in repositories.list_teams(session, workspace_id)}
        if objectives is None:
            objectives = {o.id: o for o in repositories.list_objectives(session, workspace_id, include_archived=True)}
        tags = sorted(initiative.tags, key=lambda t: (-t.score, t.objective_id))
        return InitiativeView(
            id=initiative.id,
            title=initiative.title,
            team=teams.get(initiative.team_id, "?"),
            objectives=tuple(
                TagView(objectives[t.objective_id].key, objectives[t.objective_id].title, t.source == "auto")
                for t in tags
                if t.objective_id in objectives
            ),
            partners=tuple(sorted(teams[p.team_id] for p in initiative.partners if p.team_id in teams)),
            owner=initiative.owner_user_id,
            status=initiative.status,
        )
