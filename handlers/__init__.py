"""Bolt listeners only, one module per area, each with register(app, services)."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import actions, commands, errors, events, home, tenancy, views


def register_all(app: App, services: Services) -> None:
    """Attach every listener area to the app: the one place this happens."""
    errors.register(app, services)
    tenancy.register(app, services)
    events.register(app, services)
    commands.register(app, services)
    views.register(app, services)
    actions.register(app, services)
    home.register(app, services)
