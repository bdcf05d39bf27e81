"""Forged buttons and form metadata: the server checks who may act on which update, team and week."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from storage.models import CheckinCycle, Team, Update
from tests.handlers.conftest import shown


@pytest.fixture
def objectives(ask, teams):
    assert "new-revenue" in shown(ask("/objective", "add New revenue | Build pipeline"))


def updates(runtime) -> list[tuple[str, str, str]]:
    with runtime.services.sessions() as session:
        rows = session.execute(
            select(Team.name, CheckinCycle.week, Update.author_user_id)
            .join(Update, Update.team_id == Team.id)
            .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
        )
        return sorted(tuple(r) for r in rows)


def team_id(runtime, name: str) -> int:
    with runtime.services.sessions() as session:
        return session.scalar(select(Team.id).where(Team.name == name))


def test_edit_tags_of_someone_elses_update_opens_nothing(ask, slack, objectives, runtime, fake_slack):
    ask("/checkin", "Booked 6 discovery calls about our secret deal", user="U0MEMB01", channel="C0MKTG01")
    with runtime.services.sessions() as session:
        update_id = session.scalar(select(Update.id))
    before = len(fake_slack.responses())
    slack.block_action("checkin_edit_tags", str(update_id), user_id="U0SELL01", channel_id="C0SALES1")
    [answer] = fake_slack.wait_for_responses(before + 1)[before:]
    assert "Only the author" in shown(answer["body"])
    assert fake_slack.calls_to("views.open") == []
    # The admin and the author still may.
    slack.block_action("checkin_edit_tags", str(update_id), user_id="U0ADMIN1", channel_id="C0MKTG01")
    slack.block_action("checkin_edit_tags", str(update_id), user_id="U0MEMB01", channel_id="C0MKTG01")
    assert len(fake_slack.wait_for("views.open", 2)) == 2


def submit(slack, user: str, metadata: dict) -> dict:
    response = slack.view_submission(
        "checkin_submit", {"moved": {"value": "Forged update"}}, user_id=user, private_metadata=json.dumps(metadata)
    )
    assert response.status == 200
    return response.json() if response.body not in ("", "null") else {}


def test_a_forged_form_for_another_team_is_refused(slack, objectives, runtime, fake_slack):
    sales = team_id(runtime, "sales")
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    metadata = json.loads(opened.args["view"]["private_metadata"])
    answer = submit(slack, "U0MEMB01", {**metadata, "team_id": sales, "channel": "C0MKTG01"})
    assert answer["response_action"] == "errors" and "not on team sales" in answer["errors"]["moved"]
    assert updates(runtime) == []
    time.sleep(0.2)
    assert fake_slack.calls_to("chat.postEphemeral") == []


@pytest.mark.parametrize("week", ["2019-W01", "2099-W01", "garbage", "2026-W99"])
def test_a_forged_form_for_a_closed_or_future_week_is_refused(slack, objectives, runtime, fake_slack, week):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    metadata = json.loads(opened.args["view"]["private_metadata"])
    answer = submit(slack, "U0MEMB01", {**metadata, "week": week})
    assert answer["response_action"] == "errors"
    assert updates(runtime) == []


def test_the_genuine_form_still_records(slack, objectives, runtime, fake_slack):
    slack.command("/checkin", "", user_id="U0MEMB01", channel_id="C0MKTG01")
    [opened] = fake_slack.wait_for("views.open")
    metadata = json.loads(opened.args["view"]["private_metadata"])
    assert submit(slack, "U0MEMB01", metadata) == {}
    assert updates(runtime) == [("marketing", metadata["week"], "U0MEMB01")]


def test_a_forged_open_button_for_another_team_opens_nothing(slack, objectives, runtime, fake_slack):
    sales = team_id(runtime, "sales")
    before = len(fake_slack.responses())
    slack.block_action("checkin_open", f"{sales}:2019-W01", user_id="U0MEMB01", channel_id="C0MKTG01")
    [answer] = fake_slack.wait_for_responses(before + 1)[before:]
    assert "not on team sales" in shown(answer["body"])
    assert fake_slack.calls_to("views.open") == []


@pytest.mark.parametrize(
    "action, extra",
    [
        ("digest_details", {}),
        ("digest_details_pick", {"block_id": "digest_actions:notaweek"}),
    ],
)
@pytest.mark.parametrize("value", ["notaweek", "2026-W99", "../../etc"])
def test_digest_buttons_with_foreign_values_are_ignored_quietly(slack, teams, fake_slack, caplog, action, extra, value):
    fake_slack.reset_calls()
    before = len(fake_slack.responses())
    if action == "digest_details":
        response = slack.block_action(action, value, user_id="U0ADMIN1", channel_id="C0LEAD01")
    else:
        response = slack.block_action(
            action,
            None,
            user_id="U0ADMIN1",
            channel_id="C0LEAD01",
            block_id=f"digest_actions:{value}",
            action_type="static_select",
            extra={"selected_option": {"value": "marketing"}},
        )
    assert response.status == 200
    time.sleep(0.3)
    assert len(fake_slack.responses()) == before  # no "Something went wrong"
    assert fake_slack.calls_to("views.open") == []
    assert not any(r.exc_info for r in caplog.records)
