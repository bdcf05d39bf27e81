"""Render Block Kit as the plain text a person would read in Slack.

Pure functions over block dicts. mrkdwn loses its markup (*bold* → bold),
mentions become names (<@U1> → @ana, <#C1|sales> → #sales), links keep their
label, dates their fallback text, and code blocks keep their content verbatim,
so a coverage table stays a table. Buttons show as ``[ Label ]``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.slacktext import unescape

__all__ = [
    "EMOJI",
    "MARKS",
    "Names",
    "emoji",
    "indent",
    "mrkdwn_to_text",
    "render_block",
    "render_blocks",
    "render_message",
    "resolve_token",
    "split_code",
]

# The emoji Alignbot's own messages use, and a few common ones; others stay :as_written:.
EMOJI = {
    "white_check_mark": "✅",
    "warning": "⚠️",
    "hourglass": "⏳",
    "hourglass_flowing_sand": "⏳",
    "alarm_clock": "⏰",
    "inbox_tray": "📥",
    "x": "❌",
    "speech_balloon": "💬",
    "white_circle": "⚪",
    "wave": "👋",
    "twisted_rightwards_arrows": "🔀",
    "small_blue_diamond": "🔹",
    "mute": "🔇",
    "jigsaw": "🧩",
    "handshake": "🤝",
    "grey_question": "❔",
    "dart": "🎯",
    "bust_in_silhouette": "👤",
    "arrow_right_hook": "↪️",
    "user": "👤",
    "tada": "🎉",
    "chart_with_upwards_trend": "📈",
    "bar_chart": "📊",
}

_CODE_BLOCK = re.compile(r"```(.*?)```", re.S)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_TOKEN = re.compile(r"<([^<>\n]+)>")
EMOJI_CODE = re.compile(r":([a-z0-9_+\-]+):")


def _mark(mark: str) -> re.Pattern[str]:
    m = re.escape(mark)
    # Slack's formatting marks count only at word edges: "snake_case" is no italic.
    return re.compile(rf"(?<![\w{m}]){m}(?=\S)([^\n{m}]+?)(?<=\S){m}(?![\w{m}])")


MARKS = {"bold": _mark("*"), "italic": _mark("_"), "strike": _mark("~")}


@dataclass(frozen=True)
class Names:
    """Display names for ids that mrkdwn mentions: users and channels."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def user(self, user_id: str) -> str:
        return self.users.get(user_id, user_id)

    def channel(self, channel_id: str) -> str:
        return self.channels.get(channel_id, channel_id)


def split_code(text: str) -> Iterator[tuple[str, str]]:
    """Yield ("pre" | "code" | "text", content) pieces of mrkdwn, code never reformatted."""
    at = 0
    for block in _CODE_BLOCK.finditer(text):
        yield from _split_inline(text[at : block.start()])
        yield "pre", block.group(1).strip("\n")
        at = block.end()
    yield from _split_inline(text[at:])


def _split_inline(text: str) -> Iterator[tuple[str, str]]:
    at = 0
    for code in _INLINE_CODE.finditer(text):
        if code.start() > at:
            yield "text", text[at : code.start()]
        yield "code", code.group(1)
        at = code.end()
    if at < len(text):
        yield "text", text[at:]


def resolve_token(inner: str, names: Names) -> tuple[str, str, str | None]:
    """Return (kind, label, url) for what sits between < and >: a mention, a date or a link."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "user", "@" + (label or names.user(target[1:])), None
    if target.startswith("#"):
        return "channel", "#" + (label or names.channel(target[1:])), None
    if target.startswith("!subteam^"):
        return "user", label or "@group", None
    if target.startswith("!date^"):
        return "date", label or target.split("^")[1], None
    if target.startswith("!"):
        return "user", "@" + target[1:], None
    return "link", label or target, target


def emoji(text: str) -> str:
    """Replace :emoji: codes Alignbot uses with the characters."""
    return EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def _plain_marks(text: str) -> str:
    for pattern in MARKS.values():
        text = pattern.sub(r"\1", text)
    return text


def mrkdwn_to_text(text: str, names: Names | None = None) -> str:
    """Return mrkdwn as readable plain text."""
    names = names or Names()
    out = []
    for kind, piece in split_code(text):
        if kind == "pre":
            out.append("\n" + unescape(piece) + "\n")
        elif kind == "code":
            out.append(unescape(piece))  # Slack shows inline code in a monospace box, no backticks
        else:
            piece = _TOKEN.sub(lambda m: resolve_token(m.group(1), names)[1], piece)
            out.append(unescape(emoji(_plain_marks(piece))))
    # A code block starting or ending the text must not add blank lines around it.
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip("\n")


def _text_of(obj: Any, names: Names) -> str:
    """Return a text object's (plain_text or mrkdwn) readable content."""
    if not isinstance(obj, dict):
        return str(obj or "")
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_text(obj.get("text", ""), names)
    return unescape(emoji(obj.get("text", "")))


def _element(element: dict[str, Any], names: Names) -> str:
    kind = element.get("type", "")
    if kind == "button":
        return f"[ {_text_of(element.get('text'), names)} ]"
    if kind in (
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
        "overflow",
        "datepicker",
        "timepicker",
    ):
        chosen = element.get("initial_option") or {}
        label = _text_of(chosen.get("text"), names) if chosen else _text_of(element.get("placeholder"), names)
        return f"[ {label or '…'} ▾ ]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("plain_text_input", "email_text_input", "number_input", "url_text_input"):
        return f"[ {element.get('initial_value') or _text_of(element.get('placeholder'), names) or '…'} ]"
    if kind in ("checkboxes", "radio_buttons"):
        return "  ".join(f"( ) {_text_of(o.get('text'), names)}" for o in element.get("options", []))
    if kind in ("mrkdwn", "plain_text"):
        return _text_of(element, names)
    return f"[{kind}]"


def _rich_text(element: dict[str, Any], names: Names) -> str:
    kind = element.get("type")
    if kind == "text":
        return element.get("text", "")
    if kind == "user":
        return "@" + names.user(element.get("user_id", ""))
    if kind == "channel":
        return "#" + names.channel(element.get("channel_id", ""))
    if kind == "link":
        return element.get("text") or element.get("url", "")
    if kind == "emoji":
        return EMOJI.get(element.get("name", ""), f":{element.get('name', '')}:")
    if kind in ("rich_text_section", "rich_text_quote", "rich_text_preformatted"):
        return "".join(_rich_text(e, names) for e in element.get("elements", []))
    if kind == "rich_text_list":
        return "\n".join("• " + _rich_text(e, names) for e in element.get("elements", []))
    return ""


def render_block(block: dict[str, Any], names: Names | None = None) -> str:
    """Return one block as readable text ("" for blocks that show nothing)."""
    names = names or Names()
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"), names)
        return f"{title}\n{'═' * min(len(title), 72)}"
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(_text_of(block["text"], names))
        fields = [_text_of(f, names) for f in block.get("fields", [])]
        if fields:
            parts.append(_columns(fields))
        accessory = block.get("accessory")
        if accessory:
            parts.append(_element(accessory, names))
        return "\n".join(p for p in parts if p)
    if kind == "context":
        return "  ".join(_element(e, names) for e in block.get("elements", []))
    if kind == "actions":
        return "  ".join(_element(e, names) for e in block.get("elements", []))
    if kind == "divider":
        return "─" * 40
    if kind == "image":
        title = _text_of(block.get("title"), names) if block.get("title") else block.get("alt_text", "")
        return f"[image: {title}]"
    if kind == "input":
        label = _text_of(block.get("label"), names)
        return f"{label}\n{_element(block.get('element', {}), names)}"
    if kind == "rich_text":
        return "\n".join(_rich_text(e, names) for e in block.get("elements", []))
    return ""


def _columns(fields: Sequence[str]) -> str:
    """Lay section fields out two per row, as Slack does."""
    rows = []
    for left, right in zip(fields[0::2], [*fields[1::2], ""]):
        left_lines, right_lines = left.splitlines() or [""], right.splitlines() or [""]
        width = max(len(line) for line in left_lines) + 4
        for i in range(max(len(left_lines), len(right_lines))):
            a = left_lines[i] if i < len(left_lines) else ""
            b = right_lines[i] if i < len(right_lines) else ""
            rows.append((a.ljust(width) + b).rstrip())
    return "\n".join(rows)


def render_blocks(blocks: Sequence[dict[str, Any]], names: Names | None = None) -> str:
    """Return a list of blocks as readable text, one block after another."""
    return "\n".join(text for text in (render_block(b, names) for b in blocks) if text)


def render_message(message: Mapping[str, Any], names: Names | None = None) -> str:
    """Return a message as Slack shows it: its blocks, else its text; files as a line each."""
    names = names or Names()
    blocks = message.get("blocks") or []
    text = render_blocks(blocks, names) if blocks else mrkdwn_to_text(message.get("text", ""), names)
    files = [f"[file: {f.get('title') or f.get('name')}]" for f in message.get("files", [])]
    return "\n".join(part for part in (text, *files) if part)


def indent(text: str, prefix: str, width: int | None = None, first: str | None = None) -> str:
    """Indent every line, `first` before the first one; wrap long prose to `width`, never table-like lines."""
    out = []
    for number, line in enumerate(text.splitlines() or [""]):
        lead = first if (first is not None and number == 0) else prefix
        if width and len(lead + line) > width and not _looks_tabular(line):
            out.extend(
                textwrap.wrap(
                    line,
                    width,
                    initial_indent=lead,
                    subsequent_indent=prefix,
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
        else:
            out.append((lead + line).rstrip())
    return "\n".join(out)


def _looks_tabular(line: str) -> bool:
    return "  " in line.strip() or line.startswith(("─", "═"))
