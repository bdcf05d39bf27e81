"""Block Kit for handoffs: the receiving team's message, the "why" form, reminders, App Home, digest lines."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks.common import Block, clip, context, escape, plain, section
from bot.slacktext import Names, mrkdwn

PICKED_UP_ACTION = "handoff_picked_up"
NEED_MORE_ACTION = "handoff_need_more"
NOT_USEFUL_ACTION = "handoff_not_useful"
ANSWER_ACTIONS = {PICKED_UP_ACTION: "picked_up", NEED_MORE_ACTION: "need_more", NOT_USEFUL_ACTION: "not_useful"}
WHY_CALLBACK = "handoff_why"
WHY_BLOCK = "why"
WHY_MAX = 300
# Each handoff takes two or three blocks; a message holds 50.
MAX_IN_MESSAGE = 15
MESSAGE_BLOCKS = 50
MAX_ON_HOME = 10
QUOTE_CHARS = 600

STATE_WORDS = {"open": "open", "picked_up": "picked up", "need_more": "need more", "not_useful": "not useful"}
STATE_EMOJI = {
    "open": ":hourglass:",
    "picked_up": ":white_check_mark:",
    "need_more": ":speech_balloon:",
    "not_useful": ":x:",
}


@dataclass(frozen=True)
class HandoffCard:
    """One handoff as people see it."""

    id: int
    source: str
    target: str
    author: str | None
    text: str
    kind: str = "handoff"
    link: str | None = None
    state: str = "open"
    by: str | None = None
    when: str | None = None  # the answer's weekday, "Tue"
    reason: str | None = None
    age_days: int = 0


def _quote(card: HandoffCard, limit: int = QUOTE_CHARS, names: Names = None) -> str:
    return ">" + (mrkdwn(card.text, names, limit=limit, lines=False) or "_(no text)_")


def _who(card: HandoffCard) -> str:
    author = f"<@{escape(card.author)}>" if card.author else "Someone"
    verb = "asks" if card.kind == "ask" else "handed over"
    link = f" (<{card.link}|see the update>)" if card.link and card.link.startswith("https://") else ""
    return f"{author} from *{escape(card.source)}* {verb}{link}:"


def answer_line(card: HandoffCard, names: Mapping[str, str] | None = None) -> str:
    """Return what became of a handoff: "Picked up by <@U…>, Tue", with the reason when one was given.

    With `names`, who answered is shown by name (or id), never as a mention: the digest pings nobody.
    """
    if card.state == "open":
        return f"{STATE_EMOJI['open']} Open for {card.age_days} day{'' if card.age_days == 1 else 's'}"
    who = (escape(names.get(card.by) or card.by) if names is not None else f"<@{escape(card.by)}>") if card.by else ""
    by = f" by {who}" if who else ""
    when = f", {card.when}" if card.when else ""
    reason = f": “{escape(clip(card.reason, WHY_MAX))}”" if card.reason else ""
    return f"{STATE_EMOJI[card.state]} {STATE_WORDS[card.state].capitalize()}{by}{when}{reason}"


def buttons(card: HandoffCard, *, block_id: str | None = None) -> Block:
    """Return the row of answer buttons for one handoff."""
    value = str(card.id)
    return {
        "type": "actions",
        "block_id": block_id or f"handoff:{card.id}",
        "elements": [
            {
                "type": "button",
                "action_id": PICKED_UP_ACTION,
                "text": plain("Picked up"),
                "value": value,
                "style": "primary",
            },
            {"type": "button", "action_id": NEED_MORE_ACTION, "text": plain("Need more"), "value": value},
            {"type": "button", "action_id": NOT_USEFUL_ACTION, "text": plain("Not useful"), "value": value},
        ],
    }


def card_blocks(card: HandoffCard, *, block_prefix: str = "handoff") -> list[Block]:
    """Return one handoff: who handed what, what became of it, and the buttons while it is unanswered."""
    blocks = [section(f"{_who(card)}\n{_quote(card)}")]
    if card.state != "open":
        blocks.append(context(answer_line(card)))
    if card.state in ("open", "need_more"):
        blocks.append(buttons(card, block_id=f"{block_prefix}:{card.id}"))
    return blocks


def group_message(source: str, target: str, week: str, cards: Sequence[HandoffCard]) -> dict[str, Any]:
    """Return the message to the receiving team: every handoff from one team this week, a button row each."""
    n = len(cards)
    head = (
        f":inbox_tray: *{escape(source)}* handed *{escape(target)}* "
        f"{'something' if n == 1 else f'{n} things'} this week ({week}). Did it help?"
    )
    blocks: list[Block] = [section(head)]
    shown = 0
    for card in cards[:MAX_IN_MESSAGE]:
        more = [{"type": "divider"}, *card_blocks(card)]
        # Keep two blocks for "and N more" and the footer.
        if len(blocks) + len(more) > MESSAGE_BLOCKS - 2:
            break
        blocks += more
        shown += 1
    if n > shown:
        blocks.append(context(f"and {n - shown} more: open Alignbot's Home tab to answer them."))
    blocks.append(
        context(
            "*Picked up*: you are using it · *Need more* or *Not useful*: tell them why in one line. "
            "Your answers show in the leadership digest."
        )
    )
    fallback = f"{source} handed {target} {n} thing{'' if n == 1 else 's'} this week: did it help?"
    return {"text": fallback, "blocks": blocks}


def why_modal(card: HandoffCard, state: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """Return the one-line "why" form for Need more / Not useful."""
    label = "What do you need?" if state == "need_more" else "Why is it not useful?"
    hint = (
        "One line for the person who handed it over, e.g. “the lead list has no phone numbers”."
        if state == "need_more"
        else "One line, e.g. “we wrote our own battlecard last week”."
    )
    return {
        "type": "modal",
        "callback_id": WHY_CALLBACK,
        "title": plain("Need more" if state == "need_more" else "Not useful", 24),
        "submit": plain("Send", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({**metadata, "handoff": card.id, "state": state}),
        "blocks": [
            section(f"{_who(card)}\n{_quote(card, 1500)}"),
            {
                "type": "input",
                "block_id": WHY_BLOCK,
                "label": plain(label),
                "hint": plain(hint),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": WHY_MAX,
                    "placeholder": plain("One line"),
                },
            },
        ],
    }


def reminder_message(card: HandoffCard, thread_ts: str, working_days: int) -> dict[str, Any]:
    """Return the one reminder in the message's thread for a handoff still open."""
    text = (
        f":alarm_clock: Still open after {working_days} working days: {_who(card)}\n{_quote(card, 300)}\n"
        "Did it help? Answer with the buttons above."
    )
    return {
        "text": text,
        "thread_ts": thread_ts,
        "blocks": [section(text), buttons(card, block_id=f"remind:{card.id}")],
    }


def author_dm(card: HandoffCard) -> dict[str, Any]:
    """Return the direct message telling the person who made the handoff what became of it."""
    verbs = {"picked_up": "picked up", "need_more": "needs more on", "not_useful": "found no use for"}
    by = f"<@{escape(card.by)}>" if card.by else "Someone"
    reason = f"\n“{escape(clip(card.reason, WHY_MAX))}”" if card.reason else ""
    verb = verbs.get(card.state, "answered")
    text = f"{by} from *{escape(card.target)}* {verb} your handoff:\n{_quote(card, 300)}{reason}"
    return {"text": text, "blocks": [section(text)]}


def home_blocks(team: str | None, cards: Sequence[HandoffCard]) -> list[Block]:
    """Return the App Home part listing the person's team's open handoffs, with the same buttons."""
    if team is None or not cards:
        return []
    blocks: list[Block] = [section(f"*Handed to {escape(team)}, waiting for an answer*")]
    for card in cards[:MAX_ON_HOME]:
        blocks.append(section(f"{_who(card)}\n{_quote(card, 300)}"))
        blocks.append(context(answer_line(card)))
        blocks.append(buttons(card, block_id=f"home_handoff:{card.id}"))
    if len(cards) > MAX_ON_HOME:
        blocks.append(context(f"and {len(cards) - MAX_ON_HOME} more in your team's channel."))
    return blocks


@dataclass(frozen=True)
class PairStat:
    """One (from, to) pair's handoffs over recent weeks."""

    source: str
    target: str
    handed: int
    picked_up: int
    need_more: int
    not_useful: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "handed": self.handed,
            "picked_up": self.picked_up,
            "need_more": self.need_more,
            "not_useful": self.not_useful,
        }

    def line(self) -> str:
        parts = [f"{self.handed} handed", f"{self.picked_up} picked up"]
        parts += [f"{n} {word}" for n, word in ((self.need_more, "need more"), (self.not_useful, "not useful")) if n]
        return f"{escape(self.source)} → {escape(self.target)}: " + ", ".join(parts)


@dataclass(frozen=True)
class HandoffDigest:
    """The digest's Handoffs section: this week's, those still open, and each pair's recent weeks."""

    week: str
    this_week: tuple[HandoffCard, ...] = ()
    still_open: tuple[HandoffCard, ...] = ()
    pairs: tuple[PairStat, ...] = ()
    not_useful: tuple[HandoffCard, ...] = ()  # marked not useful in the pairs' weeks, with their reasons
    weeks: int = 4
    ids: tuple[str, ...] = ()  # this week's update ids as the analysis names them, in this_week's order

    def to_json(self) -> list[dict[str, Any]]:
        """Return this week's handoffs as the digest JSON's `handoffs` list (docs/formats.md).

        `update` is the id the report's updates use.
        """
        return [
            {
                "from": c.source,
                "to": c.target,
                "update": uid,
                "state": c.state,
                "by": c.by,
                "age_days": c.age_days,
                "kind": c.kind,
                "reason": c.reason,
            }
            for c, uid in zip(self.this_week, self.ids)
        ]

    def lines(self, names: Mapping[str, str] | None = None) -> list[str]:
        """Return the section's lines, worst news first: not useful, open, then the rest and the pairs.

        `names`: people by id, shown instead of mentions (see answer_line).
        """
        order = {"not_useful": 0, "open": 1, "need_more": 2, "picked_up": 3}
        lines = []
        for card in sorted(self.this_week, key=lambda c: order.get(c.state, 9)):
            lines.append(
                f"{escape(card.source)} → {escape(card.target)}: "
                f"{_quote(card, 140, names)[1:]} · {answer_line(card, names)}"
            )
        this = {c.id for c in self.this_week}
        older = [c for c in self.still_open if c.id not in this]
        for card in older:
            lines.append(
                f"Still open from earlier: {escape(card.source)} → {escape(card.target)}: "
                f"{_quote(card, 140, names)[1:]} · {answer_line(card, names)}"
            )
        if self.pairs:
            lines.append(f"_Last {self.weeks} weeks_: " + "; ".join(p.line() for p in self.pairs))
        for card in (c for c in self.not_useful if c.id not in this):
            lines.append(
                f"Not useful to {escape(card.target)} lately: {_quote(card, 140, names)[1:]} · "
                f"{answer_line(card, names)}"
            )
        return lines
