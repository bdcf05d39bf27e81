"""/goal add and /goal edit ask the opt-in model what a goal serves, in the queued job; the stand-in on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.fakellm import FakeLLM
from tests.handlers.conftest import shown
from tests.handlers.test_goal_link_question import VAGUE, add_unsure_goal, buttons, stored

SURE = "Close new customers from qualified pipeline"
RETITLED = "Run the partner summit in Porto"
LABELS = {VAGUE: ["margins", "hiring"], RETITLED: ["hiring"]}


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM(LABELS) as fake:
        yield fake


@pytest.fixture
def settings(settings, fake_llm):
    """The app's settings pointing at the stand-in, in the default mode: only what the lexicon is unsure of."""
    return settings.model_copy(update={"llm_url": fake_llm.url, "llm_model": "m", "llm_timeout": 1.0})


def goal_id(answer: dict) -> int:
    """Return the id `/goal add` answered with ("Added goal #12 ...")."""
    match = re.search(r"Added goal #(\d+)", answer["text"])
    assert match, answer["text"]
    return int(match.group(1))


def objectives(ask) -> None:
    ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    ask("/objective", "add Margins | Reduce cost of sales and hosting")
    ask("/objective", "add Hiring | Hire and onboard engineers")


def test_the_models_answer_is_stored_and_nobody_is_asked(ask, runtime, teams, fake_llm):
    objectives(ask)
    answer = ask("/goal", f"add marketing {VAGUE}")
    assert fake_llm.updates_sent() == [{"id": "1", "team": "marketing", "text": VAGUE}]
    assert stored(runtime) == [(VAGUE, ["margins", "hiring"], True, True)]
    assert buttons(answer) == {} and "The model linked it to Margins, Hiring" in shown(answer)
    assert "(suggested by the model)" in shown(ask("/goal", "list marketing"))


def test_a_retitled_goal_is_asked_about_again_and_stated_links_never(ask, runtime, teams, fake_llm):
    objectives(ask)
    summit = goal_id(ask("/goal", f"add marketing {VAGUE}"))
    ask("/goal", f"edit {summit} {RETITLED}")
    assert [u["text"] for u in fake_llm.updates_sent()] == [VAGUE, RETITLED]
    assert stored(runtime) == [(RETITLED, ["hiring"], True, True)]
    meetup = goal_id(ask("/goal", "add marketing Sponsor the Berlin design meetup #margins"))
    ask("/goal", f"edit {meetup} Sponsor the Hamburg design meetup")  # a lead's links stand: nothing to ask
    assert len(fake_llm.updates_sent()) == 2


def test_a_sure_suggestion_is_not_sent_in_unsure_mode(ask, runtime, teams, fake_llm):
    objectives(ask)
    ask("/goal", f"add sales {SURE}")
    assert fake_llm.requests == [] and stored(runtime)[0][1:] == (["new-revenue"], True, True)


@pytest.mark.parametrize(
    "fault", [lambda fake: fake.fail(500), lambda fake: fake.garble(), lambda fake: fake.slow(2.0)]
)
def test_a_broken_endpoint_leaves_the_lexicons_suggestion_and_its_question(ask, runtime, teams, fake_llm, fault):
    fault(fake_llm)
    add_unsure_goal(ask)  # the one-tap question, as without a model
    [(title, serves, suggested, confident)] = stored(runtime)
    assert (title, suggested, confident) == (VAGUE, True, False) and serves != ["margins", "hiring"]


def test_a_goal_refused_for_its_title_or_the_teams_count_costs_no_request(ask, runtime, teams, fake_llm, monkeypatch):
    model = runtime.services.model
    assert model.config is not None
    monkeypatch.setattr(model, "config", replace(model.config, mode="all"))  # every title would be sent
    objectives(ask)
    summit = goal_id(ask("/goal", f"add marketing {VAGUE}"))
    ask("/goal", f"add marketing {RETITLED} #hiring")
    sent = len(fake_llm.requests)

    assert "has that goal already" in shown(ask("/goal", f"add marketing {VAGUE.upper()}"))
    assert "has that goal already" in shown(ask("/goal", f"edit {summit} {RETITLED}"))
    for n in range(18):
        ask("/goal", f"add marketing Sponsor design meetup number {n} #hiring")
    assert "20 goals already" in shown(ask("/goal", "add marketing Sponsor the Lisbon design meetup"))

    assert len(fake_llm.requests) == sent
    assert [row[0] for row in stored(runtime)][:2] == [VAGUE, RETITLED] and len(stored(runtime)) == 20
