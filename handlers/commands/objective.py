"""/objective: add, list, edit, archive the business objectives."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import objectives as blocks
from bot.parsing import Invalid, parse_objective_add
from bot.services import Services
from bot.services.errors import once_key
from handlers.queued import ack_form, two_steps
from handlers.replies import Subcommand, ack_usage, answer_parsed, say_privately, subcommand_listener, user_errors

COMMAND = "/objective"


def add(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Add an objective from the text, or open the form to write one."""
    if not rest.strip():
        ack_form(ack)
        with user_errors(respond):
            services.permissions.require_admin(body["team_id"], body["user_id"], "add objectives")
            view = blocks.objective_form(
                {"key": None, "channel": body.get("channel_id")}, blocks.objective_values(None)
            )
            client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_objective_add(rest),
        lambda draft: blocks.objective_added(
            services.objectives.add(
                body["team_id"], body["user_id"], draft, once=once_key("trigger", body.get("trigger_id"))
            )
        ),
    )


def list_(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """List the objectives."""
    if rest.strip():
        return ack_usage(ack, COMMAND, "`/objective list` takes nothing after it.")
    ack()
    with user_errors(respond):
        found = services.objectives.list(body["team_id"])
        say_privately(respond, blocks.objective_list(found.objectives, found.archived))


def edit(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Open the form that edits an objective."""
    key = _one_key(rest)
    if isinstance(key, Invalid):
        return ack_usage(ack, COMMAND, key)
    ack_form(ack)
    with user_errors(respond):
        objective = services.objectives.for_edit(body["team_id"], body["user_id"], key)
        view = blocks.objective_form(
            {"key": objective.key, "channel": body.get("channel_id")}, blocks.objective_values(objective)
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)


def archive(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Archive an objective."""

    def archived(key: str) -> str:
        done = services.objectives.archive(body["team_id"], body["user_id"], key)
        return (
            f"Archived objective `{done.key}` ({done.title}). Work already tagged with it keeps "
            "the tag; new work can no longer be tagged with it."
        )

    answer_parsed(ack, respond, COMMAND, _one_key(rest), archived)


SUBCOMMANDS: dict[str, Subcommand] = {"add": add, "list": list_, "edit": edit, "archive": archive}

command_objective = subcommand_listener(COMMAND, SUBCOMMANDS)


def register(app: App) -> None:
    """Attach the /objective listener."""
    app.command(COMMAND)(**two_steps(command_objective))


def _one_key(text: str) -> str | Invalid:
    words = text.split()
    if len(words) != 1:
        return Invalid("Give one objective key, e.g. `new-revenue` (see `/objective list`).")
    return words[0].lstrip("#").casefold()
