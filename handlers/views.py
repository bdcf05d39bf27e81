"""Modal submissions: validate, call a service, close the modal or show the errors in it."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import checkin as checkin_blocks
from bot.blocks import initiatives as initiative_blocks
from bot.blocks import objectives as objective_blocks
from bot.blocks import settings as settings_blocks
from bot.parsing import (
    INITIATIVE_TITLE_MAX,
    InitiativeDraft,
    Invalid,
    parse_keywords,
    read_team_settings,
    validate_description,
    validate_title,
)
from bot.services import Services
from bot.services.errors import UserError

logger = logging.getLogger(__name__)


def _value(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (view.get("state", {}).get("values", {}).get(block_id) or {}).get("value") or {}


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _tell(client: WebClient, channel: str | None, user: str, payload: dict[str, Any]) -> None:
    """Confirm privately in the channel the form was opened from, else in a direct message."""
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user, **payload)
            return
        except SlackApiError as error:
            logger.info("ephemeral confirmation failed (%s); sending a DM", error.response.get("error"))
    client.chat_postMessage(channel=user, **payload)


def register(app: App, services: Services) -> None:
    """Attach the modal submission listeners."""

    @app.view(objective_blocks.EDIT_CALLBACK)
    def objective_edit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        title = validate_title(_value(view, "title").get("value") or "")
        description = validate_description(_value(view, "description").get("value") or "")
        keywords = parse_keywords(_value(view, "keywords").get("value") or "")
        errors = {
            block: checked.message
            for block, checked in (("title", title), ("description", description), ("keywords", keywords))
            if isinstance(checked, Invalid)
        }
        if errors:
            return ack(response_action="errors", errors=errors)
        assert isinstance(title, str) and isinstance(description, str) and isinstance(keywords, tuple)
        meta = _metadata(view)
        user = body["user"]["id"]
        try:
            saved = services.objectives.update(body["team"]["id"], user, str(meta.get("key", "")), title, description, keywords)
        except UserError as error:
            return ack(response_action="errors", errors={"title": error.message})
        ack()
        _tell(client, meta.get("channel"), user, {"text": f"Saved objective `{saved.key}` ({saved.title})."})

    @app.view(initiative_blocks.ADD_CALLBACK)
    def initiative_add(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        title = validate_title(_value(view, "title").get("value") or "", limit=INITIATIVE_TITLE_MAX)
        if isinstance(title, Invalid):
            return ack(response_action="errors", errors={"title": title.message})
        team = (_value(view, "team").get("selected_option") or {}).get("value")
        keys = tuple(o["value"] for o in _value(view, "objectives").get("selected_options") or [])
        partners = tuple(int(o["value"]) for o in _value(view, "partners").get("selected_options") or [] if o["value"].isdigit())
        user = body["user"]["id"]
        owner = _value(view, "owner").get("selected_user") or user
        if not team or not str(team).isdigit():
            return ack(response_action="errors", errors={"team": "Pick the team this initiative belongs to."})
        meta = _metadata(view)
        draft = InitiativeDraft(title=title, objective_keys=keys, owner=owner)
        try:
            logged = services.initiatives.add(
                body["team"]["id"], user, meta.get("channel"), draft, team_id=int(team), partner_ids=partners
            )
        except UserError as error:
            return ack(response_action="errors", errors={"title": error.message})
        ack()
        _tell(client, meta.get("channel"), user, initiative_blocks.initiative_logged(logged))

    @app.view(checkin_blocks.MODAL_CALLBACK)
    def checkin_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        answers = checkin_blocks.modal_values(view.get("state", {}))
        meta = _metadata(view)
        if not answers["moved"]:
            return ack(response_action="errors", errors={"moved": "Say what moved forward this week."})
        text = answers["moved"] + (f"\nNext: {answers['next']}" if answers["next"] else "")
        user = body["user"]["id"]
        chosen = answers["objectives"]
        # Suggestions sent back untouched are not a person's tags: let the tagger re-read the text.
        by_hand = chosen if chosen and sorted(chosen) != sorted(meta.get("suggested") or []) else None
        initiative = answers["initiative"]
        try:
            recorded = services.checkins.record(
                body["team"]["id"], user, text, channel_id=meta.get("channel"), team_id=int(meta["team_id"]),
                week=str(meta["week"]), source="modal",
                partners=[int(p) for p in answers["partners"] if p.isdigit()],
                objectives=by_hand,
                initiative_id=int(initiative) if initiative and initiative.isdigit() else None,
            )
        except (UserError, KeyError, ValueError) as error:
            message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
            return ack(response_action="errors", errors={"moved": message})
        ack()
        _tell(client, meta.get("channel"), user, checkin_blocks.confirmation(
            recorded.team, recorded.week, recorded.tags, replaced=recorded.replaced, by_hand=recorded.by_hand,
            update_id=recorded.update_id))

    @app.view(settings_blocks.SETTINGS_CALLBACK)
    def team_settings_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        checked = read_team_settings(settings_blocks.settings_values(view.get("state", {})))
        if isinstance(checked, dict):
            return ack(response_action="errors", errors=checked)
        meta = _metadata(view)
        user = body["user"]["id"]
        try:
            saved = services.teams.apply_settings(body["team"]["id"], user, int(meta["team_id"]), checked)
        except (UserError, KeyError, ValueError) as error:
            message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
            return ack(response_action="errors", errors={"channel": message})
        ack()
        _tell(client, meta.get("channel"), user, {"text": f"Saved team *{saved.name}*: check-in {saved.schedule}; "
                                                          f"{len(saved.members)} members, {len(saved.leads)} leads."})

    @app.view(checkin_blocks.TAGS_CALLBACK)
    def checkin_tags_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        keys = checkin_blocks.modal_values(view.get("state", {}))["objectives"]
        meta = _metadata(view)
        team, user = body["team"]["id"], body["user"]["id"]
        try:
            recorded = services.checkins.correct_tags(team, user, int(meta["update_id"]), keys,
                                                      is_admin=services.people.may_fix_tags(team, user,
                                                                                            int(meta["update_id"])))
        except (UserError, KeyError, ValueError) as error:
            message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
            return ack(response_action="errors", errors={"objectives": message})
        ack()
        _tell(client, meta.get("channel"), user, checkin_blocks.confirmation(
            recorded.team, recorded.week, recorded.tags, replaced=False, by_hand=True, update_id=recorded.update_id))
