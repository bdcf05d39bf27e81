"""Block Kit for teams: the `/alignment teams` overview."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bot.blocks.common import Block, context, counted, escape, section

MAX_LISTED = 45
MAX_MEMBERS_SHOWN = 12


class TeamLike(Protocol):
    """A team as the overview shows it; read-only, so a frozen dataclass fits."""

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...

    @property
    def channel_id(self) -> str | None: ...

    @property
    def members(self) -> tuple[str, ...]: ...

    @property
    def problem(self) -> str | None: ...

    @property
    def schedule(self) -> str: ...


def team_line(team: TeamLike) -> str:
    """Return one team as mrkdwn: name, channel, schedule, members."""
    channel = f"<#{team.channel_id}>" if team.channel_id else "_no channel yet_"
    line = f"*{escape(team.name)}*  ·  {channel}  ·  check-in {escape(team.schedule)}"
    if team.aliases:
        line += "\nalso called " + ", ".join(escape(a) for a in team.aliases)
    shown = team.members[:MAX_MEMBERS_SHOWN]
    if shown:
        more = len(team.members) - len(shown)
        line += f"\n{counted(len(team.members), 'member')}: " + " ".join(f"<@{m}>" for m in shown)
        line += f" and {more} more" if more else ""
    else:
        line += "\nno members yet"
    leads = getattr(team, "leads", ())
    if leads:
        line += "\nled by " + " ".join(f"<@{m}>" for m in leads[:MAX_MEMBERS_SHOWN])
    if team.problem:
        line += f"\n:warning: {escape(team.problem)}"
    return line


def teams_overview(teams: Sequence[TeamLike], leadership_channel_id: str | None) -> dict[str, Any]:
    """Return the `/alignment teams` message."""
    leadership = (
        f"Digests go to <#{leadership_channel_id}>."
        if leadership_channel_id
        else "No leadership channel yet: an admin runs `/alignment leadership` in it."
    )
    if not teams:
        text = "There are no teams yet. An admin runs `/alignment team <name>` in each team's channel."
        return {"text": text, "blocks": [section(text), context(leadership)]}
    blocks: list[Block] = [section(f"*Teams* ({len(teams)})")]
    blocks += [section(team_line(team)) for team in teams[:MAX_LISTED]]
    notes = [leadership]
    if len(teams) > MAX_LISTED:
        rest = teams[MAX_LISTED:]
        notes.append(f"and {len(rest)} more: " + ", ".join(escape(t.name) for t in rest))
    blocks.append(context(" · ".join(notes)))
    return {"text": "Teams: " + ", ".join(t.name for t in teams)[:2900], "blocks": blocks}
