"""Block Kit and text for people: members, nudges, time off, holidays, the team picker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks.checkin import open_buttons
from bot.blocks.common import Block, clip, context, escape, plain, section

PICK_TEAM_ACTION = "checkin_pick_team"
MAX_LISTED = 20


def people(user_ids: Sequence[str]) -> str:
    """Return "<@U1>, <@U2>" (or "nobody")."""
    return ", ".join(f"<@{u}>" for u in user_ids) or "nobody"


def members_changed(
    team: str, action: str, changed: Sequence[str], unchanged: Sequence[str], members: Sequence[str]
) -> str:
    """Return the answer to `/alignment members`."""
    verb = "Added to" if action == "add" else "Removed from"
    lines = [f"{verb} team *{team}*: {people(changed)}." if changed else f"Team *{team}* is unchanged."]
    if unchanged:
        state = "already a member" if action == "add" else "not a member"
        lines.append(f"({people(unchanged)}: {state}.)")
    lines.append(f"{len(members)} check in for {team}: {people(members[:50])}" + (" …" if len(members) > 50 else ""))
    return "\n".join(lines)


def nudged(
    team: str,
    week: str,
    sent: Sequence[str],
    already: Sequence[str],
    failed: Sequence[str],
    away: Sequence[str],
    answered: int,
) -> str:
    """Return the answer to `/alignment nudge`."""
    if not (sent or already or failed):
        head = f"Nobody to nudge in *{team}* for {week}: {answered} answered"
    else:
        head = (
            f"Nudged {people(sent)} in *{team}* for {week}" if sent else f"Nobody new to nudge in *{team}* for {week}"
        )
    lines = [head + "."]
    if already:
        lines.append(f"Already nudged today (once a day): {people(already)}.")
    if failed:
        lines.append(f":warning: Could not reach {people(failed)}.")
    if away:
        lines.append(f"Away, so not nudged: {people(away)}.")
    return "\n".join(lines)


def time_off_text(stretches: Sequence[tuple[date, date]]) -> str:
    """Return "2026-12-24 to 2026-12-31, 2027-01-15" (or "none")."""
    return ", ".join(_stretch(first, last) for first, last in stretches) or "none"


def _stretch(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def away_answer(first: date, last: date, all_time_off: Sequence[tuple[date, date]]) -> str:
    """Return the answer to `/checkin away`."""
    return (
        f"You're away {_stretch(first, last)}: no check-in prompt or reminder for a week whose prompt goes "
        f"out then, and you won't be counted missing. Your time off: {time_off_text(all_time_off)}. "
        "`/checkin back` cancels it."
    )


def back_answer(changed: int) -> str:
    """Return the answer to `/checkin back`."""
    if not changed:
        return "You had no time off planned; you get your check-in prompts as usual."
    return "Welcome back: your time off from today on is cancelled, and you get your check-in prompts again."


def calendar_message(holidays: Sequence[tuple[date, str]], skips: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Return `/alignment holidays`: the company holidays and skipped weeks to come."""
    days = [f"• {d.isoformat()} {escape(clip(name, 100))}".rstrip() for d, name in holidays[:MAX_LISTED]]
    weeks = [f"• {week}: *{escape(clip(team, 80))}*" for team, week in skips[:MAX_LISTED]]
    blocks: list[Block] = [
        section(
            "*Company holidays to come*\n"
            + ("\n".join(days) or "None. Add one with `/alignment holiday <YYYY-MM-DD> [name]`.")
        ),
        section("*Skipped check-ins to come*\n" + ("\n".join(weeks) or "None.")),
    ]
    if len(holidays) > MAX_LISTED or len(skips) > MAX_LISTED:
        blocks.append(context("Only the first 20 of each are shown."))
    blocks.append(context("`/alignment unskip <team|all> <YYYY-MM-DD>` brings a week's check-in back."))
    text = f"{len(holidays)} holidays and {len(skips)} skipped check-ins to come"
    return {"text": text, "blocks": blocks}


def pick_team(teams: Sequence[tuple[str, str]], *, what: str) -> dict[str, Any]:
    """Ask which team a check-in is for: one button per (team name, button value)."""
    names = ", ".join(name for name, _ in teams)
    buttons = [
        {"type": "button", "action_id": f"{PICK_TEAM_ACTION}:{i}", "text": plain(clip(name, 70), 75), "value": value}
        for i, (name, value) in enumerate(teams[:25])
    ]
    return {
        "text": f"You check in for {names}: which team is this {what} for?",
        "blocks": [
            section(f"You check in for {escape(names)}. Which team is this {what} for?"),
            {"type": "actions", "block_id": "checkin_pick_team", "elements": buttons},
        ],
    }


def pick_team_to_open(teams: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Ask which team's check-in form to open: one button per (team name, open value)."""
    names = ", ".join(name for name, _ in teams)
    return {
        "text": f"You check in for {names}: which team's update?",
        "blocks": [
            section(f"You check in for {escape(names)}. Which team's update do you want to share?"),
            {"type": "actions", "block_id": "checkin_pick_team", "elements": open_buttons(teams)},
        ],
    }
