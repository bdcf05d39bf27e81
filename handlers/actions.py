"""Button and menu actions on Alignbot's messages."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import checkin as checkin_blocks
from bot.blocks import digest as digest_blocks
from bot.blocks import initiatives as initiative_blocks
from bot.blocks import people as people_blocks
from bot.blocks import settings as settings_blocks
from bot.parsing import WEEKDAYS, Invalid, parse_initiative_id
from bot.services import Services
from bot.services.checkins import open_value, parse_open_value
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

    @app.action(re.compile(rf"^{checkin_blocks.OPEN_ACTION}(:\d+)?$"))
    def checkin_open(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                     client: WebClient) -> None:
        ack()
        team, user = body["team"]["id"], body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        with user_errors(respond):
            target = parse_open_value(action.get("value") or "")
            if target is None:
                candidates = services.checkins.candidates(team, user, channel)
                if len(candidates) > 1:  # never guess which team's form a person meant
                    return say_privately(respond, people_blocks.pick_team_to_open(
                        [(name, open_value(tid, week)) for tid, name, week in candidates]))
            team_id, week = target if target else services.checkins.resolve_team(team, user, channel)
            client.views_open(trigger_id=body["trigger_id"],
                              view=services.checkins.modal_for(team, user, team_id, week, channel_id=channel))

    @app.action(re.compile(rf"^{people_blocks.PICK_TEAM_ACTION}:\d+$"))
    def checkin_pick_team(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        try:
            picked = json.loads(action.get("value") or "")
            team_id, week, text = int(picked["team"]), str(picked["week"]), str(picked["text"])
        except (ValueError, KeyError, TypeError):
            return  # not a value we put on the button
        channel = (body.get("channel") or {}).get("id")
        with user_errors(respond):
            recorded = services.checkins.record(body["team"]["id"], body["user"]["id"], text, channel_id=channel,
                                                team_id=team_id, week=week, source="command")
            say_privately(respond, checkin_blocks.confirmation(
                recorded.team, recorded.week, recorded.tags, replaced=recorded.replaced, by_hand=recorded.by_hand,
                update_id=recorded.update_id))

    @app.action(re.compile(rf"^{settings_blocks.OPEN_SETTINGS_ACTION}:\d+$"))
    def team_settings_open(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                           client: WebClient) -> None:
        ack()
        value = action.get("value") or ""
        if not value.isdigit():
            return
        with user_errors(respond):
            team_id, form = services.teams.settings_form(body["team"]["id"], body["user"]["id"], team_id=int(value))
            client.views_open(trigger_id=body["trigger_id"], view=settings_blocks.settings_modal(
                form, {"team_id": team_id, "channel": None}, WEEKDAYS))

    @app.action(checkin_blocks.EDIT_TAGS_ACTION)
    def checkin_edit_tags(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                          client: WebClient) -> None:
        ack()
        value = action.get("value") or ""
        if not value.isdigit():
            return
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        with user_errors(respond):
            view = services.checkins.tags_modal_for(body["team"]["id"], int(value), channel_id=channel)
            client.views_open(trigger_id=body["trigger_id"], view=view)

    def show_details(body: dict[str, Any], week: str, pick: str | None, client: WebClient, respond: Respond) -> None:
        with user_errors(respond):
            data = services.digests.build(body["team"]["id"], week or None, client=client)
            view = digest_blocks.details_modal(data, pick)
            if body.get("view"):
                client.views_update(view_id=body["view"]["id"], view=view)
            else:
                client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(digest_blocks.DETAILS_ACTION)
    def digest_details(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                       client: WebClient) -> None:
        ack()
        show_details(body, action.get("value") or "", None, client, respond)

    @app.action(digest_blocks.PICK_ACTION)
    def digest_details_pick(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                            client: WebClient) -> None:
        ack()
        pick = (action.get("selected_option") or {}).get("value")
        week = _week_of_view(body) or (body.get("actions") or [{}])[0].get("block_id", "").removeprefix("digest_actions:")
        show_details(body, week, pick, client, respond)


def _week_of_view(body: dict[str, Any]) -> str | None:
    """Return the week a details modal is about, from its private_metadata."""
    try:
        return json.loads((body.get("view") or {}).get("private_metadata") or "{}").get("week")
    except ValueError:
        return None
