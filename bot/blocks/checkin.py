"""Block Kit for the weekly check-in: prompt, reminder, modal, confirmation, tag editor, status."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.blocks.common import Block, clip, context, escape, plain, section
from bot.slacktext import fallback
from bot.slacktext import mrkdwn as slack_mrkdwn

OPEN_ACTION = "checkin_open"
EDIT_TAGS_ACTION = "checkin_edit_tags"
# "Which objective does this serve?": one button per candidate, each action id suffixed to stay unique.
ANSWER_ACTION = "checkin_which_objective"
# "Which team is this update for?", asked of a direct message from someone on several teams.
DM_TEAM_ACTION = "checkin_dm_team"
MODAL_CALLBACK = "checkin_submit"
QUESTIONS_CALLBACK = "checkin_questions_submit"
# A team's check-in asks these unless an admin changed them: the answers' two texts, then the partner teams.
DEFAULT_QUESTIONS = ("What moved forward?", "What's next?", "Which team did you work with or need something from?")
QUESTION_MAX = 150
TAGS_CALLBACK = "checkin_tags_submit"
MAX_OPTIONS = 100


@dataclass(frozen=True)
class Choice:
    """An option in a select: what is shown and the value sent back."""

    label: str
    value: str


@dataclass(frozen=True)
class CheckinForm:
    """What the check-in form shows: a team's questions and choices, and the person's answer this week."""

    team_id: int
    team: str
    week: str
    objectives: Sequence[Choice]
    partner_teams: Sequence[Choice]
    initiatives: Sequence[Choice] = ()
    moved: str = ""
    next_steps: str = ""
    chosen_objectives: Sequence[str] = ()
    # Tags the tagger chose: sent back unchanged, they stay automatic.
    suggested: Sequence[str] = ()
    chosen_partners: Sequence[str] = ()
    chosen_initiative: str | None = None
    questions: Sequence[str] = DEFAULT_QUESTIONS


@dataclass(frozen=True)
class TagsForm:
    """What the tag editor shows: an update, the objectives, and the ones it is tagged with."""

    update_id: int
    text: str
    objectives: Sequence[Choice]
    chosen: Sequence[str]


@dataclass(frozen=True)
class TeamQuestions:
    """A team's check-in questions, for the form that changes them."""

    team_id: int
    team: str
    questions: Sequence[str]


def slack_date(moment: datetime, fallback_format: str = "%a %d %b %H:%M UTC") -> str:
    """Return a date Slack shows in each reader's own time zone."""
    stamp = int(moment.timestamp())
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{moment.strftime(fallback_format)}>"


def prompt_message(
    team: str,
    week: str,
    deadline: datetime,
    open_value: str,
    *,
    personal: bool,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
) -> dict[str, Any]:
    """Return the weekly prompt, for the team channel or a member's DM, asking the team's questions."""
    asked = (
        "What moved forward this week, what's next, and which team did you work with or need something from?"
        if tuple(questions) == DEFAULT_QUESTIONS
        else "\n".join(f"• {escape(q)}" for q in questions)
    )
    ask = f"*Weekly check-in for {escape(team)}* · {week}\n{asked}"
    how = "Takes under a minute. " + (
        "Press the button, or reply in this thread."
        if personal
        else "Press the button, reply in this thread, or use `/checkin <text>` here."
    )
    blocks: list[Block] = [
        section(ask),
        {"type": "actions", "block_id": "checkin_prompt", "elements": [_open_button(open_value, "Share your update")]},
        context(f"{how} Due {slack_date(deadline)}."),
    ]
    return {"text": f"Weekly check-in for {team} ({week}): share your update", "blocks": blocks}


def multi_team_prompt_message(week: str, teams: Sequence[tuple[str, datetime, str]]) -> dict[str, Any]:
    """Return the one weekly prompt DM of a person on several teams: (team, deadline, open value) each."""
    names = ", ".join(name for name, _, _ in teams)
    buttons = open_buttons([(name, value) for name, _, value in teams])
    due = " · ".join(f"{escape(name)} due {slack_date(deadline)}" for name, deadline, _ in teams)
    blocks: list[Block] = [
        section(
            f"*Weekly check-in* · {week}\nYou check in for *{escape(names)}*: share one update per team. "
            "What moved forward, what's next, and which team did you work with or need something from?"
        ),
        {"type": "actions", "block_id": "checkin_prompt", "elements": buttons},
        context(f"Takes under a minute per team. {due}."),
    ]
    return {"text": f"Weekly check-in ({week}) for {names}: share your updates", "blocks": blocks}


def reminder_message(team: str, week: str, deadline: datetime, open_value: str) -> dict[str, Any]:
    """Return the one reminder to a member who has not answered yet."""
    blocks: list[Block] = [
        section(f"*Reminder:* your {escape(team)} update for {week} is due {slack_date(deadline)}."),
        {
            "type": "actions",
            "block_id": "checkin_reminder",
            "elements": [_open_button(open_value, "Share your update")],
        },
    ]
    return {"text": f"Reminder: your {team} update for {week} is due soon", "blocks": blocks}


def open_buttons(teams: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Return one "<team> update" button per (team name, open value); action ids stay unique in a block."""
    return [
        {
            **_open_button(value, clip(f"{name} update", 60)),
            "action_id": OPEN_ACTION if i == 0 else f"{OPEN_ACTION}:{i}",
        }
        for i, (name, value) in enumerate(teams[:25])
    ]


def _open_button(value: str, label: str) -> dict[str, Any]:
    return {"type": "button", "action_id": OPEN_ACTION, "text": plain(label, 75), "style": "primary", "value": value}


def checkin_modal(form: CheckinForm, channel_id: str | None) -> dict[str, Any]:
    """Return the check-in modal asking the team's questions, prefilled when editing this week's answer."""
    metadata = {"team_id": form.team_id, "week": form.week, "channel": channel_id, "suggested": list(form.suggested)}
    blocks: list[Block] = [
        context(f"*{escape(form.team)}* · {form.week}. Answering again this week replaces your earlier update."),
        _text_input(
            "moved",
            form.questions[0],
            form.moved,
            multiline=True,
            optional=False,
            placeholder="Booked 6 discovery calls from the webinar list…",
        ),
        _text_input("next", form.questions[1], form.next_steps, multiline=True, optional=True),
    ]
    if form.partner_teams:
        blocks.append(
            multi_select("partners", form.questions[2], form.partner_teams, form.chosen_partners, "Pick teams")
        )
    if form.objectives:
        block = multi_select(
            "objectives",
            "Objectives it serves",
            form.objectives,
            form.chosen_objectives,
            "Leave empty to tag automatically",
        )
        block["hint"] = plain("Leave empty and Alignbot suggests tags; you can correct them after.", 2000)
        blocks.append(block)
    if form.initiatives:
        blocks.append(_single_select("initiative", "Part of an initiative?", form.initiatives, form.chosen_initiative))
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": plain("Weekly check-in", 24),
        "submit": plain("Share", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def tags_modal(form: TagsForm, channel_id: str | None) -> dict[str, Any]:
    """Return the modal that corrects an update's tags; an empty choice means it serves none."""
    metadata = {"update_id": form.update_id, "channel": channel_id}
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": TAGS_CALLBACK,
        "title": plain("Edit tags", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": [section(">" + slack_mrkdwn(form.text, limit=2800, lines=False))],
    }
    if not form.objectives:
        view["blocks"].append(
            section("There are no objectives to tag with yet: an admin adds them with `/objective add <title>`.")
        )
        return view
    block = multi_select("objectives", "Objectives this update serves", form.objectives, form.chosen, "None of them")
    block["hint"] = plain("Your correction teaches Alignbot's tagger for this workspace.", 2000)
    view["blocks"].append(block)
    view["submit"] = plain("Save", 24)
    return view


@dataclass(frozen=True)
class TagLine:
    """One tag as shown to the person: objective title, score and why."""

    title: str
    score: float | None
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServedGoal:
    """The team goal an answer works toward, and the titles of the objectives that goal serves."""

    title: str
    serves: tuple[str, ...] = ()


def goal_line(goal: ServedGoal) -> str:
    """Return the line naming the goal an answer serves, and what that goal serves in turn."""
    line = f"serves *{escape(goal.title)}*"
    return line + (f" → {escape(', '.join(goal.serves))}" if goal.serves else " (our own goal)")


def confirmation(
    team: str,
    week: str,
    tags: Sequence[TagLine],
    *,
    replaced: bool,
    by_hand: bool,
    update_id: int,
    question: Sequence[Choice] = (),
    note: str | None = None,
    goal: ServedGoal | None = None,
) -> dict[str, Any]:
    """Return the answer after a check-in: what was stored and how it was tagged.

    `question` given, the tagger was unsure: the author picks one of these objectives, or none, in one tap.
    `goal`: the team goal the answer works toward.
    """
    head = f":white_check_mark: Your {escape(team)} update for {week} is in."
    if replaced:
        head += " It replaced your earlier update this week."
    if tags:
        lines = []
        for tag in tags:
            score = "" if tag.score is None or by_hand else f" ({tag.score:.2f})"
            why = f" — {escape('; '.join(tag.why[:3]))}" if tag.why and not by_hand else ""
            lines.append(f"• *{escape(tag.title)}*{score}{why}")
        label = "Tagged by you:\n" if by_hand else ("My guess:\n" if question else "Tagged:\n")
        tagged = label + "\n".join(lines)
    elif question:
        tagged = "Tagged: _nothing yet_"
    else:
        tagged = "Tagged: _serves none of the objectives_" + ("" if by_hand else " (if it does, fix it below)")
    if goal is not None:
        tagged += "\n" + goal_line(goal)
    blocks: list[Block] = [section(head), section(tagged)]
    if note:
        blocks.append(context(note))
    edit = {
        "type": "button",
        "action_id": EDIT_TAGS_ACTION,
        "value": str(update_id),
        "text": plain("Other…" if question else "Edit tags", 75),
    }
    if question:
        blocks.append(
            section("*Which objective does this serve?* I'm not sure; one tap tells me, and teaches me for next time.")
        )
        buttons = [
            {
                "type": "button",
                "action_id": f"{ANSWER_ACTION}:{i}",
                "text": plain(choice.label, 75),
                "value": answer_value(update_id, choice.value),
            }
            for i, choice in enumerate(question[:20])
        ]
        buttons.append(
            {
                "type": "button",
                "action_id": f"{ANSWER_ACTION}:none",
                "text": plain("None of them", 75),
                "value": answer_value(update_id, None),
            }
        )
        blocks.append({"type": "actions", "block_id": "checkin_question", "elements": [*buttons, edit]})
    else:
        blocks.append({"type": "actions", "block_id": "checkin_done", "elements": [edit]})
    return {"text": f"Your {team} update for {week} is in", "blocks": blocks}


class RecordedAnswer(Protocol):
    """What a check-in answer became, as its author is told."""

    @property
    def update_id(self) -> int: ...
    @property
    def team(self) -> str: ...
    @property
    def week(self) -> str: ...
    @property
    def replaced(self) -> bool: ...
    @property
    def by_hand(self) -> bool: ...
    @property
    def tags(self) -> Sequence[TagLine]: ...
    @property
    def confident(self) -> bool: ...
    @property
    def candidates(self) -> Sequence[Choice]: ...
    @property
    def goal(self) -> ServedGoal | None: ...


def answer_confirmation(recorded: RecordedAnswer, *, note: str | None = None) -> dict[str, Any]:
    """Return what the author of a recorded answer sees: the stored update, its tags, the question when unsure."""
    return confirmation(
        recorded.team,
        recorded.week,
        recorded.tags,
        replaced=recorded.replaced,
        by_hand=recorded.by_hand,
        update_id=recorded.update_id,
        question=() if recorded.confident or recorded.by_hand else recorded.candidates,
        note=note,
        goal=recorded.goal,
    )


def whole_guess(keys: Sequence[str]) -> Choice:
    """Return the answer that confirms a guess of several objectives in one tap."""
    return Choice("Both (my guess)" if len(keys) == 2 else f"All {len(keys)} (my guess)", ",".join(keys))


def answer_value(update_id: int, key: str | None) -> str:
    """Return the value of an answer button: the update and the objective key, keys joined by commas ('' for none)."""
    return f"{update_id}:{key or ''}"


def parse_answer_value(value: str) -> tuple[int, tuple[str, ...]] | None:
    """Return (update id, objective keys, () for none) from an answer button's value, or None if it is not one."""
    update, sep, keys = value.partition(":")
    return (int(update), tuple(k for k in keys.split(",") if k)) if sep and update.isdigit() else None


@dataclass(frozen=True)
class TeamStatus:
    """Who answered and who has not, for one team this week."""

    team: str
    week: str
    answered: tuple[str, ...]
    missing: tuple[str, ...]
    skipped: bool = False
    problem: str | None = None
    away: tuple[str, ...] = ()


def how_to_fix(error: str, team: str | None = None) -> str:
    """Say what a person does about a send Slack refused, for a team's channel or (no team) the digest's."""
    redo = (
        f"run `/alignment team {team}` in the team's channel"
        if team
        else "run `/alignment leadership` in the leadership channel"
    )
    reinstall = "reinstall Alignbot in this workspace (and update SLACK_BOT_TOKEN if you run it with one)"
    fixes = {
        "not_in_channel": "invite me to the channel with `/invite @alignbot`",
        "channel_not_found": f"the channel was deleted or is private without me: invite me, or {redo}",
        "is_archived": f"the channel is archived: unarchive it, or {redo}",
        "missing_scope": "reinstall Alignbot so it gets the permissions in manifest.yml",
    }
    if error in ("invalid_auth", "token_revoked", "account_inactive", "not_authed", "team_access_not_granted"):
        return f"Slack no longer accepts my token: {reinstall}"
    return fixes.get(error, "check the channel and that I am still installed")


def workspace_problem_line(problem: str) -> str:
    """Describe a workspace-wide problem ("digest:not_in_channel", "slack:token_revoked") and its fix."""
    kind, _, error = problem.partition(":")
    what = "The leadership digest cannot be posted" if kind == "digest" else "Slack refuses my messages"
    return f":warning: {what}: `{error}`. To fix it, {how_to_fix(error)}. I keep trying until it works."


def status_blocks(
    statuses: Sequence[TeamStatus], limit: int = 45, *, workspace_problem: str | None = None
) -> list[Block]:
    """Return this week's check-in status, a section per team (cut to fit one message)."""
    head = [section(workspace_problem_line(workspace_problem))] if workspace_problem else []
    if not statuses:
        return head + [section("No teams yet. An admin can run `/alignment team <name>` in a team's channel.")]
    blocks: list[Block] = head
    for status in statuses[:limit]:
        if status.skipped:
            line = "_skipped this week_"
        else:
            done = " ".join(f"<@{u}>" for u in status.answered) or "nobody yet"
            waiting = " ".join(f"<@{u}>" for u in status.missing) or "nobody"
            line = f":white_check_mark: {done}\n:hourglass: {waiting}"
            if status.away:
                line += "\n:palm_tree: away: " + " ".join(f"<@{u}>" for u in status.away)
        problem = (
            f"\n:warning: prompts cannot be delivered: `{status.problem}`: {how_to_fix(status.problem, status.team)}"
            if status.problem
            else ""
        )
        count = f"{len(status.answered)}/{len(status.answered) + len(status.missing)}"
        blocks.append(section(f"*{escape(status.team)}* · {status.week} · {count}\n{line}{problem}"))
    if len(statuses) > limit:
        blocks.append(context(f"and {len(statuses) - limit} more teams"))
    return blocks


def _text_input(
    block_id: str, label: str, value: str, *, multiline: bool, optional: bool, placeholder: str | None = None
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": 2000,
    }
    if value:
        element["initial_value"] = clip(value, 2000)
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, 2000),
        "element": element,
    }


def _options(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    return [{"text": plain(c.label, 75), "value": c.value[:150]} for c in choices[:MAX_OPTIONS]]


def multi_select(
    block_id: str, label: str, choices: Sequence[Choice], chosen: Sequence[str], placeholder: str
) -> Block:
    """Return an optional input that picks any of `choices`, `chosen` picked already."""
    options = _options(choices)
    element: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": "value",
        "options": options,
        "placeholder": plain(placeholder, 150),
    }
    initial = [o for o in options if o["value"] in set(chosen)]
    if initial:
        element["initial_options"] = initial
    return {"type": "input", "block_id": block_id, "optional": True, "label": plain(label, 2000), "element": element}


def _single_select(block_id: str, label: str, choices: Sequence[Choice], chosen: str | None = None) -> Block:
    options = _options(choices)
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": options,
        "placeholder": plain("None", 150),
    }
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial:
        element["initial_option"] = initial
    return {"type": "input", "block_id": block_id, "optional": True, "label": plain(label, 2000), "element": element}


def modal_values(state: dict[str, Any]) -> dict[str, Any]:
    """Return the check-in modal's answers from a view_submission state."""
    values = state.get("values", {})

    def text(block: str) -> str:
        return ((values.get(block, {}).get("value") or {}).get("value") or "").strip()

    def many(block: str) -> list[str]:
        return [o["value"] for o in (values.get(block, {}).get("value") or {}).get("selected_options") or []]

    def one(block: str) -> str | None:
        selected = (values.get(block, {}).get("value") or {}).get("selected_option")
        return selected["value"] if selected else None

    return {
        "moved": text("moved"),
        "next": text("next"),
        "partners": many("partners"),
        "objectives": many("objectives"),
        "initiative": one("initiative"),
        "objectives_present": "objectives" in values,
    }


def shared_answer(
    author: str, team: str, week: str, text: str, tags: Sequence[str], *, by_hand: bool
) -> dict[str, Any]:
    """Return an answer as teammates see it in the prompt's thread: who, what, and what it serves.

    `text` is plain (Slack markup already rendered as names): it is escaped, so the post pings nobody.
    """
    body = escape(text)
    served = ", ".join(f"*{escape(t)}*" for t in tags) if tags else "no objective yet"
    how = "tagged by the author" if by_hand else "tagged by Alignbot"
    blocks: list[Block] = [
        section(f"*{escape(author)}* · {escape(team)} · {week}\n{body}"),
        context(f"Serves: {served} ({how})" if tags else f"Serves: {served}"),
    ]
    # Notifications read `text` as mrkdwn too: it is escaped like the blocks.
    return {"text": fallback(f"{escape(author)}'s {escape(team)} update for {week}: {body}"), "blocks": blocks}


@dataclass(frozen=True)
class PastLine:
    """One past answer as history shows it: author id, readable text, objective titles."""

    author: str
    text: str
    objectives: tuple[str, ...]


def history_blocks(
    team: str, weeks: Sequence[tuple[str, Sequence[PastLine]]], *, weeks_asked: int, max_blocks: int = 45
) -> list[Block]:
    """Return a team's past answers, newest week first, one section a week, inside Slack's limits."""
    blocks: list[Block] = [
        section(f"*{escape(team)}* · answers of the last {weeks_asked} week{'s' if weeks_asked != 1 else ''}")
    ]
    if not weeks:
        blocks.append(context("Nobody answered in those weeks."))
        return blocks
    for shown, (week, lines) in enumerate(weeks):
        if len(blocks) >= max_blocks:
            blocks.append(context(f"and {len(weeks) - shown} earlier weeks; ask for fewer weeks to see them"))
            break
        body = "\n".join(
            f"• <@{escape(line.author)}>: {escape(' '.join(line.text.split()))}"
            + (f" _({escape(', '.join(line.objectives))})_" if line.objectives else "")
            for line in lines
        )
        blocks.append(section(f"*{week_date(week)}* ({week})\n{body}"))
    return blocks


def week_date(week: str) -> str:
    """Return "week of 26 Oct" for "2026-W44": the Monday the week starts on."""
    year, _, number = week.partition("-W")
    try:
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return week
    return f"week of {monday.day} {monday.strftime('%b')}"


def past_weeks_blocks(teams: Sequence[tuple[str, Sequence[tuple[str, Sequence[PastLine]]], int]]) -> list[Block]:
    """Return App Home's "Past weeks": a few blocks per team of the person, nothing when they are on none."""
    if not teams:
        return []
    blocks: list[Block] = [{"type": "divider"}, {"type": "header", "text": plain("Past weeks", 150)}]
    for team, weeks, weeks_asked in teams:
        blocks += history_blocks(team, weeks, weeks_asked=weeks_asked, max_blocks=5)
    blocks.append(context("`/alignment history [team] [weeks]` shows more weeks."))
    return blocks


def dm_team_value(team_id: int, channel: str, ts: str) -> str:
    """Return the value of a "this update is for team X" button: the team and the message it answers."""
    return f"{team_id}:{channel}:{ts}"


def parse_dm_team_value(value: str) -> tuple[int, str, str] | None:
    """Return (team id, channel, message ts) from such a button, or None if it is not one."""
    team, _, rest = value.partition(":")
    channel, _, ts = rest.partition(":")
    return (int(team), channel, ts) if team.isdigit() and channel and ts else None


def which_team_message(text: str, teams: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Return the question to someone on several teams: which one their direct message is an update for."""
    buttons = [
        {"type": "button", "action_id": f"{DM_TEAM_ACTION}:{i}", "text": plain(name, 75), "value": value}
        for i, (name, value) in enumerate(teams[:25])
    ]
    blocks: list[Block] = [
        section("Which team is this update for?\n>" + slack_mrkdwn(text, limit=500, lines=False)),
        *(
            {"type": "actions", "block_id": f"checkin_dm_team_{n}", "elements": buttons[n : n + 5]}
            for n in range(0, len(buttons), 5)
        ),
    ]
    return {"text": "Which team is this update for?", "blocks": blocks}


def dm_pointer() -> dict[str, Any]:
    """Return the one line for a direct message that is not an update."""
    return {
        "text": "To check in, send me what moved forward this week, what's next and which team you worked "
        "with, in a few sentences; or use `/checkin`. Send `help` for everything I do."
    }


def dm_help() -> dict[str, Any]:
    """Return what the bot does, for `help` in its direct messages."""
    lines = [
        "*Alignbot* asks each team for a short weekly update and shows leadership where teams work together.",
        "• Send me your update here, in a few sentences: what moved forward, what's next, which team you "
        "worked with or need. I tag it with the objectives it serves and share it in your team's thread.",
        "• Edit or delete your message and your update follows.",
        "• `/checkin` opens the form · `/initiative add <title>` logs work · `/objective list` the objectives · "
        "`/alignment report` this week's digest · `/alignment history` past answers. Each answers `help`.",
    ]
    return {"text": "Alignbot help", "blocks": [section("\n".join(lines))]}


def questions_modal(form: TeamQuestions) -> dict[str, Any]:
    """Return the form that changes a team's check-in questions; an emptied one goes back to its default."""
    metadata = {"team_id": form.team_id}
    blocks: list[Block] = [
        context(
            f"The questions *{escape(form.team)}*'s prompt, form and thread ask. "
            "Empty a question to go back to the default."
        )
    ]
    for n, (question, default) in enumerate(zip(form.questions, DEFAULT_QUESTIONS)):
        block = _text_input(f"question_{n}", f"Question {n + 1}", question, multiline=False, optional=True)
        block["hint"] = plain(f"Default: {default}" + (" (answered by picking teams)" if n == 2 else ""), 2000)
        block["element"]["max_length"] = QUESTION_MAX
        blocks.append(block)
    return {
        "type": "modal",
        "callback_id": QUESTIONS_CALLBACK,
        "title": plain("Check-in questions", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def questions_values(state: dict[str, Any]) -> list[str]:
    """Return the questions typed in the questions form, defaults where left empty."""
    values = state.get("values", {})
    typed = [
        " ".join(((values.get(f"question_{n}", {}).get("value") or {}).get("value") or "").split())
        for n in range(len(DEFAULT_QUESTIONS))
    ]
    return [t or default for t, default in zip(typed, DEFAULT_QUESTIONS)]
