"""Slash commands: ack at once, hand the text to a service, answer ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.common import help_blocks
from bot.services import Services
from bot.usage import COMMANDS


def register(app: App, services: Services) -> None:
    """Attach a listener for every slash command in the manifest."""
    for name in COMMANDS:
        app.command(name)(_usage_only(name))


def _usage_only(name: str) -> Any:
    usage = COMMANDS[name]

    def answer(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = (command.get("text") or "").strip()
        if text.casefold() in ("help", "-h", "--help", "?"):
            ack(text=f"{usage.command} help", blocks=help_blocks(usage), response_type="ephemeral")
        else:
            ack(text=usage.usage_line, response_type="ephemeral")

    answer.__name__ = f"command_{name.strip('/')}"
    return answer
