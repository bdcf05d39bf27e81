"""The opt-in model in Slack, through signed requests into the real app, the fake Slack and the fake model."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.fakellm import FakeLLM
from tests.handlers.conftest import shown
from tests.handlers.test_initiative_command import setup_objectives, stored

# The lexicon reads this title as new revenue (its objective's own words); the model says margins.
PIPELINE = "Build qualified pipeline and close new customers"
LABELS = {PIPELINE: ["margins"]}


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM(LABELS) as fake:
        yield fake


@pytest.fixture
def settings(settings, fake_llm):
    """The app's settings pointing at the fake model, every update sent, a short timeout and a small cap."""
    return settings.model_copy(
        update={"llm_url": fake_llm.url, "llm_model": "m", "llm_mode": "all", "llm_timeout": 1.0, "llm_max_per_day": 3}
    )


def add_initiative(ask, title: str) -> str:
    return shown(ask("/initiative", f"add {title}", user="U0MEMB01", channel="C0MKTG01"))


def test_an_initiative_is_tagged_by_the_model_once_per_text(ask, runtime, teams, fake_llm):
    setup_objectives(ask)
    assert "Logged initiative" in add_initiative(ask, PIPELINE)
    assert stored(runtime)[0]["tags"] == [("margins", "auto")]
    assert fake_llm.updates_sent() == [{"id": "1", "team": "marketing", "text": PIPELINE}]
    # The same text again is answered from the workspace's kept answers.
    add_initiative(ask, PIPELINE)
    assert stored(runtime)[1]["tags"] == [("margins", "auto")]
    assert len(fake_llm.requests) == 1


@pytest.mark.parametrize(
    "fault",
    [
        lambda fake: fake.fail(500),
        lambda fake: fake.garble(),
        lambda fake: fake.garble(body=True),
        lambda fake: fake.slow(2.0),
        lambda fake: fake.throttle(retry_after=0, times=None),
    ],
    ids=["http-error", "not-json", "not-a-completion", "timeout", "429-twice"],
)
def test_a_fault_leaves_the_lexicon_and_loses_nothing(ask, runtime, teams, fake_llm, fault, caplog):
    setup_objectives(ask)
    fault(fake_llm)
    with caplog.at_level(logging.WARNING, logger="bot.services.model"):
        assert "Logged initiative" in add_initiative(ask, PIPELINE)
        add_initiative(ask, PIPELINE + " again")
    assert [row["tags"] for row in stored(runtime)] == [[("new-revenue", "auto")]] * 2
    assert len([r for r in caplog.records if r.name == "bot.services.model"]) == 1
    status = shown(ask("/alignment", "status", user="U0BOSS01"))
    assert "last fault" in status


def test_a_429_is_waited_for_once(ask, runtime, teams, fake_llm):
    setup_objectives(ask)
    fake_llm.throttle(retry_after=0, times=1)
    add_initiative(ask, PIPELINE)
    assert stored(runtime)[0]["tags"] == [("margins", "auto")]
    assert len(fake_llm.requests) == 2


def test_a_dead_endpoint_leaves_the_lexicon(ask, runtime, teams, fake_llm):
    setup_objectives(ask)
    fake_llm.stop()
    assert "Logged initiative" in add_initiative(ask, PIPELINE)
    assert stored(runtime)[0]["tags"] == [("new-revenue", "auto")]


def test_past_the_days_cap_the_lexicon_tags_and_admins_hear_once(ask, runtime, teams, fake_llm, fake_slack):
    setup_objectives(ask)
    for n in range(5):
        add_initiative(ask, f"{PIPELINE} {n}")
    # Three requests a day (the settings above); the rest are the lexicon's, and nothing more is sent.
    assert len(fake_llm.requests) == 3
    assert [row["tags"] for row in stored(runtime)][3:] == [[("new-revenue", "auto")]] * 2
    told = [c for c in fake_slack.calls_to("chat.postMessage") if "cap" in str(c.args.get("text"))]
    assert [c.args["channel"] for c in told] == ["U0BOSS01"]
    assert "3/3 requests today" in shown(ask("/alignment", "status", user="U0BOSS01"))


def test_admins_switch_the_model_off_and_on(ask, runtime, teams, fake_llm):
    setup_objectives(ask)
    refused = shown(ask("/alignment", "settings model off", user="U0MEMB01"))
    assert "Only Alignbot admins" in refused
    assert "now off" in shown(ask("/alignment", "settings model off", user="U0BOSS01"))
    assert "switched off" in shown(ask("/alignment", "status", user="U0BOSS01"))
    add_initiative(ask, PIPELINE)
    assert stored(runtime)[0]["tags"] == [("new-revenue", "auto")]
    assert fake_llm.requests == []
    assert "now on" in shown(ask("/alignment", "settings model on", user="U0BOSS01"))
    add_initiative(ask, PIPELINE)
    assert stored(runtime)[1]["tags"] == [("margins", "auto")]
