"""Block Kit for team goals: the `/goal` answers, and the goal lines the App Home and settings show."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from bot.blocks.checkin import Choice, answer_value, multi_select
from bot.blocks.common import Block, clip, context, escape, plain, section

MAX_LISTED = 45
# "Which objectives does this goal serve?": one button per suggestion, each action id suffixed to stay unique.
LINK_ACTION = "goal_link"
LINK_OTHER_ACTION = "goal_link_other"
LINK_CALLBACK = "goal_link_submit"
# A lead's direct message after an org import: one question a goal, each block named by the goal's id.
ASK_BLOCK = "goal_link_ask"
QUESTION_BLOCK = "goal_link_question"
ANSWERED_BLOCK = "goal_link_answered"
# Questions a message: two blocks each and an opening line stay within Slack's 50 blocks.
MAX_ASKED = 24


class GoalLike(Protocol):
    """What a goal shows (the services' GoalView fits it)."""

    @property
    def id(self) -> int: ...
    @property
    def team(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def serves(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def suggested(self) -> bool: ...
    @property
    def confident(self) -> bool: ...
    @property
    def by_model(self) -> bool: ...


def serves_line(goal: GoalLike) -> str:
    """Return what a goal serves, in words: "→ Grow new-logo revenue", or that it serves none."""
    if not goal.serves:
        return "serves no objective"
    titles = ", ".join(escape(title) for _, title in goal.serves)
    if not goal.suggested:
        return f"→ {titles}"
    who = " by the model" if goal.by_model else ""
    return f"→ {titles} (suggested{who}{'' if goal.confident else ', unsure'})"


def goal_line(goal: GoalLike) -> str:
    """Return one goal as a list line: `#id` *title* → objectives."""
    return f"`#{goal.id}` *{escape(goal.title)}* {serves_line(goal)}"


def goal_added(goal: GoalLike) -> dict[str, Any]:
    """Return the answer to `/goal add`: the goal and which objectives it serves."""
    if not goal.serves:
        how = "It serves none of the objectives: it is the team's own goal."
    elif goal.suggested:
        keys = " ".join(f"`#{escape(key)}`" for key, _ in goal.serves)
        how = (
            f"{'The model' if goal.by_model else 'I'} linked it to {escape(', '.join(t for _, t in goal.serves))}"
            f"{'' if goal.confident else ', though I am not sure'}; to change that, `/goal edit {goal.id} #key ...` "
            f"(now {keys}, `#none` for none)."
        )
    else:
        how = "It serves " + ", ".join(f"*{escape(t)}*" for _, t in goal.serves) + "."
    body = f":dart: Added goal `#{goal.id}` *{escape(goal.title)}* for team {escape(goal.team)}.\n{how}"
    blocks = [section(body), *(link_question(goal) if goal.suggested and not goal.confident else ())]
    return {"text": clip(f"Added goal #{goal.id} {goal.title}: {how}", 3000), "blocks": blocks}


def link_question(goal: GoalLike) -> list[Block]:
    """Return the one-tap question of which objectives a goal serves: its suggestions, none, or any other."""
    buttons = [
        {
            "type": "button",
            "action_id": f"{LINK_ACTION}:{i}",
            "text": plain(title, 75),
            "value": answer_value(goal.id, key),
        }
        for i, (key, title) in enumerate(goal.serves[:20])
    ]
    buttons.append(
        {
            "type": "button",
            "action_id": f"{LINK_ACTION}:none",
            "text": plain("None: our own goal", 75),
            "value": answer_value(goal.id, None),
        }
    )
    buttons.append({"type": "button", "action_id": LINK_OTHER_ACTION, "text": plain("Other…"), "value": str(goal.id)})
    ask = f"*Which objectives does _{escape(goal.title)}_ serve?* I'm not sure; one tap tells me."
    return [section(ask), {"type": "actions", "block_id": QUESTION_BLOCK, "elements": buttons}]


def link_questions(goals: Sequence[GoalLike]) -> dict[str, Any]:
    """Return the direct message that asks a lead what each of their team's new goals serves (MAX_ASKED at most)."""
    asked = list(goals[:MAX_ASKED])
    teams = list(dict.fromkeys(g.team for g in asked))
    named = ", ".join(f"*{escape(t)}*" for t in teams)
    which = "it serves" if len(asked) == 1 else "they serve"
    intro = f":dart: The org file added goals for team {named}. I'm not sure which objectives {which}:"
    blocks: list[Block] = [section(intro)]
    for goal in asked:
        ask, question = link_question(goal)
        blocks += [
            {**ask, "block_id": f"{ASK_BLOCK}:{goal.id}"},
            {**question, "block_id": f"{QUESTION_BLOCK}:{goal.id}"},
        ]
    titles = "; ".join(g.title for g in asked)
    return {"text": clip(f"Which objectives do these goals serve? {titles}", 3000), "blocks": blocks}


def answered_in_message(blocks: Sequence[Block], goal: GoalLike) -> dict[str, Any] | None:
    """Return a questions message with one goal's question replaced by its answer; None if it holds no such question."""
    mine = {f"{ASK_BLOCK}:{goal.id}", f"{QUESTION_BLOCK}:{goal.id}"}
    if not any(b.get("block_id") in mine for b in blocks):
        return None
    answered = {**goal_linked(goal)["blocks"][0], "block_id": f"{ANSWERED_BLOCK}:{goal.id}"}
    out: list[Block] = []
    for block in blocks:
        if block.get("block_id") == f"{ASK_BLOCK}:{goal.id}":
            out.append(answered)
        elif block.get("block_id") not in mine:
            out.append(block)
    left = sum(1 for b in out if str(b.get("block_id", "")).startswith(f"{QUESTION_BLOCK}:"))
    text = f"{left} goal{'s' if left != 1 else ''} left to link" if left else "Every goal is linked"
    return {"text": text, "blocks": out}


def goal_linked(goal: GoalLike) -> dict[str, Any]:
    """Return the answer in place of the question once a lead said what a goal serves."""
    how = "serves no objective: it is the team's own goal" if not goal.serves else serves_line(goal)
    line = f":dart: Goal `#{goal.id}` *{escape(goal.title)}* of team {escape(goal.team)} {how}."
    return {"text": clip(f"Goal #{goal.id} {goal.title} {how}", 3000), "blocks": [section(line)]}


def link_modal(goal: GoalLike, objectives: Sequence[Choice], channel_id: str | None) -> dict[str, Any]:
    """Return the modal that picks any of the objectives a goal serves; none picked: the team's own goal."""
    chosen = [key for key, _ in goal.serves]
    return {
        "type": "modal",
        "callback_id": LINK_CALLBACK,
        "title": plain("Goal links", 24),
        "close": plain("Cancel", 24),
        "submit": plain("Save", 24),
        "private_metadata": json.dumps({"goal_id": goal.id, "channel": channel_id}),
        "blocks": [
            section(f"*{escape(goal.title)}* ({escape(goal.team)})"),
            multi_select("objectives", "Objectives this goal serves", objectives, chosen, "None: our own goal"),
        ],
    }


def goal_edited(goal: GoalLike) -> dict[str, Any]:
    """Return the answer to `/goal edit`."""
    line = f"Goal {goal_line(goal)} of team {escape(goal.team)} is changed."
    return {"text": clip(f"Changed goal #{goal.id} {goal.title}", 3000), "blocks": [section(line)]}


def goal_archived(goal: GoalLike) -> dict[str, Any]:
    """Return the answer to `/goal archive`."""
    line = f"Archived goal `#{goal.id}` *{escape(goal.title)}* of team {escape(goal.team)}."
    return {"text": clip(f"Archived goal #{goal.id} {goal.title}", 3000), "blocks": [section(line)]}


def goal_lines(goals: Sequence[GoalLike]) -> list[str]:
    """Return a team's goals as lines, or a line saying it has none."""
    if not goals:
        return ["No goals yet: a lead adds one with `/goal add <team> <title>`."]
    return [goal_line(g) for g in goals]


def goal_list(goals: Sequence[GoalLike], team: str | None) -> dict[str, Any]:
    """Return the answer to `/goal list`: the goals team by team."""
    if not goals:
        where = f"Team {escape(team)} has" if team else "No team has"
        text = f"{where} no goals yet. A lead adds one with `/goal add <team> <title> [#objective-key ...]`."
        return {"text": text, "blocks": [section(text)]}
    blocks: list[Block] = []
    by_team: dict[str, list[GoalLike]] = {}
    for goal in goals[:MAX_LISTED]:
        by_team.setdefault(goal.team, []).append(goal)
    for name, team_goals in by_team.items():
        blocks.append(section(f"*{escape(name)}*\n" + "\n".join(goal_line(g) for g in team_goals)))
    if len(goals) > MAX_LISTED:
        blocks.append(context(f"…and {len(goals) - MAX_LISTED} more; list one team with `/goal list <team>`."))
    return {"text": f"{len(goals)} goals", "blocks": blocks}
