"""Queries the services use. Every function takes the workspace it is scoped to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Row,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage.db import rows_changed
from storage.models import (
    DELIVERY_KEY_NONE,
    Base,
    CheckinCycle,
    Delivery,
    DeliveryKey,
    Goal,
    GoalObjective,
    Holiday,
    Initiative,
    InitiativeTag,
    ModelAnswer,
    ModelDay,
    Objective,
    ProcessedEvent,
    Team,
    TeamLead,
    TeamMember,
    TimeOff,
    Update,
    UpdatePartner,
    UpdateTag,
    Workspace,
    utcnow,
)


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


def event_done(session: Session, workspace_id: int, event_id: str) -> bool:
    """Say whether a Slack event id was recorded as handled."""
    return (
        session.scalar(
            select(ProcessedEvent.id).where(
                ProcessedEvent.workspace_id == workspace_id, ProcessedEvent.event_id == event_id
            )
        )
        is not None
    )


def claim_event(session: Session, workspace_id: int, event_id: str) -> bool:
    """Record a Slack event id; say False when it was already handled (a Slack retry).

    One statement, and no savepoint: a conflict leaves the transaction usable.
    """
    claimed = session.scalar(
        upsert(session, ProcessedEvent)
        .values(workspace_id=workspace_id, event_id=event_id, received_at=utcnow())
        .on_conflict_do_nothing(index_elements=["workspace_id", "event_id"])
        .returning(ProcessedEvent.id)
    )
    return claimed is not None


def release_event(session: Session, workspace_id: int, event_id: str) -> None:
    """Forget a Slack event id, so that Slack's retry of it is handled again."""
    session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.workspace_id == workspace_id, ProcessedEvent.event_id == event_id)
    )


def upsert(session: Session, model: type[Base]) -> Any:
    """Return an INSERT for `model` that takes ON CONFLICT clauses, in the session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


# --------------------------------------------------------------------------- teams


def list_teams(session: Session, workspace_id: int) -> list[Team]:
    """Return a workspace's teams by name."""
    return list(session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name)))


def find_team(session: Session, workspace_id: int, name: str) -> Team | None:
    """Return the team whose name or alias is `name` (any case)."""
    wanted = name.casefold()
    teams = list_teams(session, workspace_id)
    exact = next((t for t in teams if t.name.casefold() == wanted), None)
    return exact or next((t for t in teams if wanted in (a.casefold() for a in t.aliases or ())), None)


def find_team_by_channel(session: Session, workspace_id: int, channel_id: str) -> Team | None:
    """Return the team whose check-in channel is `channel_id`."""
    return session.scalar(select(Team).where(Team.workspace_id == workspace_id, Team.channel_id == channel_id))


def get_team(session: Session, workspace_id: int, team_id: int) -> Team | None:
    """Return a team of the workspace by our id."""
    return session.scalar(select(Team).where(Team.workspace_id == workspace_id, Team.id == team_id))


def teams_of_user(session: Session, workspace_id: int, user_id: str) -> list[Team]:
    """Return the teams a user is a member of."""
    query = (
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.workspace_id == workspace_id, TeamMember.user_id == user_id)
        .order_by(Team.name)
    )
    return list(session.scalars(query))


def member_ids(session: Session, workspace_id: int, team_id: int) -> list[str]:
    """Return the user ids of a team's members."""
    query = select(TeamMember.user_id).where(TeamMember.workspace_id == workspace_id, TeamMember.team_id == team_id)
    return sorted(session.scalars(query))


def set_members(session: Session, team: Team, user_ids: list[str]) -> None:
    """Make `user_ids` the team's members exactly."""
    _set_people(session, team, TeamMember, user_ids)


def _set_people(session: Session, team: Team, role: type[TeamMember] | type[TeamLead], user_ids: list[str]) -> None:
    """Make `user_ids` exactly the team's people in `role` (members or leads): drop the rest, add the new."""
    wanted = set(user_ids)
    rows: list[TeamMember | TeamLead] = list(session.scalars(select(role).where(role.team_id == team.id)))
    current = {row.user_id: row for row in rows}
    for user_id, row in current.items():
        if user_id not in wanted:
            session.delete(row)
    for user_id in sorted(wanted - current.keys()):
        session.add(role(workspace_id=team.workspace_id, team_id=team.id, user_id=user_id))


def add_member(session: Session, team: Team, user_id: str) -> bool:
    """Add a member unless present; say whether it was added."""
    exists = session.scalar(select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id))
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(TeamMember(workspace_id=team.workspace_id, team_id=team.id, user_id=user_id))
    except IntegrityError:  # the same join event raced us
        return False
    return True


def remove_member(session: Session, team: Team, user_id: str) -> bool:
    """Remove a member if present; say whether one was removed."""
    result = session.execute(delete(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id))
    return bool(cast("CursorResult[Any]", result).rowcount)


def team_here_or_of(session: Session, workspace_id: int, user_id: str, channel_id: str | None) -> Team | None:
    """Return the team whose channel this is, else the first (by name) of the person's teams, else None."""
    if channel_id:
        team = find_team_by_channel(session, workspace_id, channel_id)
        if team is not None:
            return team
    return session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.workspace_id == workspace_id, TeamMember.user_id == user_id)
        .order_by(Team.name)
        .limit(1)
    )


def installed_workspaces(session: Session) -> list[str]:
    """Return the Slack ids of the workspaces the clock works for: every one not uninstalled."""
    return list(
        session.scalars(
            select(Workspace.slack_team_id).where(Workspace.uninstalled_at.is_(None)).order_by(Workspace.id)
        )
    )


def workspaces_with_team_channels(session: Session) -> list[str]:
    """Return the Slack ids of workspaces with at least one team mapped to a channel (for the clock)."""
    query = (
        select(Workspace.slack_team_id)
        .join(Team, Team.workspace_id == Workspace.id)
        .where(Team.channel_id.is_not(None), Workspace.uninstalled_at.is_(None))
        .distinct()
        .order_by(Workspace.slack_team_id)
    )
    return list(session.scalars(query))


def cycle_id(
    session: Session,
    workspace_id: int,
    team_id: int,
    week: str,
    *,
    monday: date,
    prompt_at: datetime | None,
    deadline_at: datetime | None,
) -> int:
    """Return the id of a team's cycle of `week` (starting `monday`), creating it if need be.

    A new cycle starts skipped when a company holiday falls in its week. One statement when
    the cycle is new, two when it exists; no savepoint.
    """
    holiday = (
        select(Holiday.id)
        .where(
            Holiday.workspace_id == workspace_id,
            Holiday.day >= monday,
            Holiday.day <= date.fromordinal(monday.toordinal() + 6),
        )
        .exists()
    )
    created = session.scalar(
        upsert(session, CheckinCycle)
        .values(
            workspace_id=workspace_id,
            team_id=team_id,
            week=week,
            prompt_at=prompt_at,
            deadline_at=deadline_at,
            skipped=holiday,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["team_id", "week"])
        .returning(CheckinCycle.id)
    )
    if created is not None:
        return int(created)
    return int(
        session.scalars(
            select(CheckinCycle.id).where(
                CheckinCycle.workspace_id == workspace_id, CheckinCycle.team_id == team_id, CheckinCycle.week == week
            )
        ).one()
    )


# --------------------------------------------------------------------------- objectives


def list_objectives(session: Session, workspace_id: int, *, include_archived: bool = False) -> list[Objective]:
    """Return a workspace's objectives in the order they were stated."""
    query = select(Objective).where(Objective.workspace_id == workspace_id)
    if not include_archived:
        query = query.where(Objective.archived_at.is_(None))
    return list(session.scalars(query.order_by(Objective.created_at, Objective.id)))


def find_objective(session: Session, workspace_id: int, key: str) -> Objective | None:
    """Return the objective with `key` (archived or not)."""
    return session.scalar(select(Objective).where(Objective.workspace_id == workspace_id, Objective.key == key))


def objective_keys(session: Session, workspace_id: int) -> set[str]:
    """Return every key used in the workspace, archived objectives included."""
    return set(session.scalars(select(Objective.key).where(Objective.workspace_id == workspace_id)))


def count_archived_objectives(session: Session, workspace_id: int) -> int:
    """Return how many objectives are archived."""
    query = select(func.count()).where(Objective.workspace_id == workspace_id, Objective.archived_at.is_not(None))
    return int(session.scalar(query) or 0)


def open_initiative_counts(session: Session, workspace_id: int) -> dict[int, int]:
    """Return {objective id: open initiatives tagged with it}."""
    query = (
        select(InitiativeTag.objective_id, func.count())
        .join(Initiative, Initiative.id == InitiativeTag.initiative_id)
        .where(Initiative.workspace_id == workspace_id, Initiative.status == "open")
        .group_by(InitiativeTag.objective_id)
    )
    return {objective_id: int(count) for objective_id, count in session.execute(query)}


# --------------------------------------------------------------------------- initiatives


def get_initiative(session: Session, workspace_id: int, initiative_id: int) -> Initiative | None:
    """Return an initiative of the workspace by id."""
    query = select(Initiative).where(Initiative.workspace_id == workspace_id, Initiative.id == initiative_id)
    return session.scalar(query.options(selectinload(Initiative.tags), selectinload(Initiative.partners)))


def list_initiatives(
    session: Session,
    workspace_id: int,
    *,
    team_id: int | None = None,
    user_id: str | None = None,
    statuses: tuple[str, ...] = ("open",),
) -> list[Initiative]:
    """Return initiatives, newest first, of one team or one person (owner or author) if asked."""
    query = select(Initiative).where(Initiative.workspace_id == workspace_id, Initiative.status.in_(statuses))
    if team_id is not None:
        query = query.where(Initiative.team_id == team_id)
    if user_id is not None:
        query = query.where(or_(Initiative.owner_user_id == user_id, Initiative.created_by == user_id))
    query = query.options(selectinload(Initiative.tags), selectinload(Initiative.partners))
    return list(session.scalars(query.order_by(Initiative.created_at.desc(), Initiative.id.desc())))


# --------------------------------------------------------------------------- goals


def list_goals(
    session: Session, workspace_id: int, team_id: int | None = None, *, include_archived: bool = False
) -> list[Goal]:
    """Return the workspace's (or one team's) goals, each with what it serves, team by team in the order set."""
    query = select(Goal).where(Goal.workspace_id == workspace_id).options(selectinload(Goal.serves))
    if team_id is not None:
        query = query.where(Goal.team_id == team_id)
    if not include_archived:
        query = query.where(Goal.archived_at.is_(None))
    return list(session.scalars(query.order_by(Goal.team_id, Goal.created_at, Goal.id)))


def get_goal(session: Session, workspace_id: int, goal_id: int) -> Goal | None:
    """Return one of the workspace's goals (archived or not) by id."""
    query = select(Goal).where(Goal.workspace_id == workspace_id, Goal.id == goal_id)
    return session.scalar(query.options(selectinload(Goal.serves)))


def count_goals(session: Session, workspace_id: int, team_id: int) -> int:
    """Return how many live goals a team has."""
    query = select(func.count()).where(
        Goal.workspace_id == workspace_id, Goal.team_id == team_id, Goal.archived_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def set_goal_serves(goal: Goal, objective_ids: list[int]) -> None:
    """Make `objective_ids` the objectives a goal serves, in this order."""
    goal.serves = [GoalObjective(objective_id=oid, position=n) for n, oid in enumerate(dict.fromkeys(objective_ids))]


# --------------------------------------------------------------------------- people


def lead_ids(session: Session, workspace_id: int, team_id: int) -> list[str]:
    """Return the user ids of a team's leads."""
    query = select(TeamLead.user_id).where(TeamLead.workspace_id == workspace_id, TeamLead.team_id == team_id)
    return sorted(session.scalars(query))


def is_lead(session: Session, workspace_id: int, team_id: int, user_id: str) -> bool:
    """Say whether a user leads a team."""
    query = select(TeamLead.id).where(
        TeamLead.workspace_id == workspace_id, TeamLead.team_id == team_id, TeamLead.user_id == user_id
    )
    return session.scalar(query) is not None


def set_leads(session: Session, team: Team, user_ids: list[str]) -> None:
    """Make `user_ids` the team's leads exactly."""
    _set_people(session, team, TeamLead, user_ids)


def time_off_of(session: Session, workspace_id: int, user_id: str, *, from_day: date) -> list[TimeOff]:
    """Return a person's time off that ends on or after `from_day`, soonest first."""
    query = select(TimeOff).where(
        TimeOff.workspace_id == workspace_id, TimeOff.user_id == user_id, TimeOff.last_day >= from_day
    )
    return list(session.scalars(query.order_by(TimeOff.first_day, TimeOff.id)))


def away_on(session: Session, workspace_id: int, days: set[date]) -> dict[date, set[str]]:
    """Return {day: user ids away that day} for each of `days`."""
    if not days:
        return {}
    query = select(TimeOff.user_id, TimeOff.first_day, TimeOff.last_day).where(
        TimeOff.workspace_id == workspace_id, TimeOff.first_day <= max(days), TimeOff.last_day >= min(days)
    )
    away: dict[date, set[str]] = {day: set() for day in days}
    for user_id, first, last in session.execute(query):
        for day in days:
            if first <= day <= last:
                away[day].add(user_id)
    return away


def holidays_from(session: Session, workspace_id: int, from_day: date) -> list[Holiday]:
    """Return the company holidays on or after `from_day`, soonest first."""
    query = select(Holiday).where(Holiday.workspace_id == workspace_id, Holiday.day >= from_day)
    return list(session.scalars(query.order_by(Holiday.day)))


def holidays_between(session: Session, workspace_id: int, first: date, last: date) -> list[Holiday]:
    """Return the company holidays from `first` to `last` (inclusive)."""
    query = select(Holiday).where(Holiday.workspace_id == workspace_id, Holiday.day >= first, Holiday.day <= last)
    return list(session.scalars(query.order_by(Holiday.day)))


# --- deliveries -----------------------------------------------------------------------------


def _is_key(workspace_id: int, key: DeliveryKey) -> list[ColumnElement[bool]]:
    clauses = [Delivery.workspace_id == workspace_id, Delivery.kind == key.kind, Delivery.week == key.week]
    for name in DELIVERY_KEY_NONE:
        column, value = getattr(Delivery, name), getattr(key, name)
        clauses.append(column.is_(None) if value is None else column == (list(value) if name == "team_ids" else value))
    return clauses


def claim_delivery(session: Session, workspace_id: int, key: DeliveryKey, now: datetime) -> int:
    """Insert the claim of a key and return its id; raises IntegrityError when the key is claimed already."""
    row = Delivery(
        workspace_id=workspace_id,
        kind=key.kind,
        week=key.week,
        team_id=key.team_id,
        team_ids=list(key.team_ids) if key.team_ids is not None else None,
        user_id=key.user_id,
        from_team_id=key.from_team_id,
        to_channel_id=key.to_channel_id,
        handoff_id=key.handoff_id,
        status="claimed",
        attempts=1,
        claimed_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def find_delivery(session: Session, workspace_id: int, key: DeliveryKey) -> Delivery | None:
    """Return the row of a key, if claimed."""
    return session.scalars(select(Delivery).where(*_is_key(workspace_id, key))).one_or_none()


def retake_delivery(session: Session, row: Delivery, now: datetime) -> bool:
    """Claim a row again unless another process did since it was read (compare-and-set on attempts)."""
    taken = session.execute(
        update(Delivery)
        .where(Delivery.id == row.id, Delivery.attempts == row.attempts)
        .values(status="claimed", attempts=row.attempts + 1, claimed_at=now)
    )
    return cast("CursorResult[Any]", taken).rowcount == 1


def finish_delivery(
    session: Session,
    delivery_id: int,
    status: str | None,
    *,
    channel: str | None = None,
    ts: str | None = None,
    error: str | None = None,
) -> None:
    """Record how a claimed send ended: sent (with where it landed), or its error (`status` None: still claimed)."""
    values: dict[str, Any] = {"last_error": error}
    if status == "sent":
        values.update(channel_id=channel, message_ts=ts, sent_at=utcnow())
    if status is not None:
        values["status"] = status
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def sent_message(session: Session, workspace_id: int, key: DeliveryKey) -> tuple[str, str] | None:
    """Return (channel, ts) of the message a key was sent as, if it was."""
    found = session.execute(
        select(Delivery.channel_id, Delivery.message_ts).where(*_is_key(workspace_id, key), Delivery.status == "sent")
    ).first()
    return (found[0], found[1]) if found and found[0] and found[1] else None


def sent_keys(session: Session, workspace_id: int, weeks: set[str]) -> list[DeliveryKey]:
    """Return the key of every delivery of these weeks already sent."""
    rows = session.scalars(
        select(Delivery).where(
            Delivery.workspace_id == workspace_id, Delivery.week.in_(sorted(weeks)), Delivery.status == "sent"
        )
    )
    return [row.key() for row in rows]


def prompt_messages(session: Session, workspace_id: int, weeks: set[str]) -> dict[tuple[int, str], str]:
    """Return the ts of each (team, week)'s channel prompt sent in these weeks."""
    rows = session.execute(
        select(Delivery.team_id, Delivery.week, Delivery.message_ts).where(
            Delivery.workspace_id == workspace_id,
            Delivery.kind == "prompt",
            Delivery.week.in_(sorted(weeks)),
            Delivery.status == "sent",
        )
    )
    return {(team_id, week): ts for team_id, week, ts in rows if team_id is not None and ts}


def reminded_handoffs(session: Session, workspace_id: int, handoff_ids: list[int]) -> set[int]:
    """Return which of these handoffs were reminded of already."""
    if not handoff_ids:
        return set()
    rows = session.scalars(
        select(Delivery.handoff_id).where(
            Delivery.workspace_id == workspace_id,
            Delivery.kind == "handoff_reminder",
            Delivery.handoff_id.in_(handoff_ids),
            Delivery.status == "sent",
        )
    )
    return {handoff_id for handoff_id in rows if handoff_id is not None}


# --------------------------------------------------------------------------- the opt-in model


def model_answer(session: Session, workspace_id: int, key: str) -> tuple[str, ...] | None:
    """Return the model's answer kept for a cache key, if any."""
    found = session.scalar(
        select(ModelAnswer.objectives).where(ModelAnswer.workspace_id == workspace_id, ModelAnswer.key == key)
    )
    return tuple(found) if found is not None else None


def keep_model_answer(
    session: Session, workspace_id: int, key: str, objectives: tuple[str, ...], version: str = ""
) -> None:
    """Keep the model's answer for a cache key, for the objectives' `version`; one kept already stands."""
    statement = upsert(session, ModelAnswer).values(
        workspace_id=workspace_id, key=key, objectives=list(objectives), version=version, created_at=utcnow()
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["workspace_id", "key"]))


def forget_model_answers(session: Session, workspace_id: int, keep_version: str) -> int:
    """Drop a workspace's answers to any objectives' version but `keep_version`; return how many."""
    stale = delete(ModelAnswer).where(ModelAnswer.workspace_id == workspace_id, ModelAnswer.version != keep_version)
    return rows_changed(session, stale)


def prune_model_answers(session: Session, workspace_id: int, before: datetime, most: int) -> int:
    """Drop a workspace's answers kept before `before`, and all but its `most` newest; return how many."""
    dropped = rows_changed(
        session, delete(ModelAnswer).where(ModelAnswer.workspace_id == workspace_id, ModelAnswer.created_at < before)
    )
    beyond = (
        select(ModelAnswer.key)
        .where(ModelAnswer.workspace_id == workspace_id)
        .order_by(ModelAnswer.created_at.desc(), ModelAnswer.key.desc())
        .offset(most)
    )
    gone = delete(ModelAnswer).where(ModelAnswer.workspace_id == workspace_id, ModelAnswer.key.in_(beyond))
    return dropped + rows_changed(session, gone)


def workspaces_with_model_answers(session: Session) -> list[int]:
    """Return the ids of the workspaces that keep any model answers (for the daily prune)."""
    # Deliberately across workspaces: a retention sweep, not a user query.
    return list(session.scalars(select(ModelAnswer.workspace_id).distinct().order_by(ModelAnswer.workspace_id)))


def claim_model_probe(session: Session, workspace_id: int, now: datetime, until: datetime) -> bool:
    """Claim the one request that tries a paused model again, once its pause is over; False if another has.

    The claim moves the pause on to `until`, so other workers keep to the lexicon while it is tried.
    """
    over = update(Workspace).where(
        Workspace.id == workspace_id,
        Workspace.model_fault_streak > 0,
        or_(Workspace.model_retry_at.is_(None), Workspace.model_retry_at <= now),
    )
    return rows_changed(session, over.values(model_retry_at=until)) == 1


def release_model_probe(session: Session, workspace_id: int, seen: int, now: datetime) -> None:
    """Give back a claim that sent nothing: the pause is over again from `now`, unless a fault came since."""
    claimed = update(Workspace).where(Workspace.id == workspace_id, Workspace.model_fault_streak == seen)
    session.execute(claimed.values(model_retry_at=now))


def note_model_down(session: Session, workspace_id: int, seen: int, retry_at: datetime) -> bool:
    """Count one more fault of the endpoint, pausing the model until `retry_at`; False if already counted.

    `seen` is the streak read before asking: workers that failed together count one fault, not one each.
    """
    counted = update(Workspace).where(Workspace.id == workspace_id, Workspace.model_fault_streak == seen)
    return rows_changed(session, counted.values(model_fault_streak=seen + 1, model_retry_at=retry_at)) == 1


def note_model_up(session: Session, workspace_id: int) -> None:
    """End a workspace's pause: a request got through to the endpoint."""
    paused = update(Workspace).where(
        Workspace.id == workspace_id,
        or_(Workspace.model_fault_streak != 0, Workspace.model_retry_at.is_not(None)),
    )
    session.execute(paused.values(model_fault_streak=0, model_retry_at=None))


def take_model_request(session: Session, workspace_id: int, day: date, cap: int) -> bool:
    """Count one request to the model on `day`; False (nothing counted) when `cap` were counted already."""
    start = upsert(session, ModelDay).values(workspace_id=workspace_id, day=day, requests=0, cap_noted=False)
    session.execute(start.on_conflict_do_nothing(index_elements=["workspace_id", "day"]))
    # One conditional UPDATE: concurrent workers never count past the cap between them.
    counted = update(ModelDay).where(
        ModelDay.workspace_id == workspace_id, ModelDay.day == day, ModelDay.requests < cap
    )
    return rows_changed(session, counted.values(requests=ModelDay.requests + 1)) == 1


def model_requests_on(session: Session, workspace_id: int, day: date) -> int:
    """Return how many requests were sent to the model on `day`."""
    found = session.scalar(select(ModelDay.requests).where(ModelDay.workspace_id == workspace_id, ModelDay.day == day))
    return found or 0


def note_model_cap(session: Session, workspace_id: int, day: date) -> bool:
    """Record that the admins are told of `day`'s cap; False when they were already."""
    noted = update(ModelDay).where(
        ModelDay.workspace_id == workspace_id, ModelDay.day == day, ModelDay.cap_noted.is_(False)
    )
    return rows_changed(session, noted.values(cap_noted=True)) == 1


# --------------------------------------------------------------------------- answers (updates)


def _left_by_earlier(table: str) -> ColumnElement[bool]:
    """Return "the answer has rows in `table`", for the RETURNING of its upsert.

    Spelled out: SQLAlchemy renders RETURNING columns without their table, which leaves a
    correlated subquery ambiguous on SQLite.
    """
    return literal_column(f"EXISTS (SELECT 1 FROM {table} WHERE {table}.update_id = updates.id)").label(table)


def upsert_answer(
    session: Session, key: tuple[int, int, str], values: dict[str, Any], *, created_at: datetime, again: bool
) -> Row[Any] | None:
    """Store a person's answer of a cycle (`key`: workspace, cycle, author), replacing an earlier one.

    None when the stored answer was sent later (`again`: a retry of a failed attempt may store its own
    answer anew). Else its id, creation time, shared copy, and whether an earlier answer left tags,
    partners or handoffs.
    """
    workspace_id, cycle_id, author = key
    statement = upsert(session, Update)
    # One statement whether the person answered before or not: their answer of the week is replaced,
    # unless it was sent later than this one (no row comes back then).
    stored_order = tuple_(Update.sent_at, Update.acked_at)
    order = tuple_(statement.excluded.sent_at, statement.excluded.acked_at)
    later = or_(Update.sent_at.is_(None), stored_order <= order if again else stored_order < order)
    row: Row[Any] | None = session.execute(
        statement.values(
            workspace_id=workspace_id, cycle_id=cycle_id, author_user_id=author, created_at=created_at, **values
        )
        .on_conflict_do_update(index_elements=["cycle_id", "author_user_id"], set_=values, where=later)
        # What an earlier answer left behind, so that only what exists is cleared.
        .returning(
            Update.id,
            Update.created_at,
            Update.shared_channel_id,
            Update.shared_ts,
            *(_left_by_earlier(table) for table in ("update_tags", "update_partners", "handoffs")),
        )
    ).first()
    return row


def replace_answer_links(
    session: Session, stored: Row[Any], tags: Sequence[tuple[int, float, str]], partner_ids: Sequence[int]
) -> None:
    """Replace the tags and partner teams an earlier answer left with this answer's."""
    if stored.update_tags:
        session.execute(delete(UpdateTag).where(UpdateTag.update_id == stored.id))
    if stored.update_partners:
        session.execute(delete(UpdatePartner).where(UpdatePartner.update_id == stored.id))
    if tags:
        session.execute(
            insert(UpdateTag),
            [{"update_id": stored.id, "objective_id": o, "score": s, "source": k} for o, s, k in tags],
        )
    if partner_ids:
        session.execute(insert(UpdatePartner), [{"update_id": stored.id, "team_id": p} for p in partner_ids])


def answer_text(session: Session, workspace_id: int, team_id: int, week: str, user_id: str) -> str | None:
    """Return the text of a person's answer for a team's week, if they gave one."""
    return session.scalar(
        select(Update.text)
        .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
        .where(
            Update.workspace_id == workspace_id,
            CheckinCycle.team_id == team_id,
            CheckinCycle.week == week,
            Update.author_user_id == user_id,
        )
    )
