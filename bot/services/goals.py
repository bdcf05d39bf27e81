"""Team goals in Slack: add, list, edit and archive them; leads and admins change a team's goals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.alignment import model
from bot.alignment.goals import GoalLink, link_goals
from bot.blocks.checkin import Choice
from bot.orgfile import MAX_GOALS
from bot.parsing import GoalDraft, TeamRef
from bot.services.errors import NotFound, UserError
from bot.services.objectives import live_objectives
from bot.services.people import PeopleService
from bot.services.tagging import as_engine_objective
from bot.services.teams import resolve_team, team_names
from storage import repositories
from storage.models import Goal, Team, utcnow


@dataclass(frozen=True)
class GoalView:
    """A goal as people see it: its team, title and the objectives it serves (key, title)."""

    id: int
    team: str
    title: str
    serves: tuple[tuple[str, str], ...]
    suggested: bool
    confident: bool
    archived: bool = False


def goal_views(session: Session, workspace_id: int, team_id: int | None = None) -> list[GoalView]:
    """Return the workspace's (or one team's) live goals as views, team by team."""
    teams = {t.id: t.name for t in repositories.list_teams(session, workspace_id)}
    titles = {o.id: (o.key, o.title) for o in repositories.list_objectives(session, workspace_id)}
    return [_view(row, teams[row.team_id], titles) for row in repositories.list_goals(session, workspace_id, team_id)]


def _view(row: Goal, team: str, titles: dict[int, tuple[str, str]]) -> GoalView:
    serves = tuple(titles[s.objective_id] for s in row.serves if s.objective_id in titles)
    return GoalView(row.id, team, row.title, serves, row.suggested, row.confident, row.archived_at is not None)


def suggest_links(session: Session, workspace_id: int, team: Team, title: str) -> GoalLink:
    """Suggest the objectives a new goal of `team` serves, taught by the goals people linked already."""
    rows = repositories.list_objectives(session, workspace_id)
    keys = {o.id: o.key for o in rows}
    goals: dict[int, list[model.Goal]] = {}
    for row in repositories.list_goals(session, workspace_id):
        stated = None if row.suggested else tuple(keys[s.objective_id] for s in row.serves if s.objective_id in keys)
        goals.setdefault(row.team_id, []).append(model.Goal(row.title, stated))
    goals.setdefault(team.id, []).append(model.Goal(title))
    # Teams by id: only the goals matter here, and the new one is the last.
    teams = tuple(model.Team(str(team_id), goals=tuple(g)) for team_id, g in goals.items() if team_id != team.id)
    org = model.Org(
        teams=(*teams, model.Team(team.name, goals=tuple(goals[team.id]))),
        objectives=tuple(as_engine_objective(o) for o in rows),
    )
    return link_goals(org)[-1]


class GoalsService:
    """What `/goal` does."""

    def __init__(self, sessions: sessionmaker[Session], people: PeopleService) -> None:
        self._sessions = sessions
        self._people = people

    def add(self, slack_team_id: str, user_id: str, draft: GoalDraft) -> GoalView:
        """Add a goal to a team; suggest what it serves when no objective is named."""
        assert draft.team is not None and draft.title is not None
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team_id, name = (found := self._team(session, workspace.id, draft.team)).id, found.name
        self._people.require_lead(slack_team_id, user_id, name, "change team {team}'s goals")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = repositories.get_team(session, workspace.id, team_id)
            if team is None:
                raise NotFound("Nothing was saved: that team no longer exists.")
            if repositories.count_goals(session, workspace.id, team.id) >= MAX_GOALS:
                raise UserError(
                    f"Nothing was saved: team *{team.name}* has {MAX_GOALS} goals already, the most a team can have; "
                    "archive one with `/goal archive <id>` first."
                )
            self._refuse_twice(session, workspace.id, team, draft.title)
            row = Goal(workspace_id=workspace.id, team_id=team.id, title=draft.title, created_by=user_id)
            self._link(session, workspace.id, team, row, draft.title, draft.objective_keys)
            session.add(row)
            session.flush()
            return goal_views(session, workspace.id, team.id)[-1]

    def listing(self, slack_team_id: str, wanted: TeamRef | None) -> tuple[list[GoalView], str | None]:
        """Return the live goals of every team, or of the team asked for (and its name)."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = self._team(session, workspace.id, wanted) if wanted is not None else None
            return goal_views(session, workspace.id, team.id if team else None), team.name if team else None

    def team_goals(self, slack_team_id: str, team_id: int) -> list[GoalView]:
        """Return one team's live goals."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            return goal_views(session, workspace.id, team_id)

    def edit(self, slack_team_id: str, user_id: str, draft: GoalDraft) -> GoalView:
        """Give a goal a new title and/or the objectives it serves."""
        assert draft.goal_id is not None
        self._require_goal_lead(slack_team_id, user_id, draft.goal_id, "edit team {team}'s goals")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row, team = self._goal(session, workspace.id, draft.goal_id)
            if draft.title is not None and draft.title.casefold() != row.title.casefold():
                self._refuse_twice(session, workspace.id, team, draft.title)
            title = draft.title or row.title
            if draft.objective_keys is not None or (draft.title is not None and row.suggested):
                self._link(session, workspace.id, team, row, title, draft.objective_keys)
            row.title = title
            session.flush()
            return next(v for v in goal_views(session, workspace.id, team.id) if v.id == row.id)

    def link_form(self, slack_team_id: str, user_id: str, goal_id: int) -> tuple[GoalView, list[Choice]]:
        """Return a goal and every live objective, for the lead who picks what it serves."""
        self._require_goal_lead(slack_team_id, user_id, goal_id, "link team {team}'s goals")
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row, team = self._goal(session, workspace.id, goal_id)
            view = next(v for v in goal_views(session, workspace.id, team.id) if v.id == row.id)
            return view, [Choice(o.title, o.key) for o in repositories.list_objectives(session, workspace.id)]

    def archive(self, slack_team_id: str, user_id: str, goal_id: int) -> GoalView:
        """Archive a goal: it leaves the team's list, the tagger and the digest."""
        self._require_goal_lead(slack_team_id, user_id, goal_id, "archive team {team}'s goals")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row, team = self._goal(session, workspace.id, goal_id)
            view = next(v for v in goal_views(session, workspace.id, team.id) if v.id == row.id)
            row.archived_at = utcnow()
            return view

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _link(
        session: Session, workspace_id: int, team: Team, row: Goal, title: str, keys: tuple[str, ...] | None
    ) -> None:
        """Make the goal serve `keys` as stated, or what Alignbot suggests for its title when None."""
        if keys is not None:
            objectives = live_objectives(session, workspace_id, keys)
            row.suggested, row.confident = False, True
            repositories.set_goal_serves(row, [o.id for o in objectives])
            return
        link = suggest_links(session, workspace_id, team, title)
        ids = {o.key: o.id for o in repositories.list_objectives(session, workspace_id)}
        row.suggested, row.confident = True, link.confident
        repositories.set_goal_serves(row, [ids[key] for key in link.serves])

    @staticmethod
    def _refuse_twice(session: Session, workspace_id: int, team: Team, title: str) -> None:
        for goal in repositories.list_goals(session, workspace_id, team.id):
            if goal.title.casefold() == title.casefold():
                raise UserError(f"Nothing was saved: team *{team.name}* has that goal already (#{goal.id}).")

    @staticmethod
    def _team(session: Session, workspace_id: int, ref: TeamRef) -> Team:
        team = resolve_team(session, workspace_id, ref)
        if team is None:
            teams = repositories.list_teams(session, workspace_id)
            raise NotFound(f"Nothing was saved: there is no team called '{ref.name}'; {team_names(teams)}.")
        return team

    @staticmethod
    def _goal(session: Session, workspace_id: int, goal_id: int) -> tuple[Goal, Team]:
        row = repositories.get_goal(session, workspace_id, goal_id)
        if row is None or row.archived_at is not None:
            raise NotFound(f"There is no goal #{goal_id}; see `/goal list`.")
        team = repositories.get_team(session, workspace_id, row.team_id)
        assert team is not None  # a team's goals go with it
        return row, team

    def _require_goal_lead(self, slack_team_id: str, user_id: str, goal_id: int, doing: str) -> None:
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            _, team = self._goal(session, workspace.id, goal_id)
            name = team.name
        self._people.require_lead(slack_team_id, user_id, name, doing)
