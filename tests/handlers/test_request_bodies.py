"""Commands whose text holds the word "payload", and Socket Mode's bodies, reach their listeners."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Goal, Initiative, Objective, Update
from tests.handlers.conftest import shown


def titles(runtime, model, column) -> list[str]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(column).order_by(model.id)))


def test_every_command_reads_a_text_that_says_payload(ask, runtime, teams):
    # A form body holding the word anywhere once read as an interaction with nothing in it: no answer at all.
    assert "payload-api" in shown(ask("/objective", "add Payload API | Ship the payload API to partners"))
    assert titles(runtime, Objective, Objective.title) == ["Payload API"]

    assert "Logged initiative" in shown(ask("/initiative", "add Payload size audit", user="U0MEMB01"))
    assert titles(runtime, Initiative, Initiative.title) == ["Payload size audit"]

    assert "Payload docs" in shown(ask("/goal", "add marketing Payload docs #payload-api"))
    assert titles(runtime, Goal, Goal.title) == ["Payload docs"]

    answer = shown(ask("/checkin", "Shipped the payload docs", user="U0MEMB01", channel="C0MKTG01"))
    assert "Your marketing update for" in answer
    assert titles(runtime, Update, Update.text) == ["Shipped the payload docs"]

    assert "/alignment" in shown(ask("/alignment", "payload"))
