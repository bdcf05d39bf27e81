"""The clock: APScheduler 3 jobs that call the same services the handlers call."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, cast

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import CursorResult, delete

from bot.app import Runtime
from storage import repositories
from storage.models import ProcessedEvent, utcnow

logger = logging.getLogger(__name__)

# Slack retries an event for at most about an hour; a week of ids is plenty.
EVENT_ID_RETENTION = timedelta(days=7)


def build_scheduler(runtime: Runtime, *, blocking: bool = False) -> BaseScheduler:
    """Return a scheduler with every periodic job of the app, not yet started."""
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        timezone=runtime.settings.timezone,
        # A job that missed its time during downtime runs once, not once per missed slot.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    scheduler.add_job(
        purge_processed_events,
        "interval",
        hours=6,
        args=[runtime],
        id="purge_processed_events",
        next_run_time=utcnow(),
    )
    # Every minute: prompts, reminders and digests are idempotent, so a tick only sends what is due.
    scheduler.add_job(
        runtime.services.prompts.tick,
        "interval",
        minutes=1,
        id="checkins",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        runtime.services.handoffs.tick,
        "interval",
        minutes=1,
        id="handoffs",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        runtime.services.digests.tick,
        "interval",
        minutes=5,
        id="digests",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        refresh_team_members,
        "cron",
        hour=4,
        minute=15,
        args=[runtime],
        id="refresh_team_members",
    )
    # Daily: kept model answers to old objectives, old ones and those past a workspace's cap are dropped.
    scheduler.add_job(
        runtime.services.model.prune,
        "cron",
        hour=4,
        minute=45,
        id="prune_model_answers",
    )
    scheduler.add_job(
        runtime.services.installs.purge,
        "interval",
        hours=6,
        id="purge_uninstalled",
        next_run_time=utcnow(),
    )
    return scheduler


def refresh_team_members(runtime: Runtime) -> int:
    """Check every team channel in every workspace is still readable; return how many workspaces succeeded."""
    with runtime.services.sessions.begin() as session:
        workspaces = repositories.workspaces_with_team_channels(session)
    done = 0
    for slack_team_id in workspaces:
        try:
            runtime.services.teams.refresh_members(slack_team_id)
            done += 1
        except Exception:  # one workspace's failure (uninstalled, revoked, a bug) must not starve the others
            logger.exception("refreshing team members failed in workspace %s", slack_team_id)
    return done


def purge_processed_events(runtime: Runtime) -> int:
    """Forget Slack event ids older than the retention window; return how many."""
    cutoff = utcnow() - EVENT_ID_RETENTION
    with runtime.services.sessions.begin() as session:
        # Deliberately across workspaces: a retention sweep, not a user query.
        result = cast(
            CursorResult[Any], session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
        )
    deleted = result.rowcount or 0
    if deleted:
        logger.info("purged %d processed event ids", deleted)
    return deleted
