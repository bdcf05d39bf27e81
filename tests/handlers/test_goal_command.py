"""/goal add, list, edit and archive through signed requests into the real app."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import Goal, GoalObjective, Objective, Team
from tests.handlers.conftest import shown


def stored(runtime) -> list[tuple[str, str, list[str], bool, bool]]:
    """Return every goal as (team, title, keys it serves, suggested, archived), oldest first."""
    with runtime.services.sessions() as session:
        teams = {t.id: t.name for t in session.scalars(select(Team))}
        keys = {o.id: o.key for o in session.scalars(select(Objective))}
        out = []
        for row in session.scalars(select(Goal).order_by(Goal.id)):
            links = session.scalars(
                select(GoalObjective).where(GoalObjective.goal_id == row.id).order_by(GoalObjective.position)
            )
            serves = [keys[link.objective_id] for link in links]
            out.append((teams[row.team_id], row.title, serves, row.suggested, row.archived_at is not None))
        return out


def objectives(ask) -> None:
    ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    ask("/objective", "add Margins | Reduce cost of sales and hosting")


def test_help_and_unparsable_input_store_nothing(ask, runtime, teams):
    assert "/goal archive &lt;id&gt;" in shown(ask("/goal", "help"))
    for text in ("frobnicate", "add", "add marketing", "add marketing " + "x" * 201, "edit abc", "edit 3", "archive"):
        answer = ask("/goal", text)
        assert "Usage:" in answer["text"], text
    assert "at most 200 characters" in ask("/goal", "add marketing " + "x" * 201)["text"]
    assert stored(runtime) == []


def test_add_with_keys_says_what_the_goal_serves(ask, runtime, teams):
    objectives(ask)
    answer = shown(ask("/goal", "add marketing Nurture flows for AEs #new-revenue"))
    assert "Added goal `#" in answer and "It serves *New revenue*" in answer
    assert stored(runtime) == [("marketing", "Nurture flows for AEs", ["new-revenue"], False, False)]
    answer = shown(ask("/goal", "add marketing Brand refresh #none"))
    assert "serves none of the objectives" in answer
    assert stored(runtime)[1] == ("marketing", "Brand refresh", [], False, False)


def test_add_without_keys_suggests_them_and_says_so(ask, runtime, teams):
    objectives(ask)
    answer = shown(ask("/goal", "add <#C0SALES1|sales> Close new customers from qualified pipeline"))
    assert "I linked it to New revenue" in answer and "/goal edit" in answer
    assert stored(runtime) == [("sales", "Close new customers from qualified pipeline", ["new-revenue"], True, False)]


def test_bad_input_is_one_line_and_nothing_is_stored(ask, runtime, teams):
    objectives(ask)
    unknown_key = ask("/goal", "add marketing Webinars #new-revenue #nope")["text"]
    assert "Nothing was saved" in unknown_key and "`#nope`" in unknown_key and "`new-revenue`" in unknown_key
    unknown_team = ask("/goal", "add agencies Partner program")["text"]
    assert "no team called 'agencies'" in unknown_team and "marketing, sales" in unknown_team
    for text in (unknown_key, unknown_team):
        assert text.count("\n") == 0
    assert stored(runtime) == []
    for n in range(19):
        ask("/goal", f"add marketing Goal number {n} #margins")
    assert "has that goal already" in ask("/goal", "add marketing goal NUMBER 3 #margins")["text"]
    ask("/goal", "add marketing Goal number 19 #margins")
    too_many = ask("/goal", "add marketing One goal too many #margins")["text"]
    assert "has 20 goals already" in too_many and too_many.count("\n") == 0
    assert len(stored(runtime)) == 20 and "One goal too many" not in str(stored(runtime))


def test_leads_and_admins_change_goals_and_others_are_told_who_may(ask, runtime, teams):
    objectives(ask)
    refused = shown(ask("/goal", "add marketing Nurture flows #new-revenue", user="U0MEMB01"))
    assert "Only team *marketing*'s leads (none yet) and Alignbot admins" in refused
    assert stored(runtime) == []
    ask("/alignment", "lead marketing <@U0MEMB01>")
    assert "Added goal" in shown(ask("/goal", "add marketing Nurture flows #new-revenue", user="U0MEMB01"))
    assert "Only team *sales*'s leads" in shown(ask("/goal", "add sales Close deals #new-revenue", user="U0MEMB01"))
    (goal_id,) = _ids(runtime)
    assert "Only team *marketing*'s leads" in shown(ask("/goal", f"archive {goal_id}", user="U0SELL01"))
    assert [row[4] for row in stored(runtime)] == [False]


def test_edit_list_and_archive(ask, runtime, teams):
    objectives(ask)
    ask("/goal", "add marketing Nurture flows for AEs #new-revenue")
    ask("/goal", "add sales Cut discounting #margins")
    marketing, sales = _ids(runtime)

    changed = shown(ask("/goal", f"edit {marketing} Nurture flows that feed AEs #new-revenue #margins"))
    assert "is changed" in changed and "Nurture flows that feed AEs" in changed
    assert stored(runtime)[0] == ("marketing", "Nurture flows that feed AEs", ["new-revenue", "margins"], False, False)
    ask("/goal", f"edit #{marketing} #margins")  # keys alone keep the title
    assert stored(runtime)[0][1:3] == ("Nurture flows that feed AEs", ["margins"])
    assert "`#nope`" in ask("/goal", f"edit {marketing} #nope")["text"]
    assert stored(runtime)[0][2] == ["margins"]

    listed = shown(ask("/goal", "list", user="U0MEMB01"))
    assert "*marketing*" in listed and "Nurture flows that feed AEs" in listed and "Cut discounting" in listed
    only_sales = shown(ask("/goal", "list sales", user="U0MEMB01"))
    assert "Cut discounting" in only_sales and "Nurture" not in only_sales
    assert "no team called 'ops'" in ask("/goal", "list ops")["text"]

    assert "Archived goal" in shown(ask("/goal", f"archive {sales}"))
    assert stored(runtime)[1][4] is True
    assert "Team sales has no goals yet" in shown(ask("/goal", "list sales"))
    assert "There is no goal" in ask("/goal", f"archive {sales}")["text"]
    assert "There is no goal" in ask("/goal", "edit 999 #margins")["text"]


def _ids(runtime) -> list[int]:
    with runtime.services.sessions() as session:
        return list(session.scalars(select(Goal.id).order_by(Goal.id)))


def test_the_app_home_shows_the_team_goals(ask, slack, runtime, teams, fake_slack):
    objectives(ask)
    ask("/goal", "add marketing Nurture flows for AEs #new-revenue")
    ask("/checkin", "Booked calls with new prospects", user="U0MEMB01", channel="C0MKTG01")
    slack.event({"type": "app_home_opened", "user": "U0MEMB01", "channel": "D0HOME01", "tab": "home"})
    fake_slack.wait_for("views.publish")
    home = json.dumps(fake_slack.home("U0MEMB01"), ensure_ascii=False)
    assert "Team goals of marketing" in home and "*Nurture flows for AEs* → New revenue" in home


def test_the_team_settings_form_shows_the_team_goals(ask, slack, runtime, teams, fake_slack):
    objectives(ask)
    ask("/goal", "add marketing Cut hosting cost #margins")
    assert slack.command("/alignment", "settings marketing", user_id="U0ADMIN1", channel_id="C0MKTG01").status == 200
    [opened] = fake_slack.wait_for("views.open")
    form = json.dumps(opened.args["view"], ensure_ascii=False)
    assert "Team goals" in form and "*Cut hosting cost* → Margins" in form
