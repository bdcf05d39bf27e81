"""Slash commands, one module per command, each with register(app, services)."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers.commands import alignment, checkin, initiative, objective


def register(app: App, services: Services) -> None:
    """Attach a listener for every slash command in the manifest."""
    for module in (checkin, objective, initiative, alignment):
        module.register(app, services)
