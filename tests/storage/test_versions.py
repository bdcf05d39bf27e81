"""The workspace's versions move with every change a cached context or tagger depends on, and only then."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select, update

from storage import repositories
from storage.models import (
    CheckinCycle,
    Holiday,
    Initiative,
    InitiativeTag,
    Objective,
    Team,
    TeamMember,
    Update,
    UpdateTag,
    Workspace,
)


@pytest.fixture
def org(sessions):
    """A workspace with a team, an objective and a cycle; return their ids."""
    with sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, "T1")
        team = Team(workspace_id=workspace.id, name="marketing")
        objective = Objective(workspace_id=workspace.id, key="margins", title="Margins")
        session.add_all([team, objective])
        session.flush()
        cycle = CheckinCycle(workspace_id=workspace.id, team_id=team.id, week="2026-W48")
        session.add(cycle)
        session.flush()
        return {"workspace": workspace.id, "team": team.id, "objective": objective.id, "cycle": cycle.id}


def versions(sessions, workspace_id: int) -> tuple[int, int]:
    with sessions() as session:
        row = session.execute(
            select(Workspace.config_version, Workspace.examples_version).where(Workspace.id == workspace_id)
        ).one()
        return row[0], row[1]


def test_teams_members_objectives_and_deleted_cycles_move_the_config_version(sessions, org):
    seen = [versions(sessions, org["workspace"])]
    changes = [
        lambda s: s.execute(update(Team).where(Team.id == org["team"]).values(channel_id="C1")),
        lambda s: s.add(TeamMember(workspace_id=org["workspace"], team_id=org["team"], user_id="U1")),
        lambda s: s.execute(delete(TeamMember).where(TeamMember.user_id == "U1")),
        lambda s: s.execute(update(Objective).where(Objective.id == org["objective"]).values(title="Better margins")),
        lambda s: s.execute(delete(CheckinCycle).where(CheckinCycle.id == org["cycle"])),
    ]
    for change in changes:
        with sessions.begin() as session:
            change(session)
        seen.append(versions(sessions, org["workspace"]))
    configs = [config for config, _ in seen]
    assert configs == sorted(set(configs)), seen  # each change moved it
    assert {examples for _, examples in seen} == {0}


def test_hand_tags_move_the_examples_version_and_automatic_ones_do_not(sessions, org):
    with sessions.begin() as session:
        row = Update(
            workspace_id=org["workspace"],
            cycle_id=org["cycle"],
            team_id=org["team"],
            author_user_id="U1",
            text="Cut hosting costs",
        )
        session.add(row)
        session.flush()
        session.add(UpdateTag(update_id=row.id, objective_id=org["objective"], score=0.8, source="auto"))
        update_id = row.id
    _, automatic = versions(sessions, org["workspace"])
    assert automatic == 0

    with sessions.begin() as session:
        session.execute(delete(UpdateTag).where(UpdateTag.update_id == update_id))
        session.execute(update(Update).where(Update.id == update_id).values(tags_by_hand=True))
        session.add(UpdateTag(update_id=update_id, objective_id=org["objective"], score=1.0, source="manual"))
    _, by_hand = versions(sessions, org["workspace"])
    assert by_hand > automatic

    with sessions.begin() as session:  # sharing an answer changes nothing the tagger reads
        session.execute(update(Update).where(Update.id == update_id).values(shared_ts="1.2"))
    assert versions(sessions, org["workspace"])[1] == by_hand

    with sessions.begin() as session:
        initiative = Initiative(workspace_id=org["workspace"], team_id=org["team"], title="Renegotiate hosting")
        session.add(initiative)
        session.flush()
        session.add(InitiativeTag(initiative_id=initiative.id, objective_id=org["objective"], source="manual"))
    assert versions(sessions, org["workspace"])[1] > by_hand


def test_another_workspace_is_not_touched(sessions, org):
    before = versions(sessions, org["workspace"])
    with sessions.begin() as session:
        other = repositories.ensure_workspace(session, "T2")
        session.add(Team(workspace_id=other.id, name="sales"))
    assert versions(sessions, org["workspace"]) == before
    assert versions(sessions, other.id) == (1, 0)


def test_cycle_id_creates_once_and_starts_a_holiday_week_skipped(sessions, org):
    with sessions.begin() as session:
        session.add(Holiday(workspace_id=org["workspace"], day=date(2026, 12, 25), name="Christmas"))
    with sessions.begin() as session:
        first = repositories.cycle_id(
            session,
            org["workspace"],
            org["team"],
            "2026-W52",
            monday=date(2026, 12, 21),
            prompt_at=None,
            deadline_at=None,
        )
    with sessions.begin() as session:
        again = repositories.cycle_id(
            session,
            org["workspace"],
            org["team"],
            "2026-W52",
            monday=date(2026, 12, 21),
            prompt_at=None,
            deadline_at=None,
        )
        assert again == first
        assert session.get(CheckinCycle, first).skipped is True
