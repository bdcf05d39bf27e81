"""/alignment: set Alignbot up (teams, leadership channel, schedules) and read the digest.

Subcommands live in one table, name -> function, so `status`, `skip`, `report` and
`post` are added by adding entries. Until then they get the usage line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks import teams as blocks
from bot.parsing import WEEKDAYS, Invalid, is_help, parse_schedule, split_subcommand, validate_team_name
from bot.services import Services
from handlers.replies import ack_usage, help_reply, say_privately, user_errors

COMMAND = "/alignment"

# (services, body, rest of the text, ack, respond); each acks at once, then does the work.
Subcommand = Callable[[Services, dict[str, Any], str, Ack, Respond], None]


def team(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond) -> None:
    """Make this channel a team's check-in channel."""
    name = validate_team_name(rest)
    if isinstance(name, Invalid):
        return ack_usage(ack, COMMAND, name)
    ack()
    with user_errors(respond):
        done = services.teams.map_channel(body["team_id"], body["user_id"], body["channel_id"], name)
        if done.already:
            text = f"This channel already is team *{done.team}*'s check-in channel; I re-read its {done.members} members."
        elif done.moved_from:
            text = f"Moved team *{done.team}* from <#{done.moved_from}> to this channel ({done.members} members)."
        else:
            text = f"This channel is now team *{done.team}*'s check-in channel ({done.members} members)."
        say_privately(respond, text + " Set when its check-in goes out with `/alignment schedule " + done.team + " mon 09:30`.")


def leadership(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond) -> None:
    """Post digests in this channel."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/alignment leadership` takes nothing after it; run it in the channel.")
    ack()
    with user_errors(respond):
        previous = services.teams.set_leadership(body["team_id"], body["user_id"], body["channel_id"])
        moved = f" (instead of <#{previous}>)" if previous else ""
        say_privately(respond, f"Leadership digests will be posted in this channel{moved}.")


def schedule(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond) -> None:
    """Set when a team's check-in prompt goes out."""
    request = parse_schedule(rest)
    if isinstance(request, Invalid):
        return ack_usage(ack, COMMAND, request)
    ack()
    with user_errors(respond):
        set_ = services.teams.schedule(body["team_id"], body["user_id"], request)
        say_privately(
            respond,
            f"Team *{set_.name}* gets its check-in prompt every {WEEKDAYS[set_.weekday]} at {set_.time} ({set_.timezone}).",
        )


def teams(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond) -> None:
    """List the teams with their channel, schedule and members."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/alignment teams` takes nothing after it.")
    ack()
    with user_errors(respond):
        overview = services.teams.overview(body["team_id"])
        say_privately(respond, blocks.teams_overview(overview.teams, overview.leadership_channel_id))


SUBCOMMANDS: dict[str, Subcommand] = {
    "team": team,
    "leadership": leadership,
    "schedule": schedule,
    "teams": teams,
}


def register(app: App, services: Services) -> None:
    """Attach the /alignment listener."""

    def command_alignment(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        text = body.get("text") or ""
        if is_help(text):
            return ack(**help_reply(COMMAND))
        name, rest = split_subcommand(text)
        run = SUBCOMMANDS.get(name)
        if run is None:
            return ack_usage(ack, COMMAND)
        run(services, body, rest, ack, respond)

    app.command(COMMAND)(command_alignment)
