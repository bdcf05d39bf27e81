"""Block Kit for objectives: the list, the edit modal, confirmations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from bot.blocks.common import Block, clip, context, escape, plain, section

EDIT_CALLBACK = "objective_edit"
MAX_LISTED = 45  # of Slack's 50 blocks per message, leaving room for the header and footer


class ObjectiveLike(Protocol):
    key: str
    title: str
    description: str
    keywords: tuple[str, ...]
    open_initiatives: int


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def objective_line(objective: ObjectiveLike) -> str:
    """Return one objective as mrkdwn: title, key, open initiatives, description."""
    head = f"*{escape(objective.title)}*  `{escape(objective.key)}`  ·  {_count(objective.open_initiatives, 'open initiative')}"
    if objective.description:
        head += "\n" + escape(clip(objective.description, 600))
    return head


def objective_list(objectives: Sequence[ObjectiveLike], archived: int = 0) -> dict[str, Any]:
    """Return the `/objective list` message."""
    if not objectives:
        text = "There are no objectives yet. An admin adds one with `/objective add <title> | <description>`."
        if archived:
            text += f" ({_count(archived, 'archived objective')} not shown.)"
        return {"text": text, "blocks": [section(text)]}
    blocks: list[Block] = [section(f"*Objectives* ({len(objectives)})")]
    for objective in objectives[:MAX_LISTED]:
        blocks.append(section(objective_line(objective)))
    notes = []
    if len(objectives) > MAX_LISTED:
        rest = objectives[MAX_LISTED:]
        notes.append(f"and {len(rest)} more: " + ", ".join(f"`{escape(o.key)}`" for o in rest))
    if archived:
        notes.append(f"{_count(archived, 'archived objective')} not shown")
    notes.append("Tag an initiative with `#key`, e.g. `/initiative add <title> #" + escape(objectives[0].key) + "`")
    blocks.append(context(" · ".join(notes)))
    text = "Objectives: " + ", ".join(o.key for o in objectives)
    return {"text": clip(text, 3000), "blocks": blocks}


def objective_added(objective: ObjectiveLike) -> dict[str, Any]:
    """Return the confirmation of `/objective add`."""
    text = f"Added objective “{objective.title}” with key `{objective.key}`."
    body = f":dart: Added objective *{escape(objective.title)}* with key `{escape(objective.key)}`."
    hint = f"People tag initiatives with it: `/initiative add <title> #{escape(objective.key)}`. Edit it with `/objective edit {escape(objective.key)}`."
    return {"text": text, "blocks": [section(body), context(hint)]}


def edit_modal(objective: ObjectiveLike) -> dict[str, Any]:
    """Return the modal that edits an objective's title, description and keywords."""
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "private_metadata": json.dumps({"key": objective.key}),
        "title": plain("Edit objective", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            context(f"Key `{escape(objective.key)}` (it stays the same, so past tags keep pointing here)"),
            {
                "type": "input",
                "block_id": "title",
                "label": plain("Title"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "initial_value": clip(objective.title, 150),
                    "max_length": 150,
                },
            },
            {
                "type": "input",
                "block_id": "description",
                "optional": True,
                "label": plain("Description"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "initial_value": clip(objective.description, 2000),
                    "max_length": 2000,
                },
            },
            {
                "type": "input",
                "block_id": "keywords",
                "optional": True,
                "label": plain("Keywords"),
                "hint": plain("Comma-separated words that mean this objective, e.g. pipeline, ARR"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "initial_value": clip(", ".join(objective.keywords), 2000),
                    "max_length": 2000,
                },
            },
        ],
    }
