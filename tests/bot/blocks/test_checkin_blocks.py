"""The check-in confirmation's question, as plain data."""

from __future__ import annotations

from bot.blocks.checkin import (ANSWER_ACTION, Choice, TagLine, answer_value, confirmation, parse_answer_value,
                                whole_guess)


def question_buttons(message: dict) -> list[dict]:
    [block] = [b for b in message["blocks"] if b.get("block_id") == "checkin_question"]
    return block["elements"]


def test_a_guess_of_several_objectives_is_offered_whole_then_each_then_none() -> None:
    guess = [TagLine("New revenue", 0.81), TagLine("Margins", 0.62)]
    choices = [whole_guess(["new-revenue", "margins"]), Choice("New revenue", "new-revenue"),
               Choice("Margins", "margins")]
    message = confirmation("sales", "2026-W10", guess, replaced=False, by_hand=False, update_id=7, question=choices)

    buttons = question_buttons(message)
    assert [b["text"]["text"] for b in buttons] == ["Both (my guess)", "New revenue", "Margins", "None of them",
                                                    "Other…"]
    assert all(b["action_id"].startswith(f"{ANSWER_ACTION}:") for b in buttons[:4])
    assert len({b["action_id"] for b in buttons}) == len(buttons)
    assert [parse_answer_value(b["value"]) for b in buttons[:4]] == [
        (7, ("new-revenue", "margins")), (7, ("new-revenue",)), (7, ("margins",)), (7, ())]


def test_three_objectives_are_all_of_the_guess() -> None:
    assert whole_guess(["a", "b", "c"]) == Choice("All 3 (my guess)", "a,b,c")


def test_a_value_not_of_an_answer_button_is_not_an_answer() -> None:
    assert parse_answer_value("abc") is None
    assert parse_answer_value("12") is None
    assert parse_answer_value(answer_value(12, None)) == (12, ())
