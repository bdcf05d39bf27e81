"""The one-tap question when Alignbot is unsure of a new goal's links, over signed requests."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from storage.models import Goal, GoalObjective, Objective
from tests.handlers.conftest import shown

VAGUE = "Run the partner summit in Lisbon"


def stored(runtime) -> list[tuple[str, list[str], bool, bool]]:
    """Return each goal as (title, keys it serves, suggested, confident)."""
    with runtime.services.sessions() as session:
        keys = {o.id: o.key for o in session.scalars(select(Objective))}
        out = []
        for row in session.scalars(select(Goal).order_by(Goal.id)):
            links = session.scalars(
                select(GoalObjective).where(GoalObjective.goal_id == row.id).order_by(GoalObjective.position)
            )
            out.append((row.title, [keys[link.objective_id] for link in links], row.suggested, row.confident))
        return out


def buttons(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the question's buttons by their label."""
    block = next((b for b in answer.get("blocks", []) if b.get("block_id") == "goal_link_question"), None)
    return {e["text"]["text"]: e for e in block["elements"]} if block else {}


def tap(slack, fake_slack, button: dict[str, Any], user: str = "U0ADMIN1") -> dict[str, Any]:
    before = len(fake_slack.responses())
    response = slack.block_action(button["action_id"], button["value"], user_id=user, channel_id="C0MKTG01")
    assert response.status == 200
    return fake_slack.wait_for_responses(before + 1)[before]["body"]


def add_unsure_goal(ask) -> dict[str, Any]:
    ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    ask("/objective", "add Margins | Reduce cost of sales and hosting")
    ask("/objective", "add Hiring | Hire and onboard engineers")
    answer = ask("/goal", f"add marketing {VAGUE}")
    assert "Which objectives does _Run the partner summit in Lisbon_ serve?" in shown(answer)
    return answer


def test_a_sure_suggestion_asks_nothing(ask, runtime, teams):
    ask("/objective", "add New revenue | Build qualified pipeline and close new customers")
    answer = ask("/goal", "add sales Close new customers from qualified pipeline")
    assert buttons(answer) == {} and stored(runtime)[0][2:] == (True, True)


def test_an_unsure_goal_asks_the_lead_whose_tap_stores_the_links(ask, slack, runtime, teams, fake_slack):
    offered = buttons(add_unsure_goal(ask))
    title, suggested, was_suggested, confident = stored(runtime)[0]
    assert was_suggested and not confident
    assert "None: our own goal" in offered and "Other…" in offered
    assert len(offered) == len(suggested) + 2
    tapped = next(label for label in offered if label not in ("None: our own goal", "Other…"))

    answer = tap(slack, fake_slack, offered[tapped])
    assert answer.get("replace_original") in (True, "true")
    assert f"→ {tapped}" in shown(answer) and "suggested" not in shown(answer)
    key = {"New revenue": "new-revenue", "Margins": "margins", "Hiring": "hiring"}[tapped]
    assert stored(runtime) == [(VAGUE, [key], False, True)]


def test_none_makes_it_the_teams_own_goal_and_others_may_not_answer(ask, slack, runtime, teams, fake_slack):
    offered = buttons(add_unsure_goal(ask))
    refused = tap(slack, fake_slack, offered["None: our own goal"], user="U0MEMB01")
    assert "Only team *marketing*'s leads" in shown(refused)
    assert stored(runtime)[0][3] is False

    answer = tap(slack, fake_slack, offered["None: our own goal"])
    assert "the team's own goal" in shown(answer)
    assert stored(runtime) == [(VAGUE, [], False, True)]


def test_other_opens_a_picker_of_every_objective_and_saving_it_stores_the_links(ask, slack, runtime, teams, fake_slack):
    offered = buttons(add_unsure_goal(ask))
    slack.block_action(
        offered["Other…"]["action_id"], offered["Other…"]["value"], user_id="U0ADMIN1", channel_id="C0MKTG01"
    )
    [opened] = fake_slack.wait_for("views.open")
    view = opened.args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    options = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert options == ["new-revenue", "margins", "hiring"]

    slack.view_submission(
        "goal_link_submit",
        {"objectives": {"value": ["margins", "hiring"]}},
        user_id="U0ADMIN1",
        private_metadata=view["private_metadata"],
    )
    [told] = fake_slack.wait_for("chat.postEphemeral")
    assert "→ Margins, Hiring" in json.dumps(told.args["blocks"], ensure_ascii=False)
    assert stored(runtime) == [(VAGUE, ["margins", "hiring"], False, True)]
