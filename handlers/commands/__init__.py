"""Slash commands, one module per command, each with register(app)."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands import alignment, checkin, goal, initiative, objective


def register(app: App) -> None:
    """Attach a listener for every slash command in the manifest."""
    for module in (checkin, objective, initiative, goal, alignment):
        module.register(app)
