"""Block Kit for the weekly leadership digest: the message, its details modal, a text rendering.

The message fits on one screen: scores with their trend, a compact coverage
table, the findings that matter most with links to the messages behind them,
and who has not checked in. Everything else is one press away in the details
modal. Every builder stays inside Slack's limits however large the org; what
does not fit is counted ("and N more"), never silently dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot import slacktext
from bot.alignment.analysis import FINDING_ORDER, AnalyzedUpdate, Finding, Report, count_work, waiting_words
from bot.alignment.model import Objective
from bot.blocks.common import Block, clip, context, counted, escape, mrkdwn, plain, section
from bot.blocks.handoffs import STATE_EMOJI, HandoffDigest

__all__ = [
    "DETAILS_ACTION",
    "DETAILS_CALLBACK",
    "KIND_EMOJI",
    "PICK_ACTION",
    "DigestData",
    "IdleGoal",
    "WeekScore",
    "change",
    "coverage_table",
    "details_modal",
    "digest_message",
    "digest_text",
    "finding_line",
    "goal_lines",
    "pack_lines",
    "percent",
    "score_parts",
    "sparkline",
    "waiting_note",
]

DETAILS_ACTION = "digest_details"
PICK_ACTION = "digest_details_pick"
DETAILS_CALLBACK = "digest_details"

KIND_EMOJI = {
    "unaligned_work": ":grey_question:",
    "silent_team": ":mute:",
    "one_way_handoff": ":arrow_right_hook:",
    "parallel_work": ":twisted_rightwards_arrows:",
    "solo_objective": ":bust_in_silhouette:",
    "uncoordinated_objective": ":jigsaw:",
    "uncovered_objective": ":white_circle:",
    "joint_objective": ":handshake:",
    "unlinked_goal": ":dart:",
    "objective_without_goal": ":white_circle:",
}
GOOD_KINDS = frozenset({"joint_objective"})
# Shown in the digest's own Goals section, not among the week's findings.
GOAL_KINDS = frozenset({"unlinked_goal", "objective_without_goal"})
IDLE_EMOJI = ":zzz:"

# Room left under Slack's 3000 characters for a section, so a packed section never needs clipping.
PACK_LIMIT = 2900
MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
MAX_OPTIONS = 100
# What the message shows before pointing at Details: a screen, not the whole week.
MAX_PROBLEMS_SHOWN = 10
MAX_GOOD_SHOWN = 3
MAX_LINKS = 3
MAX_TABLE_TEAMS = 8
MAX_TABLE_ROWS = 12
MAX_MENTIONS = 12
MAX_MISSING_TEAMS = 15
MAX_GOAL_LINES = 6
SPARK_WEEKS = 12
_SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class WeekScore:
    """One earlier week's scores, for the trend."""

    week: str  # "2026-W47"
    alignment: float
    interdependence: float


@dataclass(frozen=True)
class IdleGoal:
    """A team goal no update of its team served in the last four weeks."""

    team: str
    title: str


@dataclass(frozen=True)
class DigestData:
    """Everything the digest shows for one week of one workspace."""

    workspace: str  # workspace display name
    week: str  # "2026-W48"
    report: Report
    trend: tuple[WeekScore, ...] = ()  # earlier weeks, oldest first
    links: Mapping[str, str] = field(default_factory=dict)  # update id -> message permalink
    authors: Mapping[str, str] = field(default_factory=dict)  # update id -> Slack user id
    missing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # team -> user ids not checked in
    handoffs: HandoffDigest | None = None  # the Handoffs section, when the workspace has any
    names: Mapping[str, str] = field(default_factory=dict)  # Slack user id -> display name
    idle_goals: tuple[IdleGoal, ...] | None = None  # None when the workspace has no team goals


# --------------------------------------------------------------------------- small formatters


def percent(value: float) -> str:
    """Return a 0..1 share as a whole percentage."""
    return f"{int(round(value * 100))}%"


def change(current: float, previous: float | None) -> str:
    """Return the change in points since last week, or "first week"."""
    if previous is None:
        return "first week"
    points = int(round((current - previous) * 100))
    if points == 0:
        return "no change"
    unit = "pt" if abs(points) == 1 else "pts"
    return f"{'▲' if points > 0 else '▼'} {abs(points)} {unit}"


def sparkline(values: Sequence[float], min_span: float = 0.2) -> str:
    """Return values as block characters, scaled to their own range.

    The range is at least `min_span` wide, so a wobble of a point or two stays
    a flat line instead of looking like a swing.
    """
    if not values:
        return ""
    low, high = min(values), max(values)
    span = max(high - low, min_span)
    base = (low + high - span) / 2
    levels = len(_SPARKS) - 1
    return "".join(_SPARKS[max(0, min(levels, int(round((v - base) / span * levels))))] for v in values)


def _earlier(data: DigestData) -> list[WeekScore]:
    # The caller may pass a trend that already holds this week; never compare a week with itself.
    return [w for w in data.trend if w.week != data.week][-(SPARK_WEEKS - 1) :]


def _previous(data: DigestData) -> WeekScore | None:
    earlier = _earlier(data)
    return earlier[-1] if earlier else None


def score_parts(data: DigestData, name: str) -> tuple[str, str, str]:
    """Return (percentage, change, sparkline) for "alignment" or "interdependence"."""
    current = getattr(data.report, name)
    previous = _previous(data)
    values = [getattr(w, name) for w in _earlier(data)] + [current]
    spark = sparkline(values) if len(values) > 1 else ""
    return percent(current), change(current, getattr(previous, name) if previous else None), spark


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _safe_url(url: str | None) -> str | None:
    # A character Slack uses to delimit links would break the line it sits in.
    if not url or any(c in url for c in "<>| \n"):
        return None
    return url


def readable(data: DigestData, text: str, limit: int = 3000) -> str:
    """Return a person's text on one line, as mrkdwn that shows mentions as names and pings nobody."""
    return slacktext.mrkdwn(text, data.names, limit=limit, lines=False)


def _handoff_lines(data: DigestData) -> list[str]:
    """Return the Handoffs section's lines with who answered shown by name: the digest pings nobody."""
    return data.handoffs.lines(data.names) if data.handoffs else []


def person(data: DigestData, user: str) -> str:
    """Return who someone is as the digest shows them: a name, never a ping."""
    return escape(data.names.get(user) or user)


def _links(data: DigestData, update_ids: Sequence[str]) -> str:
    urls = [u for u in (_safe_url(data.links.get(i)) for i in update_ids) if u]
    if not urls:
        return ""
    if len(urls) == 1:
        return f" <{urls[0]}|view>"
    # Numbered, so that several links read "view 1 2 3", not "view view view".
    shown = " ".join(f"<{u}|{n}>" for n, u in enumerate(urls[:MAX_LINKS], start=1))
    more = f" +{len(urls) - MAX_LINKS}" if len(urls) > MAX_LINKS else ""
    return f" view {shown}{more}"


def finding_line(data: DigestData, finding: Finding) -> str:
    """Return one finding as mrkdwn: emoji, its summary, links to the messages behind it."""
    emoji = KIND_EMOJI.get(finding.kind, ":small_blue_diamond:")
    return f"{emoji} {readable(data, finding.summary, 600)}{_links(data, finding.updates)}"


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Return findings worst kind first and, within a kind, those touching most teams and updates first."""
    rank = {kind: i for i, kind in enumerate(FINDING_ORDER)}
    return sorted(findings, key=lambda f: (rank.get(f.kind, len(rank)), -len(f.teams), -len(f.updates)))


def pack_lines(lines: Sequence[str], heading: str, max_blocks: int, limit: int = PACK_LIMIT) -> tuple[list[Block], int]:
    """Pack lines into few sections under `limit`; return the blocks and how many lines fit."""
    if max_blocks < 1:
        return [], 0
    blocks: list[Block] = []
    current, pending, shown = heading, 0, 0
    for line in lines:
        line = clip(line, limit - len(heading) - 1)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current, pending = candidate, pending + 1
            continue
        if len(blocks) + 1 >= max_blocks:
            break
        blocks.append(section(current))
        current, shown, pending = line, shown + pending, 1
    if current:
        blocks.append(section(current))
        shown += pending
    return blocks, shown


def goal_lines(data: DigestData) -> list[str]:
    """Return the Goals section's lines: goals serving no objective, objectives no goal serves, idle goals."""
    lines = [finding_line(data, f) for f in _ordered(data.report.findings) if f.kind in GOAL_KINDS]
    for idle in data.idle_goals or ():
        title = readable(data, f"\u201c{idle.title}\u201d", 300)
        lines.append(f"{IDLE_EMOJI} No {escape(clip(idle.team, 80))} update served its goal {title} for four weeks.")
    return lines


def _goal_blocks(data: DigestData) -> list[Block]:
    """Return the short Goals section, and how many of its lines press Details would add."""
    lines = goal_lines(data)
    if not lines:
        return []
    blocks, shown = pack_lines(lines[:MAX_GOAL_LINES], "*Goals*", 1)
    if len(lines) > shown:
        blocks.append(context(f"and {counted(len(lines) - shown, 'more goal note')} — press Details."))
    return blocks


def waiting_note(data: DigestData) -> str:
    """Return, team by team, the updates whose authors have not said which objective they serve, with links."""
    waiting = list(data.report.waiting_by_team().items())
    tail = "_Not counted as unaligned work until they answer or their team's check-in closes._"
    lines: list[str] = []
    for shown, (team, updates) in enumerate(waiting):
        line = (
            f":hourglass_flowing_sand: *{escape(clip(team, 80))}*: {waiting_words(len(updates))}"
            f"{_links(data, [u.id for u in updates])}"
        )
        # Room for this line, the last one and an "and N more teams".
        if len("\n".join([*lines, line, tail])) > PACK_LIMIT - 60:
            lines.append(f"and {counted(len(waiting) - shown, 'more team')} — press Details")
            break
        lines.append(line)
    return "\n".join([*lines, tail])


def _mentions(data: DigestData, users: Sequence[str], limit: int = MAX_MENTIONS) -> str:
    shown = ", ".join(person(data, u) for u in users[:limit])
    return shown + (f" and {len(users) - limit} more" if len(users) > limit else "")


def _missing_teams(data: DigestData) -> list[tuple[str, tuple[str, ...]]]:
    order = {team: i for i, team in enumerate(data.report.teams)}
    teams = [(t, tuple(u)) for t, u in data.missing.items() if u]
    return sorted(teams, key=lambda item: (order.get(item[0], len(order)), item[0]))


def _missing_lines(data: DigestData) -> list[str]:
    return [f"*{escape(clip(team, 80))}*: {_mentions(data, users)}" for team, users in _missing_teams(data)]


# --------------------------------------------------------------------------- coverage table


def _totals_by_team(report: Report) -> dict[str, int]:
    totals = {team: 0 for team in report.teams}
    for counts in report.coverage.values():
        for team, n in counts.items():
            totals[team] = totals.get(team, 0) + n
    return totals


def _top(items: Sequence[str], weight: Mapping[str, int], keep: int) -> list[str]:
    """Keep the `keep` heaviest items, in their original order."""
    if len(items) <= keep:
        return list(items)
    ranked = sorted(range(len(items)), key=lambda i: (-weight.get(items[i], 0), i))[:keep]
    return [items[i] for i in sorted(ranked)]


def _cell_name(text: str, limit: int) -> str:
    # Backticks would close the code block early.
    return clip(_one_line(text).replace("`", "'"), limit)


def coverage_table(
    report: Report, *, max_teams: int = MAX_TABLE_TEAMS, max_rows: int = MAX_TABLE_ROWS, limit: int = PACK_LIMIT
) -> tuple[str, int, int]:
    """Return the coverage as a code block, and how many teams and objectives it leaves out."""
    teams_all = list(report.teams)
    teams = _top(teams_all, _totals_by_team(report), max_teams)
    objective_totals = {o.key: sum(report.coverage.get(o.key, {}).values()) for o in report.objectives}
    keys = _top([o.key for o in report.objectives], objective_totals, max_rows)
    titles = {o.key: o.title for o in report.objectives}
    while True:
        text = _table_text(teams, [(k, titles[k]) for k in keys], report.coverage)
        if len(text) <= limit or len(keys) <= 1:
            break
        # Drop the lightest row until the table fits one section.
        lightest = min(range(len(keys)), key=lambda i: (objective_totals.get(keys[i], 0), -i))
        keys.pop(lightest)
    return text, len(teams_all) - len(teams), len(report.objectives) - len(keys)


def _table_text(
    teams: Sequence[str], rows: Sequence[tuple[str, str]], coverage: Mapping[str, Mapping[str, int]]
) -> str:
    heads = [_cell_name(t, 10) for t in teams]
    widths = [max(3, len(h)) for h in heads]
    names = [_cell_name(title, 28) for _, title in rows]
    first = max([len("objective"), *(len(n) for n in names)])
    lines = ["objective".ljust(first) + "".join(f" {h:>{w}}" for h, w in zip(heads, widths))]
    for (key, _), name in zip(rows, names):
        counts = coverage.get(key, {})
        cells = "".join(f" {(str(counts[t]) if counts.get(t) else '·'):>{w}}" for t, w in zip(teams, widths))
        lines.append(name.ljust(first) + cells)
    return "```" + escape("\n".join(line.rstrip() for line in lines)) + "```"


def _coverage_blocks(report: Report) -> list[Block]:
    if not report.objectives:
        return [section("*Coverage*\nNo objectives yet: an admin adds them with `/objective add <title>`.")]
    if not report.teams:
        return [section("*Coverage*\nNo team has checked in yet.")]
    table, hidden_teams, hidden_rows = coverage_table(report)
    legend = "Updates per objective (rows) and team (columns) this week; `·` means none."
    shown = [
        f"{total - hidden} of {total} {noun}"
        for hidden, total, noun in (
            (hidden_rows, len(report.objectives), "objectives"),
            (hidden_teams, len(report.teams), "teams"),
        )
        if hidden
    ]
    if shown:
        legend += f" Showing the busiest {' and '.join(shown)} — press Details for the rest."
    return [section(f"*Coverage*\n{table}"), context(legend)]


# --------------------------------------------------------------------------- the message


def _scores_block(data: DigestData) -> Block:
    fields = []
    for label, name in (("Alignment", "alignment"), ("Interdependence", "interdependence")):
        value, delta, spark = score_parts(data, name)
        trend = f"  `{spark}`" if spark else ""
        fields.append(mrkdwn(f"*{label}*\n{value}  ({delta}){trend}"))
    return {"type": "section", "fields": fields}


def _summary_context(data: DigestData) -> Block:
    report = data.report
    reporting = len([t for t in report.teams if t not in report.silent])
    line = f"*{escape(clip(data.workspace, 100))}* · {count_work(report.updates)} from {counted(reporting, 'team')}"
    if report.silent:
        line += f" · no update from {counted(len(report.silent), 'team')}"
    return context(line)


def _finding_blocks(data: DigestData, budget: int) -> tuple[list[Block], int]:
    """Return the findings sections, worst first then good news, and how many were left out."""
    findings = _ordered(f for f in data.report.findings if f.kind not in GOAL_KINDS)
    problems = [f for f in findings if f.kind not in GOOD_KINDS]
    good = [f for f in findings if f.kind in GOOD_KINDS]
    if not findings:
        return [section("*Findings*\nNothing to flag this week.")], 0
    blocks: list[Block] = []
    shown = 0
    if problems:
        lines = [finding_line(data, f) for f in problems[:MAX_PROBLEMS_SHOWN]]
        packed, n = pack_lines(lines, "*Needs attention*", max(1, budget - 1))
        blocks += packed
        shown += n
    if good:
        lines = [finding_line(data, f) for f in good[:MAX_GOOD_SHOWN]]
        packed, n = pack_lines(lines, "*Working together*", 1)
        blocks += packed
        shown += n
    return blocks, len(findings) - shown


def _pick_options(report: Report) -> list[dict[str, Any]]:
    """Return option groups for objectives and teams, at most MAX_OPTIONS options in all."""
    objectives = [
        {"text": plain(_one_line(o.title), 75), "value": f"objective:{o.key}"}
        for o in report.objectives
        if len(f"objective:{o.key}") <= 150
    ][:MAX_OPTIONS]
    room = MAX_OPTIONS - len(objectives)
    teams = [{"text": plain(_one_line(t), 75), "value": f"team:{t}"} for t in report.teams if len(f"team:{t}") <= 150][
        :room
    ]
    groups = [{"label": plain("Objectives", 75), "options": objectives}] if objectives else []
    if teams:
        groups.append({"label": plain("Teams", 75), "options": teams})
    return groups


def _actions(data: DigestData, *, pick: str | None = None, overview_button: bool = True) -> Block:
    elements: list[dict[str, Any]] = []
    if overview_button:
        label = "Details" if pick is None else "Overview"
        elements.append(
            {
                "type": "button",
                "action_id": DETAILS_ACTION,
                "text": plain(label, 75),
                "value": data.week,
                "style": "primary",
            }
        )
    groups = _pick_options(data.report)
    if groups:
        select: dict[str, Any] = {
            "type": "static_select",
            "action_id": PICK_ACTION,
            "placeholder": plain("Details for an objective or team…", 150),
            "option_groups": groups,
        }
        chosen = next((o for g in groups for o in g["options"] if o["value"] == pick), None)
        if chosen:
            select["initial_option"] = chosen
        elements.append(select)
    # The week rides in the block id: a pick from the channel message carries no other state.
    return {"type": "actions", "block_id": f"digest_actions:{data.week}", "elements": elements}


def _fallback(data: DigestData) -> str:
    report = data.report
    a_value, a_delta, _ = score_parts(data, "alignment")
    i_value, i_delta, _ = score_parts(data, "interdependence")
    text = (
        f"Alignment digest {data.week} for {escape(_one_line(data.workspace))}: alignment {a_value} ({a_delta}), "
        f"interdependence {i_value} ({i_delta}), {counted(len(report.findings), 'finding')}"
    )
    return clip(text, 400)


def digest_message(data: DigestData) -> dict[str, Any]:
    """Return the leadership digest message: one screen first, Details for the rest."""
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"Alignment digest · {data.week}", 150)},
        _summary_context(data),
        _scores_block(data),
        *_coverage_blocks(data.report),
        {"type": "divider"},
    ]
    # Keep room for "and N more", the unconfirmed note, who has not checked in (2 sections, a note), the actions.
    finding_blocks, hidden = _finding_blocks(data, budget=min(4, MESSAGE_BLOCKS - len(blocks) - 7))
    blocks += finding_blocks
    if hidden:
        blocks.append(context(f"…and {counted(hidden, 'more finding')} — press Details."))
    if data.report.unconfirmed:
        blocks.append(context(waiting_note(data)))
    missing = _missing_lines(data)
    if missing:
        packed, shown = pack_lines(missing[:MAX_MISSING_TEAMS], "*Who has not checked in*", 2)
        blocks += packed
        if len(missing) > shown:
            blocks.append(context(f"and {counted(len(missing) - shown, 'more team')} — press Details."))
    handoffs = _handoff_lines(data)
    if handoffs:
        blocks += pack_lines(handoffs, "*Handoffs*", 2)[0]
    blocks += _goal_blocks(data)
    blocks.append(_actions(data))
    return {"text": _fallback(data), "blocks": blocks}


# --------------------------------------------------------------------------- the details modal


class _Page:
    """Blocks of one modal, never more than Slack allows, with a note for what is left out."""

    def __init__(self, limit: int = MODAL_BLOCKS) -> None:
        self.blocks: list[Block] = []
        self.limit = limit - 1  # the last block is kept for "and N more"

    @property
    def room(self) -> int:
        return self.limit - len(self.blocks)

    def add(self, *blocks: Block) -> bool:
        if len(blocks) > self.room:
            return False
        self.blocks += blocks
        return True

    def lines(self, lines: Sequence[str], heading: str, noun: str, reserve: int = 0) -> None:
        """Add lines packed into sections, with "and N more <noun>s" when they do not fit."""
        room = self.room - reserve
        if room < 1:
            return
        packed, shown = pack_lines(lines, heading, room - 1 if len(lines) > 1 else room)
        self.blocks += packed
        if shown < len(lines):
            self.blocks.append(context(f"and {counted(len(lines) - shown, 'more ' + noun)}"))

    def note(self, text: str) -> None:
        self.blocks.append(context(text))  # the one block `limit` keeps free


def _view(data: DigestData, pick: str | None, blocks: list[Block]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": DETAILS_CALLBACK,
        "title": plain(f"Digest · {data.week}", 24),
        "close": plain("Close", 24),
        "private_metadata": json.dumps({"week": data.week, "pick": pick}),
        "blocks": blocks,
    }


def _teams_line(counts: Mapping[str, int], limit: int = 12) -> str:
    ranked = sorted(((t, n) for t, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0]))
    shown = " · ".join(f"{escape(clip(t, 60))} {n}" for t, n in ranked[:limit])
    return shown + (f" · +{len(ranked) - limit} teams" if len(ranked) > limit else "")


def _update_line(data: DigestData, update: AnalyzedUpdate, lead: str) -> str:
    author = data.authors.get(update.id)
    parts = [lead]
    if author:
        parts.append(person(data, author))
    parts.append(f"“{readable(data, update.text, 280)}”")
    url = _safe_url(data.links.get(update.id))
    if url:
        parts.append(f"<{url}|view>")
    return "• " + " · ".join(p for p in parts if p)


def _scores_context(data: DigestData) -> Block:
    a_value, a_delta, a_spark = score_parts(data, "alignment")
    i_value, i_delta, i_spark = score_parts(data, "interdependence")
    return context(
        f"*{escape(clip(data.workspace, 100))}* · {data.week} · alignment {a_value} ({a_delta}) {a_spark}"
        f" · interdependence {i_value} ({i_delta}) {i_spark}"
    )


def _overview(data: DigestData, page: _Page) -> None:
    report = data.report
    findings = _ordered(report.findings)
    loose = [finding_line(data, f) for f in findings if f.objective is None]
    if report.unconfirmed:
        page.add(context(waiting_note(data)))
    keys = {o.key for o in report.objectives}
    by_key: dict[str, list[Finding]] = {}
    for f in findings:
        if f.objective in keys:
            by_key.setdefault(f.objective, []).append(f)
    # Objectives come first in the brief, so give them the blocks they need before the rest.
    objectives = list(report.objectives)
    reserve_for_objectives = min(len(objectives), page.room // 2)
    if loose:
        page.lines(loose, "*Across objectives*", "finding", reserve=reserve_for_objectives + 1)
    if data.handoffs and data.handoffs.lines():
        page.lines(_handoff_lines(data), "*Handoffs*", "handoff", reserve=reserve_for_objectives + 1)
    for i, objective in enumerate(objectives):
        if page.room < 1 or not page.add(section(_objective_summary(data, objective, by_key.get(objective.key, [])))):
            page.note(f"and {counted(len(objectives) - i, 'more objective')} — pick one above.")
            return
    if not objectives:
        page.add(section("No objectives yet: an admin adds them with `/objective add <title>`."))


def _objective_summary(data: DigestData, objective: Objective, findings: Sequence[Finding], limit: int = 4) -> str:
    counts = data.report.coverage.get(objective.key, {})
    teams = _teams_line(counts) or "_no team this week_"
    lines = [f"*{escape(clip(_one_line(objective.title), 200))}* — {teams}"]
    lines += [finding_line(data, f) for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"_and {counted(len(findings) - limit, 'more finding')} — pick it above_")
    text = ""
    for line in lines:
        if len(text) + len(line) + 1 > PACK_LIMIT:
            break
        text = f"{text}\n{line}" if text else line
    return text


def _objective_page(data: DigestData, objective: Objective, page: _Page) -> None:
    report = data.report
    head = f"*{escape(clip(_one_line(objective.title), 200))}*"
    if objective.description:
        head += f"\n{escape(clip(_one_line(objective.description), 1000))}"
    page.add(section(head))
    counts = report.coverage.get(objective.key, {})
    page.add(context(_teams_line(counts, 20) or "No team worked on it this week."))
    findings = [finding_line(data, f) for f in _ordered(report.findings) if f.objective == objective.key]
    updates = [u for u in report.updates if objective.key in u.objectives]
    if findings:
        page.lines(findings, "*Findings*", "finding", reserve=min(len(updates), 20) + 1)
    if updates:
        lines = [_update_line(data, u, f"*{escape(clip(u.team, 60))}*") for u in updates]
        page.lines(lines, f"*Updates* ({len(updates)})", "update")


def _team_page(data: DigestData, team: str, page: _Page) -> None:
    report = data.report
    titles = {o.key: o.title for o in report.objectives}
    score = report.team_scores.get(team)
    if score:
        line = (
            f"alignment {percent(score.alignment)} · interdependence {percent(score.interdependence)}"
            f" · {counted(score.updates, 'update')}"
        )
    else:
        line = "sent no update this week"
    page.add(section(f"*{escape(clip(team, 150))}* — {line}"))
    missing = tuple(data.missing.get(team, ()))
    if missing:
        page.add(section(clip(f"*Has not checked in*: {_mentions(data, missing, 40)}", PACK_LIMIT)))
    findings = [finding_line(data, f) for f in _ordered(report.findings) if team in f.teams]
    updates = [u for u in report.updates if u.team == team]
    if findings:
        page.lines(findings, "*Findings involving this team*", "finding", reserve=min(len(updates), 20) + 1)
    if updates:

        def lead(u: AnalyzedUpdate) -> str:
            served = ", ".join(escape(clip(titles.get(k, k), 60)) for k in u.objectives)
            if u.unconfirmed:
                return "_waiting for its author's answer_"
            guess = " (guess: its author didn't answer)" if u.guess else ""
            return f"_{served or 'no objective'}{guess}_"

        lines = [_update_line(data, u, lead(u)) for u in updates]
        page.lines(lines, f"*Updates* ({len(updates)})", "update")


def details_modal(data: DigestData, pick: str | None = None) -> dict[str, Any]:
    """Return the details modal: an overview by objective, or one objective's or team's week."""
    report = data.report
    objectives = {o.key: o for o in report.objectives}
    kind, _, name = (pick or "").partition(":")
    target_objective = objectives.get(name) if kind == "objective" else None
    target_team = name if kind == "team" and name in set(report.teams) | set(report.team_scores) else None
    chosen = pick if (target_objective or target_team) else None

    page = _Page()
    page.add(_scores_context(data), _actions(data, pick=chosen))
    if pick and not chosen:
        page.add(context("That objective or team is not in this week's digest; here is the overview."))
    if target_objective:
        _objective_page(data, target_objective, page)
    elif target_team:
        _team_page(data, target_team, page)
    else:
        _overview(data, page)
    return _view(data, chosen, page.blocks)


# --------------------------------------------------------------------------- plain text


def digest_text(data: DigestData) -> str:
    """Return the digest as plain text for a terminal."""
    a_value, a_delta, a_spark = score_parts(data, "alignment")
    i_value, i_delta, i_spark = score_parts(data, "interdependence")
    previous = _previous(data)
    since = f" since {previous.week}" if previous else ""
    lines = [
        f"{_one_line(data.workspace)} · alignment digest · {data.week}",
        f"Trend{since}: alignment {a_value} ({a_delta}) {a_spark}".rstrip()
        + f" · interdependence {i_value} ({i_delta}) {i_spark}".rstrip(),
        "",
        # The findings quote people's text as Slack sent it.
        slacktext.plain(_without_goals(data.report).to_text(), data.names).rstrip("\n"),
    ]
    missing = _missing_teams(data)
    if missing:
        lines += ["", "Not checked in"]
        lines += [f"- {team}: {', '.join(data.names.get(u) or u for u in users)}" for team, users in missing]
    handoffs = _handoff_lines(data)
    if handoffs:
        lines += ["", "Handoffs"]
        lines += [f"- {_plain_text(line)}" for line in handoffs]
    goals = goal_lines(data)
    if goals:
        lines += ["", "Goals"]
        lines += [f"- {_plain_text(_GOAL_EMOJI.sub('', line))}" for line in goals]
    return "\n".join(lines) + "\n"


def _without_goals(report: Report) -> Report:
    """Return the report without the goal findings: the digest gives them a section of their own."""
    return replace(report, findings=tuple(f for f in report.findings if f.kind not in GOAL_KINDS))


# Only the emoji the section's lines start with: a colon pair in a quoted update stays as written.
_EMOJI_CODE = re.compile("|".join(re.escape(code + " ") for code in STATE_EMOJI.values()))
_GOAL_EMOJI = re.compile(
    "^(" + "|".join(re.escape(KIND_EMOJI[k] + " ") for k in GOAL_KINDS) + "|" + re.escape(IDLE_EMOJI + " ") + ")"
)
_EMPHASIS = re.compile(r"(?<![\w*_])([*_])([^*_\n]+)\1(?![\w*_])")


def _plain_text(line: str) -> str:
    """Return a mrkdwn line as a terminal shows it: no emoji codes, no emphasis marks, escaping undone."""
    return slacktext.unescape(_EMPHASIS.sub(r"\2", _EMOJI_CODE.sub("", line)))
