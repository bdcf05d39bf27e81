"""A hostile update, as Slack sends it, and the check that a surface shows it inert and escaped once."""

from __future__ import annotations

import json
from typing import Any

# What a member typed: markup that must stay text, an ampersand, a right-to-left override and a zero-width
# space. Slack escapes &, < and > in what people type (messages and slash commands alike).
TYPED = (
    "Handed the launch plan to sales with R&D notes <!channel> <!here> <!subteam^S0ENG|@eng> ask <@U0CAL|cal> "
    "see <https://evil.example|click here> page \u202egnp.exe zero\u200bwidth"
)
SENT = TYPED.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

# Live markup none of it may become, and what escaping twice looks like.
LIVE = ("<!channel>", "<!here>", "<!subteam^", "<@U0CAL", "<https://evil.example")
TWICE = ("&amp;amp;", "&amp;lt;", "&amp;gt;")
DISGUISING = ("\u202e", "\u200b")


def mrkdwn_texts(message: Any) -> list[str]:
    """Return every string Slack reads as mrkdwn in a message or view: its `text` and mrkdwn text objects."""
    found: list[str] = []
    if isinstance(message, dict):
        if isinstance(message.get("text"), str) and message.get("type") in (None, "message", "mrkdwn"):
            found.append(message["text"])
        for key, value in message.items():
            if key != "text" or not isinstance(value, str):
                found += mrkdwn_texts(value)
    elif isinstance(message, list):
        for item in message:
            found += mrkdwn_texts(item)
    return found


def assert_inert(message: dict[str, Any], *, typed: bool = True) -> str:
    """Check a posted message (or view): no live mention or link, nothing escaped twice, no disguising
    character; with `typed`, what was typed shows as typed. Return its mrkdwn, joined."""
    texts = mrkdwn_texts(message)
    assert texts, message
    everything = json.dumps(message, ensure_ascii=False)
    for text in texts:
        for live in LIVE:
            assert live not in text, (live, text)
        for twice in TWICE:
            assert twice not in text, (twice, text)
    for char in DISGUISING:
        assert char not in everything, (char, everything)
    joined = "\n".join(texts)
    if typed:
        assert "R&amp;D" in joined and "&lt;!channel&gt;" in joined and "&lt;@U0CAL|cal&gt;" in joined, joined
        assert "&lt;https://evil.example|click here&gt;" in joined and "page gnp.exe zerowidth" in joined, joined
    return joined
