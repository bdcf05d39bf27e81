"""Button and menu actions on Alignbot's messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks import initiatives as initiative_blocks
from bot.parsing import Invalid, parse_initiative_id
from bot.services import Services
from handlers.replies import say_privately, user_errors


def register(app: App, services: Services) -> None:
    """Attach the action listeners."""

    @app.action(initiative_blocks.CLOSE_ACTION)
    def initiative_close(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        status, _, raw_id = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        initiative_id = parse_initiative_id(raw_id)
        if status not in ("done", "dropped") or isinstance(initiative_id, Invalid):
            return  # not a value we put in the menu; nothing sensible to do
        with user_errors(respond):
            closed = services.initiatives.close(body["team"]["id"], body["user"]["id"], initiative_id, status)
            say_privately(respond, initiative_blocks.initiative_closed(closed))
