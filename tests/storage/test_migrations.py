"""Migrations build the whole schema from empty, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine
from storage.models import Base
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
