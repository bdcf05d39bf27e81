"""/checkin: help and usage for now; the check-in itself comes with the check-in issue."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.parsing import is_help
from bot.services import Services
from handlers.replies import ack_usage, help_reply

COMMAND = "/checkin"


def register(app: App, services: Services) -> None:
    """Attach the /checkin listener."""
    app.command(COMMAND)(command_checkin)


def command_checkin(ack: Ack, command: dict[str, Any]) -> None:
    """Answer help, else the usage line."""
    if is_help(command.get("text") or ""):
        ack(**help_reply(COMMAND))
    else:
        ack_usage(ack, COMMAND)
