"""Past answers of a team, newest week first: `/alignment history` and App Home's "Past weeks"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import slacktext
from bot.parsing import TeamRef
from bot.schedule import shift_week, week_of
from bot.services.errors import NotFound, Refused
from bot.services.permissions import Permissions, display_name
from bot.services.teams import resolve_team, team_names
from bot.settings import Settings
from storage import repositories
from storage.models import CheckinCycle, Objective, Team, TeamMember, Update, UpdateTag, utcnow

DEFAULT_WEEKS = 4
MAX_WEEKS = 26


@dataclass(frozen=True)
class PastAnswer:
    """One answer as history shows it."""

    author: str
    text: str
    objectives: tuple[str, ...]


@dataclass(frozen=True)
class PastWeek:
    """A team's answers in one week."""

    week: str
    answers: tuple[PastAnswer, ...]


@dataclass(frozen=True)
class TeamHistory:
    """A team's last weeks of answers, newest first; weeks nobody answered are left out."""

    team: str
    weeks_asked: int
    weeks: tuple[PastWeek, ...]


class History:
    """Read past answers for the people allowed to see them."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], permissions: Permissions) -> None:
        self._settings = settings
        self._sessions = sessions
        self._permissions = permissions

    def for_person(self, slack_team_id: str, user_id: str, weeks: int = 3, max_teams: int = 3) -> list[TeamHistory]:
        """Return the weeks before this one of each team the person is on (App Home's "Past weeks")."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            names = list(
                session.scalars(
                    select(Team.name)
                    .join(TeamMember, TeamMember.team_id == Team.id)
                    .where(Team.workspace_id == workspace.id, TeamMember.user_id == user_id)
                    .order_by(Team.name)
                    .limit(max_teams)
                )
            )
        return [self.for_team(slack_team_id, user_id, TeamRef(name), weeks, before_this_week=True) for name in names]

    def for_team(
        self,
        slack_team_id: str,
        user_id: str,
        ref: TeamRef | None,
        weeks: int = DEFAULT_WEEKS,
        *,
        channel_id: str | None = None,
        before_this_week: bool = False,
    ) -> TeamHistory:
        """Return a team's answers of the last `weeks` weeks: the named team, else the channel's, else the caller's.

        A team that does not share its answers shows them only to its members and admins.
        """
        weeks = max(1, min(weeks, MAX_WEEKS))
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = self._team(session, workspace.id, user_id, ref, channel_id)
            member = (
                session.scalar(
                    select(TeamMember.id).where(
                        TeamMember.workspace_id == workspace.id,
                        TeamMember.team_id == team.id,
                        TeamMember.user_id == user_id,
                    )
                )
                is not None
            )
            shares, name, team_id, workspace_id = team.share_answers, team.name, team.id, workspace.id
            this_week = week_of(utcnow(), workspace.timezone or self._settings.timezone)
            if before_this_week:
                this_week = shift_week(this_week, -1)
        if not shares and not member and not self._permissions.is_admin(slack_team_id, user_id):
            raise Refused(f"Team {name} does not share its answers: only its members and admins can read them.")
        first = shift_week(this_week, -(weeks - 1))
        with self._sessions() as session:
            rows = session.execute(
                select(CheckinCycle.week, Update.id, Update.author_user_id, Update.text)
                .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
                .where(
                    Update.workspace_id == workspace_id,
                    Update.team_id == team_id,
                    CheckinCycle.week >= first,
                    CheckinCycle.week <= this_week,
                )
                .order_by(CheckinCycle.week.desc(), Update.id)
            ).all()
            titles: dict[int, list[str]] = {}
            for update_id, title in session.execute(
                select(UpdateTag.update_id, Objective.title)
                .join(Objective, Objective.id == UpdateTag.objective_id)
                .where(UpdateTag.update_id.in_([r.id for r in rows]))
                .order_by(UpdateTag.score.desc())
            ):
                titles.setdefault(update_id, []).append(title)
        names: dict[str, str] = {}

        def person(user: str) -> str:
            if user not in names:
                names[user] = display_name(self._permissions.user_info(slack_team_id, user)) or user
            return names[user]

        by_week: dict[str, list[PastAnswer]] = {}
        for week, update_id, author, text in rows:
            by_week.setdefault(week, []).append(
                PastAnswer(author, slacktext.plain(text, person), tuple(titles.get(update_id, ())))
            )
        return TeamHistory(name, weeks, tuple(PastWeek(w, tuple(a)) for w, a in by_week.items()))

    @staticmethod
    def _team(session: Session, workspace_id: int, user_id: str, ref: TeamRef | None, channel_id: str | None) -> Team:
        if ref is not None:
            team = resolve_team(session, workspace_id, ref)
            if team is None:
                raise NotFound(
                    f"There is no team called '{ref.name}'; "
                    f"{team_names(repositories.list_teams(session, workspace_id))}."
                )
            return team
        team = repositories.team_here_or_of(session, workspace_id, user_id, channel_id)
        if team is None:
            raise NotFound("You're on no team: name one, e.g. `/alignment history sales`.")
        return team
