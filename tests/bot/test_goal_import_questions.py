"""After `alignbot org import`, each lead is asked by DM about their team's goals whose links are unsure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from storage import repositories
from storage.models import Goal, GoalObjective, Objective, Team, TeamLead

# Against these objectives the lexicon is unsure of the summit, the meetup and the dinner, sure of the rest.
ORG = """\
teams:
  - name: marketing
    goals:
      - title: Run the partner summit in Lisbon
      - title: Close new customers from qualified pipeline
      - title: Brand refresh with a new logo
        serves: []
      - title: Sponsor the Berlin design meetup
  - name: sales
    goals:
      - title: Host the customer advisory board dinner
  - name: ops
    goals:
      - title: Repaint the warehouse floor markings
objectives:
  - key: new-revenue
    title: New revenue
    description: Build qualified pipeline and close new customers
  - key: margins
    title: Margins
    description: Reduce cost of sales and hosting
  - key: hiring
    title: Hiring
    description: Hire and onboard engineers
"""
SUMMIT, MEETUP, DINNER = (
    "Run the partner summit in Lisbon",
    "Sponsor the Berlin design meetup",
    "Host the customer advisory board dinner",
)


@pytest.fixture
def leads(cli_env, monkeypatch, fake_slack, runtime):
    """Marketing led by lee, sales by sam; no ALIGNBOT_ADMINS unless a test sets it."""
    monkeypatch.delenv("ALIGNBOT_ADMINS", raising=False)
    for name in ("URL", "MODEL", "API_KEY", "MODE", "TIMEOUT", "MAX_PER_DAY"):
        monkeypatch.delenv(f"ALIGNBOT_LLM_{name}", raising=False)
    fake_slack.add_user("U0LEAD01", name="lee")
    fake_slack.add_user("U0LEAD02", name="sam")
    return set_leads(runtime, fake_slack.team_id, marketing="U0LEAD01", sales="U0LEAD02")


def set_leads(runtime, slack_team_id: str, **leads: str) -> dict[str, str]:
    with runtime.services.sessions.begin() as session:
        workspace = repositories.ensure_workspace(session, slack_team_id)
        for name, user in leads.items():
            team = Team(workspace_id=workspace.id, name=name)
            session.add(team)
            session.flush()
            session.add(TeamLead(workspace_id=workspace.id, team_id=team.id, user_id=user))
    return leads


def import_org(tmp_path, capsys, text: str = ORG, team_id: str = "T0000001") -> tuple[int, str, str]:
    (tmp_path / "org.yaml").write_text(text)
    status = main(["org", "import", "org.yaml", "--team-id", team_id])
    out, err = capsys.readouterr()
    return status, out, err


def questions(message: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Return a DM's questions: {goal title: {button label: button}}."""
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    out = {}
    for ask, question in zip(blocks, blocks[1:]):
        if str(question.get("block_id", "")).startswith("goal_link_question:"):
            title = ask["text"]["text"].split("_")[1]
            out[title] = {e["text"]["text"]: e for e in question["elements"]}
    return out


def dms(fake_slack, user: str) -> list[dict[str, Any]]:
    return [m for m in fake_slack.messages(user) if m.get("user") != user]


def stored(runtime) -> dict[str, tuple[list[str], bool, bool]]:
    """Return each goal by title: (keys it serves, suggested, confident)."""
    with runtime.services.sessions() as session:
        keys = {o.id: o.key for o in session.scalars(select(Objective))}
        out = {}
        for row in session.scalars(select(Goal)):
            links = session.scalars(
                select(GoalObjective).where(GoalObjective.goal_id == row.id).order_by(GoalObjective.position)
            )
            out[row.title] = ([keys[link.objective_id] for link in links], row.suggested, row.confident)
        return out


@pytest.fixture
def team_id(fake_slack):
    assert fake_slack.team_id == "T0000001"  # the workspace import_org imports into
    return fake_slack.team_id


def test_each_lead_gets_one_dm_about_their_teams_unsure_goals_and_a_reimport_asks_nothing(
    leads, tmp_path, capsys, fake_slack, team_id
):
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and err == ""
    assert "goals added: 6" in out and "asked 2 leads about 3 goals' links" in out
    [marketing] = dms(fake_slack, "U0LEAD01")
    [sales] = dms(fake_slack, "U0LEAD02")
    assert list(questions(marketing)) == [SUMMIT, MEETUP]  # not the sure goal, nor the stated one
    assert list(questions(sales)) == [DINNER]
    assert "None: our own goal" in questions(sales)[DINNER] and "Other…" in questions(sales)[DINNER]

    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and err == "" and "goals unchanged: 6" in out and "asked" not in out
    assert len(dms(fake_slack, "U0LEAD01")) == 1 and len(dms(fake_slack, "U0LEAD02")) == 1


def test_a_tap_in_the_dm_stores_the_links_and_leaves_the_other_question(
    leads, tmp_path, capsys, fake_slack, runtime, slack, team_id
):
    import_org(tmp_path, capsys)
    [message] = dms(fake_slack, "U0LEAD01")
    summit = questions(message)[SUMMIT]
    channel = fake_slack.calls_to("conversations.open")[0].response["channel"]["id"]
    assert stored(runtime)[SUMMIT][1:] == (True, False)

    before = len(fake_slack.responses())
    tapped = summit["Margins"] if "Margins" in summit else summit["None: our own goal"]
    response = slack.block_action(
        tapped["action_id"], tapped["value"], user_id="U0LEAD01", channel_id=channel, message=message
    )
    assert response.status == 200
    answer = fake_slack.wait_for_responses(before + 1)[before]["body"]
    assert answer.get("replace_original") in (True, "true")
    assert list(questions(answer)) == [MEETUP]  # the other question is still there to answer
    assert "Goal `#" in json.dumps(answer["blocks"]) and SUMMIT in json.dumps(answer["blocks"])
    expected = ["margins"] if "Margins" in summit else []
    assert stored(runtime)[SUMMIT] == (expected, False, True)


def test_a_lead_slack_does_not_know_is_one_line_and_the_import_stands(
    cli_env, monkeypatch, tmp_path, capsys, fake_slack, runtime, team_id
):
    monkeypatch.delenv("ALIGNBOT_ADMINS", raising=False)
    fake_slack.add_user("U0LEAD02", name="sam")
    set_leads(runtime, team_id, marketing="U0GONE01", sales="U0LEAD02")
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and "goals added: 6" in out
    assert "asked 1 lead about 1 goal's links" in out
    assert err.count("\n") == 1 and "could not ask U0GONE01 (user_not_found)" in err and "/goal list" in err
    assert stored(runtime)[SUMMIT] == (["new-revenue"], True, False)  # committed, as suggested
    assert list(questions(dms(fake_slack, "U0LEAD02")[0])) == [DINNER]


def test_slack_rate_limits_are_waited_out_then_told_in_one_line(leads, tmp_path, capsys, fake_slack, runtime, team_id):
    fake_slack.fail("conversations.open", retry_after=0, times=1)  # once: the client waits and goes again
    fake_slack.fail("chat.postMessage", retry_after=0, times=None)  # always: it gives up
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and "goals added: 6" in out and "asked" not in out
    assert err.count("\n") == 1 and "could not ask U0LEAD01 (ratelimited), U0LEAD02 (ratelimited)" in err
    fake_slack.clear_faults()
    assert len(stored(runtime)) == 6


def test_a_team_without_a_lead_is_asked_through_the_admins(
    cli_env, monkeypatch, tmp_path, capsys, fake_slack, runtime, team_id
):
    fake_slack.add_user("U0LEAD01", name="lee")
    fake_slack.add_user("U0BOSS01", name="bo")
    set_leads(runtime, team_id, marketing="U0LEAD01")
    monkeypatch.setenv("ALIGNBOT_ADMINS", "U0BOSS01")
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and err == "" and "asked 2 leads about 3 goals' links" in out
    assert list(questions(dms(fake_slack, "U0BOSS01")[0])) == [DINNER]


def test_a_team_with_nobody_to_ask_is_one_line(cli_env, monkeypatch, tmp_path, capsys, fake_slack, runtime, team_id):
    monkeypatch.delenv("ALIGNBOT_ADMINS", raising=False)
    fake_slack.add_user("U0LEAD01", name="lee")
    set_leads(runtime, team_id, marketing="U0LEAD01")
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and "asked 1 lead about 2 goals' links" in out
    assert err.count("\n") == 1 and "team sales has no lead and ALIGNBOT_ADMINS is empty" in err


def test_without_a_slack_token_nobody_is_asked_and_it_says_so(
    cli_env, monkeypatch, tmp_path, capsys, fake_slack, runtime, team_id
):
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    status, out, err = import_org(tmp_path, capsys)
    assert status == 0 and "goals added: 6" in out
    assert err.count("\n") == 1 and "nobody was asked about 3 goals' unsure links" in err
    assert fake_slack.calls_to("chat.postMessage") == []
