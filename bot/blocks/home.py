"""Block Kit for the App Home: a person's team, their week, and the latest picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.blocks.checkin import OPEN_ACTION
from bot.blocks.common import Block, clip, context, escape, plain, section
from bot.blocks.digest import DigestData, finding_line, pack_lines, percent, score_parts
from bot.blocks.goals import GoalLike, goal_lines
from bot.blocks.handoffs import HandoffCard
from bot.blocks.handoffs import home_blocks as handoff_home_blocks
from bot.slacktext import mrkdwn

MAX_INITIATIVES = 10
MAX_OTHER_TEAMS = 10
MAX_TIME_OFF = 10
AWAY_FIRST_ACTION = "time_off_first"
AWAY_LAST_ACTION = "time_off_last"
AWAY_CANCEL_ACTION = "time_off_cancel"
AWAY_ADD_ACTION = "time_off_add"
MAX_FINDINGS = 3

GETTING_STARTED = (
    "*Getting started*\n"
    "• An admin runs `/alignment team <name>` in each team's channel (marketing, sales, …); its members are "
    "the channel's, then `/alignment members` and `/alignment lead` (or the settings form) change them.\n"
    "• Leadership adds the company's objectives with `/objective add <title> | <description>`.\n"
    "• An admin runs `/alignment leadership` in the channel where the weekly digest should go.\n"
    "• Everyone shares a short weekly update with `/checkin`, and logs initiatives with `/initiative add`."
)


def _week_blocks(
    *, team: str | None, week: str, answered: bool, open_value: str | None, update_text: str | None
) -> list[Block]:
    if team is None:
        return [
            section(
                "You are not on a team yet. Ask an admin to add you, or run `/checkin` "
                "in your team's channel once it is set up."
            )
        ]
    head = f"*{escape(clip(team, 150))}* · {week}"
    if answered:
        quoted = mrkdwn(update_text or "", limit=1200, lines=False) or "_(no text)_"
        block = section(f"{head}\n:white_check_mark: Your update is in:\n>{quoted}")
        if open_value:
            block["accessory"] = _button("Edit", open_value, primary=False)
        return [block]
    blocks = [section(f"{head}\n:hourglass: You have not shared your update this week. It takes under a minute.")]
    if open_value:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"home_checkin:{open_value}"[:255],
                "elements": [_button("Share your update", open_value, primary=True)],
            }
        )
    return blocks


def _button(label: str, value: str, *, primary: bool) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "action_id": OPEN_ACTION, "text": plain(label, 75), "value": value}
    if primary:
        button["style"] = "primary"
    return button


def _initiative_blocks(team: str | None, initiatives: Sequence[tuple[str, str]]) -> list[Block]:
    if team is None:
        return []
    if not initiatives:
        return [
            section("*Open initiatives*\nNone yet. Log one with `/initiative add <title> #objective-key with <team>`.")
        ]
    lines = [
        f"• {escape(clip(' '.join(title.split()), 200))} (`{escape(clip(str(iid), 40))}`)"
        for iid, title in initiatives[:MAX_INITIATIVES]
    ]
    if len(initiatives) > MAX_INITIATIVES:
        lines.append(f"and {len(initiatives) - MAX_INITIATIVES} more — `/initiative list`")
    return [section("*Open initiatives*\n" + "\n".join(lines))]


def _digest_blocks(digest: DigestData, team: str | None) -> list[Block]:
    report = digest.report
    scores = []
    for label, name in (("Alignment", "alignment"), ("Interdependence", "interdependence")):
        value, delta, spark = score_parts(digest, name)
        scores.append(f"*{label}* {value} ({delta})" + (f" `{spark}`" if spark else ""))
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"Latest digest · {digest.week}", 150)},
        section("   ".join(scores)),
    ]
    own = report.team_scores.get(team) if team else None
    if own:
        blocks.append(
            context(
                f"{escape(clip(team or '', 80))}: alignment {percent(own.alignment)} · "
                f"interdependence {percent(own.interdependence)} · "
                f"{own.updates} update{'' if own.updates == 1 else 's'}"
            )
        )
    top = list(report.findings[:MAX_FINDINGS])
    if top:
        lines = [finding_line(digest, f) for f in top]
        more = len(report.findings) - len(top)
        if more:
            lines.append(f"and {more} more — `/alignment report` shows the full digest")
        blocks += pack_lines(lines, "*Top findings*", max_blocks=2)[0]
    else:
        blocks.append(section("*Top findings*\nNothing to flag this week."))
    return blocks


@dataclass(frozen=True)
class TeamWeek:
    """One more team a person checks in for, and their week in it."""

    team: str
    week: str
    answered: bool
    open_value: str | None
    update_text: str | None


def _time_off_blocks(time_off: Sequence[tuple[int, date, date]], today: date) -> list[Block]:
    """Return the person's time off, each stretch with date pickers to change it, and a picker to add one."""
    blocks: list[Block] = [
        section(
            "*Time off* · no prompt, no reminder and not counted missing for a check-in "
            "whose prompt goes out while you are away"
        )
    ]
    for away_id, first, last in time_off[:MAX_TIME_OFF]:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"time_off:{away_id}",
                "elements": [
                    _date_picker(f"{AWAY_FIRST_ACTION}:{away_id}", first, "First day"),
                    _date_picker(f"{AWAY_LAST_ACTION}:{away_id}", last, "Last day"),
                    {
                        "type": "button",
                        "action_id": f"{AWAY_CANCEL_ACTION}:{away_id}",
                        "text": plain("Cancel", 75),
                        "value": str(away_id),
                    },
                ],
            }
        )
    if len(time_off) > MAX_TIME_OFF:
        blocks.append(context(f"and {len(time_off) - MAX_TIME_OFF} more later on"))
    blocks.append(
        {
            "type": "actions",
            "block_id": "time_off:new",
            "elements": [
                _date_picker(AWAY_ADD_ACTION, None, "Add a day away"),
            ],
        }
    )
    blocks.append(
        context(
            f"Today is {today.isoformat()}. Or type `/checkin away <YYYY-MM-DD> [<YYYY-MM-DD>]`, and `/checkin back`."
        )
    )
    return blocks


def _date_picker(action_id: str, day: date | None, placeholder: str) -> dict[str, Any]:
    picker: dict[str, Any] = {"type": "datepicker", "action_id": action_id, "placeholder": plain(placeholder, 150)}
    if day is not None:
        picker["initial_date"] = day.isoformat()
    return picker


def home_view(
    *,
    user_id: str,
    team: str | None,
    week: str,
    answered: bool,
    open_value: str | None,
    update_text: str | None,
    initiatives: Sequence[tuple[str, str]],
    digest: DigestData | None,
    handed_to: str | None = None,
    handoffs: Sequence[HandoffCard] = (),
    other_teams: Sequence[TeamWeek] = (),
    time_off: Sequence[tuple[int, date, date]] | None = None,
    today: date | None = None,
    admin_blocks: Sequence[Block] = (),
    past_weeks: Sequence[Block] = (),
    notice: str | None = None,
    goals: Sequence[GoalLike] = (),
) -> dict[str, Any]:
    """Return the App Home view: the person's week in each team, their time off, their team's initiatives and open
    handoffs, the latest digest, for admins the team settings, and the past weeks given."""
    blocks: list[Block] = [section(f"Hi <@{escape(user_id)}> :wave:  Here is your week in Alignbot.")]
    if notice:
        blocks.append(context(clip(notice, 300)))
    blocks += _week_blocks(team=team, week=week, answered=answered, open_value=open_value, update_text=update_text)
    for other in other_teams[:MAX_OTHER_TEAMS]:
        blocks += _week_blocks(
            team=other.team,
            week=other.week,
            answered=other.answered,
            open_value=other.open_value,
            update_text=other.update_text,
        )
    if len(other_teams) > MAX_OTHER_TEAMS:
        blocks.append(
            context(f"and {len(other_teams) - MAX_OTHER_TEAMS} more teams: run `/checkin` in a team's channel")
        )
    if time_off is not None and today is not None:
        blocks += _time_off_blocks(time_off, today)
    if team is not None:
        blocks.append(section(f"*Team goals of {escape(team)}*\n" + "\n".join(goal_lines(goals))))
    blocks += _initiative_blocks(team, initiatives)
    blocks += handoff_home_blocks(handed_to, handoffs)
    blocks.append({"type": "divider"})
    if digest is not None:
        blocks += _digest_blocks(digest, team)
    if digest is None or team is None:
        if digest is None:
            blocks.append(
                section(
                    "No digest yet. Once teams check in, the weekly picture of who works "
                    "together on which objective shows up here."
                )
            )
        blocks.append(section(GETTING_STARTED))
    if admin_blocks:
        blocks.append({"type": "divider"})
        blocks += admin_blocks
    blocks += past_weeks
    blocks.append(
        context(
            "`/checkin` share your update · `/checkin away <date>` time off · "
            "`/alignment holidays` holidays · `/initiative list` your team's work · "
            "`/objective list` the objectives · `/alignment report` this week's digest"
        )
    )
    return {"type": "home", "blocks": blocks}
