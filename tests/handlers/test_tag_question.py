"""The one question Alignbot asks when its tags are a guess: ask, tap, learn, over signed requests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Update, UpdateTag
from tests.handlers.conftest import shown

UNSURE = "Ran the partner summit in Lisbon"
SIMILAR = "Ran the partner summit in Madrid"


@pytest.fixture
def objectives(ask, teams):
    assert "new-revenue" in shown(
        ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    )
    assert "margins" in shown(ask("/objective", "add Margins | Spend less to earn more"))
    return ["new-revenue", "margins"]


def stored(runtime, author: str) -> tuple[Update, list[UpdateTag]]:
    with runtime.services.sessions() as session:
        update = session.scalars(select(Update).where(Update.author_user_id == author)).one()
        return update, list(session.scalars(select(UpdateTag).where(UpdateTag.update_id == update.id)))


def buttons(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the question's buttons by their label."""
    block = next((b for b in answer.get("blocks", []) if b.get("block_id") == "checkin_question"), None)
    return {e["text"]["text"]: e for e in block["elements"]} if block else {}


def tap(slack, fake_slack, button: dict[str, Any], user: str, channel: str = "C0MKTG01") -> dict[str, Any]:
    before = len(fake_slack.responses())
    response = slack.block_action(button["action_id"], button["value"], user_id=user, channel_id=channel)
    assert response.status == 200
    return fake_slack.wait_for_responses(before + 1)[before]["body"]


def test_an_unsure_answer_asks_the_author_whose_tap_is_stored_by_hand_and_teaches_the_tagger(
    ask, slack, objectives, runtime, fake_slack
):
    answer = ask("/checkin", UNSURE, user="U0MEMB01", channel="C0MKTG01")
    assert "Which objective does this serve?" in shown(answer)
    offered = buttons(answer)
    assert "New revenue" in offered and "None of them" in offered
    update, tags = stored(runtime, "U0MEMB01")
    assert not update.tags_confident and not update.tags_by_hand and tags == []

    replaced = tap(slack, fake_slack, offered["New revenue"], "U0MEMB01")
    assert replaced.get("replace_original") in (True, "true")
    assert "Tagged by you" in shown(replaced) and "New revenue" in shown(replaced)
    assert "Which objective" not in shown(replaced)
    update, tags = stored(runtime, "U0MEMB01")
    assert update.tags_by_hand and [t.source for t in tags] == ["manual"]

    # The next similar update, from a teammate, is tagged without asking.
    fake_slack.add_user("U0MEMB02", name="mia")
    later = ask("/checkin", SIMILAR, user="U0MEMB02", channel="C0MKTG01")
    assert "Which objective" not in shown(later) and "New revenue" in shown(later)
    update, tags = stored(runtime, "U0MEMB02")
    assert update.tags_confident and [t.source for t in tags] == ["auto"]


def test_only_the_author_or_an_admin_may_answer(ask, slack, objectives, runtime, fake_slack):
    offered = buttons(ask("/checkin", UNSURE, user="U0MEMB01", channel="C0MKTG01"))
    fake_slack.add_user("U0NOSY01", name="nosy")
    refused = tap(slack, fake_slack, offered["New revenue"], "U0NOSY01")
    assert "Only the author of an update, its team's leads, or an Alignbot admin" in shown(refused)
    assert refused.get("replace_original") in (False, "false", None)
    update, tags = stored(runtime, "U0MEMB01")
    assert not update.tags_by_hand and tags == []

    by_admin = tap(slack, fake_slack, offered["None of them"], "U0ADMIN1")
    assert "serves none of the objectives" in shown(by_admin)
    update, tags = stored(runtime, "U0MEMB01")
    assert update.tags_by_hand and tags == []


def test_none_of_them_records_that_it_serves_no_objective(ask, slack, objectives, runtime, fake_slack):
    offered = buttons(ask("/checkin", UNSURE, user="U0MEMB01", channel="C0MKTG01"))
    answered = tap(slack, fake_slack, offered["None of them"], "U0MEMB01")
    assert "serves none of the objectives" in shown(answered)
    update, tags = stored(runtime, "U0MEMB01")
    assert update.tags_by_hand and tags == []


def test_a_long_update_nothing_places_offers_every_objective(ask, slack, objectives, runtime, fake_slack):
    long_unplaced = (
        "Repainted the lines in the north yard and moved the pallet racks so the forklifts "
        "can turn around without backing into the dock doors"
    )
    answer = ask("/checkin", long_unplaced, user="U0MEMB01", channel="C0MKTG01")
    assert "Tagged: _nothing yet_" in shown(answer) and "Which objective does this serve?" in shown(answer)
    offered = buttons(answer)
    assert {"New revenue", "Margins", "None of them", "Other…"} <= offered.keys()
    update, tags = stored(runtime, "U0MEMB01")
    assert not update.tags_confident and tags == []

    tap(slack, fake_slack, offered["Margins"], "U0MEMB01")
    update, tags = stored(runtime, "U0MEMB01")
    assert update.tags_by_hand and [t.source for t in tags] == ["manual"]


def test_a_sure_answer_asks_nothing(ask, objectives, runtime):
    answer = ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    assert "Which objective" not in shown(answer) and buttons(answer) == {}
    assert stored(runtime, "U0MEMB01")[0].tags_confident


def test_the_modal_and_a_thread_reply_ask_too(slack, objectives, runtime, fake_slack):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    slack.view_submission(
        "checkin_submit",
        {"moved": {"value": UNSURE}},
        user_id="U0MEMB01",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    [confirmation] = fake_slack.wait_for("chat.postEphemeral")
    assert "Which objective does this serve?" in json.dumps(confirmation.args["blocks"])

    runtime.services.prompts.send_prompts(fake_slack.team_id, "sales")
    prompt = fake_slack.messages("C0SALES1")[0]
    reply = fake_slack.post_user_message("C0SALES1", "U0SELL01", UNSURE, thread_ts=prompt["ts"])
    slack.event(
        {
            "type": "message",
            "channel": "C0SALES1",
            "user": "U0SELL01",
            "text": UNSURE,
            "ts": reply,
            "thread_ts": prompt["ts"],
            "channel_type": "channel",
        }
    )
    answers = fake_slack.wait_for("chat.postEphemeral", count=2)
    assert answers[1].args["thread_ts"] == prompt["ts"]
    assert "Which objective does this serve?" in json.dumps(answers[1].args["blocks"])
    assert not stored(runtime, "U0SELL01")[0].tags_confident


def test_rewording_a_hand_tagged_update_is_tagged_afresh_not_by_its_own_old_tags(
    ask, slack, objectives, runtime, fake_slack
):
    offered = buttons(ask("/checkin", UNSURE, user="U0MEMB01", channel="C0MKTG01"))
    tap(slack, fake_slack, offered["New revenue"], "U0MEMB01")

    # The update no longer says what its author tagged: it must not teach the tagger its own new text.
    reworded = ask("/checkin", "Fixed the office printer", user="U0MEMB01", channel="C0MKTG01")
    assert "New revenue" not in shown(reworded)
    update, tags = stored(runtime, "U0MEMB01")
    assert not update.tags_by_hand and tags == []


def test_a_guess_of_two_objectives_is_confirmed_whole_in_one_tap(ask, slack, objectives, runtime, fake_slack):
    both = "Closed two new customers and cut the agency retainer to spend less"
    answer = ask("/checkin", both, user="U0MEMB01", channel="C0MKTG01")
    assert "My guess:" in shown(answer) and "Which objective does this serve?" in shown(answer)
    offered = buttons(answer)
    assert {"Both (my guess)", "New revenue", "Margins", "None of them"} <= offered.keys()
    assert [t.source for t in stored(runtime, "U0MEMB01")[1]] == ["auto", "auto"]

    answered = tap(slack, fake_slack, offered["Both (my guess)"], "U0MEMB01")
    assert "Tagged by you" in shown(answered) and "New revenue" in shown(answered) and "Margins" in shown(answered)
    update, tags = stored(runtime, "U0MEMB01")
    assert update.tags_by_hand and len(tags) == 2 and {t.source for t in tags} == {"manual"}
