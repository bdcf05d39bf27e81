"""/goal: a team's own goals, added, listed, edited and archived."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import goals as blocks
from bot.parsing import parse_goal_add, parse_goal_edit, parse_goal_id, parse_goal_team
from bot.services import Services
from handlers.queued import two_steps
from handlers.replies import Subcommand, answer_parsed, subcommand_listener

COMMAND = "/goal"


def add(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Add a goal to a team."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_goal_add(rest),
        lambda draft: blocks.goal_added(services.goals.add(body["team_id"], body["user_id"], draft)),
    )


def list_(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """List every team's goals, or one team's."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_goal_team(rest),
        lambda team: blocks.goal_list(*services.goals.listing(body["team_id"], team)),
    )


def edit(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Change a goal's title or the objectives it serves."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_goal_edit(rest),
        lambda draft: blocks.goal_edited(services.goals.edit(body["team_id"], body["user_id"], draft)),
    )


def archive(services: Services, body: dict[str, Any], rest: str, ack: Ack, respond: Respond, client: WebClient) -> None:
    """Archive a goal."""
    answer_parsed(
        ack,
        respond,
        COMMAND,
        parse_goal_id(rest),
        lambda goal_id: blocks.goal_archived(services.goals.archive(body["team_id"], body["user_id"], goal_id)),
    )


SUBCOMMANDS: dict[str, Subcommand] = {"add": add, "list": list_, "": list_, "edit": edit, "archive": archive}

command_goal = subcommand_listener(COMMAND, SUBCOMMANDS)


def register(app: App) -> None:
    """Attach the /goal listener."""
    app.command(COMMAND)(**two_steps(command_goal))
