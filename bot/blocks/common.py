"""Small Block Kit pieces shared by every surface.

`escape` and `clip` come from bot.slacktext: escaping a person's text makes it inert mrkdwn.
"""

from __future__ import annotations

from typing import Any

from bot.slacktext import clip, escape
from bot.usage import CommandUsage

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3000


def mrkdwn(text: str) -> dict[str, str]:
    """Return a mrkdwn text object."""
    return {"type": "mrkdwn", "text": text}


def plain(text: str, limit: int = 150) -> dict[str, Any]:
    """Return a plain_text object, cut to `limit` characters."""
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def counted(n: int, noun: str) -> str:
    """Return "1 update", "3 updates": a count with its noun in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def section(text: str) -> Block:
    """Return a mrkdwn section, cut to Slack's limit."""
    return {"type": "section", "text": mrkdwn(clip(text, SECTION_TEXT_LIMIT))}


def context(text: str) -> Block:
    """Return a context block with one mrkdwn element."""
    return {"type": "context", "elements": [mrkdwn(clip(text, SECTION_TEXT_LIMIT))]}


def help_blocks(usage: CommandUsage) -> list[Block]:
    """Return the help message for one slash command."""
    lines = "\n".join(f"`{escape(syntax)}` — {escape(does)}" for syntax, does in usage.lines)
    return [
        section(f"*{usage.command}* — {usage.summary}"),
        section(lines),
    ]
