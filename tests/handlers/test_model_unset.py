"""Without ALIGNBOT_LLM_URL nothing is sent anywhere: a listening stand-in model receives nothing."""

from __future__ import annotations

from bot.fakellm import FakeLLM
from tests.handlers.conftest import shown
from tests.handlers.test_initiative_command import setup_objectives, stored
from tests.handlers.test_model_tagging import LABELS, PIPELINE, add_initiative


def test_nothing_is_sent_when_the_url_is_unset(ask, runtime, teams):
    with FakeLLM(LABELS) as fake:
        setup_objectives(ask)
        add_initiative(ask, PIPELINE)
        assert "not configured" in shown(ask("/alignment", "status", user="U0BOSS01"))
        assert "not configured" in shown(ask("/alignment", "settings model on", user="U0BOSS01"))
        add_initiative(ask, PIPELINE)
    assert fake.requests == []
    assert [row["tags"] for row in stored(runtime)] == [[("new-revenue", "auto")]] * 2


def test_no_answer_is_sent_when_the_url_is_unset(ask, runtime, teams):
    with FakeLLM(LABELS) as fake:
        setup_objectives(ask)
        confirmation = shown(ask("/checkin", PIPELINE, user="U0MEMB01", channel="C0MKTG01"))
    assert fake.requests == []
    assert "New revenue" in confirmation and "tagged by the model" not in confirmation


def test_no_goal_is_sent_when_the_url_is_unset(ask, runtime, teams):
    with FakeLLM({"Run the partner summit in Lisbon": ["margins"]}) as fake:
        setup_objectives(ask)
        assert "Added goal" in shown(ask("/goal", "add marketing Run the partner summit in Lisbon"))
    assert fake.requests == []
