"""The check-in confirmation's question and the check-in forms, as plain data."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.blocks.checkin import (
    ANSWER_ACTION,
    DEFAULT_QUESTIONS,
    CheckinForm,
    Choice,
    ServedGoal,
    TagLine,
    TagsForm,
    TeamQuestions,
    answer_confirmation,
    answer_value,
    checkin_modal,
    confirmation,
    parse_answer_value,
    questions_modal,
    tags_modal,
    whole_guess,
)
from bot.fakeslack.blockkit import validate_view


def question_buttons(message: dict) -> list[dict]:
    [block] = [b for b in message["blocks"] if b.get("block_id") == "checkin_question"]
    return block["elements"]


def test_a_guess_of_several_objectives_is_offered_whole_then_each_then_none() -> None:
    guess = [TagLine("New revenue", 0.81), TagLine("Margins", 0.62)]
    choices = [
        whole_guess(["new-revenue", "margins"]),
        Choice("New revenue", "new-revenue"),
        Choice("Margins", "margins"),
    ]
    message = confirmation("sales", "2026-W10", guess, replaced=False, by_hand=False, update_id=7, question=choices)

    buttons = question_buttons(message)
    assert [b["text"]["text"] for b in buttons] == [
        "Both (my guess)",
        "New revenue",
        "Margins",
        "None of them",
        "Other…",
    ]
    assert all(b["action_id"].startswith(f"{ANSWER_ACTION}:") for b in buttons[:4])
    assert len({b["action_id"] for b in buttons}) == len(buttons)
    assert [parse_answer_value(b["value"]) for b in buttons[:4]] == [
        (7, ("new-revenue", "margins")),
        (7, ("new-revenue",)),
        (7, ("margins",)),
        (7, ()),
    ]


@dataclass(frozen=True)
class Recorded:
    update_id: int = 7
    team: str = "sales"
    week: str = "2026-W10"
    replaced: bool = False
    by_hand: bool = False
    tags: tuple[TagLine, ...] = (TagLine("New revenue", 0.81, ("booked calls",)),)
    confident: bool = True
    candidates: tuple[Choice, ...] = (Choice("Margins", "margins"),)
    goal: ServedGoal | None = None


def test_a_confident_answer_is_confirmed_with_its_tags_and_no_question() -> None:
    message = answer_confirmation(Recorded(replaced=True), note="Shared in the check-in thread in <#C1>.")

    shown = json.dumps(message)
    assert message["text"] == "Your sales update for 2026-W10 is in"
    assert "It replaced your earlier update" in shown and "New revenue" in shown and "(0.81)" in shown
    assert "Shared in the check-in thread" in shown
    assert not [b for b in message["blocks"] if b.get("block_id") == "checkin_question"]


def test_an_unsure_answer_asks_its_candidates_unless_the_author_tagged_it() -> None:
    unsure = answer_confirmation(Recorded(confident=False))
    assert [b["text"]["text"] for b in question_buttons(unsure)] == ["Margins", "None of them", "Other…"]

    by_hand = answer_confirmation(Recorded(confident=False, by_hand=True))
    assert not [b for b in by_hand["blocks"] if b.get("block_id") == "checkin_question"]
    assert "Tagged by you" in json.dumps(by_hand) and "(0.81)" not in json.dumps(by_hand)


def test_three_objectives_are_all_of_the_guess() -> None:
    assert whole_guess(["a", "b", "c"]) == Choice("All 3 (my guess)", "a,b,c")


def test_a_value_not_of_an_answer_button_is_not_an_answer() -> None:
    assert parse_answer_value("abc") is None
    assert parse_answer_value("12") is None
    assert parse_answer_value(answer_value(12, None)) == (12, ())


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_the_checkin_form_asks_the_teams_questions_prefilled_with_the_answer() -> None:
    objectives = [Choice("New revenue", "new-revenue"), Choice("Margins", "margins")]
    form = CheckinForm(
        team_id=3,
        team="sales",
        week="2026-W10",
        objectives=objectives,
        partner_teams=[Choice("marketing", "4")],
        initiatives=[Choice("#9 Webinar", "9")],
        moved="Booked 6 calls",
        next_steps="Send the deck",
        chosen_objectives=["margins"],
        suggested=["margins"],
        chosen_partners=["4"],
        chosen_initiative="9",
        questions=("Wins?", "Next?", "With whom?"),
    )

    view = checkin_modal(form, "C0SALES1")

    assert validate_view(view) == []
    assert json.loads(view["private_metadata"]) == {
        "team_id": 3,
        "week": "2026-W10",
        "channel": "C0SALES1",
        "suggested": ["margins"],
    }
    fields = inputs(view)
    assert [fields[b]["label"]["text"] for b in ("moved", "next", "partners")] == ["Wins?", "Next?", "With whom?"]
    assert fields["moved"]["element"]["initial_value"] == "Booked 6 calls"
    assert fields["next"]["element"]["initial_value"] == "Send the deck"
    assert [o["value"] for o in fields["objectives"]["element"]["initial_options"]] == ["margins"]
    assert [o["value"] for o in fields["partners"]["element"]["initial_options"]] == ["4"]
    assert fields["initiative"]["element"]["initial_option"]["value"] == "9"


def test_a_first_answer_of_a_team_alone_gets_an_empty_form_without_team_or_initiative_pickers() -> None:
    view = checkin_modal(CheckinForm(team_id=3, team="sales", week="2026-W10", objectives=[], partner_teams=[]), None)

    assert validate_view(view) == []
    assert list(inputs(view)) == ["moved", "next"]
    assert [inputs(view)[b]["label"]["text"] for b in ("moved", "next")] == list(DEFAULT_QUESTIONS[:2])
    assert "initial_value" not in inputs(view)["moved"]["element"]
    assert json.loads(view["private_metadata"])["suggested"] == []


def test_the_tag_editor_shows_the_update_and_its_tags_or_says_there_are_no_objectives() -> None:
    form = TagsForm(
        7, "Booked 6 calls", [Choice("New revenue", "new-revenue"), Choice("Margins", "margins")], ["new-revenue"]
    )

    view = tags_modal(form, "C0SALES1")

    assert validate_view(view) == []
    assert json.loads(view["private_metadata"]) == {"update_id": 7, "channel": "C0SALES1"}
    assert view["blocks"][0]["text"]["text"] == ">Booked 6 calls"
    assert [o["value"] for o in inputs(view)["objectives"]["element"]["initial_options"]] == ["new-revenue"]
    assert view["submit"]["text"] == "Save"

    empty = tags_modal(TagsForm(7, "Booked 6 calls", [], []), None)
    assert "submit" not in empty
    assert "/objective add" in empty["blocks"][-1]["text"]["text"]


def test_the_questions_form_shows_each_question_with_its_default() -> None:
    view = questions_modal(TeamQuestions(3, "sales", ("Wins?", *DEFAULT_QUESTIONS[1:])))

    assert validate_view(view) == []
    assert json.loads(view["private_metadata"]) == {"team_id": 3}
    fields = inputs(view)
    assert [fields[f"question_{n}"]["element"].get("initial_value") for n in range(3)] == [
        "Wins?",
        *DEFAULT_QUESTIONS[1:],
    ]
    assert fields["question_0"]["hint"]["text"] == f"Default: {DEFAULT_QUESTIONS[0]}"
    assert "*sales*" in view["blocks"][0]["elements"][0]["text"]


def test_the_confirmation_names_the_goal_an_answer_serves_and_what_that_goal_serves() -> None:
    goal = ServedGoal("Nurture flows for AEs", ("Grow new-logo revenue",))
    message = answer_confirmation(Recorded(goal=goal))
    [tagged] = [b for b in message["blocks"] if "Tagged:" in json.dumps(b)]
    assert tagged["text"]["text"].endswith("\nserves *Nurture flows for AEs* → Grow new-logo revenue")

    own = answer_confirmation(Recorded(goal=ServedGoal("Brand refresh")))
    assert "serves *Brand refresh* (our own goal)" in json.dumps(own, ensure_ascii=False)
    assert "serves *" not in json.dumps(answer_confirmation(Recorded()))
