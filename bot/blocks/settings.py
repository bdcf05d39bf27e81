"""Block Kit for a team's settings form: Slack's own pickers for every setting a command can change."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks.common import Block, clip, context, escape, plain, section
from bot.blocks.goals import GoalLike, goal_lines

SETTINGS_CALLBACK = "team_settings_submit"
OPEN_SETTINGS_ACTION = "team_settings_open"
LOCAL = "local"
DEADLINE_CHOICES = (4, 8, 12, 24, 36, 48, 72, 96, 120, 144)
REMINDER_CHOICES = (0, 1, 2, 4, 8, 12, 24, 48)
MODES = (("channel", "In the team's channel"), ("dm", "By DM to each member"), ("both", "Both"))
# Shown first in the time zone picker; the team's own zone is always added.
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Manila",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Phoenix",
    "America/Denver",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Halifax",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
)
MAX_PICKED_PEOPLE = 100


@dataclass(frozen=True)
class SettingsForm:
    """What the form shows: a team's settings now."""

    team: str
    channel_id: str | None
    weekday: int
    time: str
    timezone: str
    local_time: bool
    deadline_hours: int
    reminder_hours: int
    mode: str
    members: tuple[str, ...]
    leads: tuple[str, ...]
    share: bool = True
    goals: tuple[GoalLike, ...] = ()


SHARE_OPTION = "share"


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(clip(label, 75), 75), "value": value[:150]}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "optional": optional,
        "element": {"action_id": "value", **element},
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _select(options: list[dict[str, Any]], chosen: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "options": options}
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def _hours(hours: int) -> str:
    return "none" if hours == 0 else f"{hours} h"


def settings_modal(form: SettingsForm, metadata: dict[str, Any], weekdays: Sequence[str]) -> dict[str, Any]:
    """Return the settings modal of one team, prefilled with what is set now."""
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if form.channel_id:
        channel["initial_conversation"] = form.channel_id
    modes = [_option(label, value) for value, label in MODES]
    blocks: list[Block] = [
        section(
            f"Settings of team *{escape(clip(form.team, 80))}*. Typed `/alignment` commands change the same settings."
        ),
        _input("channel", "Check-in channel", channel),
        *_schedule_inputs(form, weekdays),
        _input(
            "mode",
            "Where the prompt goes",
            {
                "type": "radio_buttons",
                "options": modes,
                **(
                    {"initial_option": next(o for o in modes if o["value"] == form.mode)}
                    if form.mode in dict(MODES)
                    else {}
                ),
            },
        ),
        _share_input(form.share),
        *_people_inputs(form),
        section("*Team goals* (change them with `/goal`)\n" + "\n".join(goal_lines(form.goals))),
        context("Time off and company holidays: `/checkin away`, `/alignment holiday`."),
    ]
    return {
        "type": "modal",
        "callback_id": SETTINGS_CALLBACK,
        "title": plain("Team settings", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": blocks,
    }


def _schedule_inputs(form: SettingsForm, weekdays: Sequence[str]) -> list[Block]:
    """Return the inputs of when the prompt goes out and when answers are due."""
    zones = list(dict.fromkeys([form.timezone, *COMMON_ZONES]))[:99]
    zone_options = [_option("Each member's own Slack time zone", LOCAL)] + [
        _option(z.replace("_", " "), z) for z in zones
    ]
    return [
        _input(
            "weekday", "Prompt day", _select([_option(d, str(i)) for i, d in enumerate(weekdays)], str(form.weekday))
        ),
        _input("time", "Prompt time", {"type": "timepicker", "initial_time": form.time}),
        _input(
            "timezone",
            "Time zone",
            _select(zone_options, LOCAL if form.local_time else form.timezone),
            hint="With each member's own zone, everyone is prompted at that time where they are; "
            "the channel keeps the team's zone.",
        ),
        _input(
            "deadline",
            "Answers due after",
            _select(
                [_option(_hours(h), str(h)) for h in sorted({*DEADLINE_CHOICES, form.deadline_hours})],
                str(form.deadline_hours),
            ),
        ),
        _input(
            "reminder",
            "Reminder before the deadline",
            _select(
                [_option(_hours(h), str(h)) for h in sorted({*REMINDER_CHOICES, form.reminder_hours})],
                str(form.reminder_hours),
            ),
        ),
    ]


def _people_inputs(form: SettingsForm) -> list[Block]:
    """Return the members picker (or a line saying how many, past the picker's limit) and the leads picker."""
    members: dict[str, Any] = {"type": "multi_users_select", "max_selected_items": MAX_PICKED_PEOPLE}
    if form.members:
        members["initial_users"] = list(form.members[:MAX_PICKED_PEOPLE])
    leads: dict[str, Any] = {"type": "multi_users_select", "max_selected_items": 20}
    if form.leads:
        leads["initial_users"] = list(form.leads[:20])
    return [
        (
            _input("members", "Members (who check in)", members, optional=True)
            if len(form.members) <= MAX_PICKED_PEOPLE
            else section(
                f"*Members*: {len(form.members)}, too many for a picker; change them with "
                f"`/alignment members {escape(clip(form.team, 80))} add|remove @person`."
            )
        ),
        _input("leads", "Leads (nudge, fix tags, manage members)", leads, optional=True),
    ]


def _share_input(on: bool) -> dict[str, Any]:
    """Return the sharing checkbox: answers posted in the prompt's thread for teammates and other teams."""
    box = _option("Post each answer in the thread under the week's prompt, for teammates and other teams", SHARE_OPTION)
    return _input(
        "share",
        "Sharing",
        {"type": "checkboxes", "options": [box], **({"initial_options": [box]} if on else {})},
        optional=True,
    )


def settings_values(state: dict[str, Any]) -> dict[str, Any]:
    """Return the raw answers of a submitted settings form (None where nothing was picked)."""
    values = state.get("values", {})

    def element(block: str) -> dict[str, Any]:
        return (values.get(block) or {}).get("value") or {}

    def option(block: str) -> str | None:
        return (element(block).get("selected_option") or {}).get("value")

    return {
        "channel": element("channel").get("selected_conversation"),
        "weekday": option("weekday"),
        "time": element("time").get("selected_time"),
        "timezone": option("timezone"),
        "deadline": option("deadline"),
        "reminder": option("reminder"),
        "mode": option("mode"),
        # No sharing block (a form opened before it existed): sharing stays as it is.
        "share": (
            any(o.get("value") == SHARE_OPTION for o in element("share").get("selected_options") or ())
            if "share" in values
            else None
        ),
        # No members block (a team too big for the picker): the members stay as they are.
        "members": list(element("members").get("selected_users") or []) if "members" in values else None,
        "leads": list(element("leads").get("selected_users") or []),
    }


def settings_buttons(teams: Sequence[tuple[int, str]]) -> list[Block]:
    """Return the App Home admin section: a settings button per team."""
    if not teams:
        return [section("*Admin*\nNo teams yet: run `/alignment team <name>` in a team's channel.")]
    buttons = [
        {
            "type": "button",
            "action_id": f"{OPEN_SETTINGS_ACTION}:{i}",
            "text": plain(clip(name, 70), 75),
            "value": str(team_id),
        }
        for i, (team_id, name) in enumerate(teams[:25])
    ]
    blocks: list[Block] = [
        section("*Admin* · team settings: channel, schedule, time zone, deadline, prompts, members and leads")
    ]
    for start in range(0, len(buttons), 5):
        blocks.append({"type": "actions", "block_id": f"team_settings:{start}", "elements": buttons[start : start + 5]})
    if len(teams) > 25:
        blocks.append(context(f"and {len(teams) - 25} more: `/alignment settings <team>`"))
    return blocks
