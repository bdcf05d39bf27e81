"""Modal submissions: validate, call a service, close the modal or show the errors in it."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import checkin as checkin_blocks
from bot.blocks import goals as goal_blocks
from bot.blocks import handoffs as handoff_blocks
from bot.blocks import initiatives as initiative_blocks
from bot.blocks import objectives as objective_blocks
from bot.blocks import settings as settings_blocks
from bot.blocks.common import counted
from bot.parsing import (
    INITIATIVE_TITLE_MAX,
    GoalDraft,
    InitiativeDraft,
    Invalid,
    parse_objective_form,
    read_team_settings,
    validate_title,
)
from bot.schedule import slack_instant
from bot.services import Services
from bot.services.checkins import Answer
from bot.services.errors import Repeated, UserError, once_key
from handlers.home import publish_home
from handlers.queued import sent_of
from handlers.replies import share_answer

logger = logging.getLogger(__name__)


def _value(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (view.get("state", {}).get("values", {}).get(block_id) or {}).get("value") or {}


def view_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """Return a view's private_metadata as a dict; {} when it is not one."""
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


def objective_edit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services) -> None:
    """Save the objective form: a new objective or an edited one."""
    draft = parse_objective_form(**objective_blocks.form_values(view.get("state", {})))
    if isinstance(draft, dict):
        ack(response_action="errors", errors=draft)
        return
    meta = view_metadata(view)
    team, user, key = body["team"]["id"], body["user"]["id"], meta.get("key")
    try:
        if key:
            saved = services.objectives.update(
                team, user, str(key), draft.title, draft.description, draft.keywords, draft.examples
            )
        else:
            saved = services.objectives.add(team, user, draft)
    except UserError as error:
        ack(response_action="errors", errors={"title": error.message})
        return
    ack()
    if key:
        _tell(client, meta.get("channel"), user, {"text": f"Saved objective `{saved.key}` ({saved.title})."})
    else:
        _tell(client, meta.get("channel"), user, objective_blocks.objective_added(saved))


def initiative_add(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services) -> None:
    """Log the initiative of the form."""
    title = validate_title(_value(view, "title").get("value") or "", limit=INITIATIVE_TITLE_MAX)
    if isinstance(title, Invalid):
        ack(response_action="errors", errors={"title": title.message})
        return
    team = (_value(view, "team").get("selected_option") or {}).get("value")
    keys = tuple(o["value"] for o in _value(view, "objectives").get("selected_options") or [])
    partners = tuple(
        int(o["value"]) for o in _value(view, "partners").get("selected_options") or [] if o["value"].isdigit()
    )
    user = body["user"]["id"]
    owner = _value(view, "owner").get("selected_user") or user
    if not team or not str(team).isdigit():
        ack(response_action="errors", errors={"team": "Pick the team this initiative belongs to."})
        return
    meta = view_metadata(view)
    draft = InitiativeDraft(title=title, objective_keys=keys, owner=owner)
    try:
        logged = services.initiatives.add(
            body["team"]["id"],
            user,
            meta.get("channel"),
            draft,
            team_id=int(team),
            partner_ids=partners,
            once=once_key("view", view.get("id")),
            ask_model=False,  # the form's ack waits for this: Slack allows it 3 s, the model up to its timeout
        )
    except Repeated:
        ack()  # a replay of a form already done: close it, say nothing twice
        return
    except UserError as error:
        ack(response_action="errors", errors={"title": error.message})
        return
    ack()
    _tell(client, meta.get("channel"), user, initiative_blocks.initiative_logged(logged))


def checkin_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, request: BoltRequest, services: Services
) -> None:
    """Record the check-in form's answer."""
    answers = checkin_blocks.modal_values(view.get("state", {}))
    meta = view_metadata(view)
    if not answers["moved"]:
        ack(response_action="errors", errors={"moved": "Say what moved forward this week."})
        return
    text = answers["moved"] + (f"\nNext: {answers['next']}" if answers["next"] else "")
    user = body["user"]["id"]
    chosen = answers["objectives"]
    # Suggestions sent back untouched are not a person's tags: let the tagger re-read the text.
    by_hand = chosen if chosen and sorted(chosen) != sorted(meta.get("suggested") or []) else None
    initiative = answers["initiative"]
    try:
        # Stored before the ack, so that the form can show what is wrong: it must not wait for the model.
        recorded = services.checkins.record(
            Answer(
                body["team"]["id"],
                user,
                text,
                channel_id=meta.get("channel"),
                team_id=int(meta["team_id"]),
                week=str(meta["week"]),
                source="modal",
                partners=[int(p) for p in answers["partners"] if p.isdigit()],
                objectives=by_hand,
                initiative_id=int(initiative) if initiative and initiative.isdigit() else None,
                from_form=True,
                once=once_key("view", view.get("id")),
                answers=(answers["moved"], answers["next"]),
                sent=sent_of(request),
            ),
            ask_model=False,
        )
    except Repeated:
        ack()
        return
    except (UserError, KeyError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
        ack(response_action="errors", errors={"moved": message})
        return
    ack()
    if recorded is None:
        return  # a later answer of theirs is stored: this one changes nothing
    note = share_answer(services, client, body["team"]["id"], recorded)
    _tell(client, meta.get("channel"), user, checkin_blocks.answer_confirmation(recorded, note=note))


def checkin_questions_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Save a team's check-in questions."""
    questions = checkin_blocks.questions_values(view.get("state", {}))
    team, user = body["team"]["id"], body["user"]["id"]
    try:
        name = services.checkins.set_questions(
            team, int(view_metadata(view)["team_id"]), questions, is_admin=services.permissions.is_admin(team, user)
        )
    except (UserError, KeyError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
        ack(response_action="errors", errors={"question_0": message})
        return
    ack()
    _tell(
        client, None, user, {"text": f"Team *{name}*'s check-in now asks: " + " · ".join(f"_{q}_" for q in questions)}
    )


def team_settings_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Save a team's settings."""
    checked = read_team_settings(settings_blocks.settings_values(view.get("state", {})))
    if isinstance(checked, dict):
        ack(response_action="errors", errors=checked)
        return
    meta = view_metadata(view)
    user = body["user"]["id"]
    try:
        saved = services.teams.apply_settings(body["team"]["id"], user, int(meta["team_id"]), checked)
    except (UserError, KeyError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
        ack(response_action="errors", errors={"channel": message})
        return
    ack()
    people = f"{counted(len(saved.members), 'member')}, {counted(len(saved.leads), 'lead')}"
    _tell(
        client, meta.get("channel"), user, {"text": f"Saved team *{saved.name}*: check-in {saved.schedule}; {people}."}
    )


def checkin_tags_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Save an update's tags from the tag editor."""
    keys = checkin_blocks.modal_values(view.get("state", {}))["objectives"]
    meta = view_metadata(view)
    team, user = body["team"]["id"], body["user"]["id"]
    try:
        recorded = services.checkins.correct_tags(
            team,
            user,
            int(meta["update_id"]),
            keys,
            is_admin=services.people.may_fix_tags(team, user, int(meta["update_id"])),
        )
    except (UserError, KeyError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
        ack(response_action="errors", errors={"objectives": message})
        return
    ack()
    share_answer(services, client, team, recorded)
    _tell(client, meta.get("channel"), user, checkin_blocks.answer_confirmation(recorded))


def goal_link_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """Store the objectives a lead picked for a goal (none: the team's own goal)."""
    keys = checkin_blocks.modal_values(view.get("state", {}))["objectives"]
    meta = view_metadata(view)
    user = body["user"]["id"]
    try:
        goal = services.goals.edit(body["team"]["id"], user, GoalDraft(None, tuple(keys), goal_id=int(meta["goal_id"])))
    except (UserError, KeyError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
        ack(response_action="errors", errors={"objectives": message})
        return
    ack()
    _tell(client, meta.get("channel"), user, goal_blocks.goal_linked(goal))


def handoff_why(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services) -> None:
    """Record the answer to a handoff with its one-line why."""
    reason = (_value(view, handoff_blocks.WHY_BLOCK).get("value") or "").strip()
    meta = view_metadata(view)
    team, user = body["team"]["id"], body["user"]["id"]
    try:
        # Answered when the button that opened this form was pressed.
        answered = services.handoffs.record_answer(
            team, user, int(meta["handoff"]), str(meta["state"]), reason, at=slack_instant(meta.get("at"))
        )
    except (UserError, KeyError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "This form is out of date; open it again."
        ack(response_action="errors", errors={handoff_blocks.WHY_BLOCK: message})
        return
    ack()
    services.handoffs.announce(client, answered)
    if meta.get("home"):
        publish_home(services, client, team, user)


def register(app: App) -> None:
    """Attach the modal submission listeners."""
    app.view(objective_blocks.EDIT_CALLBACK)(objective_edit)
    app.view(initiative_blocks.ADD_CALLBACK)(initiative_add)
    app.view(checkin_blocks.MODAL_CALLBACK)(checkin_submit)
    app.view(checkin_blocks.QUESTIONS_CALLBACK)(checkin_questions_submit)
    app.view(settings_blocks.SETTINGS_CALLBACK)(team_settings_submit)
    app.view(checkin_blocks.TAGS_CALLBACK)(checkin_tags_submit)
    app.view(handoff_blocks.WHY_CALLBACK)(handoff_why)
    app.view(goal_blocks.LINK_CALLBACK)(goal_link_submit)
