"""StatementCounter: an answer's statements listed, the job queue's counted apart."""

from __future__ import annotations

from sqlalchemy import select

from bot.jobs import JobQueue
from storage.models import Workspace, utcnow
from storage.statements import StatementCounter


def test_the_queues_statements_are_counted_apart_from_the_work(engine):
    counted = StatementCounter(engine)
    JobQueue(engine).put("command_checkin", "application/json", "{}", "T0TEAM01")
    with engine.begin() as connection:
        connection.execute(
            Workspace.__table__.insert().values(slack_team_id="T0TEAM01", name="Acme", created_at=utcnow())
        )
        connection.execute(select(Workspace.id))

    begins = 1 if engine.dialect.name == "sqlite" else 0  # SQLite's BEGIN IMMEDIATE is a statement
    assert counted.read() == (2 + begins, 1, 1)  # storing a job: one INSERT, no BEGIN
    assert [s.split()[0] for s in counted.statements] == ["BEGIN"] * begins + ["INSERT", "SELECT"]

    counted.reset()
    assert counted.read() == (0, 0, 0) and counted.statements == []
