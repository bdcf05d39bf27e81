"""Migrations build the whole schema from empty, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage import migrate, repositories
from storage.db import make_engine
from storage.models import Base, Delivery, Goal, Handoff, Team
from storage.slack_tables import slack_metadata

EXPECTED_TABLES = {
    "workspaces",
    "teams",
    "team_members",
    "objectives",
    "initiatives",
    "initiative_tags",
    "initiative_partners",
    "checkin_cycles",
    "updates",
    "update_tags",
    "update_partners",
    "deliveries",
    "digests",
    "processed_events",
    "handoffs",
    "jobs",
    "team_leads",
    "time_off",
    "holidays",
    "goals",
    "goal_objectives",
    "model_answers",
    "model_days",
    "slack_installations",
    "slack_bots",
    "slack_oauth_states",
    "alembic_version",
}


def test_upgrade_from_empty_creates_every_table(empty_database_url):
    engine = make_engine(empty_database_url)
    assert migrate.current_revision(engine) is None

    migrate.upgrade(engine)

    assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


# SQLite cannot reflect the deliveries' key index (an expression index); PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_match_the_models(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, [Base.metadata, slack_metadata])
    engine.dispose()
    assert differences == []


def test_upgrade_twice_and_concurrently_is_harmless(empty_database_url):
    engine = make_engine(empty_database_url)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate.upgrade(engine)
        except BaseException as error:  # collected and asserted on below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    migrate.upgrade(engine)

    assert errors == []
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_named_constraints_follow_the_convention(migrated_engine):
    unique = inspect(migrated_engine).get_unique_constraints("updates")
    assert {c["name"] for c in unique} == {"uq_updates_cycle_id_author_user_id"}


# Rows as revision 0012 wrote them, each with the typed columns revision 0013 gives it.
LEGACY_DELIVERIES = [
    ("prompt", "team:1", {"team_id": 1}),
    ("dm_prompt", "team:1:user:U1", {"team_id": 1, "user_id": "U1"}),
    ("dm_prompt", "teams:2,1:user:U1", {"team_ids": [2, 1], "user_id": "U1"}),
    ("reminder", "team:2:user:U2", {"team_id": 2, "user_id": "U2"}),
    ("nudge", "team:2:user:U2", {"team_id": 2, "user_id": "U2"}),
    ("digest", "CLEAD", {"to_channel_id": "CLEAD"}),
    ("digest_chart", "CLEAD", {"to_channel_id": "CLEAD"}),
    ("handoffs", "1>2", {"from_team_id": 1, "team_id": 2}),
    ("handoff_reminder", "handoff:1", {"handoff_id": 1}),
]
TYPED_COLUMNS = ("team_id", "team_ids", "user_id", "from_team_id", "to_channel_id", "handoff_id")


def _legacy_workspace(connection) -> None:
    """Insert a workspace with two teams, a handoff and a delivery of every kind, as revision 0012 stored them."""
    # Workspaces gained columns since 0012: written as 0012 had them. The other tables are as 0012 left them.
    connection.execute(text("INSERT INTO workspaces (id, slack_team_id, created_at) VALUES (1, 'T1', :now)"), NOW)
    connection.execute(
        insert(Team), [{"id": 1, "workspace_id": 1, "name": "marketing"}, {"id": 2, "workspace_id": 1, "name": "sales"}]
    )
    connection.execute(
        insert(Handoff).values(id=1, workspace_id=1, from_team_id=1, to_team_id=2, week="2026-W50", text="deck")
    )
    for number, (kind, target, _) in enumerate([*LEGACY_DELIVERIES, ("prompt", "team:9", {})], start=1):
        connection.execute(
            text(
                "INSERT INTO deliveries (id, workspace_id, kind, target, week, status, attempts, claimed_at, "
                "channel_id, message_ts) VALUES (:id, 1, :kind, :target, '2026-W50', 'sent', 1, :now, 'C1', :ts)"
            ),
            {"id": number, "kind": kind, "target": target, "ts": f"{number}.0", **NOW},
        )


NOW = {"now": datetime(2026, 12, 14, 9, tzinfo=UTC)}


def test_0013_types_the_targets_of_deliveries_and_gives_them_back(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine, "0012")
    with engine.begin() as connection:
        _legacy_workspace(connection)

    migrate.upgrade(engine)

    with engine.connect() as connection:
        rows = connection.execute(select(Delivery).order_by(Delivery.id)).all()
    # The prompt of a team that no longer exists is dropped; every other row keeps its id, status and message.
    assert [(r.kind, {c: getattr(r, c) for c in TYPED_COLUMNS if getattr(r, c) is not None}) for r in rows] == [
        (kind, typed) for kind, _, typed in LEGACY_DELIVERIES
    ]
    assert [(r.id, r.status, r.message_ts) for r in rows] == [(n, "sent", f"{n}.0") for n in range(1, 10)]
    with engine.connect() as connection:
        # SQL NULL, not JSON null, where a DM named one team: the key's lookups ask for IS NULL.
        assert connection.execute(text("SELECT count(*) FROM deliveries WHERE team_ids IS NULL")).scalar() == 8
    with engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(
            insert(Delivery).values(workspace_id=1, kind="dm_prompt", week="2026-W50", team_ids=[2, 1], user_id="U1")
        )

    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")

    with engine.connect() as connection:
        back = connection.execute(text("SELECT kind, target, message_ts FROM deliveries ORDER BY id")).all()
    assert [tuple(r) for r in back] == [(k, t, f"{n}.0") for n, (k, t, _) in enumerate(LEGACY_DELIVERIES, start=1)]
    engine.dispose()


def test_a_delivery_key_is_unique_however_many_of_its_columns_are_empty(sessions, engine):
    with sessions.begin() as session:
        workspace_id = repositories.ensure_workspace(session, "T1").id
    key = {"workspace_id": workspace_id, "kind": "digest", "week": "2026-W50", "to_channel_id": "CLEAD"}
    with engine.begin() as connection:
        connection.execute(insert(Delivery).values(**key))
        # Another channel or week is another delivery.
        connection.execute(insert(Delivery).values(**{**key, "to_channel_id": "COTHER"}))
        connection.execute(insert(Delivery).values(**{**key, "week": "2026-W51"}))
    with engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(insert(Delivery).values(**key))
    with engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(insert(Delivery).values(**{**key, "kind": "dm"}))


def test_0014_adds_team_goals_that_move_the_config_version_and_takes_them_away(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine, "0013")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO workspaces (id, slack_team_id, created_at) VALUES (1, 'T1', :now)"), NOW)
        connection.execute(insert(Team).values(id=1, workspace_id=1, name="marketing"))
        connection.execute(
            text(
                "INSERT INTO objectives (id, workspace_id, key, title, description, keywords, "
                "examples, created_at) VALUES (1, 1, 'margins', 'Margins', '', '[]', '[]', :now)"
            ),
            NOW,
        )

    migrate.upgrade(engine)

    def version() -> int:
        with engine.connect() as connection:
            return connection.execute(text("SELECT config_version FROM workspaces WHERE id = 1")).scalar_one()

    before = version()
    with sessionmaker(engine).begin() as session:
        goal = Goal(workspace_id=1, team_id=1, title="Cut fuel cost per lane", created_by="U1")
        repositories.set_goal_serves(goal, [1])
        session.add(goal)
    assert version() > before
    with sessionmaker(engine)() as session:
        (stored,) = repositories.list_goals(session, 1)
        assert (stored.title, [s.objective_id for s in stored.serves], stored.suggested) == (
            "Cut fuel cost per lane",
            [1],
            False,
        )
        assert stored.created_at.tzinfo is not None
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM teams WHERE id = 1"))
        assert connection.execute(text("SELECT count(*) FROM goal_objectives")).scalar() == 0

    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    assert not {"goals", "goal_objectives"} & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_0016_versions_kept_model_answers_and_pauses_the_model_and_takes_them_away(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine, "0015")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO workspaces (id, slack_team_id, created_at) VALUES (1, 'T1', :now)"), NOW)
        connection.execute(
            text(
                "INSERT INTO model_answers (workspace_id, key, objectives, created_at) "
                "VALUES (1, :key, '[\"margins\"]', :now)"
            ),
            {**NOW, "key": "k" * 64},
        )

    migrate.upgrade(engine)

    with engine.connect() as connection:
        # An answer kept before versions were recorded has none: the next prune drops it.
        assert connection.execute(text("SELECT version FROM model_answers")).scalar_one() == ""
        assert connection.execute(text("SELECT model_fault_streak, model_retry_at FROM workspaces")).one() == (0, None)
    with sessionmaker(engine).begin() as session:
        assert repositories.note_model_down(session, 1, 0, NOW["now"])
        assert not repositories.note_model_down(session, 1, 0, NOW["now"])  # counted once
        assert repositories.forget_model_answers(session, 1, "v1") == 1
    assert "ix_model_answers_workspace_created" in {i["name"] for i in inspect(engine).get_indexes("model_answers")}

    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0015")
    assert "version" not in {c["name"] for c in inspect(engine).get_columns("model_answers")}
    assert not {"model_fault_streak", "model_retry_at"} & {c["name"] for c in inspect(engine).get_columns("workspaces")}
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_0017_goals_say_whether_the_model_chose_their_links_and_take_it_away(empty_database_url):
    engine = make_engine(empty_database_url)
    migrate.upgrade(engine, "0016")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO workspaces (id, slack_team_id, created_at) VALUES (1, 'T1', :now)"), NOW)
        connection.execute(insert(Team), [{"id": 1, "workspace_id": 1, "name": "sales"}])
        connection.execute(
            text(
                "INSERT INTO goals (workspace_id, team_id, title, created_at, updated_at) "
                "VALUES (1, 1, 'Win', :now, :now)"
            ),
            NOW,
        )

    migrate.upgrade(engine)

    with engine.connect() as connection:
        assert not connection.execute(text("SELECT by_model FROM goals")).scalar_one()
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0016")
    assert "by_model" not in {c["name"] for c in inspect(engine).get_columns("goals")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM goals")).scalar_one() == "Win"
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()
