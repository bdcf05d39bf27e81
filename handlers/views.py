"""Modal submissions: validate, call a service, close the modal or show the errors in it."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
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
from bot.jobs import ANSWERED
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
from bot.services.checkins import Answer, Recorded
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


def _initiative_form(
    body: dict[str, Any], view: dict[str, Any]
) -> tuple[InitiativeDraft, int, tuple[int, ...]] | dict[str, str]:
    """Return (draft, team id, partner team ids) of the initiative form, or its errors by block."""
    title = validate_title(_value(view, "title").get("value") or "", limit=INITIATIVE_TITLE_MAX)
    if isinstance(title, Invalid):
        return {"title": title.message}
    team = (_value(view, "team").get("selected_option") or {}).get("value")
    keys = tuple(o["value"] for o in _value(view, "objectives").get("selected_options") or [])
    partners = tuple(
        int(o["value"]) for o in _value(view, "partners").get("selected_options") or [] if o["value"].isdigit()
    )
    owner = _value(view, "owner").get("selected_user") or body["user"]["id"]
    if not team or not str(team).isdigit():
        return {"team": "Pick the team this initiative belongs to."}
    return InitiativeDraft(title=title, objective_keys=keys, owner=owner), int(team), partners


def initiative_add(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """Log the initiative of the form, tagged by the lexicon; confirm it, unless the model is yet to tag it."""
    context[ANSWERED] = True  # no queued job, unless the model is to tag it (below)
    form = _initiative_form(body, view)
    if isinstance(form, dict):
        ack(response_action="errors", errors=form)
        return
    draft, team_id, partners = form
    meta = view_metadata(view)
    user = body["user"]["id"]
    try:
        logged = services.initiatives.add(
            body["team"]["id"],
            user,
            meta.get("channel"),
            draft,
            team_id=team_id,
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
    if logged.model_due:
        context[ANSWERED] = False  # initiative_tag asks the model in the queued job, then confirms
        return
    _tell(client, meta.get("channel"), user, initiative_blocks.initiative_logged(logged))


def initiative_tag(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, request: BoltRequest, services: Services
) -> None:
    """Tag the form's initiative with the model, in the queued job; then confirm it."""
    form = _initiative_form(body, view)
    if isinstance(form, dict):
        return  # the ack refused it: nothing was logged
    draft, team_id, _ = form
    meta = view_metadata(view)
    user = body["user"]["id"]
    sent = sent_of(request)
    try:
        logged = services.initiatives.retag(
            body["team"]["id"],
            user,
            meta.get("channel"),
            draft,
            team_id=team_id,
            logged_by=sent.acked,
            once=once_key("model", view.get("id")),
            again=sent.again,
        )
    except UserError as error:  # its team went meanwhile
        _tell(client, meta.get("channel"), user, {"text": f":warning: {error.message}"})
        return
    if logged is not None:
        _tell(client, meta.get("channel"), user, initiative_blocks.initiative_logged(logged))


def _checkin_answer(body: dict[str, Any], view: dict[str, Any], request: BoltRequest) -> Answer | str:
    """Return the check-in form's answer, or what is wrong with it (the form is out of date)."""
    answers = checkin_blocks.modal_values(view.get("state", {}))
    meta = view_metadata(view)
    if not answers["moved"]:
        return "Say what moved forward this week."
    text = answers["moved"] + (f"\nNext: {answers['next']}" if answers["next"] else "")
    chosen = answers["objectives"]
    # Suggestions sent back untouched are not a person's tags: let the tagger re-read the text.
    by_hand = chosen if chosen and sorted(chosen) != sorted(meta.get("suggested") or []) else None
    initiative = answers["initiative"]
    try:
        team_id, week = int(meta["team_id"]), str(meta["week"])
    except (KeyError, ValueError):
        return "This form is out of date; open it again."
    return Answer(
        body["team"]["id"],
        body["user"]["id"],
        text,
        channel_id=meta.get("channel"),
        team_id=team_id,
        week=week,
        source="modal",
        partners=[int(p) for p in answers["partners"] if p.isdigit()],
        objectives=by_hand,
        initiative_id=int(initiative) if initiative and initiative.isdigit() else None,
        from_form=True,
        once=once_key("view", view.get("id")),
        answers=(answers["moved"], answers["next"]),
        sent=sent_of(request),
    )


def checkin_submit(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    request: BoltRequest,
    context: BoltContext,
    services: Services,
) -> None:
    """Record the check-in form's answer, tagged by the lexicon; share and confirm it, unless the model is yet to
    tag it."""
    context[ANSWERED] = True  # no queued job, unless the model is to tag the answer (below)
    answer = _checkin_answer(body, view, request)
    if isinstance(answer, str):
        ack(response_action="errors", errors={"moved": answer})
        return
    try:
        # Stored before the ack, so that the form can show what is wrong: it must not wait for the model.
        recorded = services.checkins.record(answer, ask_model=False)
    except Repeated:
        ack()
        return
    except UserError as error:
        ack(response_action="errors", errors={"moved": error.message})
        return
    ack()
    if recorded is None:
        return  # a later answer of theirs is stored: this one changes nothing
    if recorded.model_due:
        context[ANSWERED] = False  # checkin_tag asks the model in the queued job, then shares and confirms
        return
    _share_and_confirm(services, client, answer, recorded)


def checkin_tag(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, request: BoltRequest, services: Services
) -> None:
    """Tag the form's answer with the model, in the queued job; then share and confirm it."""
    answer = _checkin_answer(body, view, request)
    if isinstance(answer, str):
        return  # the ack refused it: nothing was stored
    try:
        recorded = services.checkins.retag(answer)
    except UserError as error:  # what it refers to went meanwhile; the ack's answer stays stored
        _tell(client, answer.channel_id, answer.user_id, {"text": f":warning: {error.message}"})
        return
    if recorded is not None:  # else a later answer replaced it, or this job did it before
        _share_and_confirm(services, client, answer, recorded)


def _share_and_confirm(services: Services, client: WebClient, answer: Answer, recorded: Recorded) -> None:
    note = share_answer(services, client, answer.slack_team_id, recorded)
    _tell(client, answer.channel_id, answer.user_id, checkin_blocks.answer_confirmation(recorded, note=note))


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
    # With a model on, the forms' answers are tagged by it in a queued job, after the ack (which stores them).
    app.view(initiative_blocks.ADD_CALLBACK)(ack=initiative_add, lazy=[initiative_tag])
    app.view(checkin_blocks.MODAL_CALLBACK)(ack=checkin_submit, lazy=[checkin_tag])
    app.view(checkin_blocks.QUESTIONS_CALLBACK)(checkin_questions_submit)
    app.view(settings_blocks.SETTINGS_CALLBACK)(team_settings_submit)
    app.view(checkin_blocks.TAGS_CALLBACK)(checkin_tags_submit)
    app.view(handoff_blocks.WHY_CALLBACK)(handoff_why)
    app.view(goal_blocks.LINK_CALLBACK)(goal_link_submit)
