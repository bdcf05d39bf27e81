"""Bolt listeners only, one module per area, each with register(app).

Listeners are top-level functions; Bolt passes them the services from the request's context.
"""

from __future__ import annotations

from slack_bolt import App

from handlers import actions, commands, errors, events, home, tenancy, views


def register_all(app: App) -> None:
    """Attach every listener area to the app: the one place this happens."""
    errors.register(app)
    tenancy.register(app)
    events.register(app)
    commands.register(app)
    views.register(app)
    actions.register(app)
    home.register(app)
