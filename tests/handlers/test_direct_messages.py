"""Direct messages to the bot: an update (asking the team first when there are several), help, or a pointer."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from storage.models import Team, TeamMember, Update
from tests.handlers.conftest import shown
from tests.hostile_text import SENT, assert_inert


@pytest.fixture
def objectives(ask, teams):
    assert "new-revenue" in shown(
        ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    )


def dm_channel(runtime, fake_slack, user: str) -> str:
    return runtime.services.clients.for_team(fake_slack.team_id).conversations_open(users=user)["channel"]["id"]


def send_dm(slack, runtime, fake_slack, user: str, text: str, event_id: str) -> tuple[str, str]:
    """Write to the bot in its DM; return (channel, ts)."""
    channel = dm_channel(runtime, fake_slack, user)
    ts = fake_slack.post_user_message(channel, user, text)
    assert (
        slack.event(
            {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "channel_type": "im"},
            event_id=event_id,
        ).status
        == 200
    )
    return channel, ts


def bot_messages(fake_slack, channel: str, count: int) -> list[dict]:
    """Wait for the bot's `count`-th message in a DM; return its messages there."""
    deadline = time.monotonic() + 5
    while True:
        mine = [m for m in fake_slack.messages(channel) if m.get("bot_id")]
        if len(mine) >= count:
            return mine
        assert time.monotonic() < deadline, f"{len(mine)} of {count} bot messages in {channel}"
        time.sleep(0.02)


def stored(runtime) -> list[Update]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Update).order_by(Update.id)))


def seen(message: dict) -> str:
    return message.get("text", "") + "\n" + json.dumps(message.get("blocks", []), ensure_ascii=False)


def test_a_dm_is_the_persons_update_confirmed_in_its_thread_and_shared(slack, runtime, fake_slack, objectives):
    runtime.services.prompts.send_prompts(fake_slack.team_id, "marketing")
    prompt = next(m for m in fake_slack.messages("C0MKTG01") if m.get("bot_id"))
    before = len([m for m in fake_slack.messages("U0MEMB01") if m.get("bot_id")])  # the DM prompt
    channel, ts = send_dm(
        slack, runtime, fake_slack, "U0MEMB01", "Booked 6 discovery calls with new prospects", "Ev0DMUPD01"
    )
    [confirmation] = [m for m in bot_messages(fake_slack, channel, before + 1) if m.get("thread_ts") == ts]
    assert "Your marketing update" in seen(confirmation) and "New revenue" in seen(confirmation)
    [update] = stored(runtime)
    assert (update.source, update.channel_id, update.message_ts) == ("dm", channel, ts)
    shared = [m for m in fake_slack.thread("C0MKTG01", prompt["ts"]) if m["ts"] != prompt["ts"]]
    assert len(shared) == 1 and "Booked 6 discovery calls" in seen(shared[0])

    # Editing the message in Slack edits the update.
    slack.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "channel_type": "im",
            "message": {"user": "U0MEMB01", "text": "Booked 7 discovery calls with new prospects", "ts": ts},
            "previous_message": {"user": "U0MEMB01", "text": "Booked 6 discovery calls with new prospects", "ts": ts},
        },
        event_id="Ev0DMUPD02",
    )
    fake_slack.wait_for("chat.update")
    assert [u.text for u in stored(runtime)] == ["Booked 7 discovery calls with new prospects"]


def test_help_and_small_talk_get_a_line_and_store_nothing(slack, runtime, fake_slack, objectives):
    channel, _ = send_dm(slack, runtime, fake_slack, "U0MEMB01", "help", "Ev0DMHLP01")
    [help_message] = bot_messages(fake_slack, channel, 1)
    assert "/checkin" in seen(help_message) and "Send me your update here" in seen(help_message)
    send_dm(slack, runtime, fake_slack, "U0MEMB01", "thanks!", "Ev0DMHLP02")
    pointer = bot_messages(fake_slack, channel, 2)[-1]
    assert pointer["text"].startswith("To check in, send me what moved forward")
    assert stored(runtime) == []


def test_someone_on_two_teams_is_asked_which_one_first(slack, runtime, fake_slack, objectives):
    with runtime.services.sessions.begin() as session:
        sales = session.scalar(select(Team).where(Team.name == "sales"))
        session.add(TeamMember(workspace_id=sales.workspace_id, team_id=sales.id, user_id="U0MEMB01"))
    channel, ts = send_dm(
        slack, runtime, fake_slack, "U0MEMB01", "Shared the pricing deck with both teams", "Ev0DMTWO01"
    )
    [question] = bot_messages(fake_slack, channel, 1)
    assert "Which team is this update for?" in seen(question) and stored(runtime) == []
    buttons = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["marketing", "sales"]

    sales_button = buttons[1]
    before = len(fake_slack.responses())
    slack.block_action(
        sales_button["action_id"], sales_button["value"], user_id="U0MEMB01", channel_id=channel, message=question
    )
    answer = fake_slack.wait_for_responses(before + 1)[before]
    assert "Your sales update" in seen(answer["body"])
    [update] = stored(runtime)
    assert update.text == "Shared the pricing deck with both teams" and update.team_id == sales.id


def test_a_button_pressed_by_someone_else_records_nothing(slack, runtime, fake_slack, objectives):
    with runtime.services.sessions.begin() as session:
        sales = session.scalar(select(Team).where(Team.name == "sales"))
        session.add(TeamMember(workspace_id=sales.workspace_id, team_id=sales.id, user_id="U0MEMB01"))
    channel, _ = send_dm(
        slack, runtime, fake_slack, "U0MEMB01", "Shared the pricing deck with both teams", "Ev0DMTWO02"
    )
    [question] = bot_messages(fake_slack, channel, 1)
    button = next(e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"])
    before = len(fake_slack.responses())
    slack.block_action(button["action_id"], button["value"], user_id="U0SELL01", channel_id=channel, message=question)
    answer = fake_slack.wait_for_responses(before + 1)[before]
    assert "gone" in seen(answer["body"]) and stored(runtime) == []


def test_someone_on_no_team_is_told_what_to_do(slack, runtime, fake_slack, objectives):
    fake_slack.add_user("U0LONER1", name="lone")
    channel, _ = send_dm(slack, runtime, fake_slack, "U0LONER1", "Wrote the quarterly board memo draft", "Ev0DMLON01")
    [warning] = bot_messages(fake_slack, channel, 1)
    assert "not on a team" in seen(warning) and stored(runtime) == []


def test_a_hostile_dm_is_quoted_inert_and_escaped_once_when_asking_which_team(slack, runtime, fake_slack, objectives):
    with runtime.services.sessions.begin() as session:
        sales = session.scalar(select(Team).where(Team.name == "sales"))
        session.add(TeamMember(workspace_id=sales.workspace_id, team_id=sales.id, user_id="U0MEMB01"))
    channel, _ = send_dm(slack, runtime, fake_slack, "U0MEMB01", SENT, "Ev0DMBAD01")
    [question] = bot_messages(fake_slack, channel, 1)
    assert_inert(question)
