"""The handoff loop through the real app: detection, the ask in the receiving channel, each button,
the why form, the reminder, the digest section and JSON, and the App Home."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.blocks.digest import details_modal
from bot.cli import main
from bot.fakeslack.blockkit import validate_view
from storage.models import Handoff
from tests.handlers.conftest import shown
from tests.hostile_text import SENT, assert_inert

WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # 2026-W10
WEEK = "2026-W10"


@pytest.fixture
def week(time_machine):
    time_machine.move_to(WEDNESDAY)
    return WEEK


@pytest.fixture
def handed(ask, teams, week, runtime, fake_slack):
    """Marketing hands its webinar leads to sales with /checkin; the clock posts the ask."""
    answer = ask(
        "/checkin", "Handed the 40 best webinar leads to sales with notes", user="U0MEMB01", channel="C0MKTG01"
    )
    assert "Your marketing update" in shown(answer)
    runtime.services.handoffs.tick()
    [handoff] = stored(runtime)
    return handoff


def stored(runtime) -> list[Handoff]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Handoff).order_by(Handoff.id)))


def posts(fake_slack, channel="C0SALES1") -> list[dict]:
    return [m for m in fake_slack.messages(channel) if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]


def buttons(message: dict) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in message.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]


def click(slack, fake_slack, action: str, handoff: Handoff, user: str = "U0SELL01"):
    [message] = posts(fake_slack)
    response = slack.block_action(action, str(handoff.id), user_id=user, channel_id="C0SALES1", message=message)
    assert response.status == 200
    return message


def test_a_handoff_is_asked_once_in_the_receiving_channel_with_three_buttons(handed, runtime, fake_slack, ask):
    assert (handed.state, handed.author_user_id, handed.kind) == ("open", "U0MEMB01", "handoff")
    [message] = posts(fake_slack)
    text = json.dumps(message["blocks"])
    assert "marketing" in text and "Handed the 40 best webinar leads to sales" in text and "<@U0MEMB01>" in text
    assert buttons(message) == [
        ("handoff_picked_up", str(handed.id)),
        ("handoff_need_more", str(handed.id)),
        ("handoff_not_useful", str(handed.id)),
    ]
    assert posts(fake_slack, "C0MKTG01") == []

    # Editing the update, running the clock again or replaying the command never asks again.
    ask("/checkin", "Handed the 40 best webinar leads to sales, with call notes", user="U0MEMB01", channel="C0MKTG01")
    runtime.services.handoffs.tick()
    runtime.services.handoffs.tick()
    assert len(posts(fake_slack)) == 1 and len(stored(runtime)) == 1
    assert fake_slack.calls_to("chat.update") == []


def test_mentioning_a_team_asks_nobody(ask, teams, week, runtime, fake_slack):
    ask("/checkin", "Joined the sales team dinner; sales had a record week", user="U0MEMB01", channel="C0MKTG01")
    runtime.services.handoffs.tick()
    assert stored(runtime) == [] and posts(fake_slack) == []


def test_several_handoffs_from_one_team_in_a_week_share_one_message(handed, ask, runtime, fake_slack):
    answer = ask("/initiative", "add Send sales the Routewise battlecard", user="U0MEMB01", channel="C0MKTG01")
    assert "Routewise" in shown(answer)
    runtime.services.handoffs.tick()
    first, second = stored(runtime)
    assert second.initiative_id is not None and second.update_id is None
    [message] = posts(fake_slack)
    assert [v for a, v in buttons(message) if a == "handoff_picked_up"] == [str(first.id), str(second.id)]
    assert "2 things" in json.dumps(message["blocks"])
    runtime.services.handoffs.tick()
    assert len(posts(fake_slack)) == 1 and len(fake_slack.calls_to("chat.update")) == 1


def test_picked_up_is_recorded_shown_on_the_message_and_told_to_the_author(handed, slack, runtime, fake_slack):
    click(slack, fake_slack, "handoff_picked_up", handed)
    fake_slack.wait_for("chat.update")
    [row] = stored(runtime)
    assert (row.state, row.answered_by) == ("picked_up", "U0SELL01") and row.answered_at is not None
    [message] = posts(fake_slack)
    assert "Picked up by <@U0SELL01>, Wed" in json.dumps(message["blocks"])
    assert buttons(message) == []
    [dm] = fake_slack.wait_for("chat.postMessage", count=2)[1:]
    assert dm.args["channel"] == "U0MEMB01" and "picked up" in dm.args["text"]

    # A second click (or Slack's retry of it) changes nothing and tells nobody twice.
    click_again = slack.block_action(
        "handoff_picked_up", str(handed.id), user_id="U0SELL01", channel_id="C0SALES1", message_ts=message["ts"]
    )
    assert click_again.status == 200
    assert len(fake_slack.messages("U0MEMB01")) == 1


@pytest.mark.parametrize(
    "action, state, label, told",
    [
        ("handoff_not_useful", "not_useful", "Not useful", "<@U0SELL01> from *sales* found no use for your handoff"),
        ("handoff_need_more", "need_more", "Need more", "<@U0SELL01> from *sales* needs more on your handoff"),
    ],
)
def test_need_more_and_not_useful_ask_why_in_a_one_line_form(
    handed, slack, runtime, fake_slack, action, state, label, told
):
    click(slack, fake_slack, action, handed)
    [opened] = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "handoff_why" and view["title"]["text"] == label

    empty = slack.view_submission(
        "handoff_why", {"why": {"value": "  "}}, user_id="U0SELL01", private_metadata=view["private_metadata"]
    )
    assert "why" in empty.json()["errors"]
    assert stored(runtime)[0].state == "open"

    done = slack.view_submission(
        "handoff_why",
        {"why": {"value": "We wrote our own list last week"}},
        user_id="U0SELL01",
        private_metadata=view["private_metadata"],
    )
    assert done.status == 200 and done.body in ("", "null")
    [row] = stored(runtime)
    assert (row.state, row.answered_by, row.reason) == (state, "U0SELL01", "We wrote our own list last week")
    fake_slack.wait_for("chat.update")
    [message] = posts(fake_slack)
    assert f"{label} by <@U0SELL01>, Wed: “We wrote our own list last week”" in json.dumps(
        message["blocks"], ensure_ascii=False
    )
    # Need more keeps the buttons: the team can still pick it up once it has what it needs.
    assert bool(buttons(message)) == (state == "need_more")
    [dm] = fake_slack.wait_for("chat.postMessage", count=2)[1:]
    assert dm.args["channel"] == "U0MEMB01"
    assert dm.args["text"].startswith(told) and "We wrote our own list last week" in dm.args["text"]
    fake_slack.wait_for("chat.postMessage", count=2)
    assert "We wrote our own list last week" in fake_slack.messages("U0MEMB01")[0]["text"]


THURSDAY = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("action, label", [("handoff_picked_up", "Picked up"), ("handoff_not_useful", "Not useful")])
def test_an_answer_keeps_the_moment_its_button_was_pressed(
    handed, slack, runtime, fake_slack, time_machine, action, label
):
    """Slack stamps the click (action_ts): an answer handled later still says the day it was given."""
    [message] = posts(fake_slack)
    time_machine.move_to(datetime(2026, 3, 6, 9, 0, tzinfo=UTC))  # handled on Friday
    slack.block_action(
        action,
        str(handed.id),
        user_id="U0SELL01",
        channel_id="C0SALES1",
        message=message,
        extra={"action_ts": f"{THURSDAY.timestamp():.6f}"},
    )
    if action == "handoff_not_useful":
        [opened] = fake_slack.wait_for("views.open")
        slack.view_submission(
            "handoff_why",
            {"why": {"value": "We wrote our own"}},
            user_id="U0SELL01",
            private_metadata=opened.args["view"]["private_metadata"],
        )
    fake_slack.wait_for("chat.update")
    [row] = stored(runtime)
    assert row.answered_at == THURSDAY
    [message] = posts(fake_slack)
    assert f"{label} by <@U0SELL01>, Thu" in json.dumps(message["blocks"])


def test_only_the_receiving_team_or_an_admin_answers(handed, slack, runtime, fake_slack):
    before = len(fake_slack.responses())
    click(slack, fake_slack, "handoff_picked_up", handed, user="U0MEMB01")
    answer = fake_slack.wait_for_responses(before + 1)[before]
    assert "Only members of sales" in answer["body"]["text"]
    assert stored(runtime)[0].state == "open"

    click(slack, fake_slack, "handoff_picked_up", handed, user="U0ADMIN1")
    fake_slack.wait_for("chat.update")
    assert stored(runtime)[0].answered_by == "U0ADMIN1"


@pytest.mark.parametrize("action", ["handoff_need_more", "handoff_not_useful"])
def test_a_why_form_opens_only_for_who_may_answer(handed, slack, runtime, fake_slack, action):
    """A forged button from someone outside the receiving team shows them nothing of the update."""
    fake_slack.add_user("U0NOSY01", name="nosy")
    before = len(fake_slack.responses())
    response = slack.block_action(action, str(handed.id), user_id="U0NOSY01", channel_id="C0MKTG01")
    assert response.status == 200
    answer = fake_slack.wait_for_responses(before + 1)[before]
    assert "Only members of sales" in answer["body"]["text"]
    assert "webinar leads" not in json.dumps(answer["body"])
    assert fake_slack.calls_to("views.open") == []


def test_an_open_handoff_gets_one_reminder_in_the_thread_after_three_working_days(
    handed, runtime, fake_slack, time_machine
):
    [message] = posts(fake_slack)
    time_machine.move_to(datetime(2026, 3, 6, 18, 0, tzinfo=UTC))  # Friday: two working days
    assert runtime.services.handoffs.tick().reminded == 0
    time_machine.move_to(datetime(2026, 3, 9, 10, 5, tzinfo=UTC))  # Monday: three
    assert runtime.services.handoffs.tick().reminded == 1
    assert runtime.services.handoffs.tick().reminded == 0
    [parent, reminder] = fake_slack.thread("C0SALES1", message["ts"])
    assert "Still open after 3 working days" in reminder["text"]
    assert [a for a, _ in buttons(reminder)] == ["handoff_picked_up", "handoff_need_more", "handoff_not_useful"]


def test_an_answered_handoff_gets_no_reminder(handed, slack, runtime, fake_slack, time_machine):
    click(slack, fake_slack, "handoff_picked_up", handed)
    fake_slack.wait_for("chat.update")
    time_machine.move_to(datetime(2026, 3, 12, 10, 0, tzinfo=UTC))
    assert runtime.services.handoffs.tick().reminded == 0


def test_the_digest_shows_handoffs_and_picked_up_is_no_one_way_handoff(
    handed, ask, slack, runtime, fake_slack, monkeypatch, tmp_path, capsys, database_url
):
    ask("/checkin", "Booked 5 discovery calls with new prospects", user="U0SELL02", channel="C0SALES1")
    before = runtime.services.digests.build(fake_slack.team_id, WEEK)
    assert [f.teams for f in before.report.findings if f.kind == "one_way_handoff"] == [("marketing", "sales")]
    assert "Open for 0 days" in "\n".join(before.handoffs.lines())

    click(slack, fake_slack, "handoff_picked_up", handed)
    fake_slack.wait_for("chat.update")
    after = runtime.services.digests.build(fake_slack.team_id, WEEK)
    assert not [f for f in after.report.findings if f.kind == "one_way_handoff"]
    lines = "\n".join(after.handoffs.lines())
    assert "Picked up by <@U0SELL01>" in lines and "marketing → sales: 1 handed, 1 picked up" in lines
    details = details_modal(after)
    assert validate_view(details) == [] and "*Handoffs*" in json.dumps(details["blocks"])

    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["digest", "--team-id", fake_slack.team_id, "--week", WEEK, "--format", "json"]) == 0
    digest = json.loads(capsys.readouterr().out)
    assert digest["handoffs"] == [
        {
            "from": "marketing",
            "to": "sales",
            "update": str(handed.update_id),
            "state": "picked_up",
            "by": "U0SELL01",
            "age_days": 0,
            "kind": "handoff",
            "reason": None,
        }
    ]
    assert digest["handoffs"][0]["update"] in {u["id"] for u in digest["updates"]}
    assert digest["handoff_pairs"] == [
        {"from": "marketing", "to": "sales", "handed": 1, "picked_up": 1, "need_more": 0, "not_useful": 0}
    ]
    assert main(["digest", "--team-id", fake_slack.team_id, "--week", WEEK]) == 0
    text = capsys.readouterr().out
    assert "Handoffs\n- marketing → sales" in text
    # A terminal shows plain text, not Slack's markup, and people by name.
    section = text[text.index("Handoffs\n") :]
    assert "Picked up by sol, Wed" in section and "- Last 4 weeks: marketing → sales: 1 handed" in section
    assert not re.search(r"<@|:[a-z_]+:|_Last", section)


def test_not_useful_with_its_reason_is_in_the_posted_digest(handed, ask, slack, runtime, fake_slack):
    ask("/alignment", "leadership", channel="C0LEAD01", user="U0ADMIN1")
    click(slack, fake_slack, "handoff_not_useful", handed)
    [opened] = fake_slack.wait_for("views.open")
    slack.view_submission(
        "handoff_why",
        {"why": {"value": "Those leads were students"}},
        user_id="U0SELL02",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    fake_slack.wait_for("chat.update")
    assert runtime.services.digests.post(fake_slack.team_id, WEEK).outcome.status == "sent"
    [digest] = [m for m in fake_slack.messages("C0LEAD01") if m.get("blocks")]
    text = json.dumps(digest["blocks"], ensure_ascii=False)
    assert (
        "*Handoffs*" in text
        and "Not useful by sam" in text
        and "<@" not in text
        and "Those leads were students" in text
    )


def test_the_app_home_shows_the_teams_open_handoffs_with_the_same_buttons(handed, slack, runtime, fake_slack):
    slack.event({"type": "app_home_opened", "user": "U0SELL02", "tab": "home"})
    fake_slack.wait_for("views.publish")
    home = fake_slack.home("U0SELL02")
    assert "Handed to sales" in json.dumps(home["blocks"])
    assert ("handoff_need_more", str(handed.id)) in buttons(home)

    slack.block_action("handoff_need_more", str(handed.id), user_id="U0SELL02", view=home)
    [opened] = fake_slack.wait_for("views.open")
    slack.view_submission(
        "handoff_why",
        {"why": {"value": "Which ones attended?"}},
        user_id="U0SELL02",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    fake_slack.wait_for("views.publish", count=2)
    assert stored(runtime)[0].state == "need_more"
    # Need more stays on the Home tab until someone picks it up.
    home = fake_slack.home("U0SELL02")
    assert "Which ones attended?" in json.dumps(home["blocks"])

    slack.block_action("handoff_picked_up", str(handed.id), user_id="U0SELL02", view=home)
    fake_slack.wait_for("views.publish", count=3)
    assert "Handed to sales" not in json.dumps(fake_slack.home("U0SELL02")["blocks"])
    assert stored(runtime)[0].state == "picked_up"


def test_an_edit_before_the_clock_posts_can_take_the_handoff_back(ask, teams, week, runtime, fake_slack):
    ask("/checkin", "Handed the webinar leads to sales", user="U0MEMB01", channel="C0MKTG01")
    assert len(stored(runtime)) == 1
    ask("/checkin", "Scored the webinar leads; next week they go out", user="U0MEMB01", channel="C0MKTG01")
    runtime.services.handoffs.tick()
    assert stored(runtime) == [] and posts(fake_slack) == []


def test_handoffs_to_a_team_mapped_later_are_asked_in_its_channel(ask, teams, week, runtime, fake_slack):
    fake_slack.add_channel("C0OPS001", "ops", members=["U0SELL02"])
    ask("/checkin", "Sent ops the new rate card", user="U0MEMB01", channel="C0MKTG01")
    assert stored(runtime) == []  # no team called ops yet: nobody to ask
    assert "now team" in shown(ask("/alignment", "team ops", channel="C0OPS001"))
    ask("/checkin", "Sent ops the new rate card, with the fuel surcharge", user="U0MEMB01", channel="C0MKTG01")
    [handoff] = stored(runtime)
    assert runtime.services.handoffs.tick().posted == 1
    [message] = posts(fake_slack, "C0OPS001")
    assert ("handoff_picked_up", str(handoff.id)) in buttons(message)


def test_handing_work_to_a_member_of_a_team_is_a_handoff_to_that_team(ask, teams, week, runtime, fake_slack):
    ask("/checkin", "Passed the renewal list to <@U0SELL01> for the QBRs", user="U0MEMB01", channel="C0MKTG01")
    [handoff] = stored(runtime)
    assert runtime.services.handoffs.tick().posted == 1
    assert [m for m in posts(fake_slack) if ("handoff_picked_up", str(handoff.id)) in buttons(m)]


def test_a_button_naming_no_handoff_of_this_workspace_says_so_and_stores_nothing(handed, slack, runtime, fake_slack):
    before = len(fake_slack.responses())
    [message] = posts(fake_slack)
    slack.block_action(
        "handoff_picked_up", str(handed.id + 1000), user_id="U0SELL01", channel_id="C0SALES1", message=message
    )
    answer = fake_slack.wait_for_responses(before + 1)[before]
    assert "no longer exists" in answer["body"]["text"]
    assert stored(runtime)[0].state == "open"


def test_a_hostile_handoff_shows_inert_and_escaped_once_wherever_it_is_quoted(
    ask, teams, week, slack, runtime, fake_slack, cli_env, capsys
):
    ask("/checkin", SENT, user="U0MEMB01", channel="C0MKTG01")
    runtime.services.handoffs.tick()
    [handoff] = stored(runtime)
    [message] = posts(fake_slack)
    assert_inert(message)

    slack.event({"type": "app_home_opened", "user": "U0SELL02", "tab": "home"})
    fake_slack.wait_for("views.publish")
    assert_inert(fake_slack.home("U0SELL02"))

    slack.block_action("handoff_need_more", str(handoff.id), user_id="U0SELL02", channel_id="C0SALES1", message=message)
    [opened] = fake_slack.wait_for("views.open")
    assert_inert(opened.args["view"])
    slack.view_submission(
        "handoff_why",
        {"why": {"value": "Which <!here> R&D?"}},
        user_id="U0SELL02",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    fake_slack.wait_for("chat.update")
    [dm] = [m for m in fake_slack.messages("U0MEMB01") if "handoff" in m["text"]]
    assert "Which &lt;!here&gt; R&amp;D?" in assert_inert(dm)

    report = assert_inert(ask("/alignment", "report"), typed=False)
    handoffs = report[report.index("*Handoffs*") :]
    assert "R&amp;D" in handoffs and "&lt;!channel&gt;" in handoffs and "Need more by sam" in handoffs

    assert main(["digest", "--team-id", fake_slack.team_id, "--week", WEEK, "--format", "text"]) == 0
    text = capsys.readouterr().out
    section = text[text.index("Handoffs\n") :]
    assert "R&D notes <!channel>" in section and "Need more by sam" in section, section
    assert "\u202e" not in text and "\u200b" not in text and "&amp;" not in text
