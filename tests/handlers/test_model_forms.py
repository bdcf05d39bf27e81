"""The forms' answers and initiatives tagged by the opt-in model in a queued job, after the form's ack.

Signed requests into the real app, the fake Slack and the fake model on loopback. `held` keeps the queued
jobs waiting, to see what the ack alone did.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.jobs import BACKOFF_SECONDS
from storage.models import Job, utcnow
from tests.handlers.conftest import shown
from tests.handlers.test_initiative_command import setup_objectives
from tests.handlers.test_initiative_command import stored as stored_initiatives
from tests.handlers.test_model_answers import ANSWERS, COURIER, stored
from tests.handlers.test_model_tagging import PIPELINE, add_initiative, fake_llm, settings  # noqa: F401 (fixtures)

FAULTS = {
    "dead-endpoint": lambda fake: fake.stop(),
    "http-error": lambda fake: fake.fail(500),
    "not-json": lambda fake: fake.garble(),
    "timeout": lambda fake: fake.slow(2.0),
    "429-twice": lambda fake: fake.throttle(retry_after=0, times=None),
}


@contextmanager
def held(runtime) -> Iterator[None]:
    """Keep the jobs queued inside the block waiting (the app's workers stopped); do them at its end."""
    workers = list(runtime.workers)
    for worker in workers:
        worker.stop()
    runtime.workers.clear()  # the sender drains the workers it finds here after each request
    try:
        yield
    finally:
        runtime.workers.extend(workers)
        for worker in workers:
            worker.drain()


def jobs(runtime) -> list[dict[str, Any]]:
    """Return the queued jobs, as `JobQueue.put` takes them."""
    with runtime.services.sessions() as session:
        return [
            {
                "function": job.function,
                "content_type": job.content_type,
                "body": job.body,
                "slack_team_id": job.slack_team_id,
                "sent_at": job.sent_at,
            }
            for job in session.scalars(select(Job).order_by(Job.id))
        ]


@pytest.fixture
def prompt(ask, runtime, teams, fake_slack) -> str:
    """Set up the objectives and send marketing's prompts; return the channel prompt's ts."""
    setup_objectives(ask)
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    [message] = [m for m in fake_slack.messages("C0MKTG01") if "thread_ts" not in m]
    return message["ts"]


def open_checkin_form(slack, fake_slack) -> dict[str, Any]:
    before = len(fake_slack.calls_to("views.open"))
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    return fake_slack.wait_for("views.open", count=before + 1)[before].args["view"]


def submit_checkin(slack, view: dict[str, Any], moved: str, objectives: list[str] | None = None) -> None:
    values: dict[str, Any] = {"moved": {"value": moved}}
    if objectives is not None:
        values["objectives"] = {"value": objectives}
    answer = slack.view_submission(
        "checkin_submit", values, user_id="U0MEMB01", private_metadata=view["private_metadata"]
    )
    assert answer.status == 200 and answer.body == ""  # the form closes


def confirmations(fake_slack) -> list[str]:
    """Return what the member was told privately (in the channel, else in a DM), in order; not their prompt."""
    told = [
        str(c.args.get("text")) + json.dumps(c.args.get("blocks", []), ensure_ascii=False)
        for c in fake_slack.calls
        if c.response.get("ok")
        and (
            (c.method == "chat.postEphemeral" and c.args.get("user") == "U0MEMB01")
            or (c.method == "chat.postMessage" and c.args.get("channel") == "U0MEMB01")
        )
    ]
    return [t for t in told if not t.startswith("Weekly check-in")]


def shared_copies(fake_slack, prompt: str) -> list[str]:
    """Return the answers shared in the prompt's thread, as edited last."""
    return [
        json.dumps(m.get("blocks", []), ensure_ascii=False)
        for m in fake_slack.thread("C0MKTG01", prompt)
        if m["ts"] != prompt
    ]


# --- the check-in form --------------------------------------------------------------------------


def assert_the_lexicons_answer_shared_and_confirmed(runtime, fake_slack, prompt: str) -> None:
    """Check that the form's answer kept the lexicon's tags and was shared and confirmed once all the same."""
    assert stored(runtime) == [(PIPELINE, True, False, [("new-revenue", "auto")])]
    [confirmation] = confirmations(fake_slack)
    assert "New revenue" in confirmation and "tagged by the model" not in confirmation
    [copy] = shared_copies(fake_slack, prompt)
    assert "*New revenue*" in copy


def test_a_form_answer_is_tagged_by_the_model_after_the_ack_then_shared_and_confirmed_once(
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    fake_llm.labels.update(ANSWERS)
    view = open_checkin_form(slack, fake_slack)
    with held(runtime):
        submit_checkin(slack, view, COURIER)
        # The ack stored the lexicon's answer (an unsure guess) and asked no model; nothing was said yet.
        assert stored(runtime) == [(COURIER, False, False, [("margins", "auto")])]
        assert fake_llm.requests == []
        assert confirmations(fake_slack) == [] and shared_copies(fake_slack, prompt) == []
        [job] = jobs(runtime)
        assert job["function"] == "checkin_tag"
    assert stored(runtime) == [(COURIER, True, False, [("margins", "auto")])]
    assert fake_llm.updates_sent() == [{"id": "1", "team": "marketing", "text": COURIER}]
    [confirmation] = confirmations(fake_slack)
    assert "Margins" in confirmation and "tagged by the model" in confirmation
    assert "Which objective" not in confirmation and "replaced" not in confirmation
    assert "Shared in the check-in thread" in confirmation
    [copy] = shared_copies(fake_slack, prompt)
    assert "*Margins*" in copy and COURIER in copy

    # The same job again (a worker died before finishing it) says nothing twice.
    runtime.queue.put(**job)
    for worker in runtime.workers:
        worker.drain()
    assert len(confirmations(fake_slack)) == 1 and len(shared_copies(fake_slack, prompt)) == 1
    assert len(fake_slack.messages("C0MKTG01")) == 2  # the prompt and the one shared copy
    assert stored(runtime) == [(COURIER, True, False, [("margins", "auto")])]


def test_a_form_answer_replacing_an_earlier_one_says_so_with_the_models_tags(
    ask,
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    fake_llm.labels.update(ANSWERS)
    ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    view = open_checkin_form(slack, fake_slack)
    submit_checkin(slack, view, COURIER)
    assert stored(runtime) == [(COURIER, True, False, [("margins", "auto")])]
    confirmation = confirmations(fake_slack)[-1]
    assert "replaced your earlier update" in confirmation and "tagged by the model" in confirmation
    [copy] = shared_copies(fake_slack, prompt)  # the earlier answer's copy, edited
    assert "*Margins*" in copy and COURIER in copy


def test_a_job_whose_confirmation_failed_is_done_again_and_confirms_once(
    ask,
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    fake_llm.labels.update(ANSWERS)
    ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    view = open_checkin_form(slack, fake_slack)
    # Sharing edits the earlier answer's copy; then both ways to tell the person fail: the attempt fails.
    fake_slack.fail("chat.postEphemeral", error="fatal_error", times=1)
    fake_slack.fail("chat.postMessage", error="fatal_error", times=1)
    [worker] = runtime.workers
    with held(runtime):
        submit_checkin(slack, view, COURIER)
        assert worker.run_one() is True
        with runtime.services.sessions() as session:
            assert session.scalars(select(Job.attempts)).all() == [1]
        assert confirmations(fake_slack) == []
        assert worker.run_one(now=utcnow() + timedelta(seconds=BACKOFF_SECONDS[0] + 1)) is True
        assert jobs(runtime) == []
    [confirmation] = confirmations(fake_slack)
    assert "tagged by the model" in confirmation and "replaced your earlier update" in confirmation
    [copy] = shared_copies(fake_slack, prompt)
    assert "*Margins*" in copy and COURIER in copy
    assert stored(runtime) == [(COURIER, True, False, [("margins", "auto")])]
    # The second attempt had the model's answer kept: the texts were each sent once.
    assert [u["text"] for u in fake_llm.updates_sent()] == ["Booked 6 discovery calls with new prospects", COURIER]


def test_the_author_is_asked_when_the_model_disagrees_with_a_sure_lexicon_in_the_form(
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    view = open_checkin_form(slack, fake_slack)
    submit_checkin(slack, view, PIPELINE)
    assert stored(runtime) == [(PIPELINE, False, False, [("margins", "auto")])]
    [confirmation] = confirmations(fake_slack)
    assert "Which objective does this serve?" in confirmation and "tagged by the model" in confirmation


def test_hand_picked_tags_in_the_form_are_never_sent_and_the_ack_confirms(
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    view = open_checkin_form(slack, fake_slack)
    with held(runtime):
        submit_checkin(slack, view, COURIER, objectives=["new-revenue"])
        assert jobs(runtime) == []
        [confirmation] = confirmations(fake_slack)
        assert "Tagged by you" in confirmation
        assert len(shared_copies(fake_slack, prompt)) == 1
    assert stored(runtime) == [(COURIER, True, True, [("new-revenue", "manual")])]
    assert fake_llm.requests == []


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_fault_still_stores_shares_and_confirms_the_form_answer_with_the_lexicons_tags(
    ask,
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
    fault,
):
    fault(fake_llm)
    view = open_checkin_form(slack, fake_slack)
    submit_checkin(slack, view, PIPELINE)
    assert_the_lexicons_answer_shared_and_confirmed(runtime, fake_slack, prompt)
    assert "last fault" in shown(ask("/alignment", "status", user="U0BOSS01"))


def test_in_unsure_mode_only_what_the_lexicon_is_unsure_of_waits_for_the_model(
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
    monkeypatch,
):
    fake_llm.labels.update(ANSWERS)
    model = runtime.services.model
    assert model.config is not None
    monkeypatch.setattr(model, "config", replace(model.config, mode="unsure"))
    sure, unsure = open_checkin_form(slack, fake_slack), open_checkin_form(slack, fake_slack)
    with held(runtime):
        submit_checkin(slack, sure, PIPELINE)  # the lexicon is sure: the ack confirms, nothing is queued
        assert jobs(runtime) == [] and len(confirmations(fake_slack)) == 1
        submit_checkin(slack, unsure, COURIER)
        assert [job["function"] for job in jobs(runtime)] == ["checkin_tag"]
        assert len(confirmations(fake_slack)) == 1
    assert stored(runtime) == [(COURIER, True, False, [("margins", "auto")])]
    assert [u["text"] for u in fake_llm.updates_sent()] == [COURIER]
    assert "tagged by the model" in confirmations(fake_slack)[-1]


def test_past_the_days_cap_the_form_answer_is_the_lexicons_and_still_shared_and_confirmed(
    ask,
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    for n in range(3):  # the day's three requests (the settings of test_model_tagging)
        add_initiative(ask, f"{PIPELINE} {n}")
    view = open_checkin_form(slack, fake_slack)
    submit_checkin(slack, view, PIPELINE)
    assert len(fake_llm.requests) == 3
    assert_the_lexicons_answer_shared_and_confirmed(runtime, fake_slack, prompt)
    assert "3/3 requests today" in shown(ask("/alignment", "status", user="U0BOSS01"))


def test_a_later_answer_given_before_the_job_ran_is_kept_and_confirmed_alone(
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    fake_llm.labels.update(ANSWERS)
    first, second = open_checkin_form(slack, fake_slack), open_checkin_form(slack, fake_slack)
    with held(runtime):
        submit_checkin(slack, first, COURIER)
        submit_checkin(slack, second, "Cut the cost of sales", objectives=["margins"])
    assert stored(runtime) == [("Cut the cost of sales", True, True, [("margins", "manual")])]
    [confirmation] = confirmations(fake_slack)
    assert "Tagged by you" in confirmation and "tagged by the model" not in confirmation
    [copy] = shared_copies(fake_slack, prompt)
    assert "Cut the cost of sales" in copy and COURIER not in copy


def test_with_the_model_switched_off_the_form_queues_nothing(
    ask,
    slack,
    runtime,
    fake_slack,
    fake_llm,  # noqa: F811
    prompt,
):
    assert "now off" in shown(ask("/alignment", "settings model off", user="U0BOSS01"))
    view = open_checkin_form(slack, fake_slack)
    with held(runtime):
        submit_checkin(slack, view, PIPELINE)
        assert jobs(runtime) == []
        [confirmation] = confirmations(fake_slack)
        assert "New revenue" in confirmation and len(shared_copies(fake_slack, prompt)) == 1
    assert stored(runtime) == [(PIPELINE, True, False, [("new-revenue", "auto")])]
    assert fake_llm.requests == []


# --- the initiative form ------------------------------------------------------------------------


def open_initiative_form(slack, fake_slack) -> dict[str, Any]:
    before = len(fake_slack.calls_to("views.open"))
    slack.command("/initiative", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    return fake_slack.wait_for("views.open", count=before + 1)[before].args["view"]


def submit_initiative(slack, view: dict[str, Any], title: str, objectives: list[str] | None = None) -> None:
    team = next(b for b in view["blocks"] if b["block_id"] == "team")["element"]["initial_option"]["value"]
    answer = slack.view_submission(
        "initiative_add",
        {
            "title": {"value": title},
            "team": {"value": {"type": "static_select", "selected_option": {"value": team}}},
            "objectives": {"value": objectives or []},
        },
        user_id="U0MEMB01",
        private_metadata=view["private_metadata"],
    )
    assert answer.status == 200 and answer.body == ""


def test_the_initiative_form_is_tagged_by_the_model_after_the_ack_and_confirmed_once(
    ask,
    slack,
    runtime,
    teams,
    fake_slack,
    fake_llm,  # noqa: F811
):
    setup_objectives(ask)
    view = open_initiative_form(slack, fake_slack)
    with held(runtime):
        # The form's ack answers within Slack's 3 s: the model, which may take its whole timeout, is not asked there.
        submit_initiative(slack, view, PIPELINE)
        assert stored_initiatives(runtime)[0]["tags"] == [("new-revenue", "auto")]
        assert fake_llm.requests == [] and confirmations(fake_slack) == []
        [job] = jobs(runtime)
        assert job["function"] == "initiative_tag"
    assert stored_initiatives(runtime)[0]["tags"] == [("margins", "auto")]
    assert fake_llm.updates_sent() == [{"id": "1", "team": "marketing", "text": PIPELINE}]
    [confirmation] = confirmations(fake_slack)
    assert "Logged initiative" in confirmation and "Margins" in confirmation and "New revenue" not in confirmation

    runtime.queue.put(**job)  # done again: nothing said twice
    for worker in runtime.workers:
        worker.drain()
    assert len(confirmations(fake_slack)) == 1
    assert [row["tags"] for row in stored_initiatives(runtime)] == [[("margins", "auto")]]


def test_an_initiative_with_objectives_picked_in_the_form_is_never_sent(
    ask,
    slack,
    runtime,
    teams,
    fake_slack,
    fake_llm,  # noqa: F811
):
    setup_objectives(ask)
    view = open_initiative_form(slack, fake_slack)
    with held(runtime):
        submit_initiative(slack, view, PIPELINE, objectives=["new-revenue"])
        assert jobs(runtime) == [] and len(confirmations(fake_slack)) == 1
    assert stored_initiatives(runtime)[0]["tags"] == [("new-revenue", "manual")]
    assert fake_llm.requests == []


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_fault_still_logs_and_confirms_the_form_initiative_with_the_lexicons_tags(
    ask,
    slack,
    runtime,
    teams,
    fake_slack,
    fake_llm,  # noqa: F811
    fault,
):
    setup_objectives(ask)
    fault(fake_llm)
    submit_initiative(slack, open_initiative_form(slack, fake_slack), PIPELINE)
    assert [row["tags"] for row in stored_initiatives(runtime)] == [[("new-revenue", "auto")]]
    [confirmation] = confirmations(fake_slack)
    assert "Logged initiative" in confirmation and "New revenue" in confirmation
    assert "last fault" in shown(ask("/alignment", "status", user="U0BOSS01"))  # the model was asked
