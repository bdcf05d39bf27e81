"""People: who checks in for which team, leads, time off, company holidays and nudges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks import checkin as blocks
from bot.parsing import TeamRef
from bot.schedule import week_label
from bot.services.cycles import current_week, ensure_cycle, open_value, team_cycle, team_zone
from bot.services.deliveries import Deliveries
from bot.services.errors import NotFound, Refused, UserError
from bot.services.permissions import Permissions
from bot.services.teams import resolve_team, team_names
from bot.settings import Settings
from bot.slack import SlackClients
from storage import repositories
from storage.db import rows_changed
from storage.models import CheckinCycle, DeliveryKey, Holiday, Team, TimeOff, Update, Workspace, utcnow


@dataclass(frozen=True)
class MembersChanged:
    """What `/alignment members` did."""

    team: str
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class Away:
    """One stretch of a person's time off."""

    id: int
    first: date
    last: date


@dataclass(frozen=True)
class Skip:
    """A week whose check-in will not go out for a team."""

    team: str
    week: str


@dataclass(frozen=True)
class Calendar:
    """Company holidays and skipped weeks to come."""

    holidays: tuple[tuple[date, str], ...]
    skips: tuple[Skip, ...]


@dataclass(frozen=True)
class Nudged:
    """What `/alignment nudge` did."""

    team: str
    week: str
    sent: tuple[str, ...]
    already: tuple[str, ...]
    failed: tuple[str, ...]
    away: tuple[str, ...]
    answered: int


class PeopleService:
    """Members, leads, time off, holidays and nudges; every change is one transaction."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clients: SlackClients,
        permissions: Permissions,
        deliveries: Deliveries,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._clients = clients
        self._permissions = permissions
        self._deliveries = deliveries

    # ------------------------------------------------------------------ leads and rights

    def may_fix_tags(self, slack_team_id: str, user_id: str, update_id: int) -> bool:
        """Say whether a person may fix anyone's tags on this update: an admin, or a lead of its team."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team_id = session.scalar(
                select(Update.team_id).where(Update.workspace_id == workspace.id, Update.id == update_id)
            )
            if team_id is not None and repositories.is_lead(session, workspace.id, team_id, user_id):
                return True
        return self._permissions.is_admin(slack_team_id, user_id)

    def require_lead(self, slack_team_id: str, user_id: str, team_name: str, doing: str) -> None:
        """Raise Refused, naming who may, unless the person leads the team or is an admin.

        Slack is asked (users.info) only after the read is over: it must not hold the database.
        """
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = self._team(session, workspace, team_name)
            leads = repositories.lead_ids(session, workspace.id, team.id)
            name = team.name
        if user_id in leads or self._permissions.is_admin(slack_team_id, user_id):
            return
        named = ", ".join(f"<@{u}>" for u in leads[:10]) if leads else "none yet"
        raise Refused(
            f"Only team *{name}*'s leads ({named}) and Alignbot admins "
            f"({self._permissions.who_may()}) can {doing.format(team=name)}."
        )

    def _team(self, session: Session, workspace: Workspace, name: str) -> Team:
        team = resolve_team(session, workspace.id, TeamRef(name))
        if team is None:
            teams = repositories.list_teams(session, workspace.id)
            raise NotFound(f"There is no team called '{name}'; {team_names(teams)}.")
        return team

    def make_lead(self, slack_team_id: str, user_id: str, team_name: str, lead: str) -> tuple[str, bool]:
        """Make `lead` a lead of the team; return (team name, whether they were one already)."""
        self._permissions.require_admin(slack_team_id, user_id, "choose team leads")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = self._team(session, workspace, team_name)
            leads = repositories.lead_ids(session, workspace.id, team.id)
            if lead in leads:
                return team.name, True
            repositories.set_leads(session, team, [*leads, lead])
            return team.name, False

    # ------------------------------------------------------------------ members

    def change_members(
        self, slack_team_id: str, user_id: str, team_name: str, action: str, users: tuple[str, ...]
    ) -> MembersChanged:
        """Add people to a team, or remove them (admins and the team's leads)."""
        self.require_lead(slack_team_id, user_id, team_name, "change who checks in for {team}")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = self._team(session, workspace, team_name)
            current = set(repositories.member_ids(session, workspace.id, team.id))
            if action == "add":
                changed = [u for u in users if u not in current]
                wanted = current | set(changed)
            else:
                changed = [u for u in users if u in current]
                wanted = current - set(changed)
            repositories.set_members(session, team, sorted(wanted))
            return MembersChanged(
                team.name, tuple(changed), tuple(u for u in users if u not in changed), tuple(sorted(wanted))
            )

    # ------------------------------------------------------------------ time off

    def today(self, slack_team_id: str, user_id: str, now: datetime | None = None) -> date:
        """Return today's date for a person, in their Slack time zone (else the default one)."""
        zone = self._permissions.timezone_of(slack_team_id, user_id) or self._settings.timezone
        try:
            tz = ZoneInfo(zone)
        except (ValueError, KeyError, OSError):
            tz = ZoneInfo(self._settings.timezone)
        return (now or utcnow()).astimezone(tz).date()

    def away(
        self,
        slack_team_id: str,
        user_id: str,
        first: date,
        last: date,
        *,
        now: datetime | None = None,
        replace: int | None = None,
    ) -> Away:
        """Record that a person is away from `first` to `last`; `replace` changes one stretch instead."""
        today = self.today(slack_team_id, user_id, now)
        if last < today:
            raise UserError(f"{last.isoformat()} is in the past; time off starts today ({today.isoformat()}) or later.")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row = None
            if replace is not None:
                row = session.scalar(
                    select(TimeOff).where(
                        TimeOff.workspace_id == workspace.id, TimeOff.user_id == user_id, TimeOff.id == replace
                    )
                )
                if row is None:
                    raise NotFound("That time off no longer exists.")
            # Time off under way keeps its first day when only its end moves.
            if first < today and not (row is not None and first == row.first_day):
                raise UserError(f"{first.isoformat()} is in the past; give today ({today.isoformat()}) or a later day.")
            # Stretches that overlap or touch the new one become one: the list stays short and clear.
            near = repositories.time_off_of(session, workspace.id, user_id, from_day=first - timedelta(days=1))
            touching = [r for r in near if r.first_day <= last + timedelta(days=1) and r is not row]
            for other in touching:
                first, last = min(first, other.first_day), max(last, other.last_day)
            if row is None and touching:
                row, touching = touching[0], touching[1:]
            for other in touching:
                session.delete(other)
            if row is None:
                row = TimeOff(workspace_id=workspace.id, user_id=user_id, first_day=first, last_day=last)
                session.add(row)
            row.first_day, row.last_day = first, last
            session.flush()
            return Away(row.id, first, last)

    def back(self, slack_team_id: str, user_id: str, *, now: datetime | None = None) -> int:
        """Cancel a person's future time off (today included); return how many stretches changed."""
        today = self.today(slack_team_id, user_id, now)
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            rows = repositories.time_off_of(session, workspace.id, user_id, from_day=today)
            for row in rows:
                if row.first_day >= today:
                    session.delete(row)
                else:
                    row.last_day = today - timedelta(days=1)
            return len(rows)

    def cancel_time_off(self, slack_team_id: str, user_id: str, away_id: int) -> bool:
        """Delete one stretch of a person's own time off; say whether there was one."""
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            deleted = rows_changed(
                session,
                delete(TimeOff).where(
                    TimeOff.workspace_id == workspace.id, TimeOff.user_id == user_id, TimeOff.id == away_id
                ),
            )
            return bool(deleted)

    def time_off(self, slack_team_id: str, user_id: str, *, now: datetime | None = None) -> list[Away]:
        """Return a person's time off from today on."""
        today = self.today(slack_team_id, user_id, now)
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            return [
                Away(r.id, r.first_day, r.last_day)
                for r in repositories.time_off_of(session, workspace.id, user_id, from_day=today)
            ]

    # ------------------------------------------------------------------ holidays and skips

    def _company_today(self, now: datetime | None) -> date:
        return (now or utcnow()).astimezone(ZoneInfo(self._settings.timezone)).date()

    def _not_past(self, slack_team_id: str, user_id: str, day: date, now: datetime | None) -> None:
        today = self.today(slack_team_id, user_id, now)
        if day < today:
            raise UserError(f"{day.isoformat()} is in the past; give a day from today ({today.isoformat()}) on.")

    def add_holiday(
        self, slack_team_id: str, user_id: str, day: date, name: str, *, now: datetime | None = None
    ) -> tuple[str, list[str]]:
        """Record a company holiday and skip its week for every team; return (week, team names)."""
        self._permissions.require_admin(slack_team_id, user_id, "set company holidays")
        self._not_past(slack_team_id, user_id, day, now)
        week = week_label(day)
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row = session.scalar(select(Holiday).where(Holiday.workspace_id == workspace.id, Holiday.day == day))
            if row is None:
                session.add(Holiday(workspace_id=workspace.id, day=day, name=name, created_by=user_id))
            elif name:
                row.name = name
            teams = repositories.list_teams(session, workspace.id)
            for team in teams:
                zone = team_zone(team, workspace, self._settings)
                ensure_cycle(session, workspace.id, team, week, zone).skipped = True
            return week, [t.name for t in teams]

    def skip(
        self, slack_team_id: str, user_id: str, team_name: str, day: date, *, now: datetime | None = None
    ) -> list[Skip]:
        """Skip the week containing `day` for a team, or for `all`."""
        return self._set_skipped(slack_team_id, user_id, team_name, day, True, now)

    def unskip(
        self, slack_team_id: str, user_id: str, team_name: str, day: date, *, now: datetime | None = None
    ) -> list[Skip]:
        """Undo a skip (or a holiday's skip) of the week containing `day`, for a team or `all`."""
        return self._set_skipped(slack_team_id, user_id, team_name, day, False, now)

    def _set_skipped(
        self, slack_team_id: str, user_id: str, team_name: str, day: date, skipped: bool, now: datetime | None
    ) -> list[Skip]:
        self._permissions.require_admin(slack_team_id, user_id, "skip or restore a week's check-in")
        week = week_label(day)
        today = self.today(slack_team_id, user_id, now)
        if day + timedelta(days=6 - day.weekday()) < today:
            raise UserError(
                f"{day.isoformat()} is in the past ({week} is over); give a day of this week or a later one."
            )
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            every = team_name.casefold() == "all"
            teams = (
                repositories.list_teams(session, workspace.id) if every else [self._team(session, workspace, team_name)]
            )
            if every and not skipped:
                # The week is no holiday any more, for teams made later too.
                monday = day - timedelta(days=day.weekday())
                session.execute(
                    delete(Holiday).where(
                        Holiday.workspace_id == workspace.id,
                        Holiday.day >= monday,
                        Holiday.day <= monday + timedelta(days=6),
                    )
                )
            changed = []
            for team in teams:
                cycle = ensure_cycle(session, workspace.id, team, week, team_zone(team, workspace, self._settings))
                if cycle.skipped != skipped:
                    cycle.skipped = skipped
                    changed.append(Skip(team.name, week))
            return changed

    def calendar(self, slack_team_id: str, *, now: datetime | None = None) -> Calendar:
        """Return the holidays and skipped weeks from this week on."""
        today = self._company_today(now)
        this_week = week_label(today - timedelta(days=1))
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            holidays = repositories.holidays_from(session, workspace.id, today - timedelta(days=1))
            rows = session.execute(
                select(Team.name, CheckinCycle.week)
                .join(Team, Team.id == CheckinCycle.team_id)
                .where(
                    CheckinCycle.workspace_id == workspace.id,
                    CheckinCycle.skipped.is_(True),
                    CheckinCycle.week >= this_week,
                )
                .order_by(CheckinCycle.week, Team.name)
            )
            return Calendar(tuple((h.day, h.name) for h in holidays), tuple(Skip(n, w) for n, w in rows))

    # ------------------------------------------------------------------ nudges

    def nudge(self, slack_team_id: str, user_id: str, team_name: str, *, now: datetime | None = None) -> Nudged:
        """Remind this week's non-responders of a team now: once per person per day."""
        now = now or utcnow()
        self.require_lead(slack_team_id, user_id, team_name, "nudge team {team}")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = self._team(session, workspace, team_name)
            zone = team_zone(team, workspace, self._settings)
            week = current_week(team, zone, now)
            cycle = team_cycle(team, week, zone)
            row = ensure_cycle(session, workspace.id, team, week, zone)
            if row.skipped:
                raise UserError(f"Team *{team.name}*'s check-in is skipped in {week}; there is nobody to nudge.")
            answered = set(
                session.scalars(
                    select(Update.author_user_id).where(Update.workspace_id == workspace.id, Update.cycle_id == row.id)
                )
            )
            members = repositories.member_ids(session, workspace.id, team.id)
            prompt_day = cycle.prompt_at.astimezone(ZoneInfo(zone)).date()
            away = repositories.away_on(session, workspace.id, {prompt_day})[prompt_day]
            workspace_id, team_id, name = workspace.id, team.id, team.name
        day = now.astimezone(ZoneInfo(zone)).strftime("%Y%m%d")
        message = blocks.reminder_message(name, week, cycle.deadline_at, open_value(team_id, week))
        client = self._clients.for_team(slack_team_id)
        sent: list[str] = []
        already: list[str] = []
        failed: list[str] = []
        for member in members:
            if member in answered or member in away:
                continue
            key = DeliveryKey("nudge", day, team_id=team_id, user_id=member)
            outcome = self._deliveries.send(client, workspace_id, key, message, member)
            {"sent": sent, "duplicate": already}.get(outcome.status, failed).append(member)
        return Nudged(
            name,
            week,
            tuple(sent),
            tuple(already),
            tuple(failed),
            tuple(sorted(a for a in away if a in members)),
            len(answered),
        )
