"""/initiative: log, list and close a team's initiatives; alone, it opens the form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import initiatives as blocks
from bot.parsing import parse_initiative_add, parse_initiative_id, parse_initiative_list
from bot.services import Services
from bot.services.errors import once_key
from handlers.queued import ack_form, two_steps
from handlers.replies import Subcommand, answer_parsed, subcommand_listener, user_errors

COMMAND = "/initiative"


def form(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Open the form that logs an initiative."""
    ack_form(ack)
    with user_errors(respond):
        choices = services.initiatives.form_choices(body["team_id"], body["user_id"], body.get("channel_id"))
        view = blocks.add_modal(
            choices.teams,
            choices.objectives,
            default_team=choices.default_team,
            owner=body["user_id"],
            channel_id=body.get("channel_id"),
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)


def add(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Log an initiative from the command's text."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_initiative_add(rest),
        lambda draft: blocks.initiative_logged(
            services.initiatives.add(
                body["team_id"],
                body["user_id"],
                body.get("channel_id"),
                draft,
                once=once_key("trigger", body.get("trigger_id")),
            )
        ),
    )


def list_(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """List the team's initiatives."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_initiative_list(rest),
        lambda wanted: blocks.initiative_list(*services.initiatives.list(body["team_id"], body["user_id"], wanted)),
    )


def done(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Close an initiative as done."""
    _close(services, body, rest, ack, respond, "done")


def drop(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Close an initiative as dropped."""
    _close(services, body, rest, ack, respond, "dropped")


def _close(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, status: str) -> None:
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_initiative_id(rest),
        lambda initiative_id: blocks.initiative_closed(
            services.initiatives.close(body["team_id"], body["user_id"], initiative_id, status)
        ),
    )


SUBCOMMANDS: dict[str, Subcommand] = {"": form, "add": add, "list": list_, "done": done, "drop": drop}

command_initiative = subcommand_listener(COMMAND, SUBCOMMANDS)


def register(app: App) -> None:
    """Attach the /initiative listener."""
    app.command(COMMAND)(**two_steps(command_initiative))
