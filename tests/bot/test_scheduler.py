"""The clock's jobs: what runs, how often, and that a job call does real work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.scheduler import build_scheduler, purge_processed_events
from storage import repositories
from storage.models import ProcessedEvent, utcnow


def test_the_clock_runs_prompts_digests_members_and_cleanup(runtime):
    scheduler = build_scheduler(runtime)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "checkins",
        "handoffs",
        "digests",
        "refresh_team_members",
        "purge_processed_events",
        "purge_uninstalled",
        "prune_model_answers",
    }
    assert jobs["prune_model_answers"].func == runtime.services.model.prune
    assert jobs["purge_uninstalled"].func == runtime.services.installs.purge
    assert jobs["checkins"].trigger.interval == timedelta(minutes=1)
    assert jobs["checkins"].func == runtime.services.prompts.tick
    assert jobs["digests"].func == runtime.services.digests.tick
    assert jobs["handoffs"].trigger.interval == timedelta(minutes=1)
    assert jobs["handoffs"].func == runtime.services.handoffs.tick


def test_old_event_ids_are_purged(runtime):
    with runtime.services.sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, "T1")
        session.add_all(
            [
                ProcessedEvent(workspace_id=workspace.id, event_id="old", received_at=utcnow() - timedelta(days=8)),
                ProcessedEvent(workspace_id=workspace.id, event_id="new"),
            ]
        )
    assert purge_processed_events(runtime) == 1
    with runtime.services.sessions() as session:
        assert session.scalars(select(ProcessedEvent.event_id)).all() == ["new"]
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1
