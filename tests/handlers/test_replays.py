"""A signed request replayed (same trigger or view id) is done once: no duplicate initiative, no second confirmation."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from storage.models import Initiative, Objective, Update
from tests.handlers.conftest import shown


def count(runtime, model) -> int:
    with runtime.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_replayed_initiative_command_logs_one_initiative(slack, runtime, teams, fake_slack):
    before = len(fake_slack.responses())
    for _ in range(3):
        response = slack.command(
            "/initiative",
            "add Launch the partner webinar",
            user_id="U0MEMB01",
            channel_id="C0MKTG01",
            trigger_id="1111.2222.replayedtrigger",
        )
        assert response.status == 200
    answers = fake_slack.wait_for_responses(before + 3)[before:]
    texts = [shown(a["body"]) for a in answers]
    assert sum("Logged initiative" in t for t in texts) == 1 and sum("Already done" in t for t in texts) == 2
    assert count(runtime, Initiative) == 1
    # A new command (a new trigger) is a new initiative.
    slack.command("/initiative", "add Launch the partner webinar", user_id="U0MEMB01", channel_id="C0MKTG01")
    fake_slack.wait_for_responses(before + 4)
    assert count(runtime, Initiative) == 2


def test_a_replayed_objective_command_adds_one_objective(slack, runtime, fake_slack):
    # A job the worker ran, then ran again after its lease ran out, is such a replay too.
    before = len(fake_slack.responses())
    for _ in range(2):
        response = slack.command(
            "/objective",
            "add Grow EMEA revenue",
            user_id="U0ADMIN1",
            channel_id="C0LEAD01",
            trigger_id="3333.4444.replayedtrigger",
        )
        assert response.status == 200
    texts = [shown(a["body"]) for a in fake_slack.wait_for_responses(before + 2)[before:]]
    assert sum("grow-emea-revenue" in t for t in texts) == 1 and sum("Already done" in t for t in texts) == 1
    assert not any("already an objective" in t for t in texts)
    assert count(runtime, Objective) == 1


def test_a_replayed_initiative_form_logs_one_initiative(ask, slack, runtime, teams, fake_slack):
    slack.command("/initiative", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    view = fake_slack.wait_for("views.open")[0].args["view"]
    marketing = next(b for b in view["blocks"] if b["block_id"] == "team")["element"]["initial_option"]["value"]
    for _ in range(3):
        answer = slack.view_submission(
            "initiative_add",
            {
                "title": {"value": "Co-host a customer event"},
                "team": {"value": {"type": "static_select", "selected_option": {"value": marketing}}},
            },
            user_id="U0MEMB01",
            private_metadata=view["private_metadata"],
            view_id="V0REPLAY01",
        )
        assert answer.status == 200 and answer.body == ""
    time.sleep(0.3)
    assert count(runtime, Initiative) == 1
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1


def test_a_replayed_checkin_form_confirms_once(slack, runtime, teams, fake_slack):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    for _ in range(3):
        answer = slack.view_submission(
            "checkin_submit",
            {"moved": {"value": "Shipped the pricing page"}},
            user_id="U0MEMB01",
            private_metadata=opened.args["view"]["private_metadata"],
            view_id="V0REPLAY02",
        )
        assert answer.status == 200 and answer.body in ("", "null")
    time.sleep(0.3)
    assert count(runtime, Update) == 1
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1


def test_a_form_refused_for_bad_input_can_be_fixed_and_submitted_again(slack, runtime, teams, fake_slack):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    metadata = opened.args["view"]["private_metadata"]
    refused = slack.view_submission(
        "checkin_submit",
        {"moved": {"value": "x"}, "objectives": {"value": ["nope"]}},
        user_id="U0MEMB01",
        private_metadata=metadata,
        view_id="V0REPLAY03",
    )
    assert json.loads(refused.body)["response_action"] == "errors"
    fixed = slack.view_submission(
        "checkin_submit",
        {"moved": {"value": "Shipped it"}},
        user_id="U0MEMB01",
        private_metadata=metadata,
        view_id="V0REPLAY03",
    )
    assert fixed.body in ("", "null")
    assert count(runtime, Update) == 1
