"""A model endpoint that is down is paused, not waited for by every answer; kept answers stay bounded.

Signed requests into the real app, the fake Slack and the fake model; the clock moves with time_machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.alignment.model import Verdict
from bot.fakellm import FakeLLM
from bot.llm import Ask
from bot.services import model as model_service
from storage import repositories
from storage.models import ModelAnswer, Workspace, utcnow
from tests.handlers.conftest import shown
from tests.handlers.test_initiative_command import setup_objectives
from tests.handlers.test_model_answers import stored

# The lexicon reads these as margins, if anything; the model says new revenue.
TEXTS = [f"Renegotiated the courier contract for warehouse {n}" for n in range(8)]
BY_MODEL = [("new-revenue", "auto")]


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM({text: ["new-revenue"] for text in TEXTS}) as fake:
        yield fake


@pytest.fixture
def settings(settings, fake_llm):
    """The app's settings pointing at the fake model, every update sent, a short timeout."""
    return settings.model_copy(
        update={"llm_url": fake_llm.url, "llm_model": "m", "llm_mode": "all", "llm_timeout": 1.0}
    )


@pytest.fixture
def clock(time_machine):
    """The test's clock, started now, moved on by hand."""
    time_machine.move_to(utcnow())
    return time_machine


def checkin(ask, text: str) -> str:
    return shown(ask("/checkin", text, user="U0MEMB01", channel="C0MKTG01"))


def status(ask) -> str:
    return shown(ask("/alignment", "status", user="U0BOSS01"))


def pause(runtime) -> tuple[int, object, object]:
    """Return the workspace's (fault streak, last fault's time, retry time)."""
    with runtime.services.sessions() as session:
        row = session.execute(select(Workspace.model_fault_streak, Workspace.model_fault_at, Workspace.model_retry_at))
        return tuple(row.one())  # type: ignore[return-value]


def texts_and_tags(runtime) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(text, tags) for text, _, _, tags in stored(runtime)]


def test_a_hanging_endpoint_costs_one_timeout_then_the_lexicon_answers_at_once(ask, runtime, teams, fake_llm, clock):
    setup_objectives(ask)
    fake_llm.slow(2.0)  # longer than the 1 s timeout: a server that hangs

    first = checkin(ask, TEXTS[0])
    assert "Your marketing update for" in first and "tagged by the model" not in first
    assert len(fake_llm.requests) == 1
    streak, failed_at, retry_at = pause(runtime)
    assert streak == 1 and retry_at == failed_at + model_service.PAUSE_FIRST

    # Inside the pause: tagged, stored and confirmed without a word to the endpoint.
    clock.shift(timedelta(seconds=1))
    second = checkin(ask, TEXTS[1])
    assert "Your marketing update for" in second and "tagged by the model" not in second
    assert len(fake_llm.requests) == 1
    ((text, tags),) = texts_and_tags(runtime)  # the author's answer, edited
    assert text == TEXTS[1] and tags != BY_MODEL
    assert f"the model failed at {failed_at:%H:%M} UTC; trying it again after {retry_at:%H:%M} UTC" in status(ask)

    # After the pause the model is asked again; its answer ends the pause.
    fake_llm.clear()
    clock.move_to(retry_at + timedelta(seconds=1))
    third = checkin(ask, TEXTS[2])
    assert "tagged by the model" in third
    assert [u["text"] for u in fake_llm.updates_sent()] == [TEXTS[0], TEXTS[2]]
    assert texts_and_tags(runtime) == [(TEXTS[2], BY_MODEL)]
    assert pause(runtime)[0::2] == (0, None)
    assert "trying it again" not in status(ask)
    assert "last fault" in status(ask)


def test_faults_in_a_row_grow_the_pause_and_a_success_ends_it(ask, runtime, teams, fake_llm, clock):
    setup_objectives(ask)
    fake_llm.stop()  # refuses connections

    checkin(ask, TEXTS[0])
    streak, _, retry_at = pause(runtime)
    assert streak == 1
    clock.move_to(retry_at + timedelta(seconds=1))
    checkin(ask, TEXTS[1])  # tried again, refused again: twice as long
    streak, failed_at, retry_at = pause(runtime)
    assert streak == 2 and retry_at == failed_at + 2 * model_service.PAUSE_FIRST

    fake_llm.start()  # the same port, up again, counting what it is sent
    clock.move_to(failed_at + model_service.PAUSE_FIRST + timedelta(seconds=1))  # past a first pause
    assert "tagged by the model" not in checkin(ask, TEXTS[2])
    assert fake_llm.requests == []

    clock.move_to(retry_at + timedelta(seconds=1))
    assert "tagged by the model" in checkin(ask, TEXTS[3])
    assert pause(runtime)[0::2] == (0, None)
    assert "tagged by the model" in checkin(ask, TEXTS[4])
    assert len(fake_llm.requests) == 2
    assert texts_and_tags(runtime) == [(TEXTS[4], BY_MODEL)]


def test_a_retry_answered_from_the_kept_answers_leaves_the_next_text_free_to_try(ask, runtime, teams, fake_llm, clock):
    setup_objectives(ask)
    assert "tagged by the model" in checkin(ask, TEXTS[0])  # kept
    fake_llm.slow(2.0, times=1)
    checkin(ask, TEXTS[1])
    streak, _, retry_at = pause(runtime)
    assert streak == 1 and len(fake_llm.requests) == 2

    clock.move_to(retry_at + timedelta(seconds=1))
    assert "tagged by the model" in checkin(ask, TEXTS[0])  # past the pause, from the kept answer
    assert len(fake_llm.requests) == 2
    assert "tagged by the model" in checkin(ask, TEXTS[2])  # so the model is tried at once, and is back
    assert len(fake_llm.requests) == 3 and pause(runtime)[0::2] == (0, None)


def test_the_pause_never_grows_past_its_cap():
    assert model_service.pause_after(1) == model_service.PAUSE_FIRST
    assert model_service.pause_after(2) == 2 * model_service.PAUSE_FIRST
    assert model_service.pause_after(40) == model_service.PAUSE_MAX
    # A 429 that asks for longer than the pause gets it, up to the cap.
    assert model_service.pause_after(1, retry_after=120) == timedelta(seconds=120)
    assert model_service.pause_after(1, retry_after=86400) == model_service.PAUSE_MAX


@pytest.mark.parametrize(
    "fault", [lambda fake: fake.fail(400, times=1), lambda fake: fake.garble(times=1)], ids=["400", "not-json"]
)
def test_a_fault_of_the_request_itself_pauses_nothing(ask, runtime, teams, fake_llm, clock, fault):
    setup_objectives(ask)
    fault(fake_llm)
    assert "tagged by the model" not in checkin(ask, TEXTS[0])
    assert "last fault" in status(ask) and "trying it again" not in status(ask)
    # The very next answer is sent: the endpoint is up, only that request failed.
    assert "tagged by the model" in checkin(ask, TEXTS[1])
    assert len(fake_llm.requests) == 2


def test_every_worker_keeps_to_a_pause_another_recorded(ask, runtime, teams, fake_llm, clock):
    # Another process: its own ModelService (and its own memory) over the same database.
    setup_objectives(ask)
    services = runtime.services
    other = model_service.ModelService(services.settings, services.sessions, services.clients, services.permissions)
    fake_llm.slow(2.0)
    checkin(ask, TEXTS[0])
    assert len(fake_llm.requests) == 1

    slack_team_id = teams_id(runtime)
    with services.sessions() as session:
        workspace_id = session.scalars(select(Workspace.id)).one()
        live = model_service.engine_objectives(repositories.list_objectives(session, workspace_id))
    unsure = [(Ask("marketing", TEXTS[1]), Verdict((), False, (), 0.0))]
    assert other.answers(slack_team_id, unsure, live) == [None]
    assert len(fake_llm.requests) == 1

    # Past the pause, one worker claims the retry: the other keeps to the lexicon meanwhile.
    fake_llm.clear()
    clock.shift(model_service.PAUSE_FIRST + timedelta(seconds=1))
    with services.sessions.begin() as session:
        now = utcnow()
        assert repositories.claim_model_probe(session, workspace_id, now, now + timedelta(minutes=1))
    assert other.answers(slack_team_id, unsure, live) == [None]
    assert len(fake_llm.requests) == 1
    # The claim lapses if its worker never reports: then another tries, and the model's answer stands.
    clock.shift(timedelta(minutes=1))
    assert other.answers(slack_team_id, unsure, live) == [("new-revenue",)]
    assert len(fake_llm.requests) == 2 and pause(runtime)[0] == 0


def teams_id(runtime) -> str:
    with runtime.services.sessions() as session:
        return session.scalars(select(Workspace.slack_team_id)).one()


def kept(runtime) -> list[tuple[str, str]]:
    """Return (version, objectives) of every kept answer, oldest first."""
    with runtime.services.sessions() as session:
        rows = session.scalars(select(ModelAnswer).order_by(ModelAnswer.created_at, ModelAnswer.key))
        return [(row.version, ",".join(row.objectives)) for row in rows]


def test_answers_to_old_objectives_are_dropped_when_the_objectives_change(ask, runtime, teams, fake_llm):
    setup_objectives(ask)
    checkin(ask, TEXTS[0])
    checkin(ask, TEXTS[1])
    (old, _), _ = kept(runtime)
    assert len({version for version, _ in kept(runtime)}) == 1

    ask("/objective", "add Retention | Keep the customers we have")
    checkin(ask, TEXTS[2])
    ((new, objectives),) = kept(runtime)
    assert new != old and objectives == "new-revenue"


def test_the_daily_prune_drops_old_versions_old_answers_and_those_past_the_cap(
    ask, runtime, teams, fake_llm, clock, monkeypatch
):
    setup_objectives(ask)
    for text in TEXTS[:6]:
        checkin(ask, text)
        clock.shift(timedelta(minutes=1))
    (current, _), *_ = kept(runtime)
    with runtime.services.sessions.begin() as session:
        workspace_id = session.scalars(select(Workspace.id)).one()
        repositories.keep_model_answer(session, workspace_id, "a" * 64, ("new-revenue",), "an-old-version")
        repositories.keep_model_answer(session, workspace_id, "b" * 64, ("new-revenue",))  # kept before versions
        # The first two answers were kept longer ago than ANSWER_RETENTION.
        old = model_service.ANSWER_RETENTION + timedelta(hours=1)
        keys = session.scalars(select(ModelAnswer.key).where(ModelAnswer.version == current)).all()
        firsts = sorted(keys, key=lambda key: kept_at(session, key))[:2]
        session.execute(update(ModelAnswer).where(ModelAnswer.key.in_(firsts)).values(created_at=utcnow() - old))

    monkeypatch.setattr(model_service, "ANSWERS_KEPT", 3)
    assert runtime.services.model.prune() == 2 + 2 + 1
    # The three newest of the current version stay, and are still answered from: nothing more is sent.
    assert kept(runtime) == [(current, "new-revenue")] * 3
    sent = len(fake_llm.requests)
    for text in TEXTS[3:6]:
        assert "tagged by the model" in checkin(ask, text)
    assert len(fake_llm.requests) == sent
    assert runtime.services.model.prune() == 0


def kept_at(session, key: str):
    return session.scalars(select(ModelAnswer.created_at).where(ModelAnswer.key == key)).one()
