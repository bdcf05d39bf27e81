"""Team goals in Slack: add, list, edit and archive them; leads and admins change a team's goals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from bot.alignment import model
from bot.alignment.goals import GoalLink, link_goals
from bot.blocks import goals as goal_blocks
from bot.blocks.checkin import Choice
from bot.goallinks import lexicon_verdict, with_answer
from bot.llm import Ask
from bot.orgfile import MAX_GOALS
from bot.parsing import GoalDraft, TeamRef
from bot.services.errors import NotFound, UserError
from bot.services.model import ModelService, engine_objectives
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
    by_model: bool = False


def goal_views(session: Session, workspace_id: int, team_id: int | None = None) -> list[GoalView]:
    """Return the workspace's (or one team's) live goals as views, team by team."""
    teams = {t.id: t.name for t in repositories.list_teams(session, workspace_id)}
    titles = {o.id: (o.key, o.title) for o in repositories.list_objectives(session, workspace_id)}
    return [_view(row, teams[row.team_id], titles) for row in repositories.list_goals(session, workspace_id, team_id)]


def _view(row: Goal, team: str, titles: dict[int, tuple[str, str]]) -> GoalView:
    serves = tuple(titles[s.objective_id] for s in row.serves if s.objective_id in titles)
    return GoalView(
        row.id, team, row.title, serves, row.suggested, row.confident, row.archived_at is not None, row.by_model
    )


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


@dataclass
class LinkAsking:
    """Who was asked about which goals' links, who could not be reached, and which teams had nobody to ask."""

    people: list[str] = field(default_factory=list)
    goals: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    nobody: list[str] = field(default_factory=list)

    def line(self) -> str | None:
        """Return "asked 2 leads about 3 goals' links", or None when nobody was asked."""
        if not self.people:
            return None
        people, goals = len(self.people), len(self.goals)
        whose = "goal's" if goals == 1 else "goals'"
        return f"asked {people} lead{'s' if people != 1 else ''} about {goals} {whose} links"

    def trouble(self) -> str | None:
        """Return one line saying who could not be asked and why, or None."""
        parts = []
        if self.failed:
            parts.append(f"could not ask {', '.join(self.failed)} about goals' links")
        if self.nobody:
            teams = f"team {self.nobody[0]} has" if len(self.nobody) == 1 else f"teams {', '.join(self.nobody)} have"
            parts.append(f"{teams} no lead and ALIGNBOT_ADMINS is empty: nobody was asked")
        if not parts:
            return None
        return "; ".join(parts) + "; those links stand as suggested (see `/goal list` in Slack)"


class GoalsService:
    """What `/goal` does."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        people: PeopleService,
        model: ModelService | None = None,
        admins: Iterable[str] = (),
    ) -> None:
        self._sessions = sessions
        self._people = people
        self._model = model
        self._admins = sorted(admins)

    def add(self, slack_team_id: str, user_id: str, draft: GoalDraft) -> GoalView:
        """Add a goal to a team; suggest what it serves when no objective is named."""
        assert draft.team is not None and draft.title is not None
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            found = self._team(session, workspace.id, draft.team)
            team_id, name = found.id, found.name
            self._require_room(session, workspace.id, found, draft.title)  # before a request to the model
        self._people.require_lead(slack_team_id, user_id, name, "change team {team}'s goals")
        answer = self._model_answer(slack_team_id, team_id, draft.title) if draft.objective_keys is None else None
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = repositories.get_team(session, workspace.id, team_id)
            if team is None:
                raise NotFound("Nothing was saved: that team no longer exists.")
            self._require_room(session, workspace.id, team, draft.title)
            row = Goal(workspace_id=workspace.id, team_id=team.id, title=draft.title, created_by=user_id)
            self._link(session, workspace.id, team, row, draft.title, draft.objective_keys, answer)
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
        answer = None
        if draft.objective_keys is None and draft.title is not None:
            answer = self._relink_answer(slack_team_id, draft.goal_id, draft.title)
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row, team = self._goal(session, workspace.id, draft.goal_id)
            if draft.title is not None and draft.title.casefold() != row.title.casefold():
                self._refuse_twice(session, workspace.id, team, draft.title)
            title = draft.title or row.title
            if draft.objective_keys is not None or (draft.title is not None and row.suggested):
                self._link(session, workspace.id, team, row, title, draft.objective_keys, answer)
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

    def ask_leads(self, slack_team_id: str, goal_ids: Sequence[int], client: WebClient) -> LinkAsking:
        """Send each lead (the admins where a team has none) one direct message asking what their goals serve.

        Only the goals still live with unsure suggested links are asked about. A person Slack does not
        reach is named in the result; the others are asked all the same.
        """
        wanted = set(goal_ids)
        asking = LinkAsking()
        by_person: dict[str, list[GoalView]] = {}
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None or not wanted:
                return asking
            for team in repositories.list_teams(session, workspace.id):
                views = [v for v in goal_views(session, workspace.id, team.id) if v.id in wanted]
                views = [v for v in views if v.suggested and not v.confident]
                if not views:
                    continue
                people = repositories.lead_ids(session, workspace.id, team.id) or self._admins
                if not people:
                    asking.nobody.append(team.name)
                for person in people:
                    by_person.setdefault(person, []).extend(views)
        # Slack is asked after the read is over: it must not hold the database.
        asked: set[int] = set()
        for person, views in sorted(by_person.items()):
            try:
                channel = client.conversations_open(users=person)["channel"]["id"]
                for start in range(0, len(views), goal_blocks.MAX_ASKED):
                    client.chat_postMessage(
                        channel=channel, **goal_blocks.link_questions(views[start : start + goal_blocks.MAX_ASKED])
                    )
            except SlackApiError as error:
                asking.failed.append(f"{person} ({error.response.get('error') or 'refused'})")
                continue
            except (SlackClientError, OSError) as error:
                asking.failed.append(f"{person} ({str(error).splitlines()[0] if str(error) else type(error).__name__})")
                continue
            asking.people.append(person)
            asked.update(v.id for v in views)
        asking.goals = sorted(asked)
        return asking

    # ------------------------------------------------------------------ helpers

    def _model_answer(self, slack_team_id: str, team_id: int, title: str) -> tuple[str, ...] | None:
        """Ask the model what a goal title of the team serves, before the transaction, which must not wait for it."""
        if self._model is None or self._model.config is None:
            return None
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            team = repositories.get_team(session, workspace.id, team_id) if workspace is not None else None
            if workspace is None or team is None:
                return None  # the transaction says why
            link = suggest_links(session, workspace.id, team, title)
            rows = repositories.list_objectives(session, workspace.id)
            team_name = team.name
        objectives = engine_objectives(rows)
        return self._model.answers(slack_team_id, [(Ask(team_name, title), lexicon_verdict(link))], objectives)[0]

    def _relink_answer(self, slack_team_id: str, goal_id: int, title: str) -> tuple[str, ...] | None:
        """Ask the model about a goal's new title when its links were suggested (a lead's links stand)."""
        if self._model is None or self._model.config is None:
            return None
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            row = repositories.get_goal(session, workspace.id, goal_id) if workspace is not None else None
            if row is None or not row.suggested:
                return None
            team = repositories.get_team(session, row.workspace_id, row.team_id)
            if team is not None and title.casefold() != row.title.casefold():
                self._refuse_twice(session, row.workspace_id, team, title)  # before a request to the model
            team_id = row.team_id
        return self._model_answer(slack_team_id, team_id, title)

    @staticmethod
    def _link(
        session: Session,
        workspace_id: int,
        team: Team,
        row: Goal,
        title: str,
        keys: tuple[str, ...] | None,
        answer: tuple[str, ...] | None = None,
    ) -> None:
        """Make the goal serve `keys` as stated, or else what the model answered or the lexicon suggests."""
        if keys is not None:
            objectives = live_objectives(session, workspace_id, keys)
            row.suggested, row.confident, row.by_model = False, True, False
            repositories.set_goal_serves(row, [o.id for o in objectives])
            return
        link = with_answer(suggest_links(session, workspace_id, team, title), answer)
        ids = {o.key: o.id for o in repositories.list_objectives(session, workspace_id)}
        row.suggested, row.confident, row.by_model = True, link.confident, link.by_model
        repositories.set_goal_serves(row, [ids[key] for key in link.serves if key in ids])

    @staticmethod
    def _require_room(session: Session, workspace_id: int, team: Team, title: str) -> None:
        """Refuse a new goal of a team that has the most goals already, or one with this title."""
        if repositories.count_goals(session, workspace_id, team.id) >= MAX_GOALS:
            raise UserError(
                f"Nothing was saved: team *{team.name}* has {MAX_GOALS} goals already, the most a team can have; "
                "archive one with `/goal archive <id>` first."
            )
        GoalsService._refuse_twice(session, workspace_id, team, title)

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
