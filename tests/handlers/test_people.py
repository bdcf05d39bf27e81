"""People through the real app: members, leads, nudges, time off, holidays, several teams, local time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from storage import repositories
from storage.models import CheckinCycle, Holiday, Team, TeamLead, TimeOff, Update, UpdateTag
from tests.handlers.conftest import shown, team_rows

# Wednesday 2 December 2026, noon UTC: the "today" of these tests.
TODAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def monday(day: int, hour: int, minute: int = 1, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def today(time_machine):
    time_machine.move_to(TODAY, tick=False)
    return time_machine


def rows(runtime, model):
    with runtime.services.sessions() as session:
        return list(session.scalars(select(model)))


def dms(fake_slack, user: str) -> list[dict]:
    return fake_slack.messages(user)


def button_values(message: dict) -> list[str]:
    return [e["value"] for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


# --------------------------------------------------------------------------- members and leads


def test_admins_and_leads_choose_members_and_others_are_told_who_may(ask, runtime, teams):
    refused = shown(ask("/alignment", "members marketing add <@U0SELL01>", user="U0MEMB01"))
    assert "Only team *marketing*'s leads (none yet) and Alignbot admins" in refused
    assert team_rows(runtime)["marketing"][1] == ["U0MEMB01"]

    added = shown(ask("/alignment", "members marketing add <@U0SELL01|sol> <@U0MEMB01>", user="U0ADMIN1"))
    assert "Added to team *marketing*: <@U0SELL01>" in added and "already a member" in added
    assert team_rows(runtime)["marketing"][1] == ["U0MEMB01", "U0SELL01"]

    assert "Only Alignbot admins can choose team leads" in shown(
        ask("/alignment", "lead marketing <@U0MEMB01>", user="U0MEMB01")
    )
    assert "now leads team *marketing*" in shown(ask("/alignment", "lead marketing <@U0MEMB01>", user="U0ADMIN1"))
    assert [(lead.user_id) for lead in rows(runtime, TeamLead)] == ["U0MEMB01"]

    removed = shown(ask("/alignment", "members marketing remove <@U0SELL01>", user="U0MEMB01"))
    assert "Removed from team *marketing*: <@U0SELL01>" in removed
    assert team_rows(runtime)["marketing"][1] == ["U0MEMB01"]
    # A lead of marketing is nobody special in sales, and the refusal names sales' leads.
    assert "Only team *sales*'s leads (none yet)" in shown(
        ask("/alignment", "members sales remove <@U0SELL01>", user="U0MEMB01")
    )
    assert "led by <@U0MEMB01>" in shown(ask("/alignment", "teams", user="U0MEMB01"))


@pytest.mark.parametrize(
    "text",
    [
        "members marketing",
        "members marketing add",
        "members marketing add sol",
        "members add <@U0SELL01>",
        "members marketing invite <@U0SELL01>",
        "lead marketing",
        "lead <@U0SELL01>",
        "nudge",
    ],
)
def test_members_and_lead_input_that_does_not_parse_gets_the_usage_and_stores_nothing(ask, runtime, teams, text):
    before = team_rows(runtime)
    answer = shown(ask("/alignment", text, user="U0ADMIN1"))
    assert "Usage:" in answer and "/alignment members <team> add|remove" in answer
    assert team_rows(runtime) == before and rows(runtime, TeamLead) == []


def test_an_unknown_team_is_named_with_the_teams_there_are(ask, runtime, teams):
    answer = shown(ask("/alignment", "members legal add <@U0SELL01>", user="U0ADMIN1"))
    assert "no team called 'legal'" in answer and "marketing, sales" in answer


# --------------------------------------------------------------------------- nudges


def test_a_lead_nudges_non_responders_once_a_day_and_not_those_away(ask, runtime, teams, fake_slack, time_machine):
    time_machine.move_to(TODAY, tick=False)
    ask("/alignment", "lead sales <@U0SELL01>", user="U0ADMIN1")
    ask("/alignment", "members sales add <@U0MEMB01>", user="U0ADMIN1")
    fake_slack.add_user("U0SELL03", name="sue")
    ask("/alignment", "members sales add <@U0SELL03>", user="U0SELL01")
    assert "You're away 2026-12-07" in shown(ask("/checkin", "away 2026-12-07", user="U0SELL03", channel="D0SELL03"))
    assert "Only team *sales*'s leads (<@U0SELL01>)" in shown(ask("/alignment", "nudge sales", user="U0SELL02"))

    time_machine.move_to(monday(7, 12), tick=False)  # the sales check-in went out at 10:00
    ask("/checkin", "Closed two deals", user="U0SELL01", channel="C0SALES1")
    first = shown(ask("/alignment", "nudge sales", user="U0SELL01"))
    assert "Nudged <@U0MEMB01>, <@U0SELL02>" in first and "Away, so not nudged: <@U0SELL03>" in first
    assert [m for m in dms(fake_slack, "U0SELL02") if "sales update" in m["text"]]
    assert dms(fake_slack, "U0SELL01") == [] and dms(fake_slack, "U0SELL03") == []

    again = shown(ask("/alignment", "nudge sales", user="U0ADMIN1"))
    assert "Already nudged today (once a day): <@U0MEMB01>, <@U0SELL02>" in again
    assert len(dms(fake_slack, "U0SELL02")) == 1

    time_machine.move_to(monday(8, 9), tick=False)
    assert "Nudged <@U0MEMB01>, <@U0SELL02>" in shown(ask("/alignment", "nudge sales", user="U0SELL01"))
    assert len(dms(fake_slack, "U0SELL02")) == 2


# --------------------------------------------------------------------------- time off


def test_away_then_back(ask, runtime, teams, today):
    answer = shown(ask("/checkin", "away 2026-12-07 2026-12-09", user="U0MEMB01"))
    assert "You're away 2026-12-07 to 2026-12-09" in answer and "/checkin back" in answer
    [row] = rows(runtime, TimeOff)
    assert (row.user_id, row.first_day, row.last_day) == ("U0MEMB01", date(2026, 12, 7), date(2026, 12, 9))

    assert "Welcome back" in shown(ask("/checkin", "back", user="U0MEMB01"))
    assert rows(runtime, TimeOff) == []
    assert "no time off planned" in shown(ask("/checkin", "back", user="U0MEMB01"))


@pytest.mark.parametrize(
    "text, problem",
    [
        ("away", "Usage"),
        ("away next week", "not a date"),
        ("away 2026-12-09 2026-12-07", "before the first"),
        ("away 2026-13-01", "not a date"),
        ("away 2026-12-07 2026-12-08 2026-12-09", "Usage"),
        ("away 2026-11-30", "in the past"),
        ("away 2026-11-30 2026-12-04", "in the past"),
    ],
)
def test_time_off_that_cannot_be_used_is_refused_and_nothing_is_stored(ask, runtime, teams, today, text, problem):
    answer = shown(ask("/checkin", text, user="U0MEMB01"))
    assert problem in answer
    assert rows(runtime, TimeOff) == [] and rows(runtime, Update) == []


def test_someone_away_on_the_prompt_day_gets_no_prompt_no_reminder_and_is_not_missing(
    ask, runtime, teams, fake_slack, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    ask("/checkin", "away 2026-12-07 2026-12-09", user="U0SELL01")
    # Sales: Mondays 10:00 UTC, due 24 h later, reminder 4 h before.
    runtime.services.prompts.tick(now=monday(7, 10))
    assert len(fake_slack.messages("C0SALES1")) == 1
    assert dms(fake_slack, "U0SELL01") == [] and len(dms(fake_slack, "U0SELL02")) == 1

    time_machine.move_to(monday(7, 12), tick=False)
    status = shown(ask("/alignment", "status", user="U0ADMIN1"))
    sales = status[status.index("*sales*") :]
    assert ":palm_tree: away: <@U0SELL01>" in sales and ":hourglass: <@U0SELL02>" in sales

    runtime.services.prompts.tick(now=datetime(2026, 12, 8, 6, 30, tzinfo=UTC))
    assert dms(fake_slack, "U0SELL01") == []
    assert [m["text"] for m in dms(fake_slack, "U0SELL02")][-1].startswith("Reminder")
    digest = runtime.services.digests.build(fake_slack.team_id, "2026-W50")
    assert digest.missing["sales"] == ("U0SELL02",)


# --------------------------------------------------------------------------- holidays


def test_a_holiday_skips_the_week_for_every_team_is_listed_and_can_be_undone(
    ask, runtime, teams, fake_slack, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    assert "Only Alignbot admins can set company holidays" in shown(
        ask("/alignment", "holiday 2026-12-24 Christmas Eve", user="U0MEMB01")
    )
    added = shown(ask("/alignment", "holiday 2026-12-24 Christmas Eve", user="U0ADMIN1"))
    assert "Company holiday 2026-12-24 (Christmas Eve): no check-in in 2026-W52 for marketing, sales" in added
    assert [(h.day, h.name) for h in rows(runtime, Holiday)] == [(date(2026, 12, 24), "Christmas Eve")]

    listed = shown(ask("/alignment", "holidays", user="U0MEMB01"))
    assert "2026-12-24 Christmas Eve" in listed and "2026-W52: *marketing*" in listed and "2026-W52: *sales*" in listed

    runtime.services.prompts.tick(now=monday(21, 10))
    assert fake_slack.calls_to("chat.postMessage") == []

    assert "goes out again for *sales* 2026-W52" in shown(ask("/alignment", "unskip sales 2026-12-21", user="U0ADMIN1"))
    runtime.services.prompts.tick(now=monday(21, 10, 2))
    assert len(fake_slack.messages("C0SALES1")) == 1 and fake_slack.messages("C0MKTG01") == []
    assert "was not skipped for sales" in shown(ask("/alignment", "unskip sales 2026-12-21", user="U0ADMIN1"))


def test_a_team_made_after_a_holiday_skips_it_too_until_unskipped_for_all(
    ask, runtime, teams, fake_slack, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    ask("/alignment", "holiday 2026-12-31", user="U0ADMIN1")
    fake_slack.add_channel("C0OPS001", "ops", members=["U0MEMB01"])
    ask("/alignment", "team ops", channel="C0OPS001", user="U0ADMIN1")
    runtime.services.prompts.tick(now=monday(28, 10))
    assert fake_slack.calls_to("chat.postMessage") == []

    done = shown(ask("/alignment", "unskip all 2026-12-29", user="U0ADMIN1"))
    assert "*marketing* 2026-W53" in done and "*ops* 2026-W53" in done
    assert rows(runtime, Holiday) == []
    runtime.services.prompts.tick(now=monday(28, 10, 2))
    assert len(fake_slack.messages("C0OPS001")) == 1


@pytest.mark.parametrize(
    "text, problem",
    [
        ("holiday", "Usage"),
        ("holiday tomorrow", "not a date"),
        ("holiday 2020-12-25 Christmas", "in the past"),
        ("holiday 2026-12-25 " + "x" * 101, "under 100"),
        ("unskip 2026-12-25", "Usage"),
        ("unskip sales 2020-12-25", "in the past"),
        ("holidays please", "Usage"),
    ],
)
def test_holiday_input_that_cannot_be_used_is_refused_and_nothing_is_stored(ask, runtime, teams, today, text, problem):
    assert problem in shown(ask("/alignment", text, user="U0ADMIN1"))
    assert rows(runtime, Holiday) == [] and rows(runtime, CheckinCycle) == []


# --------------------------------------------------------------------------- several teams


def test_a_person_on_two_teams_gets_one_dm_naming_both_and_is_counted_per_team(
    ask, runtime, teams, fake_slack, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    ask("/alignment", "members sales add <@U0MEMB01>", user="U0ADMIN1")
    # Two channels, sol and sam, and mo's one DM counted for each of his two teams.
    assert runtime.services.prompts.tick(now=monday(7, 10)).sent == 6
    [dm] = dms(fake_slack, "U0MEMB01")
    assert "marketing, sales" in dm["text"]
    with runtime.services.sessions() as session:
        ids = {t.name: t.id for t in session.scalars(select(Team))}
    assert button_values(dm) == [f"{ids['marketing']}:2026-W50", f"{ids['sales']}:2026-W50"]
    assert runtime.services.prompts.tick(now=monday(7, 10, 5)).already == 6
    assert len(dms(fake_slack, "U0MEMB01")) == 1  # the next tick sends it again to nobody

    # Answering for one team leaves the other waiting: each team counts on its own.
    time_machine.move_to(monday(7, 12), tick=False)
    ask("/checkin", "Closed two deals with the webinar leads", user="U0MEMB01", channel="C0SALES1")
    status = shown(ask("/alignment", "status", user="U0ADMIN1"))
    marketing, sales = status[status.index("*marketing*") : status.index("*sales*")], status[status.index("*sales*") :]
    assert ":hourglass: <@U0MEMB01>" in marketing and "<@U0MEMB01>" in sales.split(":hourglass:")[0]

    runtime.services.prompts.tick(now=datetime(2026, 12, 8, 6, 30, tzinfo=UTC))
    reminders = [m["text"] for m in dms(fake_slack, "U0MEMB01") if m["text"].startswith("Reminder")]
    assert reminders == ["Reminder: your marketing update for 2026-W50 is due soon"]


def test_a_button_of_the_dm_for_two_teams_opens_that_teams_form(ask, slack, runtime, teams, fake_slack, time_machine):
    time_machine.move_to(TODAY, tick=False)
    ask("/alignment", "members sales add <@U0MEMB01>", user="U0ADMIN1")
    runtime.services.prompts.tick(now=monday(7, 10))
    [dm] = dms(fake_slack, "U0MEMB01")
    buttons = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    time_machine.move_to(monday(7, 20), tick=False)  # the person taps while the week is open
    slack.block_action(
        buttons[1]["action_id"], buttons[1]["value"], user_id="U0MEMB01", channel_id="D0MEMB01", message_ts=dm["ts"]
    )
    [opened] = fake_slack.wait_for("views.open")
    assert "sales" in json.dumps(opened.args["view"]["title"]) + json.dumps(opened.args["view"]["blocks"])


def test_checkin_outside_a_team_channel_asks_which_team_and_never_guesses(ask, slack, runtime, teams, fake_slack):
    ask("/alignment", "members sales add <@U0MEMB01>", user="U0ADMIN1")
    picker = ask("/checkin", "Ran the pricing webinar", user="U0MEMB01", channel="D0MEMB01")
    assert "marketing, sales" in shown(picker) and rows(runtime, Update) == []
    buttons = [e for b in picker["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["marketing", "sales"]

    before = len(fake_slack.responses())
    slack.block_action(buttons[1]["action_id"], buttons[1]["value"], user_id="U0MEMB01", channel_id="D0MEMB01")
    answer = fake_slack.wait_for_responses(before + 1)[before]["body"]
    assert "Your sales update" in shown(answer)
    [update] = rows(runtime, Update)
    assert update.text == "Ran the pricing webinar"
    with runtime.services.sessions() as session:
        assert session.get(Team, update.team_id).name == "sales"

    form = ask("/checkin", "", user="U0MEMB01", channel="C0LEAD01")
    assert [e["text"]["text"] for b in form["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "marketing update",
        "sales update",
    ]
    assert fake_slack.calls_to("views.open") == []
    # In a team's channel there is nothing to ask.
    assert "Your marketing update" in shown(
        ask("/checkin", "Drafted the launch plan", user="U0MEMB01", channel="C0MKTG01")
    )


def test_a_forged_team_pick_for_another_team_or_a_closed_week_stores_nothing(ask, slack, runtime, teams, fake_slack):
    with runtime.services.sessions() as session:
        sales = session.scalars(select(Team.id).where(Team.name == "sales")).one()
        marketing = session.scalars(select(Team.id).where(Team.name == "marketing")).one()
    before = len(fake_slack.responses())
    for team_id, week in ((sales, "2026-W49"), (marketing, "2019-W01")):  # not on sales; 2019 is long closed
        value = json.dumps({"team": team_id, "week": week, "text": "Forged answer"})
        slack.block_action("checkin_pick_team:0", value, user_id="U0MEMB01", channel_id="D0MEMB01")
    answers = [r["body"] for r in fake_slack.wait_for_responses(before + 2)[before:]]
    assert any("not on team sales" in shown(a) for a in answers)
    assert any("is closed" in shown(a) for a in answers)
    assert rows(runtime, Update) == []


# --------------------------------------------------------------------------- local time


def test_a_local_time_schedule_prompts_each_member_at_that_time_in_their_own_zone_across_dst(
    ask, runtime, teams, fake_slack, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    fake_slack.add_user("U0NYC001", name="nina", tz="America/New_York")
    fake_slack.add_user("U0BER001", name="bernd", tz="Europe/Berlin")
    ask("/alignment", "members marketing add <@U0NYC001> <@U0BER001>", user="U0ADMIN1")
    ask("/alignment", "prompts marketing dm", user="U0ADMIN1")
    answer = shown(ask("/alignment", "schedule marketing mon 09:00 local", user="U0ADMIN1"))
    assert "in their own Slack time zone" in answer
    with runtime.services.sessions() as session:
        assert session.scalar(select(Team.local_time).where(Team.name == "marketing"))

    marketing = {"U0MEMB01", "U0NYC001", "U0BER001", "C0MKTG01"}

    # 15 March 2027: New York is on summer time (UTC-4) since the 14th, Berlin not until the 28th (UTC+1).
    def prompted_at(hour: int, minute: int) -> set[str]:
        runtime.services.prompts.tick(now=datetime(2027, 3, 15, hour, minute, tzinfo=UTC))
        return {c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")} & marketing

    assert prompted_at(7, 59) == set()
    assert prompted_at(8, 0) == {"U0BER001"}
    assert prompted_at(9, 0) == {"U0BER001", "U0MEMB01"}  # U0MEMB01's Slack zone is UTC
    assert prompted_at(12, 59) == {"U0BER001", "U0MEMB01"}
    assert prompted_at(13, 0) == {"U0BER001", "U0MEMB01", "U0NYC001"}

    # Late March: Berlin moved to summer time (UTC+2), so 09:00 there is 07:00 UTC.
    fake_slack.reset_calls()
    runtime.services.prompts.tick(now=datetime(2027, 3, 29, 7, 0, tzinfo=UTC))
    assert {c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")} & marketing == {"U0BER001"}


# --------------------------------------------------------------------------- the settings form


def settings_state(**overrides):
    """Return the form's values as Slack sends them, for marketing, with `overrides`."""
    values = {
        "channel": {"type": "conversations_select", "selected_conversation": "C0MKTG01"},
        "weekday": {"type": "static_select", "selected_option": {"value": "2"}},
        "time": {"type": "timepicker", "selected_time": "14:30"},
        "timezone": {"type": "static_select", "selected_option": {"value": "Europe/Berlin"}},
        "deadline": {"type": "static_select", "selected_option": {"value": "48"}},
        "reminder": {"type": "static_select", "selected_option": {"value": "8"}},
        "mode": {"type": "radio_buttons", "selected_option": {"value": "dm"}},
        "members": {"type": "multi_users_select", "selected_users": ["U0MEMB01", "U0SELL01"]},
        "leads": {"type": "multi_users_select", "selected_users": ["U0SELL01"]},
    }
    values.update(overrides)
    return {block: {"value": value} for block, value in values.items()}


def marketing(runtime) -> Team:
    with runtime.services.sessions() as session:
        return session.scalar(select(Team).where(Team.name == "marketing"))


def test_the_settings_form_shows_the_teams_settings_and_saves_them_all_at_once(slack, ask, runtime, teams, fake_slack):
    ask("/alignment", "lead marketing <@U0MEMB01>", user="U0ADMIN1")
    assert "Only Alignbot admins can change team settings" in shown(
        ask("/alignment", "settings marketing", user="U0MEMB01")
    )
    assert fake_slack.calls_to("views.open") == []

    assert slack.command("/alignment", "settings marketing", user_id="U0ADMIN1", channel_id="C0MKTG01").status == 200
    [opened] = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["channel"]["type"] == "conversations_select"
    assert elements["channel"]["initial_conversation"] == "C0MKTG01"
    assert elements["weekday"]["initial_option"]["value"] == "0"
    assert elements["time"] == {**elements["time"], "type": "timepicker", "initial_time": "10:00"}
    assert elements["timezone"]["initial_option"]["value"] == "UTC"
    assert elements["mode"]["type"] == "radio_buttons" and elements["mode"]["initial_option"]["value"] == "both"
    assert elements["members"]["initial_users"] == ["U0MEMB01"] and elements["leads"]["initial_users"] == ["U0MEMB01"]
    assert elements["share"]["type"] == "checkboxes" and elements["share"]["initial_options"][0]["value"] == "share"

    unshared = {"share": {"type": "checkboxes", "selected_options": []}}
    submitted = slack.view_submission(
        "team_settings_submit",
        settings_state(**unshared),
        user_id="U0ADMIN1",
        private_metadata=view["private_metadata"],
    )
    assert submitted.status == 200 and submitted.body in ("", "null")
    team = marketing(runtime)
    assert (team.prompt_weekday, team.prompt_time, team.timezone, team.local_time) == (
        2,
        "14:30",
        "Europe/Berlin",
        False,
    )
    assert (team.deadline_hours, team.reminder_hours, team.prompt_mode, team.share_answers) == (48, 8, "dm", False)
    assert team_rows(runtime)["marketing"] == ("C0MKTG01", ["U0MEMB01", "U0SELL01"])
    assert [lead.user_id for lead in rows(runtime, TeamLead)] == ["U0SELL01"]
    [told] = fake_slack.wait_for("chat.postEphemeral")
    assert "Saved team *marketing*" in told.args["text"] and "Wednesdays 14:30 (Europe/Berlin)" in told.args["text"]

    # Typed commands keep working on what the form saved.
    assert "Wednesdays 14:30 (Europe/Berlin), by DM, due after 12 h, reminder 8 h before" in shown(
        ask("/alignment", "deadline marketing 12h", user="U0ADMIN1")
    )
    assert marketing(runtime).deadline_hours == 12


def test_the_settings_form_takes_each_members_own_zone(slack, ask, runtime, teams, fake_slack):
    assert slack.command("/alignment", "settings marketing", user_id="U0ADMIN1", channel_id="C0MKTG01").status == 200
    [opened] = fake_slack.wait_for("views.open")
    slack.view_submission(
        "team_settings_submit",
        settings_state(timezone={"type": "static_select", "selected_option": {"value": "local"}}),
        user_id="U0ADMIN1",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    team = marketing(runtime)
    assert team.local_time and team.timezone is None  # the channel keeps the team's zone (the default)
    assert "each member's own time zone" in shown(ask("/alignment", "teams", user="U0MEMB01"))


@pytest.mark.parametrize(
    "overrides, block",
    [
        ({"reminder": {"type": "static_select", "selected_option": {"value": "48"}}}, "reminder"),
        ({"channel": {"type": "conversations_select", "selected_conversation": "D0MEMB01"}}, "channel"),
        ({"channel": {"type": "conversations_select", "selected_conversation": "C0SALES1"}}, "channel"),
        ({"time": {"type": "timepicker", "selected_time": None}}, "time"),
        ({"weekday": {"type": "static_select", "selected_option": {"value": "9"}}}, "weekday"),
        ({"timezone": {"type": "static_select", "selected_option": {"value": "Mars/Olympus"}}}, "timezone"),
    ],
)
def test_the_settings_form_shows_what_is_wrong_inside_it_and_saves_nothing(
    slack, ask, runtime, teams, fake_slack, overrides, block
):
    assert slack.command("/alignment", "settings marketing", user_id="U0ADMIN1", channel_id="C0MKTG01").status == 200
    [opened] = fake_slack.wait_for("views.open")
    response = slack.view_submission(
        "team_settings_submit",
        settings_state(**overrides),
        user_id="U0ADMIN1",
        private_metadata=opened.args["view"]["private_metadata"],
    )
    assert response.json()["response_action"] == "errors" and block in response.json()["errors"]
    team = marketing(runtime)
    assert (team.prompt_weekday, team.prompt_time, team.deadline_hours, team.prompt_mode) == (0, "10:00", 24, "both")
    assert team_rows(runtime)["marketing"] == ("C0MKTG01", ["U0MEMB01"]) and rows(runtime, TeamLead) == []


def test_a_member_cannot_save_the_form_even_by_forging_it(slack, runtime, teams):
    response = slack.view_submission(
        "team_settings_submit",
        settings_state(),
        user_id="U0MEMB01",
        private_metadata=json.dumps({"team_id": marketing(runtime).id}),
    )
    assert "Only Alignbot admins" in response.json()["errors"]["channel"]
    assert marketing(runtime).prompt_time == "10:00"


# --------------------------------------------------------------------------- App Home


def home_of(slack, fake_slack, user: str) -> dict:
    before = len(fake_slack.calls_to("views.publish"))
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME01", "tab": "home"})
    fake_slack.wait_for("views.publish", before + 1)
    return fake_slack.home(user)


def test_app_home_shows_every_team_time_off_with_date_pickers_and_admin_settings(
    slack, ask, runtime, teams, fake_slack, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    ask("/alignment", "members sales add <@U0MEMB01>", user="U0ADMIN1")
    ask("/checkin", "away 2026-12-07 2026-12-09", user="U0MEMB01")
    home = home_of(slack, fake_slack, "U0MEMB01")
    text = json.dumps(home)
    assert "*marketing*" in text and "*sales*" in text and "team_settings_open" not in text
    pickers = {
        e["action_id"]: e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "datepicker"
    }
    [(first_id, first)] = [(k, v) for k, v in pickers.items() if k.startswith("time_off_first:")]
    assert first["initial_date"] == "2026-12-07" and "time_off_add" in pickers

    # Moving the last day changes the stored time off, and the home shows it.
    away_id = first_id.split(":")[1]
    slack.block_action(
        f"time_off_last:{away_id}",
        user_id="U0MEMB01",
        action_type="datepicker",
        extra={"selected_date": "2026-12-11"},
        view={"id": "VHOME", "type": "home"},
    )
    fake_slack.wait_for("views.publish", 2)
    [row] = rows(runtime, TimeOff)
    assert (row.first_day, row.last_day) == (date(2026, 12, 7), date(2026, 12, 11))

    # A day in the past is refused on the home itself; nothing changes.
    slack.block_action(
        "time_off_add",
        user_id="U0MEMB01",
        action_type="datepicker",
        extra={"selected_date": "2026-11-20"},
        view={"id": "VHOME", "type": "home"},
    )
    fake_slack.wait_for("views.publish", 3)
    assert "in the past" in json.dumps(fake_slack.home("U0MEMB01")) and len(rows(runtime, TimeOff)) == 1

    slack.block_action(
        f"time_off_cancel:{away_id}", str(away_id), user_id="U0MEMB01", view={"id": "VHOME", "type": "home"}
    )
    fake_slack.wait_for("views.publish", 4)
    assert rows(runtime, TimeOff) == []

    admin = json.dumps(home_of(slack, fake_slack, "U0ADMIN1"))
    assert "team_settings_open" in admin and "marketing" in admin and "sales" in admin


def test_the_admin_button_on_app_home_opens_the_settings_form(slack, ask, runtime, teams, fake_slack):
    home = home_of(slack, fake_slack, "U0ADMIN1")
    [button] = [
        e
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("team_settings_open") and e["text"]["text"] == "sales"
    ]
    slack.block_action(button["action_id"], button["value"], user_id="U0ADMIN1", view={"id": "VHOME", "type": "home"})
    [opened] = fake_slack.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "team_settings_submit"
    assert "sales" in json.dumps(opened.args["view"]["blocks"])


def test_a_share_button_that_names_no_team_asks_which_one(slack, ask, runtime, teams, fake_slack):
    ask("/alignment", "members sales add <@U0MEMB01>", user="U0ADMIN1")
    before = len(fake_slack.responses())
    slack.block_action("checkin_open", "", user_id="U0MEMB01", channel_id="D0MEMB01")
    answer = fake_slack.wait_for_responses(before + 1)[before]["body"]
    assert [e["text"]["text"] for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "marketing update",
        "sales update",
    ]
    assert fake_slack.calls_to("views.open") == []


def test_time_off_that_overlaps_or_touches_becomes_one_stretch(ask, runtime, teams, today):
    ask("/checkin", "away 2026-12-07 2026-12-09", user="U0MEMB01")
    ask("/checkin", "away 2026-12-14", user="U0MEMB01")
    answer = shown(ask("/checkin", "away 2026-12-10 2026-12-13", user="U0MEMB01"))
    assert "Your time off: 2026-12-07 to 2026-12-14." in answer
    [row] = rows(runtime, TimeOff)
    assert (row.first_day, row.last_day) == (date(2026, 12, 7), date(2026, 12, 14))
    ask("/checkin", "away 2026-12-24 2026-12-26", user="U0MEMB01")
    assert len(rows(runtime, TimeOff)) == 2


def test_a_lead_fixes_their_teams_tags_and_nobody_else_s(slack, ask, runtime, teams, fake_slack):
    ask("/objective", "add Margins | Spend less to earn more", user="U0ADMIN1")
    ask("/alignment", "lead marketing <@U0SELL02>", user="U0ADMIN1")
    ask("/checkin", "Refreshed the brand colours", user="U0MEMB01", channel="C0MKTG01")
    ask("/checkin", "Closed two deals", user="U0SELL01", channel="C0SALES1")
    ids = {u.author_user_id: u.id for u in rows(runtime, Update)}

    def fix(update_id: int, user: str):
        return slack.view_submission(
            "checkin_tags_submit",
            {"objectives": {"value": ["margins"]}},
            user_id=user,
            private_metadata=json.dumps({"update_id": update_id}),
        )

    refused = fix(ids["U0SELL01"], "U0SELL02")  # a lead of marketing, not of sales
    assert "its team's leads" in refused.json()["errors"]["objectives"]
    assert fix(ids["U0MEMB01"], "U0SELL02").body in ("", "null")
    tagged = {(t.update_id, t.source) for t in rows(runtime, UpdateTag)}
    assert (ids["U0MEMB01"], "manual") in tagged and (ids["U0SELL01"], "manual") not in tagged


def test_a_team_too_big_for_the_members_picker_keeps_its_members_when_the_form_is_saved(
    slack, ask, runtime, teams, fake_slack
):
    crowd = [f"U0C{i:05d}" for i in range(105)]
    with runtime.services.sessions.begin() as session:
        repositories.set_members(session, session.scalar(select(Team).where(Team.name == "marketing")), crowd)
    assert slack.command("/alignment", "settings marketing", user_id="U0ADMIN1", channel_id="C0MKTG01").status == 200
    [opened] = fake_slack.wait_for("views.open")
    blocks = {b.get("block_id"): b for b in opened.args["view"]["blocks"]}
    assert "members" not in blocks and "105, too many for a picker" in json.dumps(opened.args["view"]["blocks"])
    state = settings_state()
    del state["members"]
    response = slack.view_submission(
        "team_settings_submit", state, user_id="U0ADMIN1", private_metadata=opened.args["view"]["private_metadata"]
    )
    assert response.body in ("", "null")
    assert team_rows(runtime)["marketing"][1] == sorted(crowd) and marketing(runtime).prompt_time == "14:30"
