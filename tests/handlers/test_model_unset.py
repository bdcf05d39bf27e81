"""Without ALIGNBOT_LLM_URL nothing is sent anywhere: a listening stand-in model receives nothing."""

from __future__ import annotations

from bot.fakellm import FakeLLM
from tests.handlers.conftest import shown
from tests.handlers.test_initiative_command import setup_objectives, stored
from tests.handlers.test_model_forms import (
    confirmations,
    held,
    jobs,
    open_checkin_form,
    open_initiative_form,
    submit_checkin,
    submit_initiative,
)
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


def test_the_forms_queue_no_model_step_when_the_url_is_unset(ask, slack, runtime, teams, fake_slack):
    with FakeLLM(LABELS) as fake:
        setup_objectives(ask)
        runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
        checkin, initiative = open_checkin_form(slack, fake_slack), open_initiative_form(slack, fake_slack)
        with held(runtime):
            submit_checkin(slack, checkin, PIPELINE)
            submit_initiative(slack, initiative, PIPELINE)
            # The ack did it all, as before there was a model: stored, shared and confirmed; no job left.
            assert jobs(runtime) == []
            answer, initiative = confirmations(fake_slack)
            assert "New revenue" in answer and "Shared in the check-in thread" in answer
            assert "Logged initiative" in initiative
    assert fake.requests == []
    assert [row["tags"] for row in stored(runtime)] == [[("new-revenue", "auto")]]
