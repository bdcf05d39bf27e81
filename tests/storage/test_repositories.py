"""Constraints and repository queries behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import repositories
from storage.models import CheckinCycle, Digest, Objective, Team, Update, UpdateTag, Workspace


@pytest.fixture
def cycle(sessions):
    with sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, "T1")
        team = Team(workspace_id=workspace.id, name="marketing")
        session.add(team)
        session.flush()
        cycle = CheckinCycle(workspace_id=workspace.id, team_id=team.id, week="2026-W48")
        session.add(cycle)
        session.flush()
        return cycle


def test_ensure_workspace_is_idempotent_and_race_safe(sessions):
    ids: list[int] = []

    def ensure() -> None:
        with sessions.begin() as session:
            ids.append(repositories.ensure_workspace(session, "T_RACE").id)

    threads = [threading.Thread(target=ensure) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(ids) == 4 and len(set(ids)) == 1
    with sessions() as session:
        assert session.scalars(select(Workspace).where(Workspace.slack_team_id == "T_RACE")).all()[0].id == ids[0]


def test_claim_event_is_once_per_workspace(sessions):
    with sessions.begin() as session:
        first = repositories.ensure_workspace(session, "T1").id
        second = repositories.ensure_workspace(session, "T2").id
    with sessions.begin() as session:
        assert repositories.claim_event(session, first, "Ev1") is True
        assert repositories.claim_event(session, first, "Ev1") is False
        # The same id from another workspace is another event.
        assert repositories.claim_event(session, second, "Ev1") is True


def test_one_update_per_author_per_cycle(sessions, cycle):
    with sessions.begin() as session:
        session.add(
            Update(
                workspace_id=cycle.workspace_id,
                cycle_id=cycle.id,
                team_id=cycle.team_id,
                author_user_id="U1",
                text="first",
            )
        )
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(
            Update(
                workspace_id=cycle.workspace_id,
                cycle_id=cycle.id,
                team_id=cycle.team_id,
                author_user_id="U1",
                text="second",
            )
        )
    with sessions() as session:
        assert [u.text for u in session.scalars(select(Update))] == ["first"]


def test_one_cycle_per_team_and_week(sessions, cycle):
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(CheckinCycle(workspace_id=cycle.workspace_id, team_id=cycle.team_id, week="2026-W48"))


def test_one_digest_per_week_and_channel(sessions, cycle):
    with sessions.begin() as session:
        session.add(Digest(workspace_id=cycle.workspace_id, week="2026-W48", channel_id="C1"))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(Digest(workspace_id=cycle.workspace_id, week="2026-W48", channel_id="C1"))


def test_tags_go_with_their_update(sessions, cycle):
    with sessions.begin() as session:
        objective = Objective(workspace_id=cycle.workspace_id, key="new-revenue", title="Grow revenue")
        update = Update(
            workspace_id=cycle.workspace_id,
            cycle_id=cycle.id,
            team_id=cycle.team_id,
            author_user_id="U1",
            text="booked 6 discovery calls",
        )
        session.add_all([objective, update])
        session.flush()
        update.tags.append(UpdateTag(objective_id=objective.id, score=0.8, source="auto"))
    with sessions.begin() as session:
        session.delete(session.get(Update, update.id))
    with sessions() as session:
        assert session.scalars(select(UpdateTag)).all() == []


def test_datetimes_come_back_aware_in_utc(sessions, cycle):
    berlin = timezone(timedelta(hours=1))
    with sessions.begin() as session:
        row = session.get(CheckinCycle, cycle.id)
        row.prompt_at = datetime(2026, 11, 23, 10, 0, tzinfo=berlin)
    with Session(sessions.kw["bind"]) as session:
        stored = session.get(CheckinCycle, cycle.id).prompt_at
    assert stored == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(sessions, cycle):
    with pytest.raises(Exception, match="naive"), sessions.begin() as session:
        session.get(CheckinCycle, cycle.id).prompt_at = datetime(2026, 11, 23, 10, 0)
        session.flush()


def test_model_requests_are_counted_per_workspace_a_day_up_to_the_cap(sessions):
    day = datetime(2026, 12, 7, tzinfo=UTC).date()
    with sessions.begin() as session:
        one = repositories.ensure_workspace(session, "T_MODEL1").id
        two = repositories.ensure_workspace(session, "T_MODEL2").id
    taken: list[bool] = []

    def take() -> None:
        with sessions.begin() as session:
            taken.append(repositories.take_model_request(session, one, day, 3))

    threads = [threading.Thread(target=take) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions.begin() as session:
        assert sorted(taken) == [False, False, True, True, True]
        assert repositories.model_requests_on(session, one, day) == 3
        assert repositories.model_requests_on(session, two, day) == 0
        assert repositories.take_model_request(session, one, day + timedelta(days=1), 3)
        assert repositories.take_model_request(session, two, day, 3)
        assert repositories.note_model_cap(session, one, day)
        assert not repositories.note_model_cap(session, one, day)


def test_model_answers_are_kept_per_workspace_and_the_first_stands(sessions):
    with sessions.begin() as session:
        one = repositories.ensure_workspace(session, "T_ANSWER1").id
        two = repositories.ensure_workspace(session, "T_ANSWER2").id
        repositories.keep_model_answer(session, one, "k", ("new-revenue",))
        repositories.keep_model_answer(session, one, "k", ("margins",))
        repositories.keep_model_answer(session, one, "none", ())
    with sessions.begin() as session:
        assert repositories.model_answer(session, one, "k") == ("new-revenue",)
        assert repositories.model_answer(session, one, "none") == ()
        assert repositories.model_answer(session, two, "k") is None
