"""/checkin: open the check-in modal, or record the text as this week's update."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.parsing import is_help
from bot.services import Services
from handlers.replies import help_reply, say_privately, share_answer, user_errors

COMMAND = "/checkin"


def register(app: App, services: Services) -> None:
    """Attach the /checkin listener."""

    def command_checkin(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        text = (body.get("text") or "").strip()
        if is_help(text):
            return ack(**help_reply(COMMAND))
        ack()
        with user_errors(respond):
            if not text:
                team_id, week = services.checkins.resolve_team(body["team_id"], body["user_id"], body["channel_id"])
                view = services.checkins.modal_for(body["team_id"], body["user_id"], team_id, week,
                                                   channel_id=body["channel_id"])
                client.views_open(trigger_id=body["trigger_id"], view=view)
                return
            recorded = services.checkins.record(body["team_id"], body["user_id"], text,
                                                channel_id=body["channel_id"], source="command")
            note = share_answer(services, client, body["team_id"], recorded.update_id)
            say_privately(respond, recorded.confirmation(note=note))

    app.command(COMMAND)(command_checkin)
