"""Shared answers: every answer lands in the thread under its week's prompt, follows edits and deletes."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from bot.fakeslack.server import PATIENCE
from bot.services.checkins import Answer
from storage.models import Delivery, Team, Update
from tests.handlers.conftest import shown
from tests.hostile_text import SENT, TYPED, assert_inert


@pytest.fixture
def objectives(ask, teams):
    assert "new-revenue" in shown(
        ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    )
    return ["new-revenue"]


@pytest.fixture
def prompt(runtime, fake_slack, objectives):
    """Send marketing's prompts (channel and DMs); return the channel prompt's ts."""
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    [message] = [m for m in fake_slack.messages("C0MKTG01") if "thread_ts" not in m]
    return message["ts"]


def replies(fake_slack, ts: str) -> list[dict]:
    return [m for m in fake_slack.thread("C0MKTG01", ts) if m["ts"] != ts]


def seen(message: dict) -> str:
    return message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)


def stored(runtime) -> list[Update]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Update).order_by(Update.id)))


def handled(runtime, fake_slack, *event_ids: str, timeout: float = PATIENCE) -> None:
    """Wait until the app recorded these events as handled (it handles events after answering Slack)."""
    deadline = time.monotonic() + timeout
    while not all(runtime.services.event_done(fake_slack.team_id, e) for e in event_ids):
        assert time.monotonic() < deadline, f"events {event_ids} not handled in {timeout}s"
        time.sleep(0.02)


def dm_thread_reply(slack, runtime, fake_slack, user: str, text: str, event_id: str) -> tuple[str, str, str]:
    """Answer in the thread of the person's DM prompt; return (dm channel, prompt ts, reply ts)."""
    with runtime.services.sessions() as session:
        channel, thread_ts = session.execute(
            select(Delivery.channel_id, Delivery.message_ts).where(
                Delivery.kind == "dm_prompt", Delivery.user_id == user
            )
        ).one()
    ts = fake_slack.post_user_message(channel, user, text, thread_ts=thread_ts)
    slack.event(
        {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
            "channel_type": "im",
        },
        event_id=event_id,
    )
    return channel, thread_ts, ts


def test_a_checkin_is_posted_in_the_prompt_thread_with_author_and_tags_and_an_edit_updates_it(
    ask, runtime, fake_slack, prompt
):
    answer = shown(ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01"))
    assert "Shared in the check-in thread" in answer

    [post] = replies(fake_slack, prompt)
    assert "mo" in seen(post) and "Booked 6 discovery calls" in seen(post) and "New revenue" in seen(post)
    [update] = stored(runtime)
    assert (update.shared_channel_id, update.shared_ts) == ("C0MKTG01", post["ts"])

    ask("/checkin", "Booked 8 discovery calls with new prospects", user="U0MEMB01")
    [edited] = replies(fake_slack, prompt)
    assert edited["ts"] == post["ts"]
    assert "Booked 8" in seen(edited) and "Booked 6" not in seen(edited)


def test_a_form_answer_is_shared_and_mentions_in_it_show_as_names_not_pings(slack, runtime, fake_slack, prompt):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    submitted = slack.view_submission(
        "checkin_submit",
        {
            "moved": {"value": "Sent the webinar leads to <@U0SELL01>"},
            "next": {"value": "Follow-ups"},
        },
        user_id="U0MEMB01",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    assert submitted.status == 200
    fake_slack.wait_for("chat.postEphemeral")

    [post] = replies(fake_slack, prompt)
    assert "@sol" in seen(post) and "<@U0SELL01>" not in seen(post)
    assert "Follow-ups" in seen(post)


def test_a_reply_in_the_channel_thread_is_not_posted_twice(slack, runtime, fake_slack, prompt):
    ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "Shipped the pricing page", thread_ts=prompt)
    slack.event(
        {
            "type": "message",
            "channel": "C0MKTG01",
            "user": "U0MEMB01",
            "text": "Shipped the pricing page",
            "ts": ts,
            "thread_ts": prompt,
            "channel_type": "channel",
        },
        event_id="Ev0SHARE1",
    )
    fake_slack.wait_for("chat.postEphemeral")

    assert [m["ts"] for m in replies(fake_slack, prompt)] == [ts]
    [update] = stored(runtime)
    assert update.shared_ts is None


def test_a_dm_answer_is_shared_edited_and_withdrawn_with_its_slack_message(slack, runtime, fake_slack, prompt):
    before = len(fake_slack.calls_to("chat.postMessage"))
    channel, thread_ts, ts = dm_thread_reply(
        slack, runtime, fake_slack, "U0MEMB01", "Drafted the launch email", "Ev0DM00001"
    )
    fake_slack.wait_for("chat.postMessage", count=before + 2)  # the shared post, the confirmation in the DM
    [post] = replies(fake_slack, prompt)
    assert "Drafted the launch email" in seen(post)

    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel": channel,
        "hidden": True,
        "message": {
            "type": "message",
            "user": "U0MEMB01",
            "text": "Sent the launch email",
            "ts": ts,
            "thread_ts": thread_ts,
        },
        "previous_message": {
            "type": "message",
            "user": "U0MEMB01",
            "text": "Drafted the launch email",
            "ts": ts,
            "thread_ts": thread_ts,
        },
    }
    assert slack.event(edited, event_id="Ev0DM00002").status == 200
    fake_slack.wait_for("chat.update")
    [update] = stored(runtime)
    assert update.text == "Sent the launch email" and update.message_ts == ts
    [post] = replies(fake_slack, prompt)
    assert "Sent the launch email" in seen(post) and "Drafted" not in seen(post)

    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": channel,
        "hidden": True,
        "deleted_ts": ts,
        "previous_message": {
            "type": "message",
            "user": "U0MEMB01",
            "text": "Sent the launch email",
            "ts": ts,
            "thread_ts": thread_ts,
        },
    }
    assert slack.event(deleted, event_id="Ev0DM00003").status == 200
    fake_slack.wait_for("chat.delete")
    assert stored(runtime) == []
    assert replies(fake_slack, prompt) == []


def test_editing_a_channel_thread_answer_changes_the_stored_text_and_keeps_hand_tags(
    slack, ask, runtime, fake_slack, prompt
):
    ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "Shipped the pricing page", thread_ts=prompt)
    slack.event(
        {
            "type": "message",
            "channel": "C0MKTG01",
            "user": "U0MEMB01",
            "text": "Shipped the pricing page",
            "ts": ts,
            "thread_ts": prompt,
        },
        event_id="Ev0EDIT001",
    )
    fake_slack.wait_for("chat.postEphemeral")
    [update] = stored(runtime)
    runtime.services.checkins.correct_tags(fake_slack.team_id, "U0MEMB01", update.id, ["new-revenue"])

    slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C0MKTG01",
            "message": {
                "user": "U0MEMB01",
                "text": "Shipped the pricing page and the FAQ",
                "ts": ts,
                "thread_ts": prompt,
            },
            "previous_message": {"user": "U0MEMB01", "text": "Shipped the pricing page", "ts": ts, "thread_ts": prompt},
        },
        event_id="Ev0EDIT002",
    )
    fake_slack.wait_for("chat.postEphemeral", count=2)
    [update] = stored(runtime)
    assert update.text == "Shipped the pricing page and the FAQ" and update.tags_by_hand
    assert "replaced your earlier update" in seen(fake_slack.calls_to("chat.postEphemeral")[-1].args)


def test_an_edit_by_someone_else_or_of_an_unrelated_message_changes_nothing(slack, runtime, fake_slack, prompt):
    ts = fake_slack.post_user_message("C0MKTG01", "U0MEMB01", "Shipped the pricing page", thread_ts=prompt)
    slack.event(
        {
            "type": "message",
            "channel": "C0MKTG01",
            "user": "U0MEMB01",
            "text": "Shipped the pricing page",
            "ts": ts,
            "thread_ts": prompt,
        },
        event_id="Ev0OTHER01",
    )
    fake_slack.wait_for("chat.postEphemeral")
    slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C0MKTG01",
            "message": {"user": "U0ADMIN1", "text": "hijacked", "ts": ts, "thread_ts": prompt},
            "previous_message": {"user": "U0MEMB01", "text": "x", "ts": ts},
        },
        event_id="Ev0OTHER02",
    )
    slack.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C0MKTG01",
            "deleted_ts": "1.000001",
            "previous_message": {"user": "U0MEMB01", "text": "lunch?", "ts": "1.000001"},
        },
        event_id="Ev0OTHER03",
    )
    handled(runtime, fake_slack, "Ev0OTHER02", "Ev0OTHER03")
    assert [u.text for u in stored(runtime)] == ["Shipped the pricing page"]


def test_sharing_can_be_turned_off_per_team_by_an_admin(ask, runtime, fake_slack, prompt):
    refused = shown(ask("/alignment", "share marketing off", user="U0MEMB01"))
    assert "admin" in refused.lower()
    assert "`on` or `off`" in shown(ask("/alignment", "share marketing maybe"))

    assert "no longer posted" in shown(ask("/alignment", "share marketing off"))
    with runtime.services.sessions() as session:
        assert session.scalar(select(Team.share_answers).where(Team.name == "marketing")) is False
    answer = shown(ask("/checkin", "Booked 6 discovery calls", user="U0MEMB01"))
    assert "Shared in" not in answer
    assert replies(fake_slack, prompt) == []
    [update] = stored(runtime)
    assert update.shared_ts is None

    assert "now posted" in shown(ask("/alignment", "share <#C0MKTG01|marketing> on"))
    ask("/checkin", "Booked 7 discovery calls", user="U0MEMB01")
    [post] = replies(fake_slack, prompt)
    assert "Booked 7" in seen(post)


def test_a_refused_share_still_stores_the_answer_and_says_why(ask, runtime, fake_slack, prompt):
    fake_slack.fail("chat.postMessage", error="not_in_channel")
    answer = shown(ask("/checkin", "Booked 6 discovery calls", user="U0MEMB01"))
    assert "could not share" in answer and "not_in_channel" in answer
    [update] = stored(runtime)
    assert update.text == "Booked 6 discovery calls" and update.shared_ts is None


def test_without_a_prompt_this_week_nothing_is_posted(ask, runtime, fake_slack, objectives):
    answer = shown(ask("/checkin", "Booked 6 discovery calls", user="U0MEMB01"))
    assert "Shared in" not in answer
    assert [m for m in fake_slack.messages("C0MKTG01") if m.get("user") == fake_slack.bot_user_id] == []


def test_the_digest_names_people_links_the_shared_post_and_is_headed_by_the_workspace_name(
    slack, ask, runtime, fake_slack, prompt
):
    fake_slack.add_user("U0CAL001", name="cal")
    before = len(fake_slack.calls_to("chat.postMessage"))
    dm_thread_reply(slack, runtime, fake_slack, "U0MEMB01", "Asked <@U0CAL001> for the pricing sheet", "Ev0DIGEST1")
    fake_slack.wait_for("chat.postMessage", count=before + 2)
    [post] = replies(fake_slack, prompt)

    report = shown(ask("/alignment", "report", user="U0MEMB01"))
    assert fake_slack.team_name in report and fake_slack.team_id not in report

    ask("/alignment", "leadership", user="U0ADMIN1", channel="C0LEAD01")
    assert "Posted the" in shown(ask("/alignment", "post", user="U0ADMIN1"))
    [digest] = [m for m in fake_slack.messages("C0LEAD01") if "blocks" in m]
    asked = [c for c in fake_slack.calls_to("chat.getPermalink") if c.args["message_ts"] == post["ts"]]
    assert asked and all(c.args["channel"] == "C0MKTG01" for c in asked)
    # The DM the answer was given in is no link leadership could open.
    assert not [c for c in fake_slack.calls_to("chat.getPermalink") if c.args["channel"].startswith("D")]

    text = seen(digest)
    assert "<@" not in text and "&lt;@" not in text
    assert fake_slack.team_name in text

    week = next(
        e["value"]
        for b in digest["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == "digest_details"
    )
    slack.block_action(
        "digest_details_pick",
        user_id="U0ADMIN1",
        channel_id="C0LEAD01",
        block_id=f"digest_actions:{week}",
        action_type="static_select",
        extra={"selected_option": {"value": "team:marketing"}},
    )
    [opened] = fake_slack.wait_for("views.open")
    modal = seen(opened.args["view"])
    assert "mo · “Asked @cal for the pricing sheet”" in modal and "<@" not in modal
    assert post["ts"].replace(".", "") in modal  # the answer's link is its shared post


def test_a_digest_naming_many_people_reads_them_from_users_list(runtime, fake_slack, teams):
    import bot.services.digests as digests

    for n in range(digests.USERS_INFO_MAX + 5):
        fake_slack.add_user(f"U0MANY{n:03d}", name=f"person{n}")
    checkins, team = runtime.services.checkins, fake_slack.team_id
    for n in range(digests.USERS_INFO_MAX + 5):
        checkins.record(Answer(team, f"U0MANY{n:03d}", f"Update number {n} about pipeline", channel_id="C0MKTG01"))
    fake_slack.reset_calls()
    data = runtime.services.digests.build(team, client=runtime.services.clients.for_team(team))
    assert data.names["U0MANY007"] == "person7" and len(data.names) >= digests.USERS_INFO_MAX + 5
    assert fake_slack.calls_to("users.info") == [] and fake_slack.calls_to("users.list")


# --- /checkin <text>: recorded, then shared, as every other way of answering -----------------------------------


def warm(ask, fake_slack, prompt) -> str:
    """Answer once in marketing, so the process knows the week's prompt; return that answer's shared ts."""
    assert "Shared in" in shown(ask("/checkin", "Warm-up: booked calls", user="U0ADMIN1"))
    [post] = replies(fake_slack, prompt)
    return post["ts"]


def test_a_shared_checkin_is_posted_once_and_its_ts_stored_with_it(ask, runtime, fake_slack, prompt):
    warm(ask, fake_slack, prompt)
    fake_slack.reset_calls()
    answer = shown(ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01"))

    assert "Shared in the check-in thread" in answer
    posts = [p for p in replies(fake_slack, prompt) if "Booked 6" in seen(p)]
    assert len(posts) == 1 and "New revenue" in seen(posts[0])
    assert fake_slack.calls_to("chat.update") == [] and fake_slack.calls_to("chat.delete") == []
    update = next(u for u in stored(runtime) if u.author_user_id == "U0MEMB01")
    assert (update.shared_channel_id, update.shared_ts) == ("C0MKTG01", posts[0]["ts"])


def test_a_refused_share_of_a_checkin_still_stores_the_answer_and_says_why(ask, runtime, fake_slack, prompt):
    warm(ask, fake_slack, prompt)
    fake_slack.reset_calls()
    fake_slack.fail("chat.postMessage", error="not_in_channel")
    answer = shown(ask("/checkin", "Booked 6 discovery calls", user="U0MEMB01"))

    assert "could not share" in answer and "not_in_channel" in answer
    update = next(u for u in stored(runtime) if u.author_user_id == "U0MEMB01")
    assert update.text == "Booked 6 discovery calls" and update.shared_ts is None
    assert len(replies(fake_slack, prompt)) == 1  # the warm-up's copy alone
    [refused] = fake_slack.calls_to("chat.postMessage")  # not tried twice
    assert refused.args["thread_ts"] == prompt


def test_a_checkin_that_is_not_stored_is_not_shared(ask, runtime, fake_slack, prompt):
    warm(ask, fake_slack, prompt)

    answer = shown(ask("/checkin", "Booked 6 discovery calls " + "and more " * 500, user="U0MEMB01"))

    assert "keep it under" in answer
    assert len(replies(fake_slack, prompt)) == 1  # the warm-up's copy alone
    assert [u.author_user_id for u in stored(runtime)] == ["U0ADMIN1"]


def test_of_two_racing_shares_one_copy_stays_and_shows_the_last_answer(ask, runtime, fake_slack, prompt):
    warm(ask, fake_slack, prompt)
    services, team = runtime.services, fake_slack.team_id
    client = services.clients.for_team(team)
    # Two processes store the same person's answers, then share them: the later answer's share comes first.
    first = services.checkins.record(Answer(team, "U0MEMB01", "Booked 6 discovery calls", channel_id="C0MKTG01"))
    last = services.checkins.record(Answer(team, "U0MEMB01", "Booked 8 discovery calls", channel_id="C0MKTG01"))
    assert first is not None and last is not None and last.replaced
    won = services.sharing.share(client, team, last.update_id, known=last.shareable)
    lost = services.sharing.share(client, team, first.update_id, known=first.shareable)

    assert won.status == "posted" and lost.status == "updated" and lost.ts == won.ts
    posts = [p for p in replies(fake_slack, prompt) if "discovery calls" in seen(p)]
    assert [p["ts"] for p in posts] == [won.ts]
    assert "Booked 8" in seen(posts[0]) and "Booked 6" not in seen(posts[0])
    [update] = [u for u in stored(runtime) if u.author_user_id == "U0MEMB01"]
    assert update.shared_ts == won.ts and update.text == "Booked 8 discovery calls"


def test_a_replaced_checkin_keeps_one_copy_edited(ask, runtime, fake_slack, prompt):
    warm(ask, fake_slack, prompt)
    ask("/checkin", "Booked 6 discovery calls", user="U0MEMB01")
    [first] = [p for p in replies(fake_slack, prompt) if "discovery calls" in seen(p)]

    assert "Shared in" in shown(ask("/checkin", "Booked 8 discovery calls", user="U0MEMB01"))

    posts = [p for p in replies(fake_slack, prompt) if "discovery calls" in seen(p)]
    assert [p["ts"] for p in posts] == [first["ts"]]
    assert "Booked 8" in seen(posts[0])
    [update] = [u for u in stored(runtime) if u.author_user_id == "U0MEMB01"]
    assert update.shared_ts == first["ts"]


def test_a_copy_shows_the_tags_as_stored_after_the_objectives_changed(ask, runtime, fake_slack, prompt):
    warm(ask, fake_slack, prompt)
    assert "archived" in shown(ask("/objective", "archive new-revenue")).lower()
    assert "margins" in shown(ask("/objective", "add Margins | Spend less to earn more; cut hosting costs"))

    ask("/checkin", "Negotiated lower hosting costs", user="U0MEMB01")

    [post] = [p for p in replies(fake_slack, prompt) if "hosting costs" in seen(p)]
    assert "New revenue" not in seen(post) and "Margins" in seen(post)
    assert post["ts"] == next(u.shared_ts for u in stored(runtime) if u.author_user_id == "U0MEMB01")


def test_a_checkin_replacing_a_dm_answer_shared_by_this_process_edits_its_copy_without_posting(
    slack, ask, runtime, fake_slack, prompt
):
    warm(ask, fake_slack, prompt)
    dm_thread_reply(slack, runtime, fake_slack, "U0MEMB01", "Drafted the launch email", "Ev0DMCHK01")
    deadline = time.monotonic() + 5
    while not [p for p in replies(fake_slack, prompt) if "launch email" in seen(p)]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    [first] = [p for p in replies(fake_slack, prompt) if "launch email" in seen(p)]
    fake_slack.reset_calls()

    assert "Shared in" in shown(ask("/checkin", "Sent the launch email", user="U0MEMB01"))

    assert [c.args.get("thread_ts") for c in fake_slack.calls_to("chat.postMessage")] == []
    assert fake_slack.calls_to("chat.delete") == []
    [post] = [p for p in replies(fake_slack, prompt) if "launch email" in seen(p)]
    assert post["ts"] == first["ts"] and "Sent the launch email" in seen(post)


def test_a_hostile_answer_is_shared_inert_and_escaped_once_in_its_text_and_blocks(ask, runtime, fake_slack, prompt):
    ask("/checkin", SENT, user="U0MEMB01")
    [post] = replies(fake_slack, prompt)
    assert_inert(post)
    # The history shows the same text the same way.
    assert_inert(ask("/alignment", "history marketing", user="U0MEMB01"))


def test_markup_sent_by_the_form_is_shown_as_names_and_labels_not_live(slack, runtime, fake_slack, prompt):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    slack.view_submission(
        "checkin_submit",
        {"moved": {"value": TYPED}, "next": {"value": ""}},
        user_id="U0MEMB01",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    fake_slack.wait_for("chat.postEphemeral")
    [post] = replies(fake_slack, prompt)
    shown_text = assert_inert(post, typed=False)
    assert "R&amp;D" in shown_text and "@channel" in shown_text and "@cal" in shown_text and "click here" in shown_text


def test_an_answer_whose_team_was_picked_from_two_is_shared_like_any_other(ask, slack, runtime, fake_slack, prompt):
    ask("/alignment", "members sales add <@U0MEMB01>", user="U0ADMIN1")
    picker = ask("/checkin", "Booked 6 discovery calls with new prospects", user="U0MEMB01", channel="D0MEMB01")
    [marketing] = [
        e for b in picker["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "marketing"
    ]

    before = len(fake_slack.responses())
    slack.block_action(marketing["action_id"], marketing["value"], user_id="U0MEMB01", channel_id="D0MEMB01")
    answer = shown(fake_slack.wait_for_responses(before + 1)[before]["body"])

    assert "Your marketing update" in answer and "Shared in the check-in thread" in answer
    [post] = [p for p in replies(fake_slack, prompt) if "Booked 6" in seen(p)]
    [update] = stored(runtime)
    assert (update.shared_channel_id, update.shared_ts) == ("C0MKTG01", post["ts"])
