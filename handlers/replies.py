"""What every listener answers with: help, usage lines, and domain errors as ephemeral messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks.common import help_blocks
from bot.parsing import Invalid, is_help, split_subcommand
from bot.services import Services
from bot.services.checkins import Recorded
from bot.services.errors import UserError
from bot.usage import COMMANDS


def help_reply(command: str) -> dict[str, Any]:
    """Return the ephemeral help of a command."""
    usage = COMMANDS[command]
    return {"text": f"{usage.command} help", "blocks": help_blocks(usage), "response_type": "ephemeral"}


def usage_reply(command: str, problem: Invalid | str | None = None) -> dict[str, Any]:
    """Return the ephemeral usage line, after what was wrong when we know it."""
    line = COMMANDS[command].usage_line
    reason = problem.message if isinstance(problem, Invalid) else problem
    return {"text": f"{reason}\n{line}" if reason else line, "response_type": "ephemeral"}


def ack_usage(ack: Ack, command: str, problem: Invalid | str | None = None) -> None:
    """Acknowledge with the usage line."""
    ack(**usage_reply(command, problem))


def say_privately(respond: Respond, payload: dict[str, Any] | str) -> None:
    """Answer the person who asked, and only them."""
    if isinstance(payload, str):
        payload = {"text": payload}
    respond(**payload, response_type="ephemeral", replace_original=False)


Parsed = TypeVar("Parsed")


def answer_parsed(
    ack: Ack, respond: Respond, command: str, parsed: Parsed | Invalid, work: Callable[[Parsed], dict[str, Any] | str]
) -> None:
    """Ack with the usage line when the input did not parse; else ack, do the work, answer privately."""
    if isinstance(parsed, Invalid):
        return ack_usage(ack, command, parsed)
    ack()
    with user_errors(respond):
        say_privately(respond, work(parsed))


@contextmanager
def user_errors(respond: Respond) -> Iterator[None]:
    """Turn a service's UserError into an ephemeral answer; anything else goes to the error handler."""
    try:
        yield
    except UserError as error:
        say_privately(respond, f":warning: {error.message}")


# (services, body, rest of the text, ack, respond, client); each acks at once, then does the work.
Subcommand = Callable[[Services, dict[str, Any], str, Ack, Respond, WebClient], None]


def subcommand_listener(command: str, table: Mapping[str, Subcommand]) -> Callable[..., None]:
    """Return a slash-command listener: help, else the subcommand its first word names, else usage."""

    def listener(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, services: Services) -> None:
        text = body.get("text") or ""
        if is_help(text):
            ack(**help_reply(command))
            return
        name, rest = split_subcommand(text)
        run = table.get(name)
        if run is None:
            return ack_usage(ack, command, f"I don't know `{name[:20]}`." if name else None)
        run(services, body, rest, ack, respond, client)

    listener.__name__ = "command_" + command.strip("/")
    return listener


def share_answer(services: Services, client: WebClient, slack_team_id: str, recorded: Recorded) -> str | None:
    """Post (or refresh) a recorded answer in its prompt's thread; return the line to show its author, if any."""
    return services.sharing.share(client, slack_team_id, recorded.update_id, known=recorded.shareable).note
