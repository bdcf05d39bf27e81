"""Team goals as Block Kit: the App Home, the settings form and the /goal answers, as plain data."""

from __future__ import annotations

from dataclasses import replace

from bot.blocks.checkin import Choice, parse_answer_value
from bot.blocks.goals import (
    MAX_ASKED,
    answered_in_message,
    goal_added,
    goal_linked,
    goal_list,
    link_modal,
    link_questions,
)
from bot.blocks.settings import settings_modal
from bot.fakeslack.blockkit import validate_message, validate_view
from bot.parsing import WEEKDAYS
from bot.services.goals import GoalView
from tests.bot.blocks.test_home_blocks import seen, view
from tests.bot.blocks.test_settings_blocks import form

NURTURE = GoalView(7, "marketing", "Nurture flows for AEs", (("new-revenue", "Grow new-logo revenue"),), False, True)
BRAND = GoalView(8, "marketing", "Brand <refresh>", (), False, True)
GUESS = GoalView(9, "marketing", "More webinars", (("new-revenue", "Grow new-logo revenue"),), True, False)


def test_the_app_home_lists_the_team_goals_and_what_each_serves():
    text = seen(view(goals=[NURTURE, BRAND, GUESS]))
    assert "*Team goals of marketing*" in text
    assert "`#7` *Nurture flows for AEs* → Grow new-logo revenue" in text
    assert "`#8` *Brand &lt;refresh&gt;* serves no objective" in text
    assert "*More webinars* → Grow new-logo revenue (suggested, unsure)" in text


def test_the_app_home_of_a_team_without_goals_says_how_to_add_one_and_of_no_team_says_nothing():
    assert "No goals yet: a lead adds one with `/goal add" in seen(view())
    assert "Team goals" not in seen(view(team=None, goals=[NURTURE]))


def test_the_settings_form_shows_the_team_goals():
    modal = settings_modal(form(goals=(NURTURE, BRAND)), {}, WEEKDAYS)
    assert validate_view(modal) == []
    text = seen(modal)
    assert "*Team goals* (change them with `/goal`)" in text and "*Nurture flows for AEs* → Grow" in text


def test_goal_added_says_what_it_serves_stated_suggested_or_none():
    assert "It serves *Grow new-logo revenue*." in goal_added(NURTURE)["text"]
    assert "serves none of the objectives" in goal_added(BRAND)["text"]
    guessed = goal_added(GUESS)["text"]
    assert "I linked it to Grow new-logo revenue, though I am not sure" in guessed and "/goal edit 9" in guessed


def test_links_the_model_chose_say_so_wherever_they_are_shown():
    asked = replace(GUESS, confident=True, by_model=True)
    assert "The model linked it to Grow new-logo revenue;" in goal_added(asked)["text"]
    assert "→ Grow new-logo revenue (suggested by the model)" in seen(goal_list([asked], None))
    assert "(suggested by the model" not in seen(goal_list([GUESS], None))


def test_goal_list_groups_by_team():
    listed = goal_list([NURTURE, GoalView(3, "sales", "Cut discounting", (), False, True)], None)
    assert [b["text"]["text"].split("\n")[0] for b in listed["blocks"]] == ["*marketing*", "*sales*"]
    assert "Team sales has no goals yet" in goal_list([], "sales")["text"]


def test_an_unsure_suggestion_is_asked_in_one_tap_and_a_sure_one_is_not():
    message = goal_added(GUESS)
    assert validate_message(message["text"], message["blocks"]) == []
    [actions] = [b for b in message["blocks"] if b.get("block_id") == "goal_link_question"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels == ["Grow new-logo revenue", "None: our own goal", "Other…"]
    assert [parse_answer_value(e["value"]) for e in actions["elements"][:2]] == [(9, ("new-revenue",)), (9, ())]
    assert actions["elements"][2]["value"] == "9"
    assert not [b for b in goal_added(NURTURE)["blocks"] if b.get("block_id") == "goal_link_question"]


def test_the_picker_offers_every_objective_with_the_suggestion_picked_and_the_answer_says_what_was_stored():
    modal = link_modal(GUESS, [Choice("Grow new-logo revenue", "new-revenue"), Choice("Margins", "margins")], "C1")
    assert validate_view(modal) == []
    element = modal["blocks"][1]["element"]
    assert [o["value"] for o in element["options"]] == ["new-revenue", "margins"]
    assert [o["value"] for o in element["initial_options"]] == ["new-revenue"]
    assert "serves no objective: it is the team's own goal" in goal_linked(BRAND)["blocks"][0]["text"]["text"]
    assert "→ Grow new-logo revenue" in goal_linked(NURTURE)["blocks"][0]["text"]["text"]


def test_a_leads_dm_asks_about_each_goal_with_block_ids_of_its_own_and_stays_within_slacks_limits():
    many = [GoalView(n, "marketing", f"Goal number {n}", GUESS.serves, True, False) for n in range(1, 31)]
    message = link_questions(many)
    assert validate_message(message["text"], message["blocks"]) == []
    assert len(message["blocks"]) == 1 + 2 * MAX_ASKED <= 50
    single = link_questions([GUESS])
    assert "team *marketing*" in seen(single) and "which objectives it serves" in seen(single)
    assert [b.get("block_id") for b in single["blocks"]] == [None, "goal_link_ask:9", "goal_link_question:9"]


def test_a_tap_replaces_only_its_own_question_in_the_dm():
    other = GoalView(10, "marketing", "Partner summit", GUESS.serves, True, False)
    blocks = link_questions([GUESS, other])["blocks"]
    linked = GoalView(9, "marketing", "More webinars", (("margins", "Increase margins"),), False, True)
    answer = answered_in_message(blocks, linked)
    assert answer is not None and validate_message(answer["text"], answer["blocks"]) == []
    ids = [b.get("block_id") for b in answer["blocks"]]
    assert ids == [None, "goal_link_answered:9", "goal_link_ask:10", "goal_link_question:10"]
    assert "→ Increase margins" in seen(answer) and answer["text"] == "1 goal left to link"
    assert answered_in_message(goal_added(GUESS)["blocks"], linked) is None  # the /goal add answer: replaced whole
