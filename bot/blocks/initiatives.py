"""Block Kit for initiatives: the list, the form, confirmations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from bot.blocks.common import Block, clip, context, escape, plain, section

ADD_CALLBACK = "initiative_add"
CLOSE_ACTION = "initiative_close"
MAX_LISTED = 45
MAX_OPTIONS = 100


# Read-only protocols, so the services' frozen dataclasses fit them.


class TagLike(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def auto(self) -> bool: ...


class InitiativeLike(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def team(self) -> str: ...

    @property
    def objectives(self) -> Sequence[TagLike]: ...

    @property
    def partners(self) -> Sequence[str]: ...

    @property
    def owner(self) -> str | None: ...

    @property
    def status(self) -> str: ...


class ChoiceLike(Protocol):
    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def _objectives(initiative: InitiativeLike) -> str:
    if not initiative.objectives:
        return "_no objective_"
    return ", ".join(f"`{escape(t.key)}`" for t in initiative.objectives)


def initiative_line(initiative: InitiativeLike) -> str:
    """Return one initiative as mrkdwn: id, title, team, objectives, partners, owner."""
    title = escape(clip(initiative.title, 200))
    line = f"*#{initiative.id}* {title}\n{escape(initiative.team)} · {_objectives(initiative)}"
    if initiative.partners:
        line += " · with " + ", ".join(escape(p) for p in initiative.partners)
    if initiative.owner:
        line += f" · owner <@{initiative.owner}>"
    if initiative.status != "open":
        line += f" · _{initiative.status}_"
    return line


def _close_menu(initiative: InitiativeLike) -> dict[str, Any]:
    return {
        "type": "overflow",
        "action_id": CLOSE_ACTION,
        "options": [
            {"text": plain("Mark done", 75), "value": f"done:{initiative.id}"},
            {"text": plain("Drop", 75), "value": f"dropped:{initiative.id}"},
        ],
    }


def initiative_list(heading: str, initiatives: Sequence[InitiativeLike]) -> dict[str, Any]:
    """Return the `/initiative list` message, each open initiative with a menu to close it."""
    if not initiatives:
        text = f"{heading}: none. Log one with `/initiative add <title> [#objective-key ...] [with <team> ...]`."
        return {"text": text, "blocks": [section(escape(text))]}
    blocks: list[Block] = [section(f"*{escape(heading)}* ({len(initiatives)})")]
    for initiative in initiatives[:MAX_LISTED]:
        block = section(initiative_line(initiative))
        if initiative.status == "open":
            block["accessory"] = _close_menu(initiative)
        blocks.append(block)
    if len(initiatives) > MAX_LISTED:
        rest = initiatives[MAX_LISTED:]
        blocks.append(context(f"and {len(rest)} more: " + ", ".join(f"#{i.id}" for i in rest)))
    text = f"{heading}: " + "; ".join(f"#{i.id} {i.title}" for i in initiatives)
    return {"text": clip(text, 3000), "blocks": blocks}


def initiative_logged(initiative: InitiativeLike) -> dict[str, Any]:
    """Return the confirmation after an initiative was logged, saying how it was tagged."""
    if not initiative.objectives:
        tags = "It serves none of the objectives I know; add `#objective-key`s next time if it does."
    elif all(t.auto for t in initiative.objectives):
        tags = (
            "I tagged it with "
            + ", ".join(f"`{escape(t.key)}` ({escape(t.title)})" for t in initiative.objectives)
            + "."
        )
    else:
        tags = "Objectives: " + ", ".join(f"`{escape(t.key)}`" for t in initiative.objectives) + "."
    body = (
        f":white_check_mark: Logged initiative *#{initiative.id}* {escape(initiative.title)}"
        f" for {escape(initiative.team)}."
    )
    details = [tags]
    if initiative.partners:
        details.append("With " + ", ".join(escape(p) for p in initiative.partners) + ".")
    if initiative.owner:
        details.append(f"Owner <@{initiative.owner}>.")
    text = f"Logged initiative #{initiative.id} {initiative.title}"
    return {
        "text": clip(text, 3000),
        "blocks": [
            section(body),
            context(" ".join(details)),
            context(f"Close it with `/initiative done {initiative.id}`."),
        ],
    }


def initiative_closed(initiative: InitiativeLike) -> str:
    """Return the confirmation after an initiative was closed."""
    word = "done" if initiative.status == "done" else "dropped"
    return f"Initiative #{initiative.id} “{initiative.title}” is {word}."


def _option(choice: ChoiceLike) -> dict[str, Any]:
    return {"text": plain(choice.label, 75), "value": clip(choice.value, 150)}


def add_modal(
    teams: Sequence[ChoiceLike],
    objectives: Sequence[ChoiceLike],
    *,
    default_team: str | None,
    owner: str,
    channel_id: str | None,
) -> dict[str, Any]:
    """Return the form that logs an initiative: title, team, objectives, partner teams, owner."""
    team_options = [_option(t) for t in teams[:MAX_OPTIONS]]
    team_select: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": team_options}
    initial = next((o for o in team_options if o["value"] == default_team), None)
    if initial is not None:
        team_select["initial_option"] = initial
    blocks: list[Block] = [
        {
            "type": "input",
            "block_id": "title",
            "label": plain("Title"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "max_length": 200,
                "placeholder": plain("e.g. Partner webinar with the sales team"),
            },
        },
        {"type": "input", "block_id": "team", "label": plain("Team"), "element": team_select},
    ]
    if objectives:
        blocks.append(
            {
                "type": "input",
                "block_id": "objectives",
                "optional": True,
                "label": plain("Objectives it serves"),
                "hint": plain("Leave empty and I will suggest the objectives myself."),
                "element": {
                    "type": "multi_static_select",
                    "action_id": "value",
                    "options": [_option(o) for o in objectives[:MAX_OPTIONS]],
                },
            }
        )
    blocks += [
        {
            "type": "input",
            "block_id": "partners",
            "optional": True,
            "label": plain("Partner teams"),
            "element": {"type": "multi_static_select", "action_id": "value", "options": team_options},
        },
        {
            "type": "input",
            "block_id": "owner",
            "label": plain("Owner"),
            "element": {"type": "users_select", "action_id": "value", "initial_user": owner},
        },
    ]
    if len(objectives) > MAX_OPTIONS or len(teams) > MAX_OPTIONS:
        blocks.append(context("Only the first 100 choices are listed; use `/initiative add` for the others."))
    return {
        "type": "modal",
        "callback_id": ADD_CALLBACK,
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": plain("Log an initiative", 24),
        "submit": plain("Log it", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }
