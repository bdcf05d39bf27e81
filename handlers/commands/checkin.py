"""/checkin: open the check-in modal, record the text as this week's update, or say when you are away."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.blocks import checkin as checkin_blocks
from bot.blocks import people as people_blocks
from bot.parsing import AwayRequest, is_help, parse_away, split_subcommand
from bot.services import Services
from bot.services.checkins import Answer
from bot.services.cycles import open_value
from handlers.queued import ack_form, sent_of, two_steps
from handlers.replies import ack_usage, answer_parsed, help_reply, say_privately, share_answer, user_errors

COMMAND = "/checkin"
# A button value holds at most 2,000 characters, with room for the team and week.
MAX_CARRIED_TEXT = 1900


def _away(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond) -> None:
    def recorded(request: AwayRequest) -> str:
        done = services.people.away(body["team_id"], body["user_id"], request.first, request.last)
        planned = services.people.time_off(body["team_id"], body["user_id"])
        return people_blocks.away_answer(done.first, done.last, [(a.first, a.last) for a in planned])

    answer_parsed(ack, respond, COMMAND, parse_away(rest), recorded)


def _back(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond) -> None:
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/checkin back` takes nothing after it.")
    ack()
    with user_errors(respond):
        say_privately(respond, people_blocks.back_answer(services.people.back(body["team_id"], body["user_id"])))


def command_checkin(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, request: BoltRequest, services: Services
) -> None:
    """Open the check-in form, record the text as this week's update, or say when the person is away."""
    text = (body.get("text") or "").strip()
    if is_help(text):
        ack(**help_reply(COMMAND))
        return
    word, rest = split_subcommand(text)
    if word == "away":
        return _away(services, body, rest, ack, respond)
    if word == "back" and not rest.strip():
        return _back(services, body, rest, ack, respond)
    if text:
        ack()
    else:
        ack_form(ack)  # alone, /checkin opens the form (or asks which team's first)
    with user_errors(respond):
        candidates = services.checkins.candidates(body["team_id"], body["user_id"], body["channel_id"])
        if len(candidates) > 1:
            # Never guess: a person on several teams says which one this is for.
            if not text:
                say_privately(
                    respond,
                    people_blocks.pick_team_to_open([(name, open_value(tid, week)) for tid, name, week in candidates]),
                )
            elif len(text) > MAX_CARRIED_TEXT:
                say_privately(
                    respond,
                    "You check in for several teams: run `/checkin` in the team's channel, "
                    "or `/checkin` alone to pick the team in the form.",
                )
            else:
                say_privately(
                    respond,
                    people_blocks.pick_team(
                        [
                            (name, json.dumps({"team": tid, "week": week, "text": text}))
                            for tid, name, week in candidates
                        ],
                        what="update",
                    ),
                )
            return
        if not text:
            team_id, week = services.checkins.resolve_team(body["team_id"], body["user_id"], body["channel_id"])
            form = services.checkins.form_for(
                body["team_id"], body["user_id"], team_id, week, channel_id=body["channel_id"]
            )
            client.views_open(
                trigger_id=body["trigger_id"], view=checkin_blocks.checkin_modal(form, body["channel_id"])
            )
            return
        recorded = services.checkins.record(
            Answer(
                body["team_id"],
                body["user_id"],
                text,
                channel_id=body["channel_id"],
                source="command",
                sent=sent_of(request),
            )
        )
        if recorded is not None:  # else a later answer of theirs is stored: this one changes nothing
            note = share_answer(services, client, body["team_id"], recorded)
            say_privately(respond, checkin_blocks.answer_confirmation(recorded, note=note))


def register(app: App) -> None:
    """Attach the /checkin listener."""
    app.command(COMMAND)(**two_steps(command_checkin))
