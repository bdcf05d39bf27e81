"""The demo's conversation as one self-contained HTML page laid out like Slack.

A sidebar lists the channels, the direct messages with the bot and its App Home;
the page shows each of them in turn: threads, private answers, forms, digests and charts.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.demo.render import MARKS, Names, emoji, mrkdwn_to_text, resolve_token, split_code
from bot.slacktext import unescape

if TYPE_CHECKING:
    from bot.demo.play import Entry, Played

__all__ = ["blocks_to_html", "conversation_page", "mrkdwn_to_html"]

_TOKEN = re.compile(r"&lt;([^<>\n]+?)&gt;")
# A mrkdwn quote: a line that starts with ">", escaped by then.
_QUOTE = re.compile(r"^&gt; ?(.*)$", re.M)
_TAGS = (("bold", "b"), ("italic", "i"), ("strike", "s"))

_STYLE = """
body { font: 15px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d1c1d;
       margin: 0; background: #f8f8f8; display: flex; }
nav { flex: 0 0 230px; position: sticky; top: 0; height: 100vh; overflow-y: auto; background: #3f0e40;
      color: #cfc3cf; padding: 0 0 20px; box-sizing: border-box; }
nav .workspace { color: #fff; font-weight: 900; font-size: 17px; padding: 14px 16px; border-bottom: 1px solid #5d3d5e; }
nav h3 { font-size: 13px; font-weight: 600; margin: 16px 16px 4px; color: #cfc3cf; }
nav a { display: block; padding: 3px 16px 3px 26px; color: #cfc3cf; text-decoration: none; white-space: nowrap;
        overflow: hidden; text-overflow: ellipsis; }
nav a:hover { background: #350d36; color: #fff; }
.page { flex: 1; min-width: 0; }
header { background: #fff; border-bottom: 1px solid #ddd; padding: 16px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #454245; }
main { max-width: 980px; margin: 0 auto; padding: 8px 28px 40px; }
section.dm > h2 small, section.home > h2 small { font-weight: 400; color: #616061; font-size: 13px; margin-left: 8px; }
section.home { background: #fbfbfb; }
.form { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; background: #fff;
        box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.form .note { color: #616061; font-size: 12px; }
section.channel { background: #fff; border: 1px solid #ddd; border-radius: 8px; margin: 22px 0; \
padding: 6px 20px 16px; }
section.channel > h2 { font-size: 18px; border-bottom: 1px solid #eee; padding-bottom: 8px; }
.week { color: #616061; font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em;
        margin: 18px 0 6px; border-top: 1px solid #eee; padding-top: 8px; }
.msg { display: flex; gap: 10px; margin: 10px 0; }
.avatar { flex: 0 0 34px; height: 34px; border-radius: 6px; color: #fff; font-weight: 700; display: flex;
          align-items: center; justify-content: center; font-size: 14px; }
.body { flex: 1; min-width: 0; }
.who { font-weight: 800; } .who small { font-weight: 400; color: #616061; margin-left: 6px; }
.thread { margin: 6px 0 0 4px; padding-left: 14px; border-left: 3px solid #e8e8e8; }
.private { background: #f4f7fb; border-radius: 6px; padding: 6px 10px; }
.private .note { color: #616061; font-size: 12px; }
.command { font-family: ui-monospace, Menlo, Consolas, monospace; background: #f4f4f4; padding: 2px 6px; \
border-radius: 4px; }
.blk { margin: 4px 0; }
.blk.header { font-size: 18px; font-weight: 800; margin: 6px 0; }
.blk.context { color: #616061; font-size: 13px; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 24px; }
.actions span.button { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 3px 12px;
                       margin: 4px 6px 0 0; font-weight: 700; font-size: 13px; background: #fff; }
.actions span.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.actions span.select { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 3px 12px;
                       margin: 4px 6px 0 0; font-size: 13px; color: #616061; }
pre { background: #f8f8f8; border: 1px solid #e1e1e1; border-radius: 4px; padding: 8px; overflow-x: auto;
      font: 13px/1.35 ui-monospace, Menlo, Consolas, monospace; }
code { background: #f4f4f4; border: 1px solid #e1e1e1; border-radius: 3px; padding: 0 3px; color: #c01343;
       font: 13px ui-monospace, Menlo, Consolas, monospace; }
.quote { display: block; border-left: 4px solid #ddd; padding-left: 10px; color: #454245; }
.mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
hr { border: 0; border-top: 1px solid #e1e1e1; }
img.chart { max-width: 100%; border: 1px solid #e1e1e1; border-radius: 6px; margin-top: 6px; }
.file { color: #616061; font-size: 13px; }
header p.scores { margin-top: 8px; font-size: 14px; }
.week small { font-weight: 400; text-transform: none; margin-left: 6px; }
.spark { display: inline-flex; align-items: flex-end; gap: 2px; height: 18px; vertical-align: -3px; margin-left: 4px; }
.spark i { display: inline-block; width: 6px; background: #1264a3; border-radius: 1px; }
"""

_COLOURS = ("#e01e5a", "#2eb67d", "#ecb22e", "#36c5f0", "#1264a3", "#e8912d")


_SPARK_CHARS = "▁▂▃▄▅▆▇█"


def _spark_html(spark: str) -> str:
    """Return a sparkline as a row of bars, one a week, tallest for the best week."""
    bars = "".join(f'<i style="height:{4 + 2 * _SPARK_CHARS.index(c)}px"></i>' for c in spark)
    return f'<span class="spark" title="trend, oldest week first">{bars}</span>'


def week_heading(week: str) -> str:
    """Return "Week of 26 Oct 2026" for "2026-W44"; the label itself if it is no ISO week."""
    year, _, number = week.partition("-W")
    try:
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return week
    return f"Week of {monday.day} {monday.strftime('%b %Y')}"


def _mid_sentence(heading: str) -> str:
    return heading[:1].lower() + heading[1:]


def mrkdwn_to_html(text: str, names: Names | None = None) -> str:
    """Return mrkdwn as HTML: escaped, with Slack's marks, mentions, links, dates and code."""
    names = names or Names()
    out = []
    for kind, piece in split_code(text):
        # Slack's text is already &-escaped; unescape first so nothing is escaped twice.
        piece = html.escape(unescape(piece), quote=False)
        if kind == "pre":
            out.append(f"<pre>{piece}</pre>")
        elif kind == "code" and piece and all(c in _SPARK_CHARS for c in piece):
            # A trend line: drawn as bars, not as red code.
            out.append(_spark_html(piece))
        elif kind == "code":
            out.append(f"<code>{piece}</code>")
        else:
            piece = _TOKEN.sub(lambda m: _token_html(html.unescape(m.group(1)), names), piece)
            for mark, tag in _TAGS:
                piece = MARKS[mark].sub(rf"<{tag}>\1</{tag}>", piece)
            piece = emoji(piece)
            piece = _QUOTE.sub(r'<span class="quote">\1</span>', piece)
            out.append(piece.replace("</span>\n", "</span>").replace("\n", "<br>"))
    return "".join(out)


def _token_html(inner: str, names: Names) -> str:
    kind, label, url = resolve_token(inner, names)
    if kind == "link" and url and url.startswith(("http://", "https://", "mailto:")):
        return f'<a href="{html.escape(url)}">{html.escape(label)}</a>'
    if kind in ("user", "channel"):
        return f'<span class="mention">{html.escape(label)}</span>'
    return html.escape(label)


def _text(obj: Any, names: Names) -> str:
    if not isinstance(obj, dict):
        return html.escape(str(obj or ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn_to_html(obj.get("text", ""), names)
    return emoji(html.escape(unescape(obj.get("text", "")), quote=False))


def _element(element: Mapping[str, Any], names: Names) -> str:
    kind = element.get("type", "")
    if kind == "button":
        style = " primary" if element.get("style") == "primary" else ""
        return f'<span class="button{style}">{_text(element.get("text"), names)}</span>'
    if kind.endswith("select") or kind in ("overflow", "datepicker", "timepicker"):
        chosen = element.get("initial_option")
        label = _text(chosen.get("text"), names) if chosen else _text(element.get("placeholder"), names)
        return f'<span class="select">{label} ▾</span>'
    if kind in ("mrkdwn", "plain_text"):
        return _text(element, names)
    if kind == "image":
        return f'<span class="file">[{html.escape(element.get("alt_text", "image"))}]</span>'
    return f'<span class="file">[{html.escape(kind)}]</span>'


def blocks_to_html(blocks: Sequence[Mapping[str, Any]], names: Names | None = None) -> str:
    """Return Block Kit blocks as HTML that looks roughly like Slack."""
    names = names or Names()
    parts = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            parts.append(f'<div class="blk header">{_text(block.get("text"), names)}</div>')
        elif kind == "section":
            inner = f"<div>{_text(block['text'], names)}</div>" if block.get("text") else ""
            if block.get("fields"):
                inner += (
                    '<div class="fields">'
                    + "".join(f"<div>{_text(f, names)}</div>" for f in block["fields"])
                    + "</div>"
                )
            if block.get("accessory"):
                inner += f'<div class="actions">{_element(block["accessory"], names)}</div>'
            parts.append(f'<div class="blk section">{inner}</div>')
        elif kind == "context":
            parts.append(
                '<div class="blk context">' + " ".join(_element(e, names) for e in block.get("elements", [])) + "</div>"
            )
        elif kind == "actions":
            parts.append(
                '<div class="blk actions">' + "".join(_element(e, names) for e in block.get("elements", [])) + "</div>"
            )
        elif kind == "divider":
            parts.append("<hr>")
        elif kind == "image":
            parts.append(f'<div class="blk file">[image: {html.escape(block.get("alt_text", ""))}]</div>')
    return "\n".join(parts)


def _avatar(user: str, names: Names, bot_user: str) -> str:
    label = "A" if user == bot_user else names.user(user)[:1].upper()
    colour = "#4a154b" if user == bot_user else _COLOURS[sum(map(ord, user)) % len(_COLOURS)]
    return f'<div class="avatar" style="background:{colour}">{html.escape(label)}</div>'


def _who(user: str, names: Names, bot_user: str, note: str = "") -> str:
    name = "alignbot" if user == bot_user else names.user(user)
    tag = " <small>APP</small>" if user == bot_user else ""
    extra = f" <small>{html.escape(note)}</small>" if note else ""
    return f'<div class="who">{html.escape(name)}{tag}{extra}</div>'


def _content(entry: Entry, names: Names, charts: Mapping[str, bytes]) -> str:
    body = blocks_to_html(entry.blocks, names) if entry.blocks else f"<div>{mrkdwn_to_html(entry.text, names)}</div>"
    for file in entry.files:
        content = charts.get(file.get("id", ""))
        title = html.escape(file.get("title") or file.get("name") or "file")
        if content:
            data = base64.b64encode(content).decode()
            body += f'<div><img class="chart" alt="{title}" src="data:image/png;base64,{data}"></div>'
        else:
            body += f'<div class="file">[file: {title}]</div>'
    return body


def _message(entry: Entry, names: Names, bot_user: str, charts: Mapping[str, bytes], inner: str = "") -> str:
    if entry.kind == "command":
        # As the person typed it: mentions by name, not as the <@U…> Slack sends.
        content = f'<div><span class="command">{html.escape(mrkdwn_to_text(entry.text, names))}</span></div>'
        return (
            f'<div class="msg">{_avatar(entry.user, names, bot_user)}<div class="body">'
            f"{_who(entry.user, names, bot_user, 'ran a slash command')}{content}{inner}</div></div>"
        )
    if entry.kind == "home":
        return f'<div class="blk-home">{_content(entry, names, charts)}</div>'
    if entry.kind == "form":
        content = (
            f'<div class="form"><div class="note">A form (Slack modal), filled in and sent</div>'
            f"{mrkdwn_to_html(entry.text, names)}</div>"
        )
        return (
            f'<div class="msg">{_avatar(entry.user, names, bot_user)}<div class="body">'
            f"{_who(entry.user, names, bot_user, 'used a form')}{content}{inner}</div></div>"
        )
    if entry.kind == "ephemeral":
        return (
            f'<div class="msg private">{_avatar(entry.user, names, bot_user)}<div class="body">'
            f'{_who(entry.user, names, bot_user)}<div class="note">Only visible to the person who asked</div>'
            f"{_content(entry, names, charts)}</div></div>"
        )
    return (
        f'<div class="msg">{_avatar(entry.user, names, bot_user)}<div class="body">'
        f"{_who(entry.user, names, bot_user)}{_content(entry, names, charts)}{inner}</div></div>"
    )


def _channel_html(
    channel: str, entries: Sequence[Entry], names: Names, bot_user: str, charts: Mapping[str, bytes]
) -> str:
    threads: dict[str, list[Entry]] = {}
    top: list[Entry] = []
    for entry in entries:
        if entry.thread:
            threads.setdefault(entry.thread, []).append(entry)
        else:
            top.append(entry)
    parts = []
    week = None
    pending_command: Entry | None = None
    for entry in top:
        if entry.week and entry.week != week:
            week = entry.week
            parts.append(
                f'<div class="week">{html.escape(week_heading(week))} <small>{html.escape(week)}</small></div>'
            )
        if entry.kind == "command":
            pending_command = entry
            continue
        if entry.kind == "ephemeral" and pending_command is not None:
            # A command and its private answer read as one exchange.
            answer = _message(entry, names, bot_user, charts)
            parts.append(_message(pending_command, names, bot_user, charts, f'<div class="thread">{answer}</div>'))
            pending_command = None
            continue
        replies = threads.get(entry.ts or "", [])
        inner = ""
        if replies:
            inner = '<div class="thread">' + "\n".join(_message(r, names, bot_user, charts) for r in replies) + "</div>"
        parts.append(_message(entry, names, bot_user, charts, inner))
    anchor, label, kind, note = _place(channel, names)
    small = f" <small>{html.escape(note)}</small>" if note else ""
    return (
        f'<section class="{f"channel {kind}".strip()}" id="{html.escape(anchor)}">'
        f"<h2>{html.escape(label)}{small}</h2>\n" + "\n".join(parts) + "\n</section>"
    )


def _place(channel: str, names: Names) -> tuple[str, str, str, str]:
    """Return a conversation's anchor, title, kind (channel | dm | home) and a note under the title."""
    if channel.startswith("home:"):
        person = names.user(channel.removeprefix("home:"))
        return (
            f"home-{person}",
            "alignbot · Home",
            "home",
            f"the App Home tab, as {person} sees it when opening the app",
        )
    if channel.startswith("D"):
        person = names.channel(channel)
        return (f"dm-{person}", f"alignbot ↔ {person}", "dm", f"direct messages between {person} and the app")
    return names.channel(channel), f"#{names.channel(channel)}", "", ""


def conversation_page(
    played: Played, company: str, *, charts: Mapping[str, bytes] | None = None, bot_user: str = "U0BOT0001"
) -> str:
    """Return the whole demo conversation as one HTML page, pictures included."""
    charts = charts or {}
    order: list[str] = []
    for entry in played.entries:
        if entry.channel not in order:
            order.append(entry.channel)
    # Channels first, leadership last of them (the digest is where each week ends), then DMs, then App Home.
    order.sort(key=lambda c: (_place(c, played.names)[2] or "channel", played.names.channel(c) == "leadership"))
    sections = [
        _channel_html(c, [e for e in played.entries if e.channel == c], played.names, bot_user, charts) for c in order
    ]
    groups = (("", "Channels"), ("dm", "Direct messages"), ("home", "Apps"))
    nav = f'<div class="workspace">{html.escape(company)}</div>'
    for kind, heading in groups:
        places = [_place(c, played.names) for c in order if _place(c, played.names)[2] == kind]
        if places:
            nav += f"<h3>{heading}</h3>" + "".join(
                f'<a href="#{html.escape(anchor)}">{html.escape(label if kind != "dm" else label.split(" ↔ ")[1])}</a>'
                for anchor, label, _, _ in places
            )
    # Mid-sentence: "week of 26 Oct 2026", the month keeps its capital.
    weeks = (
        f"{_mid_sentence(week_heading(played.weeks[0]))} to {_mid_sentence(week_heading(played.weeks[-1]))}"
        if played.weeks
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alignbot demo · {html.escape(company)}</title><style>{_STYLE}</style></head>
<body><nav>{nav}</nav><div class="page"><header><h1>Alignbot demo · {html.escape(company)}</h1>
<p>What Slack showed during {html.escape(weeks)}: the check-ins in each team's channel, the weekly digest in
#leadership, what the app said to each person by direct message, and its App Home. Private answers and forms
are marked.</p>
<p class="scores"><b>Alignment</b> is the share of the week's updates that serve one of the company's stated
objectives. <b>Interdependence</b> is the share that involve another team: work handed over, asked for, or done
with it.</p></header>
<main>
{chr(10).join(sections)}
</main></div></body></html>
"""
