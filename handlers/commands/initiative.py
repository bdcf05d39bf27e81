"""/initiative: log, list and close a team's initiatives; alone, it opens the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import initiatives as blocks
from bot.parsing import Invalid, parse_initiative_add, parse_initiative_id, parse_initiative_list
from bot.services import Services
from handlers.replies import ack_usage, say_privately, subcommand_listener, user_errors

COMMAND = "/initiative"


def register(app: App, services: Services) -> None:
    """Attach the /initiative listener."""

    def form(body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
        ack()
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

    def add(body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
        draft = parse_initiative_add(rest)
        if isinstance(draft, Invalid):
            return ack_usage(ack, COMMAND, draft)
        ack()
        with user_errors(respond):
            logged = services.initiatives.add(body["team_id"], body["user_id"], body.get("channel_id"), draft)
            say_privately(respond, blocks.initiative_logged(logged))

    def list_(body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
        wanted = parse_initiative_list(rest)
        if isinstance(wanted, Invalid):
            return ack_usage(ack, COMMAND, wanted)
        ack()
        with user_errors(respond):
            heading, found = services.initiatives.list(body["team_id"], body["user_id"], wanted)
            say_privately(respond, blocks.initiative_list(heading, found))

    def closer(status: str) -> Callable[..., None]:
        def close(body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
            initiative_id = parse_initiative_id(rest)
            if isinstance(initiative_id, Invalid):
                return ack_usage(ack, COMMAND, initiative_id)
            ack()
            with user_errors(respond):
                closed = services.initiatives.close(body["team_id"], body["user_id"], initiative_id, status)
                say_privately(respond, blocks.initiative_closed(closed))

        return close

    subcommands: dict[str, Callable[..., None]] = {
        "": form,
        "add": add,
        "list": list_,
        "done": closer("done"),
        "drop": closer("dropped"),
    }

    app.command(COMMAND)(subcommand_listener(COMMAND, subcommands))
