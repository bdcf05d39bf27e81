"""Weekly prompts: send each team's prompts, DMs and reminders once, on the clock, and say who answered."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.blocks import checkin as blocks
from bot.pacing import PacedPool
from bot.parsing import parse_timezone
from bot.schedule import Cycle, open_cycle
from bot.services.alerts import CHANNEL_PROBLEMS, TOKEN_PROBLEMS, alert_admins, note_workspace_problem
from bot.services.cycles import (
    current_week,
    ensure_cycle,
    holiday_week,
    open_value,
    questions_of,
    team_cycle,
    team_zone,
)
from bot.services.deliveries import Deliveries, Outcome
from bot.services.errors import CheckinError, UserError
from bot.settings import Settings
from bot.slack import NotInstalled, SlackClients
from storage import repositories
from storage.models import CheckinCycle, DeliveryKey, Team, TeamMember, Update, Workspace, utcnow

logger = logging.getLogger(__name__)

# Prompts in flight at once, all workspaces together: each send mostly waits on Slack.
SEND_THREADS = 32
# Workspaces a clock tick plans at once (database work); their sends share the SEND_THREADS.
WORKSPACE_THREADS = 8


@dataclass(frozen=True)
class SendReport:
    """What one round of prompts or reminders did."""

    sent: int = 0
    already: int = 0
    failed: int = 0
    pending: int = 0

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(
            self.sent + other.sent,
            self.already + other.already,
            self.failed + other.failed,
            self.pending + other.pending,
        )

    @classmethod
    def of(cls, outcome: Outcome) -> SendReport:
        if outcome.status == "sent":
            return cls(sent=1)
        if outcome.status == "duplicate":
            return cls(already=1)
        if outcome.status == "failed":
            return cls(failed=1)
        return cls(pending=1)


@dataclass(frozen=True)
class _Plan:
    """What one round owes one team: its channel's prompt (None: not due) and each due person's cycle."""

    workspace_id: int
    team_id: int
    name: str
    channel: str | None
    mode: str
    cycle: Cycle | None
    people: list[tuple[str, Cycle]]
    questions: tuple[str, ...]
    # The team or the workspace had a problem noted, for a delivered prompt to clear.
    problem: bool = True


# A send waiting in a round: the conversation it posts to (for pacing), and the send.
_Job = tuple[str, Callable[[], SendReport]]


def _counted(job: Callable[[], SendReport], n: int) -> Callable[[], SendReport]:
    """Return `job` with its report counted `n` times (one DM standing for `n` teams' prompts)."""

    def counted() -> SendReport:
        report = job()
        return SendReport(report.sent * n, report.already * n, report.failed * n, report.pending * n)

    return job if n == 1 else counted


class Prompts:
    """Prompt, remind and report the weekly check-ins."""

    # users.info's time zone of a person, for local-time schedules (set by the composition root).
    user_zone: Callable[[str, str], str | None] | None = None

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clients: SlackClients,
        deliveries: Deliveries,
        *,
        send_threads: int = SEND_THREADS,
        workspace_threads: int = WORKSPACE_THREADS,
    ) -> None:
        self._settings = settings
        self._send_threads = max(1, send_threads)
        self._workspace_threads = max(1, workspace_threads)
        self._sessions = sessions
        self._clients = clients
        self._deliveries = deliveries
        # Workspaces where this process may have noted a problem since their round was planned.
        self._noted: set[int] = set()

    # --- prompts and reminders ---------------------------------------------------------------

    def send_prompts(
        self, slack_team_id: str, team_name: str | None = None, *, now: datetime | None = None, force: bool = True
    ) -> SendReport:
        """Send this week's prompts to every team (or one), once per team and person.

        `force` sends now even before the scheduled time (the CLI); the scheduler
        passes False and only sends for cycles that are open. A person away on the
        prompt's day gets neither prompt nor reminder; a person on several teams
        gets one DM naming each team whose prompt is due.
        """
        pool = self._send_pool()
        try:
            report = self._queue_round(pool, slack_team_id, team_name, now=now or utcnow(), force=force)
        finally:
            results = pool.results()
        # Every job ran; the first error is raised once the others are sent.
        failure = next((error for _, _, error in results if error is not None), None)
        if failure is not None:
            raise failure
        return sum((result for _, result, _ in results), report)

    def _send_pool(self) -> PacedPool:
        """Return a pool of senders that wait for the workspace's (and conversation's) token before posting."""
        return PacedPool(self._clients.pacer, self._send_threads, name="checkin-send")

    def _queue_round(
        self, pool: PacedPool, slack_team_id: str, team_name: str | None, *, now: datetime, force: bool
    ) -> SendReport:
        """Queue a workspace's due prompts and reminders on `pool`; return those already sent."""
        client = self._clients.for_team(slack_team_id)
        # Read before the transaction: Slack calls must not hold the database (SQLite locks it whole).
        zones = self._local_zones(slack_team_id, team_name)
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            query = select(Team).where(Team.workspace_id == workspace.id).options(selectinload(Team.members))
            if team_name is not None:
                query = query.where(Team.name == team_name)
            teams = session.scalars(query.order_by(Team.name)).all()
            if team_name is not None and not teams:
                raise CheckinError(f"No team called {team_name!r} in workspace {slack_team_id}.")
            plans = self._plans(session, zones, workspace, teams, now, force)
        if not plans:
            return SendReport()
        workspace_id = plans[0].workspace_id
        # One query instead of one claim per target: on most ticks nearly everything went out already.
        sent = self._sent_keys(
            workspace_id,
            {c.week for plan in plans for _, c in plan.people} | {plan.cycle.week for plan in plans if plan.cycle},
        )
        jobs: list[_Job] = []
        report = SendReport()
        for plan in plans:
            if plan.cycle is not None:
                report += self._prompt_jobs(
                    client,
                    workspace_id,
                    plan.team_id,
                    plan.name,
                    plan.channel,
                    plan.mode,
                    plan.cycle,
                    sent,
                    jobs,
                    retry_now=force,
                    questions=plan.questions,
                    problem=plan.problem,
                )
            due = [
                (user, cycle)
                for user, cycle in plan.people
                if (cycle.reminder_at or cycle.deadline_at) <= now < cycle.deadline_at
            ]
            report += self._reminder_jobs(
                client, workspace_id, plan.team_id, plan.name, due, sent, jobs, retry_now=force
            )
        report += self._dm_prompt_jobs(client, workspace_id, plans, sent, jobs, retry_now=force)
        pace = getattr(client, "pace_keys", lambda channel: ())
        for channel, job in jobs:
            pool.submit(slack_team_id, pace(channel), job)
        return report

    def _plans(
        self,
        session: Session,
        zones: dict[str, str | None],
        workspace: Workspace,
        teams: Sequence[Team],
        now: datetime,
        force: bool,
    ) -> list[_Plan]:
        """Return who of each team is due a prompt now: the channel's cycle, and each member with their cycle.

        The cycles, holidays and time off of every team are read (and the missing cycles
        added) a few statements for the whole workspace, not a few per team.
        """
        dues = [
            (team, zone, cycle, people)
            for team in teams
            for zone, cycle, people in [self._due(zones, workspace, team, now, force)]
            if cycle is not None or people
        ]
        skipped = _round_cycles(
            session,
            workspace.id,
            {
                (team.id, week): (team, zone)
                for team, zone, cycle, people in dues
                for week in {c.week for _, c, _ in people} | ({cycle.week} if cycle else set())
            },
        )
        days = {
            (team.id, user): c.prompt_at.astimezone(ZoneInfo(own)).date()
            for team, _, _, people in dues
            for user, c, own in people
        }
        away = repositories.away_on(session, workspace.id, set(days.values()))
        return [
            _Plan(
                workspace_id=workspace.id,
                team_id=team.id,
                name=team.name,
                channel=team.channel_id,
                mode=team.prompt_mode,
                cycle=cycle if cycle and not skipped[team.id, cycle.week] else None,
                people=[
                    (user, c)
                    for user, c, _ in people
                    if not skipped[team.id, c.week] and user not in away[days[team.id, user]]
                ],
                questions=questions_of(team),
                problem=bool(team.problem) or (workspace.problem or "").startswith("slack:"),
            )
            for team, _, cycle, people in dues
        ]

    def _due(
        self, zones: dict[str, str | None], workspace: Workspace, team: Team, now: datetime, force: bool
    ) -> tuple[str, Cycle | None, list[tuple[str, Cycle, str]]]:
        """Return (the team's zone, its channel's due cycle, (member, due cycle, their zone) of each member due)."""
        zone = team_zone(team, workspace, self._settings)

        def due(in_zone: str) -> Cycle | None:
            if force:
                return team_cycle(team, current_week(team, in_zone, now), in_zone)
            return open_cycle(
                now,
                team.prompt_weekday,
                team.prompt_time,
                in_zone,
                deadline_hours=team.deadline_hours,
                reminder_hours=team.reminder_hours,
            )

        cycle = due(zone)
        people: list[tuple[str, Cycle, str]] = []
        for member in sorted(m.user_id for m in team.members):
            # A local-time team prompts each member at its time in the member's own Slack zone.
            own = (zones.get(member) or zone) if team.local_time else zone
            mine = due(own) if own != zone else cycle
            if mine is not None:
                people.append((member, mine, own))
        return zone, cycle, people

    def _local_zones(self, slack_team_id: str, team_name: str | None) -> dict[str, str | None]:
        """Return {member: their Slack time zone, if we can use it} for every member of a local-time team."""
        if self.user_zone is None:
            return {}
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            query = (
                select(TeamMember.user_id)
                .join(Team, Team.id == TeamMember.team_id)
                .where(Team.workspace_id == workspace.id, Team.local_time.is_(True))
            )
            if team_name is not None:
                query = query.where(Team.name == team_name)
            members = sorted(set(session.scalars(query)))
        if not members:
            return {}
        lookup = self.user_zone

        def zone_of(user: str) -> str | None:
            try:
                zone = parse_timezone(lookup(slack_team_id, user) or "")
            except UserError:  # Slack could not say: the team's zone is the fallback
                return None
            return zone if isinstance(zone, str) else None

        # users.info is cached for minutes; a cold cache is one call per member, made side by side.
        with ThreadPoolExecutor(
            max_workers=min(self._send_threads, len(members)), thread_name_prefix="checkin-zones"
        ) as pool:
            return dict(zip(members, pool.map(zone_of, members)))

    def _sent_keys(self, workspace_id: int, weeks: set[str]) -> set[DeliveryKey]:
        """Return the key of every message of these weeks already sent.

        A DM that named several teams counts as sent for each of them.
        """
        with self._sessions() as session:
            keys = set(repositories.sent_keys(session, workspace_id, weeks))
        for key in list(keys):
            keys.update(replace(key, team_id=t, team_ids=None) for t in key.team_ids or ())
        return keys

    def _prompt_jobs(
        self,
        client: WebClient,
        workspace_id: int,
        team_id: int,
        name: str,
        channel: str | None,
        mode: str,
        cycle: Cycle,
        sent: set[DeliveryKey],
        jobs: list[_Job],
        *,
        retry_now: bool = False,
        questions: Sequence[str] = blocks.DEFAULT_QUESTIONS,
        problem: bool = True,
    ) -> SendReport:
        """Queue a team's channel prompt unless sent; return the report of the one already sent.

        `problem`: the team or workspace had a problem noted when planned, for a delivered prompt to clear.
        """
        already = SendReport()
        value = open_value(team_id, cycle.week)
        if channel and mode in ("channel", "both"):
            key = DeliveryKey("prompt", cycle.week, team_id=team_id)
            if key in sent:
                already += SendReport(already=1)
            else:
                message = blocks.prompt_message(
                    name, cycle.week, cycle.deadline_at, value, personal=False, questions=questions
                )

                def prompt_channel(key: DeliveryKey = key, message: dict = message) -> SendReport:
                    outcome = self._deliveries.send(client, workspace_id, key, message, channel, retry_now=retry_now)
                    self._note_channel(client, workspace_id, team_id, name, outcome, clear=problem)
                    return SendReport.of(outcome)

                jobs.append((channel, prompt_channel))
        return already

    def _dm_prompt_jobs(
        self,
        client: WebClient,
        workspace_id: int,
        plans: Sequence[_Plan],
        sent: set[DeliveryKey],
        jobs: list[_Job],
        *,
        retry_now: bool = False,
    ) -> SendReport:
        """Queue the DM prompts not sent yet: one per person, naming each of their teams that is due."""
        due: dict[str, list[tuple[_Plan, Cycle]]] = {}
        already = SendReport()
        for plan in plans:
            if plan.mode not in ("dm", "both"):
                continue
            for user, cycle in plan.people:
                if DeliveryKey("dm_prompt", cycle.week, team_id=plan.team_id, user_id=user) in sent:
                    already += SendReport(already=1)
                else:
                    due.setdefault(user, []).append((plan, cycle))
        for user, items in due.items():
            # One message carries one delivery key, so only teams in the same week share a DM.
            by_week: dict[str, list[tuple[_Plan, Cycle]]] = {}
            for plan, cycle in items:
                by_week.setdefault(cycle.week, []).append((plan, cycle))
            for week, group in by_week.items():
                if len(group) == 1:
                    plan, cycle = group[0]
                    message = blocks.prompt_message(
                        plan.name,
                        week,
                        cycle.deadline_at,
                        open_value(plan.team_id, week),
                        personal=True,
                        questions=plan.questions,
                    )
                    key = DeliveryKey("dm_prompt", week, team_id=plan.team_id, user_id=user)
                else:
                    message = blocks.multi_team_prompt_message(
                        week, [(plan.name, cycle.deadline_at, open_value(plan.team_id, week)) for plan, cycle in group]
                    )
                    key = DeliveryKey(
                        "dm_prompt", week, team_ids=tuple(plan.team_id for plan, _ in group), user_id=user
                    )
                job = self._send_job(client, workspace_id, key, message, user, retry_now=retry_now)
                # Counted once per team, as separate prompts would be, so a round's report adds up.
                jobs.append((user, _counted(job, len(group))))
        return already

    def _reminder_jobs(
        self,
        client: WebClient,
        workspace_id: int,
        team_id: int,
        name: str,
        due: Sequence[tuple[str, Cycle]],
        sent: set[DeliveryKey],
        jobs: list[_Job],
        *,
        retry_now: bool = False,
    ) -> SendReport:
        """Queue the reminders due to members who have not answered; return those already sent."""
        if not due:
            return SendReport()
        with self._sessions() as session:
            answered = {
                (user, week)
                for user, week in session.execute(
                    select(Update.author_user_id, CheckinCycle.week)
                    .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
                    .where(
                        Update.workspace_id == workspace_id,
                        CheckinCycle.team_id == team_id,
                        CheckinCycle.week.in_(sorted({c.week for _, c in due})),
                    )
                )
            }
        already = SendReport()
        for user, cycle in due:
            if (user, cycle.week) in answered:
                continue
            key = DeliveryKey("reminder", cycle.week, team_id=team_id, user_id=user)
            if key in sent:
                already += SendReport(already=1)
                continue
            message = blocks.reminder_message(name, cycle.week, cycle.deadline_at, open_value(team_id, cycle.week))
            jobs.append(
                (
                    user,
                    self._send_job(client, workspace_id, key, message, user, retry_now=retry_now),
                )
            )
        return already

    def _send_job(
        self,
        client: WebClient,
        workspace_id: int,
        key: DeliveryKey,
        message: dict,
        channel: str,
        *,
        retry_now: bool = False,
    ) -> Callable[[], SendReport]:
        def send() -> SendReport:
            return SendReport.of(
                self._deliveries.send(client, workspace_id, key, message, channel, retry_now=retry_now)
            )

        return send

    def _note_channel(
        self, client: WebClient, workspace_id: int, team_id: int, name: str, outcome: Outcome, *, clear: bool = True
    ) -> None:
        """Mark a team whose channel cannot take prompts, and tell the admins once; clear it when it can.

        `clear` False: no problem was noted when the round was planned, so a delivery has none to clear.
        """
        if not outcome.delivered:
            self._noted.add(workspace_id)  # a problem may be noted below, after the round was planned
        if outcome.error in TOKEN_PROBLEMS:
            # Nobody can be told through Slack with a refused token: the status and the log say it.
            if note_workspace_problem(self._sessions, workspace_id, f"slack:{outcome.error}"):
                logger.error(
                    "Slack refuses the bot token of workspace %s (%s): reinstall Alignbot", workspace_id, outcome.error
                )
            return
        if outcome.delivered and not clear and workspace_id not in self._noted:
            return  # nothing to clear: a transaction saved per prompt
        with self._sessions.begin() as session:
            if outcome.delivered:
                self._noted.discard(workspace_id)
                session.execute(
                    update(Team)
                    .where(Team.workspace_id == workspace_id, Team.id == team_id, Team.problem.is_not(None))
                    .values(problem=None)
                )
                session.execute(
                    update(Workspace)
                    .where(Workspace.id == workspace_id, Workspace.problem.startswith("slack:"))
                    .values(problem=None)
                )
                return
            if outcome.error not in CHANNEL_PROBLEMS:
                return
            # Compare-and-set: only the process that marks the team reports it.
            marked = cast(
                CursorResult[Any],
                session.execute(
                    update(Team)
                    .where(Team.workspace_id == workspace_id, Team.id == team_id, Team.problem.is_(None))
                    .values(problem=outcome.error)
                ),
            ).rowcount
            workspace = session.get(Workspace, workspace_id)
            leadership = workspace.leadership_channel_id if workspace else None
        if marked == 1:
            targets = ([leadership] if leadership else []) + sorted(self._settings.admin_ids)
            alert_admins(client, targets, _problem_text(name, outcome.error or "error"))

    def workspace_problem(self, slack_team_id: str) -> str | None:
        """Return what keeps the workspace's digest or token from working, if anything."""
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            return workspace.problem if workspace else None

    # --- status -------------------------------------------------------------------------------

    def status(self, slack_team_id: str, *, now: datetime | None = None) -> list[blocks.TeamStatus]:
        """Return who has answered this week and who has not, team by team."""
        now = now or utcnow()
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            teams = session.scalars(
                select(Team)
                .where(Team.workspace_id == workspace.id)
                .options(selectinload(Team.members))
                .order_by(Team.name)
            ).all()
            result = []
            for team in teams:
                week = current_week(team, team_zone(team, workspace, self._settings), now)
                cycle = session.scalar(
                    select(CheckinCycle).where(
                        CheckinCycle.workspace_id == workspace.id,
                        CheckinCycle.team_id == team.id,
                        CheckinCycle.week == week,
                    )
                )
                authors = (
                    set(
                        session.scalars(
                            select(Update.author_user_id).where(
                                Update.workspace_id == workspace.id, Update.cycle_id == cycle.id
                            )
                        )
                    )
                    if cycle
                    else set()
                )
                members = [m.user_id for m in team.members]
                zone = team_zone(team, workspace, self._settings)
                prompt_day = team_cycle(team, week, zone).prompt_at.astimezone(ZoneInfo(zone)).date()
                away = repositories.away_on(session, workspace.id, {prompt_day})[prompt_day] - authors
                result.append(
                    blocks.TeamStatus(
                        team=team.name,
                        week=week,
                        answered=tuple(sorted(authors)),
                        missing=tuple(u for u in sorted(members) if u not in authors and u not in away),
                        skipped=bool(cycle and cycle.skipped),
                        problem=team.problem,
                        away=tuple(u for u in sorted(members) if u in away),
                    )
                )
            return result

    # --- the clock -----------------------------------------------------------------------------

    def tick(self, *, now: datetime | None = None) -> SendReport:
        """Send whatever prompts and reminders are due in every workspace; one failing stops no other."""
        now = now or utcnow()
        with self._sessions() as session:
            workspaces = repositories.installed_workspaces(session)
        # Every workspace has its own Slack limit, so they are served side by side by one shared pool
        # of senders, each taking the next workspace with a token: the threads stay bounded however
        # many workspaces there are. The delivery claims keep every prompt once whatever runs at once.
        pool = self._send_pool()

        def queue(slack_team_id: str) -> SendReport:
            try:
                return self._queue_round(pool, slack_team_id, None, now=now, force=False)
            except NotInstalled:
                logger.info("workspace %s has no installation; skipping its check-ins", slack_team_id)
            except Exception:  # one workspace's failure must not stop the others' prompts
                logger.exception("check-in round failed for workspace %s", slack_team_id)
            return SendReport()

        try:
            if len(workspaces) <= 1:
                report = sum((queue(w) for w in workspaces), SendReport())
            else:
                # Planning reads and writes the database; sending starts as soon as a workspace is planned.
                with ThreadPoolExecutor(
                    max_workers=min(self._workspace_threads, len(workspaces)), thread_name_prefix="checkin-plan"
                ) as planners:
                    report = sum(planners.map(queue, workspaces), SendReport())
        finally:
            results = pool.results()
        for slack_team_id, result, error in results:
            if error is None:
                report += result
            else:
                logger.error("check-in send failed for workspace %s", slack_team_id, exc_info=error)
        return report


def _round_cycles(
    session: Session, workspace_id: int, wanted: dict[tuple[int, str], tuple[Team, str]]
) -> dict[tuple[int, str], bool]:
    """Return {(team id, week): skipped} of a round's cycles: read in one query, the missing added in one batch.

    `wanted` maps (team id, week) to (team, the team's zone).
    """
    if not wanted:
        return {}
    found = {
        (team_id, week): skipped
        for team_id, week, skipped in session.execute(
            select(CheckinCycle.team_id, CheckinCycle.week, CheckinCycle.skipped).where(
                CheckinCycle.workspace_id == workspace_id,
                CheckinCycle.team_id.in_(sorted({team_id for team_id, _ in wanted})),
                CheckinCycle.week.in_(sorted({week for _, week in wanted})),
            )
        )
    }
    missing = {key: value for key, value in wanted.items() if key not in found}
    if not missing:
        return found
    holiday = {week: holiday_week(session, workspace_id, week) for week in {week for _, week in missing}}
    rows: list[dict[str, Any]] = []
    for (_, week), (team, zone) in missing.items():
        cycle = team_cycle(team, week, zone)
        rows.append(
            {
                "workspace_id": workspace_id,
                "team_id": team.id,
                "week": week,
                "prompt_at": cycle.prompt_at,
                "deadline_at": cycle.deadline_at,
                "skipped": holiday[week],
            }
        )
    try:
        with session.begin_nested():
            # One multi-row insert: nothing of a cycle is needed here but whether it is skipped.
            session.execute(insert(CheckinCycle), rows)
    except IntegrityError:
        # Another clock added some of them first: take each one as it is now.
        for (_, week), (team, zone) in missing.items():
            found[team.id, week] = ensure_cycle(session, workspace_id, team, week, zone).skipped
        return found
    found.update({(row["team_id"], row["week"]): row["skipped"] for row in rows})
    return found


def _problem_text(team: str, error: str) -> str:
    return (
        f":warning: I could not post the weekly check-in for *{team}*: `{error}`. "
        f"To fix it, {blocks.how_to_fix(error, team)}. Other teams are not affected; "
        "I keep trying until the week's deadline."
    )
