"""Questions per team: an admin changes them in a form; the prompt and the form ask them.

Answers are kept per question.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import Team, Update
from tests.handlers.conftest import shown

CUSTOM = {
    "question_0": {"value": "What shipped?"},
    "question_1": {"value": "What's blocked?"},
    "question_2": {"value": ""},
}


def labels(view: dict) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def change_questions(slack, fake_slack, user: str = "U0ADMIN1") -> dict:
    slack.command("/alignment", "questions marketing", user_id=user, channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    return opened.args["view"]


def test_an_admin_changes_the_questions_and_the_prompt_and_form_ask_them(slack, teams, runtime, fake_slack):
    view = change_questions(slack, fake_slack)
    assert view["callback_id"] == "checkin_questions_submit"
    assert [b["element"]["initial_value"] for b in view["blocks"] if b["type"] == "input"] == [
        "What moved forward?",
        "What's next?",
        "Which team did you work with or need something from?",
    ]

    response = slack.view_submission(
        "checkin_questions_submit", CUSTOM, user_id="U0ADMIN1", private_metadata=view["private_metadata"]
    )
    assert response.status == 200 and response.body in ("", "null")
    with runtime.services.sessions() as session:
        stored = session.scalar(select(Team.questions).where(Team.name == "marketing"))
    # An emptied question is back to its default.
    assert stored == ["What shipped?", "What's blocked?", "Which team did you work with or need something from?"]

    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = next(m for m in fake_slack.messages("C0MKTG01") if m.get("bot_id"))
    assert "What shipped?" in json.dumps(prompt["blocks"]) and "What's blocked?" in json.dumps(prompt["blocks"])

    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    form = fake_slack.wait_for("views.open", count=2)[1].args["view"]
    assert labels(form)[:2] == ["What shipped?", "What's blocked?"]
    slack.view_submission(
        "checkin_submit",
        {"moved": {"value": "The pricing page"}, "next": {"value": "Legal review"}},
        user_id="U0MEMB01",
        private_metadata=form["private_metadata"],
    )
    fake_slack.wait_for("chat.postEphemeral")
    with runtime.services.sessions() as session:
        [update] = session.scalars(select(Update)).all()
    assert update.answers == [
        {"question": "What shipped?", "answer": "The pricing page"},
        {"question": "What's blocked?", "answer": "Legal review"},
    ]
    # Tagging and the analysis read the whole answer.
    assert "The pricing page" in update.text and "Legal review" in update.text

    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    again = fake_slack.wait_for("views.open", count=3)[2].args["view"]
    assert [b["element"].get("initial_value") for b in again["blocks"] if b.get("block_id") in ("moved", "next")] == [
        "The pricing page",
        "Legal review",
    ]


def test_only_admins_change_questions_and_bad_input_gets_the_usage(ask, teams, fake_slack):
    assert "Only Alignbot admins" in shown(ask("/alignment", "questions marketing", user="U0MEMB01"))
    assert "no team called" in shown(ask("/alignment", "questions nosuch"))
    assert "Usage" in shown(ask("/alignment", "questions"))
    assert fake_slack.calls_to("views.open") == []
