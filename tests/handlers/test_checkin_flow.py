"""Check-ins through the real app: /checkin, the modal, thread replies, tag edits, status, digest, App Home."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.models import Digest, Update, UpdateTag
from tests.handlers.conftest import shown
from tests.hostile_text import SENT, assert_inert


@pytest.fixture
def objectives(ask, teams):
    assert "new-revenue" in shown(
        ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    )
    assert "margins" in shown(ask("/objective", "add Margins | Spend less to earn more"))
    return ["new-revenue", "margins"]


def stored_updates(runtime) -> list[Update]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Update).order_by(Update.id)))


def test_checkin_text_is_recorded_tagged_and_confirmed(ask, objectives, runtime):
    answer = ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    text = shown(answer)
    assert "Your marketing update for" in text and "New revenue" in text
    assert '"action_id": "checkin_edit_tags"' in text
    [update] = stored_updates(runtime)
    assert update.author_user_id == "U0MEMB01" and update.source == "command"

    again = shown(ask("/checkin", "Booked 8 discovery calls", user="U0MEMB01", channel="C0MKTG01"))
    assert "replaced your earlier update" in again
    assert [u.text for u in stored_updates(runtime)] == ["Booked 8 discovery calls"]


def test_checkin_from_someone_on_no_team_explains_what_to_do(ask, objectives, runtime, fake_slack):
    fake_slack.add_user("U0LONER1", name="lone")
    answer = ask("/checkin", "did stuff", user="U0LONER1", channel="C0LEAD01")
    assert "not on a team" in shown(answer)
    assert stored_updates(runtime) == []


def test_checkin_alone_opens_the_modal_and_submitting_it_stores_the_answer(ask, slack, objectives, runtime, fake_slack):
    ask_response = slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    assert ask_response.status == 200
    [opened] = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "checkin_submit"
    metadata = view["private_metadata"]
    partners = next(b for b in view["blocks"] if b.get("block_id") == "partners")["element"]["options"]
    sales_value = next(o["value"] for o in partners if o["text"]["text"] == "sales")

    submitted = slack.view_submission(
        "checkin_submit",
        {
            "moved": {"value": "Passed 40 webinar leads to sales"},
            "next": {"value": "Follow-up emails"},
            "partners": {"value": [sales_value]},
            "objectives": {"value": ["new-revenue"]},
        },
        user_id="U0MEMB01",
        private_metadata=metadata,
    )
    assert submitted.status == 200 and submitted.body in ("", "null")

    [update] = stored_updates(runtime)
    assert update.text == "Passed 40 webinar leads to sales\nNext: Follow-up emails"
    assert update.source == "modal" and update.tags_by_hand
    [confirmation] = fake_slack.wait_for("chat.postEphemeral")
    assert confirmation.args["channel"] == "C0MKTG01" and "Tagged by you" in json.dumps(confirmation.args["blocks"])


def test_an_empty_modal_answer_is_refused_inside_the_modal(slack, objectives, runtime, fake_slack):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    response = slack.view_submission(
        "checkin_submit",
        {"moved": {"value": "   "}},
        user_id="U0MEMB01",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    assert response.json()["response_action"] == "errors"
    assert "moved" in response.json()["errors"]
    assert stored_updates(runtime) == []


def test_edit_tags_corrects_the_tags_by_hand(ask, slack, objectives, runtime, fake_slack):
    ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    [update] = stored_updates(runtime)
    slack.block_action("checkin_edit_tags", str(update.id), user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "checkin_tags_submit"

    slack.view_submission(
        "checkin_tags_submit",
        {"objectives": {"value": ["margins"]}},
        user_id="U0MEMB01",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    with runtime.services.sessions() as session:
        tags = session.scalars(select(UpdateTag)).all()
    assert [t.source for t in tags] == ["manual"] and len(tags) == 1
    assert stored_updates(runtime)[0].tags_by_hand


def test_a_thread_reply_to_the_prompt_is_an_answer_and_a_retry_is_not_a_second(
    ask, slack, objectives, runtime, fake_slack
):
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = fake_slack.messages("C0MKTG01")[0]
    reply_ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "Shipped the pricing page", thread_ts=prompt["ts"])
    event = {
        "type": "message",
        "channel": "C0MKTG01",
        "user": "U0MEMB01",
        "text": "Shipped the pricing page",
        "ts": reply_ts,
        "thread_ts": prompt["ts"],
        "channel_type": "channel",
    }

    assert slack.event(event, event_id="Ev0REPLY1").status == 200
    fake_slack.wait_for("chat.postEphemeral")
    assert slack.event(event, event_id="Ev0REPLY1", retry_num=1, retry_reason="timeout").status == 200

    [update] = stored_updates(runtime)
    assert update.source == "thread" and update.message_ts == reply_ts
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1


def test_a_reply_in_an_unrelated_thread_is_ignored(slack, objectives, runtime, fake_slack):
    parent = fake_slack.post_user_message("C0MKTG01", "U0MEMB02", "lunch?")
    reply = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "yes", thread_ts=parent)
    slack.event(
        {"type": "message", "channel": "C0MKTG01", "user": "U0MEMB01", "text": "yes", "ts": reply, "thread_ts": parent}
    )
    assert stored_updates(runtime) == []


def test_the_prompt_button_opens_the_modal_for_that_team_and_week(slack, objectives, runtime, fake_slack):
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = fake_slack.messages("C0MKTG01")[0]
    button = prompt["blocks"][1]["elements"][0]
    slack.block_action(
        "checkin_open", button["value"], user_id="U0MEMB01", channel_id="C0MKTG01", message_ts=prompt["ts"]
    )
    [opened] = fake_slack.wait_for("views.open")
    assert json.loads(opened.args["view"]["private_metadata"])["week"] == button["value"].split(":")[1]


def test_status_lists_who_answered(ask, objectives):
    ask("/checkin", "Booked calls", user="U0MEMB01", channel="C0MKTG01")
    text = shown(ask("/alignment", "status", user="U0MEMB01"))
    assert "marketing" in text and "<@U0MEMB01>" in text and "sales" in text


def test_skip_is_for_admins_and_refuses_past_days(ask, objectives, fake_slack, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    refused = shown(ask("/alignment", "skip all 2026-12-28", user="U0MEMB01"))
    assert "Only Alignbot admins can skip or restore a week's check-in" in refused
    done = shown(ask("/alignment", "skip all 2026-12-28", user="U0ADMIN1"))
    assert "*marketing* 2026-W53" in done and "*sales* 2026-W53" in done
    assert "Usage" in shown(ask("/alignment", "skip all next-week", user="U0ADMIN1"))
    assert "in the past" in shown(ask("/alignment", "skip all 2020-11-30", user="U0ADMIN1"))


def test_report_shows_the_digest_to_the_caller_and_post_sends_it_once(ask, objectives, runtime, fake_slack):
    ask("/checkin", "Refreshed the brand colours on the website", user="U0MEMB01", channel="C0MKTG01")
    report = shown(ask("/alignment", "report", user="U0MEMB01"))
    assert "Alignment digest" in report

    assert "No leadership channel" in shown(ask("/alignment", "post", user="U0ADMIN1"))
    ask("/alignment", "leadership", user="U0ADMIN1", channel="C0LEAD01")
    assert "Posted the" in shown(ask("/alignment", "post", user="U0ADMIN1"))
    assert "already in" in shown(ask("/alignment", "post", user="U0ADMIN1"))
    assert "Only Alignbot admins can post the digest" in shown(ask("/alignment", "post", user="U0MEMB01"))
    with runtime.services.sessions() as session:
        assert len(session.scalars(select(Digest)).all()) == 1


def test_details_button_opens_the_digest_details(ask, slack, objectives, fake_slack):
    ask("/checkin", "Booked calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    answer = ask("/alignment", "report", user="U0MEMB01")
    actions = next(b for b in answer["blocks"] if b["type"] == "actions")
    button = actions["elements"][0]
    slack.block_action(button["action_id"], button["value"], user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "digest_details"


def test_app_home_shows_the_persons_team_and_week(ask, slack, objectives, fake_slack):
    ask("/checkin", "Booked calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    slack.event({"type": "app_home_opened", "user": "U0MEMB01", "channel": "D0HOME01", "tab": "home"})
    fake_slack.wait_for("views.publish")
    home = json.dumps(fake_slack.home("U0MEMB01"))
    assert "marketing" in home and "Booked calls with new prospects" in home


def test_prompts_and_deadline_are_set_per_team_by_admins(ask, teams, runtime, fake_slack):
    assert "by DM" in shown(ask("/alignment", "prompts sales dm", user="U0ADMIN1"))
    answer = shown(ask("/alignment", "deadline sales 48h reminder 6h", user="U0ADMIN1"))
    assert "due after 48 h, reminder 6 h before" in answer
    assert "Only Alignbot admins" in shown(ask("/alignment", "prompts sales channel", user="U0MEMB01"))
    assert "Usage" in shown(ask("/alignment", "deadline sales 4h reminder 6h", user="U0ADMIN1"))
    assert "Usage" in shown(ask("/alignment", "prompts sales smoke-signals", user="U0ADMIN1"))

    runtime.services.prompts.send_prompts(fake_slack.team_id, "sales")
    assert fake_slack.messages("C0SALES1") == []  # DMs only
    assert sorted(c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")) == ["U0SELL01", "U0SELL02"]


def test_editing_in_the_modal_keeps_suggested_tags_automatic_and_links_an_initiative(
    ask, slack, objectives, runtime, fake_slack
):
    ask("/initiative", "add Webinar series #new-revenue", user="U0MEMB01", channel="C0MKTG01")
    ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    picker = next(b for b in view["blocks"] if b.get("block_id") == "objectives")["element"]
    assert [o["value"] for o in picker["initial_options"]] == ["new-revenue"]
    initiative = next(b for b in view["blocks"] if b.get("block_id") == "initiative")["element"]["options"][0]
    assert "Webinar series" in initiative["text"]["text"]

    slack.view_submission(
        "checkin_submit",
        {
            "moved": {"value": "Booked 7 discovery calls with new prospects"},
            "objectives": {"value": ["new-revenue"]},
            "initiative": {"value": {"type": "static_select", "selected_option": initiative}},
        },
        user_id="U0MEMB01",
        private_metadata=view["private_metadata"],
    )
    [update] = stored_updates(runtime)
    assert update.text == "Booked 7 discovery calls with new prospects"
    assert not update.tags_by_hand
    assert update.initiative_id == int(initiative["value"])


def test_a_hostile_update_shows_inert_and_escaped_once_in_the_tags_form_and_the_app_home(
    ask, slack, objectives, runtime, fake_slack
):
    ask("/checkin", SENT, user="U0MEMB01", channel="C0MKTG01")
    [update] = stored_updates(runtime)
    slack.block_action("checkin_edit_tags", str(update.id), user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    assert_inert(opened.args["view"])

    slack.event({"type": "app_home_opened", "user": "U0MEMB01", "tab": "home"})
    fake_slack.wait_for("views.publish")
    assert_inert(fake_slack.home("U0MEMB01"))


def test_posted_digest_has_a_goals_section_once_teams_have_goals(ask, objectives, fake_slack):
    ask("/checkin", "Refreshed the brand colours on the website", user="U0MEMB01", channel="C0MKTG01")
    ask("/alignment", "leadership", user="U0ADMIN1", channel="C0LEAD01")
    assert "Added goal" in shown(ask("/goal", "add marketing Brand <refresh> #none"))
    assert "Added goal" in shown(ask("/goal", "add marketing Nurture flows for AEs #new-revenue"))

    assert "Posted the" in shown(ask("/alignment", "post", user="U0ADMIN1"))

    [posted] = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "C0LEAD01"]
    blocks = posted.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    [goals] = [b["text"]["text"] for b in blocks if "text" in b and b["text"]["text"].startswith("*Goals*")]
    assert goals.split("\n")[1:] == [
        ":dart: marketing's goal \u201cBrand &lt;refresh&gt;\u201d serves no business objective.",
        ":white_circle: No team has a goal that serves Margins.",
    ]
