"""Block Kit builders for objectives, initiatives and teams: plain data within Slack's limits."""

from __future__ import annotations

import json

from bot.blocks import initiatives, objectives, teams
from bot.fakeslack import validate, validate_message, validate_view
from bot.services.initiatives import Choice, InitiativeView, TagView
from bot.services.objectives import ObjectiveView
from bot.services.teams import TeamView


def objective(n: int) -> ObjectiveView:
    return ObjectiveView(f"key-{n}", f"Objective <{n}> & more " + "x" * 140, "d" * 2000, ("a",), n)


def initiative(n: int) -> InitiativeView:
    return InitiativeView(n, "t" * 200, "marketing", (TagView("k", "K", True),), ("sales",), "U0MEMB01", "open")


def team(n: int) -> TeamView:
    return TeamView(
        n, f"team {n}", ("alias",), "C0MKTG01", 0, "10:00", "UTC", tuple(f"U{i:08d}" for i in range(300)), "oops"
    )


def check_message(payload):
    assert validate_message(payload["text"], payload["blocks"]) == []
    assert validate(payload["blocks"]) == []


def test_objective_list_fits_however_many():
    for count in (0, 1, 45, 46, 500):
        payload = objectives.objective_list([objective(n) for n in range(count)], archived=3)
        check_message(payload)
    assert "and 455 more" in json.dumps(payload)


def test_objective_text_is_escaped():
    payload = objectives.objective_list([objective(1)])
    assert "&lt;1&gt; &amp; more" in json.dumps(payload)


def test_objective_form_for_editing_and_adding():
    view = objectives.objective_form({"key": "key-1"}, objectives.objective_values(objective(1)))
    assert validate_view(view) == []
    assert json.loads(view["private_metadata"]) == {"key": "key-1"}
    assert view["title"]["text"] == "Edit objective"
    added = objectives.objective_form({"key": None}, objectives.objective_values(None))
    assert validate_view(added) == [] and added["title"]["text"] == "New objective"
    check_message(objectives.objective_added(objective(1)))


def test_objective_preview_lists_new_lost_and_kept_tags_on_one_screen():
    lines = tuple(
        objectives.PreviewLine("marketing", f"update {n} " + "z" * 300, before=n % 3 == 0, after=n % 2 == 0)
        for n in range(60)
    )
    values = {**objectives.objective_values(objective(1)), "keywords": "typed"}
    view = objectives.objective_form({"key": "key-1"}, values, preview=objectives.Preview("Grow", 7, len(lines), lines))
    assert validate_view(view) == []
    text = json.dumps(view["blocks"])
    assert "Newly tagged* (20)" in text and "No longer tagged* (10)" in text and "Still tagged* (10)" in text
    assert "30 updates of 60 would be tagged" in text and "and 12 more" in text
    keywords = next(b for b in view["blocks"] if b.get("block_id") == "keywords")
    assert keywords["element"]["initial_value"] == "typed"
    empty = objectives.objective_form({}, {}, preview=objectives.Preview("Grow", 7, 0, ()))
    assert "no updates in the last 7 days" in json.dumps(empty["blocks"])


def test_initiative_list_fits_however_many():
    for count in (0, 1, 45, 46, 300):
        check_message(initiatives.initiative_list("Open initiatives", [initiative(n) for n in range(count)]))
    payload = initiatives.initiative_list("Open", [initiative(1)])
    assert payload["blocks"][1]["accessory"]["action_id"] == initiatives.CLOSE_ACTION
    check_message(initiatives.initiative_logged(initiative(1)))


def test_initiative_form_fits_however_many_choices():
    many = [Choice(str(n), f"choice {n} " + "y" * 100) for n in range(250)]
    for teams_, objectives_ in (([Choice("1", "marketing")], []), (many, many)):
        view = initiatives.add_modal(teams_, objectives_, default_team="1", owner="U0MEMB01", channel_id="C1")
        assert validate_view(view) == []
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["team"]["element"]["initial_option"]["value"] == "1"
    assert blocks["owner"]["element"]["initial_user"] == "U0MEMB01"


def test_teams_overview_fits_however_many():
    for count in (0, 1, 46, 200):
        check_message(teams.teams_overview([team(n) for n in range(count)], "C0LEAD01" if count else None))
    text = json.dumps(teams.teams_overview([team(1)], None))
    assert "300 members" in text and "and 288 more" in text and "No leadership channel yet" in text


def test_counts_read_in_the_right_number():
    one = TeamView(1, "sales", (), "C0SALE01", 0, "10:00", "UTC", ("U0ANNA01",), None)
    assert "1 member:" in teams.team_line(one) and "1 members" not in teams.team_line(one)
    assert "1 open initiative" in objectives.objective_line(objective(1))
    assert "2 open initiatives" in objectives.objective_line(objective(2))
    listed = json.dumps(objectives.objective_list([objective(1)], archived=1))
    assert "1 archived objective " in listed and "1 archived objectives" not in listed


def test_objective_preview_quotes_a_hostile_update_inert_and_escaped_once():
    from tests.hostile_text import SENT, assert_inert

    line = objectives.PreviewLine(team="marketing", text=SENT[SENT.index("R&amp;D") :], before=False, after=True)
    blocks = objectives.preview_blocks(objectives.Preview("New revenue", 14, 1, (line,)))
    shown = assert_inert({"blocks": blocks}, typed=False)
    assert "R&amp;D notes &lt;!channel&gt;" in shown
