"""A team's weeks: the zone they live in, each week's prompt, reminder and deadline, and the questions asked."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks import checkin as blocks
from bot.schedule import Cycle, cycle_for, open_cycle, parse_week, week_of
from bot.settings import Settings
from storage import repositories
from storage.models import CheckinCycle, Team, Workspace


def team_zone(team: Team, workspace: Workspace, settings: Settings) -> str:
    """Return the time zone a team's schedule and weeks live in."""
    return team.timezone or workspace.timezone or settings.timezone


def team_cycle(team: Team, week: str, zone: str) -> Cycle:
    """Return the prompt, reminder and deadline of `team` in `week`."""
    return cycle_for(
        week,
        team.prompt_weekday,
        team.prompt_time,
        zone,
        deadline_hours=team.deadline_hours,
        reminder_hours=team.reminder_hours,
    )


def open_value(team_id: int, week: str) -> str:
    """Return the button value that opens the modal for a team's week."""
    return f"{team_id}:{week}"


def parse_open_value(value: str) -> tuple[int, str] | None:
    """Return (team id, week) from a button value, or None if it is not one."""
    team, _, week = value.partition(":")
    return (int(team), week) if team.isdigit() and week else None


def questions_of(team: Team) -> tuple[str, ...]:
    """Return the questions a team's check-in asks."""
    stored = tuple(team.questions or ())
    return stored if len(stored) == len(blocks.DEFAULT_QUESTIONS) else blocks.DEFAULT_QUESTIONS


def current_week(team: Team, zone: str, now: datetime) -> str:
    cycle = open_cycle(
        now,
        team.prompt_weekday,
        team.prompt_time,
        zone,
        deadline_hours=team.deadline_hours,
        reminder_hours=team.reminder_hours,
    )
    return cycle.week if cycle else week_of(now, zone)


def ensure_cycle(session: Session, workspace_id: int, team: Team, week: str, zone: str) -> CheckinCycle:
    query = select(CheckinCycle).where(
        CheckinCycle.workspace_id == workspace_id, CheckinCycle.team_id == team.id, CheckinCycle.week == week
    )
    row = session.scalar(query)
    if row is not None:
        return row
    cycle = team_cycle(team, week, zone)
    try:
        with session.begin_nested():
            row = CheckinCycle(
                workspace_id=workspace_id,
                team_id=team.id,
                week=week,
                prompt_at=cycle.prompt_at,
                deadline_at=cycle.deadline_at,
                skipped=holiday_week(session, workspace_id, week),
            )
            session.add(row)
    except IntegrityError:
        row = session.scalars(query).one()
    return row


def holiday_week(session: Session, workspace_id: int, week: str) -> bool:
    """Say whether a company holiday falls in `week` (a new cycle of that week starts skipped)."""
    monday = date.fromisocalendar(*parse_week(week), 1)
    return bool(repositories.holidays_between(session, workspace_id, monday, monday + timedelta(days=6)))
