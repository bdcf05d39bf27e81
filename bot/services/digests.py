"""The weekly leadership digest: analyze a week from the database, post it once per channel."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot import slacktext
from bot.alignment import model
from bot.alignment.analysis import analyze, week_scores
from bot.alignment.tagger import Tagger
from bot.blocks.checkin import workspace_problem_line
from bot.blocks.digest import DigestData, IdleGoal, WeekScore, digest_message
from bot.heatmap import render_heatmap
from bot.schedule import local_instant, parse_week, shift_week, week_of
from bot.services.alerts import (
    CHANNEL_PROBLEMS,
    TOKEN_PROBLEMS,
    alert_admins,
    clear_workspace_problem,
    note_workspace_problem,
)
from bot.services.cycles import team_cycle, team_zone
from bot.services.deliveries import Deliveries, Outcome
from bot.services.errors import UserError
from bot.services.handoffs import Handoffs
from bot.services.permissions import display_name
from bot.services.tagging import as_engine_objective
from bot.settings import Settings
from bot.slack import NotInstalled, SlackClients
from storage import repositories
from storage.models import (
    CheckinCycle,
    DeliveryKey,
    Digest,
    Goal,
    GoalObjective,
    Initiative,
    Team,
    Update,
    UpdatePartner,
    UpdateTag,
    Workspace,
    utcnow,
)

logger = logging.getLogger(__name__)

TREND_WEEKS = 6
# A goal no update served in this many weeks (this one included) is named in the digest.
IDLE_GOAL_WEEKS = 4
# A digest whose week ended longer ago than this is history, not news: never post it late.
POST_WINDOW = timedelta(days=3)


class DigestError(UserError):
    """Something the person must fix (no leadership channel, unknown week); one line."""


@dataclass(frozen=True)
class Posted:
    """What posting a digest did."""

    outcome: Outcome
    channel: str
    week: str
    chart: bool = False


class Digests:
    """Build and post the weekly leadership digest."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clients: SlackClients,
        deliveries: Deliveries,
        handoffs: Handoffs | None = None,
    ) -> None:
        self._handoffs = handoffs
        self._settings = settings
        self._sessions = sessions
        self._clients = clients
        self._deliveries = deliveries
        # Each workspace's goal reader, kept while its goals stay the same: a digest is built again and again.
        self._readers: dict[int, GoalReader] = {}

    def current_week(self, slack_team_id: str, now: datetime | None = None) -> str:
        """Return the week a digest asked for now is about: the workspace's current week."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            return week_of(now or utcnow(), workspace.timezone or self._settings.timezone)

    def build(
        self,
        slack_team_id: str,
        week: str | None = None,
        *,
        trend_weeks: int = TREND_WEEKS,
        client: WebClient | None = None,
        now: datetime | None = None,
    ) -> DigestData:
        """Analyze `week` (default: this week) as of `now`; with a client, add message links.

        A question its author has not answered by their team's deadline counts as the tagger guessed.
        """
        now = now or utcnow()
        week = week or self.current_week(slack_team_id, now)
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            org, teams, keys = _org_of(session, workspace.id)
            goal_rows = _goals_of(session, workspace.id)
            org = _with_goals(org, teams, keys, goal_rows)
            zone = workspace.timezone or self._settings.timezone
            loaded = [shift_week(week, -back) for back in range(max(trend_weeks, IDLE_GOAL_WEEKS - 1), 0, -1)]
            weeks = loaded[len(loaded) - trend_weeks :] if trend_weeks else []
            by_week = _updates_by_week(session, workspace.id, [*loaded, week])
            rows = by_week[week]
            initiatives = _initiatives_of(session, workspace.id, week, zone)
            handoffs, picked_up = (
                self._handoffs.digest_part(session, workspace, week, now) if self._handoffs else (None, set())
            )
            closed = [
                t.name for t in teams if team_cycle(t, week, team_zone(t, workspace, self._settings)).deadline_at <= now
            ]
            work = {week: _as_engine_updates(teams, keys, rows, initiatives)}
            for earlier in loaded:
                work[earlier] = _as_engine_updates(
                    teams, keys, by_week[earlier], _initiatives_of(session, workspace.id, earlier, zone)
                )
            reader = self._goal_reader(workspace.id, org)
            goals = _goals_served(reader, work[week]) if reader else None
            report = analyze(org, work[week], picked_up=picked_up, closed_teams=closed, goals=goals)
            trend = [WeekScore(w, *week_scores(org, work[w])) for w in weeks if work[w]]
            idle = None
            if reader and goals is not None:
                before = [work[shift_week(week, -back)] for back in range(1, IDLE_GOAL_WEEKS)]
                since = _week_start(shift_week(week, 1 - IDLE_GOAL_WEEKS), zone)
                idle = _idle_goals(reader, teams, goal_rows, work[week], goals, before, since)
            answered = {(row.team_id, row.author_user_id) for row in rows}
            excused = _excused(session, workspace, self._settings, teams, week)
            missing = {
                team.name: tuple(
                    sorted(
                        m.user_id
                        for m in team.members
                        if (team.id, m.user_id) not in answered and m.user_id not in excused[team.id]
                    )
                )
                for team in teams
            }
            messages = [(str(row.id), *where) for row in rows if (where := _link_target(row)) is not None]
            name, workspace_id = workspace.name, workspace.id
            authors = {
                **{str(row.id): row.author_user_id for row in rows},
                **{_initiative_id(i): i.created_by for i in initiatives if i.created_by},
            }
            answered_by = [c.by for c in (*handoffs.this_week, *handoffs.still_open) if c.by] if handoffs else []
            people = {
                *authors.values(),
                *(u for users in missing.values() for u in users),
                *answered_by,
                *(m for row in rows for m in slacktext.unnamed_mentions(row.text)),
            }
        # Slack calls wait until the read is over: on SQLite it holds the database lock.
        links = _links(client, messages) if client is not None else {}
        names = _names(client, sorted(people)) if client is not None else {}
        if client is not None and not name:
            name = self._remember_name(client, workspace_id)
        return DigestData(
            workspace=name or slack_team_id,
            week=week,
            report=report,
            trend=tuple(trend),
            links=links,
            authors=authors,
            missing={team: users for team, users in missing.items() if users},
            handoffs=handoffs if handoffs and handoffs.pairs else None,
            names=names,
            idle_goals=idle,
        )

    def _goal_reader(self, workspace_id: int, org: model.Org) -> GoalReader | None:
        """Return the workspace's goal reader, built anew when its goals changed; None without goals."""
        if not org.has_goals:
            self._readers.pop(workspace_id, None)
            return None
        reader = self._readers.get(workspace_id)
        if reader is None or reader.goals != goal_titles(org):
            reader = self._readers[workspace_id] = GoalReader(org)
        return reader

    def _remember_name(self, client: WebClient, workspace_id: int) -> str | None:
        """Store and return the workspace's display name, if Slack tells it."""
        try:
            name = str(client.team_info()["team"]["name"])
        except (SlackApiError, SlackClientError, OSError, KeyError, TypeError):
            return None  # the team id stands in for the name
        with self._sessions.begin() as session:
            workspace = session.get(Workspace, workspace_id)
            if workspace is not None:
                workspace.name = name
        return name

    def post(
        self, slack_team_id: str, week: str | None = None, *, retry_now: bool = True, now: datetime | None = None
    ) -> Posted:
        """Post the digest for `week`, as of `now`, to the leadership channel, once; a repeat returns the first post.

        A post Slack refused before is tried again at once, unless `retry_now` is False (the scheduler,
        which keeps to the back-off).
        """
        client = self._clients.for_team(slack_team_id)
        week = week or self.current_week(slack_team_id, now)
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            channel = workspace.leadership_channel_id
            workspace_id = workspace.id
        if not channel:
            raise DigestError("No leadership channel yet: an admin runs `/alignment leadership` in it.")
        data = self.build(slack_team_id, week, client=client, now=now)
        message = digest_message(data)
        key = DeliveryKey("digest", week, to_channel_id=channel)
        outcome = self._deliveries.send(client, workspace_id, key, message, channel, retry_now=retry_now)
        self._note_problem(client, workspace_id, outcome)
        chart = False
        if outcome.status == "sent":
            self._record(workspace_id, week, channel, outcome, data)
            chart = self._attach_chart(client, workspace_id, channel, week, outcome, data)
        return Posted(outcome, channel, week, chart)

    def _note_problem(self, client: WebClient, workspace_id: int, outcome: Outcome) -> None:
        """Tell the admins once why the digest cannot be posted; forget it once it is."""
        if outcome.delivered:
            clear_workspace_problem(self._sessions, workspace_id, "digest:")
            clear_workspace_problem(self._sessions, workspace_id, "slack:")
            return
        if outcome.error in TOKEN_PROBLEMS:
            if note_workspace_problem(self._sessions, workspace_id, f"slack:{outcome.error}"):
                logger.error(
                    "Slack refuses the bot token of workspace %s (%s): reinstall Alignbot", workspace_id, outcome.error
                )
        elif outcome.error in CHANNEL_PROBLEMS:
            problem = f"digest:{outcome.error}"
            if note_workspace_problem(self._sessions, workspace_id, problem):
                # The leadership channel is what fails: tell the named admins directly.
                alert_admins(client, sorted(self._settings.admin_ids), workspace_problem_line(problem))

    def _record(self, workspace_id: int, week: str, channel: str, outcome: Outcome, data: DigestData) -> None:
        summary: dict[str, Any] = {
            "alignment": data.report.alignment,
            "interdependence": data.report.interdependence,
            "findings": len(data.report.findings),
        }
        with self._sessions.begin() as session:
            row = session.scalar(
                select(Digest).where(
                    Digest.workspace_id == workspace_id, Digest.week == week, Digest.channel_id == channel
                )
            )
            if row is None:
                row = Digest(workspace_id=workspace_id, week=week, channel_id=channel)
                session.add(row)
            row.status, row.message_ts, row.posted_at, row.summary = "posted", outcome.ts, utcnow(), summary

    def _attach_chart(
        self, client: WebClient, workspace_id: int, channel: str, week: str, outcome: Outcome, data: DigestData
    ) -> bool:
        png = render_heatmap(data.report, data.trend, title=f"{data.workspace} · {week}", week=week)
        if png is None:
            return False

        def upload(recovering: bool) -> tuple[str | None, str | None]:
            client.files_upload_v2(
                channel=channel,
                thread_ts=outcome.ts,
                content=png,
                filename=f"alignment-{week}.png",
                title=f"Coverage and trend · {week}",
                initial_comment="Objective × team coverage, and the trend",
            )
            return channel, None

        return self._deliveries.run(
            workspace_id, DeliveryKey("digest_chart", week, to_channel_id=channel), upload
        ).delivered

    def due_weeks(self, slack_team_id: str, now: datetime) -> list[str]:
        """Return the weeks whose digest is due: every team's deadline passed, not long ago."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            teams = session.scalars(select(Team).where(Team.workspace_id == workspace.id)).all()
            if not teams or not workspace.leadership_channel_id:
                return []
            this_week = week_of(now, workspace.timezone or self._settings.timezone)
            due = []
            for week in (shift_week(this_week, -1), this_week):
                closes = max(team_cycle(t, week, team_zone(t, workspace, self._settings)).deadline_at for t in teams)
                if closes <= now < closes + POST_WINDOW:
                    due.append(week)
            return due

    def tick(self, *, now: datetime | None = None) -> int:
        """Post every due digest in every workspace; return how many were posted now."""
        now = now or utcnow()
        with self._sessions() as session:
            workspaces = repositories.installed_workspaces(session)
        posted = 0
        for slack_team_id in workspaces:
            try:
                for week in self.due_weeks(slack_team_id, now):
                    posted += self.post(slack_team_id, week, retry_now=False, now=now).outcome.status == "sent"
            except NotInstalled:
                logger.info("workspace %s has no installation; no digest", slack_team_id)
            except Exception:  # one workspace's failure must not stop the others' digests
                logger.exception("digest round failed for workspace %s", slack_team_id)
        return posted


def _excused(
    session: Session, workspace: Workspace, settings: Settings, teams: Sequence[Team], week: str
) -> dict[int, set[str]]:
    """Return {team id: members not expected to answer in `week`}: away on its prompt day, or all when skipped."""
    skipped = set(
        session.scalars(
            select(CheckinCycle.team_id).where(
                CheckinCycle.workspace_id == workspace.id, CheckinCycle.week == week, CheckinCycle.skipped.is_(True)
            )
        )
    )
    days = {}
    for team in teams:
        zone = team_zone(team, workspace, settings)
        days[team.id] = team_cycle(team, week, zone).prompt_at.astimezone(ZoneInfo(zone)).date()
    away = repositories.away_on(session, workspace.id, set(days.values()))
    return {
        team.id: ({m.user_id for m in team.members} if team.id in skipped else away[days[team.id]]) for team in teams
    }


def _org_of(session: Session, workspace_id: int) -> tuple[model.Org, list[Team], dict[int, str]]:
    """Return the workspace as the engine sees it, its team rows, and live objective keys by id."""
    teams = list(
        session.scalars(
            select(Team)
            .where(Team.workspace_id == workspace_id)
            .options(selectinload(Team.members))
            .order_by(Team.name)
        )
    )
    objectives = repositories.list_objectives(session, workspace_id)
    org = model.Org(
        teams=tuple(
            model.Team(
                name=t.name,
                aliases=tuple(t.aliases or ()),
                channel=t.channel_id,
                members=tuple(m.user_id for m in t.members),
            )
            for t in teams
        ),
        objectives=tuple(as_engine_objective(o) for o in objectives),
    )
    return org, teams, {o.id: o.key for o in objectives}


@dataclass
class _Row:
    """An update as the digest needs it: plain values, no ORM object (a year of them is read at once)."""

    id: int
    team_id: int
    text: str
    author_user_id: str
    channel_id: str | None
    message_ts: str | None
    objective_ids: list[int]
    partner_ids: list[int]
    confident: bool = True
    shared: tuple[str, str] | None = None


def _link_target(row: _Row) -> tuple[str, str] | None:
    """Return the message leadership can open for an update: its shared post, else the answer itself.

    An answer given in a DM is in a conversation nobody else can open: only its shared post links.
    """
    if row.shared is not None:
        return row.shared
    if row.channel_id and row.message_ts and not row.channel_id.startswith("D"):
        return row.channel_id, row.message_ts
    return None


def _updates_by_week(session: Session, workspace_id: int, weeks: Sequence[str]) -> dict[str, list[_Row]]:
    """Return the updates of several weeks in three queries, by week, oldest id first."""
    in_weeks = (Update.workspace_id == workspace_id, CheckinCycle.week.in_(weeks), CheckinCycle.skipped.is_(False))
    rows: dict[int, _Row] = {}
    by_week: dict[str, list[_Row]] = {week: [] for week in weeks}
    for (
        update_id,
        team_id,
        text,
        author,
        channel,
        ts,
        week,
        by_hand,
        confident,
        shared_channel,
        shared_ts,
    ) in session.execute(
        select(
            Update.id,
            Update.team_id,
            Update.text,
            Update.author_user_id,
            Update.channel_id,
            Update.message_ts,
            CheckinCycle.week,
            Update.tags_by_hand,
            Update.tags_confident,
            Update.shared_channel_id,
            Update.shared_ts,
        )
        .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
        .where(*in_weeks)
        .order_by(Update.id)
    ):
        # A person's tags are never a guess.
        rows[update_id] = row = _Row(
            update_id,
            team_id,
            text,
            author,
            channel,
            ts,
            [],
            [],
            by_hand or confident,
            (shared_channel, shared_ts) if shared_channel and shared_ts else None,
        )
        by_week[week].append(row)
    for update_id, objective_id in session.execute(
        select(UpdateTag.update_id, UpdateTag.objective_id)
        .join(Update, Update.id == UpdateTag.update_id)
        .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
        .where(*in_weeks)
    ):
        rows[update_id].objective_ids.append(objective_id)
    for update_id, team_id in session.execute(
        select(UpdatePartner.update_id, UpdatePartner.team_id)
        .join(Update, Update.id == UpdatePartner.update_id)
        .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
        .where(*in_weeks)
    ):
        rows[update_id].partner_ids.append(team_id)
    return by_week


def _initiatives_of(session: Session, workspace_id: int, week: str, zone: str) -> list[Initiative]:
    """Return the initiatives logged during `week` (in `zone`): new work counts like an update."""
    start, end = _week_start(week, zone), _week_start(shift_week(week, 1), zone)
    return list(
        session.scalars(
            select(Initiative)
            .where(
                Initiative.workspace_id == workspace_id,
                Initiative.status != "dropped",
                Initiative.created_at >= start,
                Initiative.created_at < end,
            )
            .options(selectinload(Initiative.tags), selectinload(Initiative.partners))
            .order_by(Initiative.id)
        )
    )


def _week_start(week: str, zone: str) -> datetime:
    """Return the instant `week` begins in `zone`: Monday, midnight."""
    year, number = parse_week(week)
    return local_instant(date.fromisocalendar(year, number, 1), time(0), zone)


@dataclass(frozen=True)
class _GoalRow:
    """A live goal as the digest needs it: plain values, no ORM object."""

    id: int
    team_id: int
    title: str
    created_at: datetime
    objective_ids: tuple[int, ...]


def _goals_of(session: Session, workspace_id: int) -> list[_GoalRow]:
    """Return the workspace's live goals, team by team in the order set, in two queries."""
    live = (Goal.workspace_id == workspace_id, Goal.archived_at.is_(None))
    serves: dict[int, list[int]] = {}
    for goal_id, objective_id in session.execute(
        select(GoalObjective.goal_id, GoalObjective.objective_id)
        .join(Goal, Goal.id == GoalObjective.goal_id)
        .where(*live)
        .order_by(GoalObjective.goal_id, GoalObjective.position)
    ):
        serves.setdefault(goal_id, []).append(objective_id)
    rows = session.execute(
        select(Goal.id, Goal.team_id, Goal.title, Goal.created_at)
        .where(*live)
        .order_by(Goal.team_id, Goal.created_at, Goal.id)
    )
    return [_GoalRow(i, team, title, created, tuple(serves.get(i, ()))) for i, team, title, created in rows]


def _with_goals(org: model.Org, teams: Sequence[Team], keys: dict[int, str], rows: Sequence[_GoalRow]) -> model.Org:
    """Return the org with each team's live goals and the live objectives they serve (stated or suggested)."""
    if not rows:
        return org
    names = {t.id: t.name for t in teams}
    goals: dict[str, list[model.Goal]] = {}
    for row in rows:
        serves = tuple(keys[o] for o in row.objective_ids if o in keys)
        goals.setdefault(names[row.team_id], []).append(model.Goal(row.title, serves))
    return replace(org, teams=tuple(replace(t, goals=tuple(goals.get(t.name, ()))) for t in org.teams))


class GoalReader:
    """Read updates against their team's goals, remembering each text's reading while the goals stay the same.

    It reads no corpus: a reader per team over the workspace's texts would cost the digest seconds at scale.
    """

    MAX_REMEMBERED = 50_000

    def __init__(self, org: model.Org) -> None:
        self.goals = goal_titles(org)
        self._tagger = Tagger(org.objectives, calibrate=False, goals={t.name: t.goals for t in org.teams if t.goals})
        self._read: dict[tuple[str, str], tuple[str, ...]] = {}

    def titles(self, team: str, text: str) -> tuple[str, ...]:
        """Return the titles of the goals of `team` that `text` works toward, best first."""
        key = (team, text)
        found = self._read.get(key)
        if found is None:
            if len(self._read) >= self.MAX_REMEMBERED:
                self._read.clear()
            found = self._read[key] = tuple(goal.title for goal, _ in self._tagger.goal_scores(text, team))
        return found


def goal_titles(org: model.Org) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return each team's goal titles: all a goal reader depends on."""
    return tuple((t.name, tuple(g.title for g in t.goals)) for t in org.teams if t.goals)


def _goals_served(reader: GoalReader, updates: Sequence[model.Update]) -> dict[str, list[str]]:
    """Return the titles of the team goals each update works toward, by update id."""
    return {u.id: list(reader.titles(u.team, u.text)) for u in updates}


def _idle_goals(
    reader: GoalReader,
    teams: Sequence[Team],
    rows: Sequence[_GoalRow],
    updates: Sequence[model.Update],
    goals: dict[str, list[str]],
    earlier: Sequence[Sequence[model.Update]],
    since: datetime,
) -> tuple[IdleGoal, ...]:
    """Return the goals set before `since` that no update of their team served this week or the `earlier` weeks."""
    names = {t.id: t.name for t in teams}
    old = sorted((r for r in rows if r.created_at < since), key=lambda r: (names[r.team_id], r.created_at, r.id))
    waiting = {(names[r.team_id], r.title) for r in old}
    waiting -= {(u.team, title) for u in updates for title in goals.get(u.id, ())}
    for week_updates in earlier:
        # Only a team with a goal still unserved needs its updates read.
        teams_waiting = {team for team, _ in waiting}
        for u in week_updates:
            if u.team in teams_waiting:
                waiting -= {(u.team, title) for title in reader.titles(u.team, u.text)}
    return tuple(IdleGoal(names[r.team_id], r.title) for r in old if (names[r.team_id], r.title) in waiting)


def _initiative_id(row: Initiative) -> str:
    return f"initiative-{row.id}"


def _as_engine_updates(
    teams: list[Team], keys: dict[int, str], rows: Sequence[_Row], initiatives: Sequence[Initiative] = ()
) -> list[model.Update]:
    """Return stored updates and new initiatives with their stored tags; archived objectives drop out."""
    names = {t.id: t.name for t in teams}
    updates = [
        model.Update(
            id=str(row.id),
            team=names.get(row.team_id, "?"),
            text=row.text,
            author=row.author_user_id,
            partners=tuple(names[p] for p in row.partner_ids if p in names),
            objectives=tuple(keys[o] for o in row.objective_ids if o in keys),
            confident=row.confident,
        )
        for row in rows
    ]
    return updates + [
        model.Update(
            id=_initiative_id(row),
            team=names.get(row.team_id, "?"),
            text=f"Initiative: {row.title}",
            author=row.created_by,
            kind="initiative",
            partners=tuple(names[p.team_id] for p in row.partners if p.team_id in names),
            objectives=tuple(keys[t.objective_id] for t in row.tags if t.objective_id in keys),
        )
        for row in initiatives
    ]


# More people than this are named from users.list pages (1,000 a call) rather than one users.info each.
USERS_INFO_MAX = 25


def _names(client: WebClient, users: Sequence[str]) -> dict[str, str]:
    """Return the display names of these Slack users, by id; one Slack does not know keeps its id."""
    names: dict[str, str] = {}
    wanted = set(users)
    try:
        if len(wanted) > USERS_INFO_MAX:
            cursor = None
            while True:
                page = client.users_list(limit=1000, cursor=cursor)
                for info in page.get("members") or []:
                    name = display_name(info) if info.get("id") in wanted else None
                    if name:
                        names[info["id"]] = name
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor or len(names) == len(wanted):
                    return names
        for user in sorted(wanted):
            with contextlib.suppress(SlackApiError):
                name = display_name(client.users_info(user=user)["user"])
                if name:
                    names[user] = name
    except (SlackApiError, SlackClientError, OSError, KeyError, TypeError):
        pass  # a name is a nicety: whoever is left unnamed shows as their id
    return names


def _links(client: WebClient, messages: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """Return permalinks of the messages behind updates, by update id."""
    links = {}
    for update_id, channel, ts in messages:
        try:
            links[update_id] = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except (SlackApiError, SlackClientError, OSError):
            continue  # a missing link only costs the reader a click
    return links
