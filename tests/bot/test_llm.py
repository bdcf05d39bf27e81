"""The model exchange (bot.llm): the request, the reply, the cache, the cap and the faults."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.alignment.model import Match, Objective, Verdict
from bot.fakellm import FakeLLM
from bot.llm import (
    BATCH,
    BY_MODEL,
    Ask,
    DailyCount,
    ModelConfig,
    ModelFault,
    ModelTagger,
    combine,
    fault_note,
    parse_answers,
    system_message,
)

OBJECTIVES = (
    Objective("pipeline", "Build pipeline", "Qualified meetings with buyers.", ("demos",), ("Booked 3 demos",)),
    Objective("margins", "Increase margins"),
)
KEYS = frozenset(o.key for o in OBJECTIVES)


def asks(n: int) -> list[Ask]:
    return [Ask("sales", f"Update number {i}") for i in range(n)]


def tagger(fake: FakeLLM, **config) -> tuple[ModelTagger, list[float]]:
    waits: list[float] = []
    model = ModelTagger(ModelConfig(fake.url, "stand-in", **config), OBJECTIVES, sleep=waits.append)
    return model, waits


def test_the_system_message_holds_every_objective_field_and_the_instructions():
    message = system_message(OBJECTIVES)
    first = json.loads(message.splitlines()[1])
    assert first == {
        "key": "pipeline",
        "title": "Build pipeline",
        "description": "Qualified meetings with buyers.",
        "keywords": ["demos"],
        "examples": ["Booked 3 demos"],
    }
    assert '{"updates": [{"id": "<id>", "objectives": ["<key>", ...]}]}' in message
    assert "Team goals" not in message


def test_the_system_message_holds_team_goals_when_there_are_any():
    message = system_message(OBJECTIVES, {"sales": ["Forty SQLs a month"]})
    assert '{"team": "sales", "goal": "Forty SQLs a month"}' in message.splitlines()


def test_parse_answers_drops_unknown_keys_and_repeats():
    content = json.dumps({"updates": [{"id": "1", "objectives": ["margins", "moon", "margins", 7]}, {"id": "2"}]})
    assert parse_answers(content, KEYS) == {"1": ("margins",)}
    assert parse_answers('```json\n{"updates": []}\n```', KEYS) == {}


@pytest.mark.parametrize("content", ["Sure! pipeline", "[]", '{"answers": []}', '{"updates": {}}'])
def test_parse_answers_refuses_what_is_no_answer(content):
    with pytest.raises(ModelFault):
        parse_answers(content, KEYS)


def test_combine_keeps_the_lexicon_without_an_answer_and_asks_when_a_sure_lexicon_disagrees():
    sure = Verdict((Match("pipeline", 0.8, ("demos",)),), True, (Match("pipeline", 0.8),), 0.5)
    unsure = Verdict((), False, (Match("margins", 0.2),), 0.01)

    assert combine(sure, None) == (sure, "lexicon")
    agreed, by = combine(sure, ("pipeline",))
    assert (agreed.confident, by, agreed.matches[0].why) == (True, "model", (BY_MODEL,))
    disagreed, _ = combine(sure, ("margins",))
    assert disagreed.confident is False and [c.key for c in disagreed.candidates] == ["margins", "pipeline"]
    answered, _ = combine(unsure, ())
    assert answered.confident is True and answered.matches == ()


def test_a_request_keeps_the_contract():
    with FakeLLM({"Update number 0": ["pipeline"]}) as fake:
        model, _ = tagger(fake)
        assert model.answer(asks(2)) == [("pipeline",), None]
    (request,) = fake.requests
    assert request.path == "/v1/chat/completions"
    assert {k: request.body[k] for k in ("model", "temperature", "response_format")} == {
        "model": "stand-in",
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }
    assert [m["role"] for m in request.body["messages"]] == ["system", "user"]
    assert request.updates == [{"id": "1", "team": "sales", "text": "Update number 0"}, {"id": "2", **vars(asks(2)[1])}]
    assert "authorization" not in request.headers


def test_updates_go_at_most_twenty_a_request_and_each_text_once():
    with FakeLLM({a.text: [] for a in asks(45)}) as fake:
        model, _ = tagger(fake)
        model.answer(asks(45) + asks(3))
        model.answer(asks(45))
    assert [len(r.updates) for r in fake.requests] == [BATCH, BATCH, 5]
    assert (model.usage.requests, model.usage.sent, model.usage.cached) == (3, 45, 45)
    assert model.usage.tokens > 0


def test_an_id_left_out_is_asked_again_next_time():
    with FakeLLM() as fake:
        model, _ = tagger(fake)
        assert model.answer(asks(1)) == [None]
        model.answer(asks(1))
    assert len(fake.requests) == 2


def test_the_cache_is_keyed_by_the_objectives_version():
    with FakeLLM() as fake:
        first, _ = tagger(fake)
        other = ModelTagger(ModelConfig(fake.url, "stand-in"), OBJECTIVES[:1], cache=first.cache)
        first.answer(asks(1))
        other.answer(asks(1))
    assert len(fake.requests) == 2
    assert first.version != other.version


def test_a_429_is_waited_out_once_for_as_long_as_it_asks():
    with FakeLLM({"Update number 0": ["margins"]}) as fake:
        fake.throttle(retry_after=2, times=1)
        model, waits = tagger(fake)
        assert model.answer(asks(1)) == [("margins",)]
    assert waits == [2.0] and len(fake.requests) == 2


@pytest.mark.parametrize(
    "break_it, reason, down",
    [
        (lambda fake: fake.fail(503), "HTTP 503", True),
        (lambda fake: fake.fail(401), "HTTP 401", True),
        (lambda fake: fake.fail(400), "HTTP 400", False),
        (lambda fake: fake.fail(422), "HTTP 422", False),
        (lambda fake: fake.throttle(retry_after=1, times=2), "HTTP 429", True),
        (lambda fake: fake.throttle(retry_after=120), "HTTP 429", True),
        (lambda fake: fake.slow(2), "no answer within 0.3 s", True),
        (lambda fake: fake.garble(), "the reply is not JSON", False),
        (lambda fake: fake.garble(body=True), "the reply is not a chat completion", False),
        (lambda fake: fake.stop(), "cannot connect", True),
    ],
)
def test_a_fault_is_recorded_never_raised_and_ends_the_asking(break_it, reason, down):
    with FakeLLM({a.text: ["pipeline"] for a in asks(45)}) as fake:
        model, _ = tagger(fake, timeout=0.3)
        break_it(fake)
        assert model.answer(asks(45)) == [None] * 45
    assert len(model.usage.faults) == 1 and model.usage.faults[0].startswith(reason)
    # Whether the endpoint is at fault (the app then pauses the model) or only this request.
    assert model.usage.down is down
    assert len(fake.requests) <= 2
    note = fault_note(model)
    assert note is not None and note.startswith(f"the model at {fake.url} failed ({reason}")


def test_a_429_far_off_says_how_long_it_asked_to_wait():
    with FakeLLM() as fake:
        fake.throttle(retry_after=120)
        model, waits = tagger(fake)
        model.answer(asks(1))
    assert (waits, model.usage.retry_after) == ([], 120.0)


def test_a_held_tagger_answers_from_the_cache_and_sends_nothing():
    with FakeLLM({"Update number 0": ["margins"], "Update number 1": ["pipeline"]}) as fake:
        model, _ = tagger(fake)
        model.answer(asks(1))
        model.hold()
        assert model.answer(asks(2)) == [("margins",), None]
    assert len(fake.requests) == 1 and model.usage.held == 1


def test_the_days_cap_counts_requests_and_leaves_the_rest_to_the_lexicon():
    with FakeLLM({a.text: ["pipeline"] for a in asks(45)}) as fake:
        model, _ = tagger(fake, max_per_day=2)
        answers = model.answer(asks(45))
    assert answers == [("pipeline",)] * 40 + [None] * 5
    assert (len(fake.requests), model.usage.capped) == (2, 5)
    assert fault_note(model) == "ALIGNBOT_LLM_MAX_PER_DAY (2 requests) reached: 5 updates are tagged by the lexicon"


def test_the_daily_count_starts_again_each_day():
    day = [date(2026, 12, 31)]
    count = DailyCount(1, today=lambda: day[0])
    assert count.take() and not count.take()
    day[0] = date(2027, 1, 1)
    assert count.take()


def test_messages_never_show_the_key_or_credentials_in_the_url():
    config = ModelConfig("https://bob:swordfish@llm.example:8443/v1", "m", api_key="sk-secret")
    assert config.shown_url == "https://llm.example:8443/v1"
    assert "sk-secret" not in repr(config)


def test_from_settings_is_none_without_a_url():
    from bot.settings import Settings

    assert ModelConfig.from_settings(Settings(_env_file=None)) is None
    config = ModelConfig.from_settings(
        Settings(_env_file=None, ALIGNBOT_LLM_URL="http://h/v1", ALIGNBOT_LLM_MODE="all")
    )
    assert config is not None and (config.url, config.mode, config.timeout) == ("http://h/v1", "all", 10.0)
