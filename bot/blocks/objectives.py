"""Block Kit for objectives: the list, the edit modal, confirmations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.blocks.common import Block, clip, context, counted, escape, plain, section
from bot.slacktext import mrkdwn

EDIT_CALLBACK = "objective_edit"
PREVIEW_ACTION = "objective_preview"
MAX_LISTED = 45  # of Slack's 50 blocks per message, leaving room for the header and footer


class ObjectiveLike(Protocol):
    """An objective as the list and the form show it; read-only, so a frozen dataclass fits."""

    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def keywords(self) -> tuple[str, ...]: ...

    @property
    def examples(self) -> tuple[str, ...]: ...

    @property
    def open_initiatives(self) -> int: ...


def objective_line(objective: ObjectiveLike) -> str:
    """Return one objective as mrkdwn: title, key, open initiatives, description."""
    open_count = counted(objective.open_initiatives, "open initiative")
    head = f"*{escape(objective.title)}*  `{escape(objective.key)}`  ·  {open_count}"
    if objective.description:
        head += "\n" + escape(clip(objective.description, 600))
    return head


def objective_list(objectives: Sequence[ObjectiveLike], archived: int = 0) -> dict[str, Any]:
    """Return the `/objective list` message."""
    if not objectives:
        text = "There are no objectives yet. An admin adds one with `/objective add <title> | <description>`."
        if archived:
            text += f" ({counted(archived, 'archived objective')} not shown.)"
        return {"text": text, "blocks": [section(text)]}
    blocks: list[Block] = [section(f"*Objectives* ({len(objectives)})")]
    for objective in objectives[:MAX_LISTED]:
        blocks.append(section(objective_line(objective)))
    notes = []
    if len(objectives) > MAX_LISTED:
        rest = objectives[MAX_LISTED:]
        notes.append(f"and {len(rest)} more: " + ", ".join(f"`{escape(o.key)}`" for o in rest))
    if archived:
        notes.append(f"{counted(archived, 'archived objective')} not shown")
    notes.append("Tag an initiative with `#key`, e.g. `/initiative add <title> #" + escape(objectives[0].key) + "`")
    blocks.append(context(" · ".join(notes)))
    text = "Objectives: " + ", ".join(o.key for o in objectives)
    return {"text": clip(text, 3000), "blocks": blocks}


def objective_added(objective: ObjectiveLike) -> dict[str, Any]:
    """Return the confirmation of `/objective add`."""
    text = f"Added objective “{objective.title}” with key `{objective.key}`."
    body = f":dart: Added objective *{escape(objective.title)}* with key `{escape(objective.key)}`."
    key = escape(objective.key)
    hint = f"People tag initiatives with it: `/initiative add <title> #{key}`. Edit it with `/objective edit {key}`."
    return {"text": text, "blocks": [section(body), context(hint)]}


@dataclass(frozen=True)
class PreviewLine:
    """One recent update as the draft wording would tag it."""

    team: str
    text: str
    before: bool  # tagged with this objective today
    after: bool  # tagged with it under the new wording


@dataclass(frozen=True)
class Preview:
    """How recent updates would be tagged with an objective's new wording."""

    title: str
    days: int
    read: int  # updates the tagger read (hand-tagged ones keep their tags and are not counted)
    lines: tuple[PreviewLine, ...]


def _input(
    block_id: str,
    label: str,
    value: str,
    limit: int,
    *,
    optional: bool = True,
    multiline: bool = False,
    hint: str | None = None,
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": limit,
        "multiline": multiline,
    }
    if value:
        element["initial_value"] = clip(value, limit)
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label),
        "element": element,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def _quote(line: PreviewLine) -> str:
    return f"• *{escape(clip(line.team, 40))}*: {mrkdwn(line.text, limit=110, lines=False)}"


def preview_blocks(preview: Preview, limit: int = 8) -> list[Block]:
    """Return the preview section of the objective form: what the wording would tag, and what changes."""
    gained = [line for line in preview.lines if line.after and not line.before]
    lost = [line for line in preview.lines if line.before and not line.after]
    kept = [line for line in preview.lines if line.before and line.after]
    tagged = len(gained) + len(kept)
    head = (
        f"*Preview* · last {preview.days} days: with this wording, {counted(tagged, 'update')} of "
        f"{preview.read} would be tagged *{escape(clip(preview.title, 100))}*."
    )
    if not preview.read:
        head = f"*Preview* · no updates in the last {preview.days} days for the tagger to read yet."
    blocks: list[Block] = [section(head)]
    for label, group in (("Newly tagged", gained), ("No longer tagged", lost), ("Still tagged", kept)):
        if group:
            more = f"\n_and {len(group) - limit} more_" if len(group) > limit else ""
            blocks.append(
                section(clip(f"*{label}* ({len(group)})\n" + "\n".join(_quote(g) for g in group[:limit]) + more, 2900))
            )
    if preview.read and not (gained or lost):
        blocks.append(context("Nothing changes: the tags stay as they are."))
    return blocks


def objective_values(objective: ObjectiveLike | None) -> dict[str, str]:
    """Return the objective form's fields filled from an objective (empty for a new one)."""
    if objective is None:
        return {"title": "", "description": "", "keywords": "", "examples": ""}
    return {
        "title": objective.title,
        "description": objective.description,
        "keywords": ", ".join(objective.keywords),
        "examples": "\n".join(objective.examples),
    }


def objective_form(
    metadata: dict[str, Any], values: dict[str, str], *, preview: Preview | None = None, problem: str | None = None
) -> dict[str, Any]:
    """Return the modal that adds (no `key` in metadata) or edits an objective, with an optional tagging preview.

    `values` are the fields' text: the objective's own, or what the person typed before pressing Preview.
    """
    key = metadata.get("key")
    current = {**objective_values(None), **values}
    blocks: list[Block] = []
    if key:
        blocks.append(context(f"Key `{escape(str(key))}` (it stays the same, so past tags keep pointing here)"))
    blocks += [
        _input("title", "Title", current["title"], 150, optional=False),
        _input("description", "Description", current["description"], 2000, multiline=True),
        _input(
            "keywords",
            "Keywords",
            current["keywords"],
            2000,
            hint="Comma-separated words that mean this objective, e.g. pipeline, ARR",
        ),
        _input(
            "examples",
            "Example updates",
            current["examples"],
            3000,
            multiline=True,
            hint="One a line: updates that serve this objective. They teach the tagger like corrections do.",
        ),
        {
            "type": "actions",
            "block_id": "preview_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": PREVIEW_ACTION,
                    "text": plain("Preview tagging", 75),
                    "value": "preview",
                },
            ],
        },
    ]
    if problem:
        blocks.append(context(f":warning: {escape(problem)}"))
    elif preview is not None:
        blocks += preview_blocks(preview)
    else:
        blocks.append(context("Preview shows how the last week's updates would be tagged with this wording."))
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "private_metadata": json.dumps(metadata),
        "title": plain("Edit objective" if key else "New objective", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def form_values(state: dict[str, Any]) -> dict[str, str]:
    """Return the objective form's raw text fields from a view's state."""
    values = state.get("values", {})
    return {
        name: ((values.get(name, {}).get("value") or {}).get("value") or "")
        for name in ("title", "description", "keywords", "examples")
    }
