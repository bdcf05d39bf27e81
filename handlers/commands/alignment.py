"""/alignment: set Alignbot up (teams, leadership channel, schedules) and read the digest.

Subcommands live in one table, name -> function.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import checkin as checkin_blocks
from bot.blocks import digest as digest_blocks
from bot.blocks import model as model_blocks
from bot.blocks import people as people_blocks
from bot.blocks import settings as settings_blocks
from bot.blocks import teams as blocks
from bot.blocks.common import counted
from bot.parsing import (
    WEEKDAYS,
    HistoryRequest,
    HolidayRequest,
    Invalid,
    LeadRequest,
    MembersRequest,
    ScheduleRequest,
    ShareRequest,
    TeamRef,
    UnskipRequest,
    parse_deadline,
    parse_history,
    parse_holiday,
    parse_lead,
    parse_members,
    parse_model_switch,
    parse_prompts,
    parse_schedule,
    parse_share,
    parse_team_day,
    validate_team_name,
)
from bot.schedule import is_week
from bot.services import Services
from bot.services.history import DEFAULT_WEEKS as DEFAULT_HISTORY_WEEKS
from bot.services.people import Skip
from bot.services.teams import TeamView
from handlers.queued import ack_form, two_steps
from handlers.replies import Subcommand, ack_usage, answer_parsed, say_privately, subcommand_listener, user_errors

COMMAND = "/alignment"


def team(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Make this channel a team's check-in channel."""
    name = validate_team_name(rest)
    if isinstance(name, Invalid):
        return ack_usage(ack, COMMAND, name)
    ack()
    with user_errors(respond):
        done = services.teams.map_channel(body["team_id"], body["user_id"], body["channel_id"], name)
        if done.already:
            members = counted(done.members, "member")
            text = (
                f"This channel already is team *{done.team}*'s check-in channel ({members}; "
                f"`/alignment members {done.team} add|remove @person` changes them)."
            )
        elif done.moved_from:
            text = (
                f"Moved team *{done.team}* from <#{done.moved_from}> to this channel; its members stay the same "
                f"({counted(done.members, 'member')})."
            )
        else:
            text = (
                f"This channel is now team *{done.team}*'s check-in channel. Everyone in the channel "
                f"({counted(done.members, 'member')}) checks in for it; change who with "
                f"`/alignment members {done.team} add|remove @person`."
            )
        if done.created:
            text += f" Set when its check-in goes out with `/alignment schedule {done.team} mon 09:30`."
        say_privately(respond, text)


def leadership(
    services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient
) -> None:
    """Post digests in this channel."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/alignment leadership` takes nothing after it; run it in the channel.")
    ack()
    with user_errors(respond):
        previous = services.teams.set_leadership(body["team_id"], body["user_id"], body["channel_id"])
        moved = f" (instead of <#{previous}>)" if previous else ""
        say_privately(respond, f"Leadership digests will be posted in this channel{moved}.")


def schedule(
    services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient
) -> None:
    """Set when a team's check-in prompt goes out."""

    def scheduled(request: ScheduleRequest) -> str:
        set_ = services.teams.schedule(body["team_id"], body["user_id"], request)
        if set_.local_time:
            return (
                f"Team *{set_.name}*'s members each get their check-in prompt every {WEEKDAYS[set_.weekday]} at "
                f"{set_.time} in their own Slack time zone (the channel's at {set_.time} {set_.timezone})."
            )
        when = f"every {WEEKDAYS[set_.weekday]} at {set_.time} ({set_.timezone})"
        return f"Team *{set_.name}* gets its check-in prompt {when}."

    answer_parsed(ack, respond, COMMAND, parse_schedule(rest), scheduled)


def teams(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """List the teams with their channel, schedule and members."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/alignment teams` takes nothing after it.")
    ack()
    with user_errors(respond):
        overview = services.teams.overview(body["team_id"])
        say_privately(respond, blocks.teams_overview(overview.teams, overview.leadership_channel_id))


def prompts(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Set where a team's prompt goes: its channel, DMs to its members, or both."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_prompts(rest),
        lambda request: _configured(
            services.teams.configure_prompts(body["team_id"], body["user_id"], request.team, mode=request.mode)
        ),
    )


def deadline(
    services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient
) -> None:
    """Set how long after the prompt answers are due, and when the reminder goes."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_deadline(rest),
        lambda request: _configured(
            services.teams.configure_prompts(
                body["team_id"],
                body["user_id"],
                request.team,
                deadline_hours=request.hours,
                reminder_hours=request.reminder_hours,
            )
        ),
    )


def share(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Turn on or off posting a team's answers in the thread under its weekly prompt."""

    def switched(request: ShareRequest) -> str:
        name = services.sharing.set_sharing(body["team_id"], body["user_id"], request.team, request.on)
        if request.on:
            return (
                f"Team *{name}*'s answers are now posted in the thread under its weekly prompt, "
                "for teammates and other teams to read."
            )
        return f"Team *{name}*'s answers are no longer posted in its channel; they still reach the digest."

    answer_parsed(ack, respond, COMMAND, parse_share(rest), switched)


def history(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Show a team's past answers, newest week first, to the caller only."""

    def shown(request: HistoryRequest) -> dict[str, Any]:
        past = services.history.for_team(
            body["team_id"],
            body["user_id"],
            request.team,
            request.weeks or DEFAULT_HISTORY_WEEKS,
            channel_id=body.get("channel_id"),
        )
        weeks = [
            (w.week, [checkin_blocks.PastLine(a.author, a.text, a.objectives) for a in w.answers]) for w in past.weeks
        ]
        return {
            "text": f"{past.team}: past answers",
            "blocks": checkin_blocks.history_blocks(past.team, weeks, weeks_asked=past.weeks_asked),
        }

    answer_parsed(ack, respond, COMMAND, parse_history(rest), shown)


def questions(
    services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient
) -> None:
    """Open the form that changes a team's check-in questions (admins)."""
    name = validate_team_name(rest)
    if isinstance(name, Invalid):
        return ack_usage(ack, COMMAND, name)
    ack_form(ack)
    with user_errors(respond):
        team, user = body["team_id"], body["user_id"]
        form = services.checkins.questions_for(
            team, user, TeamRef(name), is_admin=services.permissions.is_admin(team, user)
        )
        services.clients.for_team(team).views_open(
            trigger_id=body["trigger_id"], view=checkin_blocks.questions_modal(form)
        )


def _configured(view: TeamView) -> str:
    return f"Team *{view.name}*: check-in {view.schedule}."


def status(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Show who has checked in this week, team by team."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/alignment status` takes nothing after it.")
    ack()
    with user_errors(respond):
        statuses = services.prompts.status(body["team_id"])
        problem = services.prompts.workspace_problem(body["team_id"])
        say_privately(
            respond,
            {
                "text": "Check-in status this week",
                "blocks": [
                    *checkin_blocks.status_blocks(statuses, workspace_problem=problem),
                    *model_blocks.model_status_blocks(services.model.state(body["team_id"])),
                ],
            },
        )


def skip(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Skip a week's check-in for a team, or for all teams."""

    def skipped(request: UnskipRequest) -> str:
        done = services.people.skip(body["team_id"], body["user_id"], request.team, request.day)
        if not done:
            return f"The week of {request.day.isoformat()} was already skipped for {request.team}."
        return "No check-in for " + _skips(done) + ". Prompts for it will not go out; `/alignment unskip` undoes it."

    answer_parsed(ack, respond, COMMAND, parse_team_day(rest), skipped)


def unskip(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Undo a skip or a holiday's skip: the week's check-in goes out again."""

    def unskipped(request: UnskipRequest) -> str:
        done = services.people.unskip(body["team_id"], body["user_id"], request.team, request.day)
        if not done:
            return f"The week of {request.day.isoformat()} was not skipped for {request.team}; nothing to undo."
        return "The check-in goes out again for " + _skips(done) + "."

    answer_parsed(ack, respond, COMMAND, parse_team_day(rest), unskipped)


def _skips(skips: list[Skip]) -> str:
    return ", ".join(f"*{s.team}* {s.week}" for s in skips)


def holiday(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Record a company holiday: that week's check-in is skipped for every team."""

    def added(request: HolidayRequest) -> str:
        week, names = services.people.add_holiday(body["team_id"], body["user_id"], request.day, request.name)
        called = f" ({request.name})" if request.name else ""
        teams_ = ", ".join(names) if names else "every team (none yet)"
        return (
            f"Company holiday {request.day.isoformat()}{called}: no check-in in {week} for {teams_}. "
            f"`/alignment unskip <team> {request.day.isoformat()}` brings one back."
        )

    answer_parsed(ack, respond, COMMAND, parse_holiday(rest), added)


def holidays(
    services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient
) -> None:
    """List the company holidays and skipped weeks to come."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/alignment holidays` takes nothing after it.")
    ack()
    with user_errors(respond):
        calendar = services.people.calendar(body["team_id"])
        say_privately(
            respond, people_blocks.calendar_message(calendar.holidays, [(s.team, s.week) for s in calendar.skips])
        )


def members(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Add people to a team or remove them (admins and the team's leads)."""

    def changed(request: MembersRequest) -> str:
        done = services.people.change_members(
            body["team_id"], body["user_id"], request.team, request.action, request.users
        )
        return people_blocks.members_changed(done.team, request.action, done.changed, done.unchanged, done.members)

    answer_parsed(ack, respond, COMMAND, parse_members(rest), changed)


def lead(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Make someone a lead of a team (admins)."""

    def made(request: LeadRequest) -> str:
        name, already = services.people.make_lead(body["team_id"], body["user_id"], request.team, request.user)
        if already:
            return f"<@{request.user}> already leads team *{name}*."
        return (
            f"<@{request.user}> now leads team *{name}*: they can nudge it, fix its tags, see its status "
            f"and manage its members."
        )

    answer_parsed(ack, respond, COMMAND, parse_lead(rest), made)


def nudge(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Remind this week's non-responders of a team now (leads and admins)."""
    name = validate_team_name(rest)

    def nudged(team_name: str) -> str:
        done = services.people.nudge(body["team_id"], body["user_id"], team_name)
        return people_blocks.nudged(
            done.team, done.week, done.sent, done.already, done.failed, done.away, done.answered
        )

    answer_parsed(ack, respond, COMMAND, name, nudged)


def report(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Show this week's digest to the caller only."""
    week = rest.strip() or None
    if week is not None and not is_week(week):
        return ack_usage(ack, COMMAND, f"{week!r} is not a week like 2026-W48.")
    ack()
    with user_errors(respond):
        # With a client the report names people, links answers and knows the workspace's name.
        data = services.digests.build(body["team_id"], week, client=services.clients.for_team(body["team_id"]))
        say_privately(respond, digest_blocks.digest_message(data))


def post(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Post this week's digest to the leadership channel now (once a week)."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/alignment post` takes nothing after it.")
    ack()
    with user_errors(respond):
        services.permissions.require_admin(body["team_id"], body["user_id"], "post the digest")
        posted = services.digests.post(body["team_id"])
        if posted.outcome.status == "sent":
            text = f"Posted the {posted.week} digest in <#{posted.channel}>."
        elif posted.outcome.status == "duplicate":
            text = f"The {posted.week} digest is already in <#{posted.channel}>; it goes out once a week."
        elif posted.outcome.status == "busy":
            text = f"The {posted.week} digest is being posted in <#{posted.channel}> right now."
        else:
            error = posted.outcome.error or "error"
            text = (
                f":warning: Could not post in <#{posted.channel}>: `{error}`. To fix it, "
                f"{checkin_blocks.how_to_fix(error)}. I keep trying."
            )
        say_privately(respond, text)


def settings(
    services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient
) -> None:
    """Open the settings form of a team (admins); `model on|off` switches the model for the workspace."""
    switch = parse_model_switch(rest)
    if switch is not None:
        return model_switch(services, body, switch, ack, respond)
    name = validate_team_name(rest)
    if isinstance(name, Invalid):
        return ack_usage(ack, COMMAND, name)
    ack_form(ack)
    with user_errors(respond):
        team_id, form = services.teams.settings_form(body["team_id"], body["user_id"], name)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=settings_blocks.settings_modal(
                form, {"team_id": team_id, "channel": body.get("channel_id")}, WEEKDAYS
            ),
        )


def model_switch(services: Services, body: dict[str, Any], on: bool, ack: Ack, respond: Respond) -> None:
    """Switch the opt-in model on or off for the workspace (admins)."""
    ack()
    with user_errors(respond):
        services.model.switch(body["team_id"], body["user_id"], on)
        if services.model.config is None:
            note = " It is not configured, though (ALIGNBOT_LLM_URL is unset): nothing is sent either way."
        else:
            note = ""
        state = "on: unsure updates may be sent to it" if on else "off: the lexicon alone tags updates here"
        say_privately(respond, f"The model is now {state}.{note}")


SUBCOMMANDS: dict[str, Subcommand] = {
    "prompts": prompts,
    "deadline": deadline,
    "share": share,
    "history": history,
    "questions": questions,
    "status": status,
    "skip": skip,
    "unskip": unskip,
    "holiday": holiday,
    "holidays": holidays,
    "members": members,
    "lead": lead,
    "nudge": nudge,
    "report": report,
    "post": post,
    "team": team,
    "leadership": leadership,
    "schedule": schedule,
    "teams": teams,
    "settings": settings,
}


command_alignment = subcommand_listener(COMMAND, SUBCOMMANDS)


def register(app: App) -> None:
    """Attach the /alignment listener."""
    app.command(COMMAND)(**two_steps(command_alignment))
