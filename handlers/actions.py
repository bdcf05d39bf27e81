"""Button and menu actions on Alignbot's messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.blocks import checkin as checkin_blocks
from bot.blocks import digest as digest_blocks
from bot.blocks import goals as goal_blocks
from bot.blocks import handoffs as handoff_blocks
from bot.blocks import initiatives as initiative_blocks
from bot.blocks import objectives as objective_blocks
from bot.blocks import people as people_blocks
from bot.blocks import settings as settings_blocks
from bot.parsing import WEEKDAYS, GoalDraft, Invalid, parse_initiative_id, parse_objective_form
from bot.schedule import is_week, slack_instant
from bot.services import Services
from bot.services.checkins import Answer
from bot.services.cycles import open_value, parse_open_value
from bot.services.errors import UserError
from handlers.home import publish_home
from handlers.queued import ack_form, sent_of, two_steps
from handlers.replies import say_privately, share_answer, user_errors
from handlers.views import view_metadata


def initiative_close(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Services
) -> None:
    """Close an initiative as done or dropped from its menu."""
    ack()
    status, _, raw_id = ((action.get("selected_option") or {}).get("value") or "").partition(":")
    initiative_id = parse_initiative_id(raw_id)
    if status not in ("done", "dropped") or isinstance(initiative_id, Invalid):
        return  # not a value we put in the menu; nothing sensible to do
    with user_errors(respond):
        closed = services.initiatives.close(body["team"]["id"], body["user"]["id"], initiative_id, status)
        say_privately(respond, initiative_blocks.initiative_closed(closed))


def checkin_open(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Open the check-in form of the button's team and week (or ask which team first)."""
    ack_form(ack)
    team, user = body["team"]["id"], body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    with user_errors(respond):
        target = parse_open_value(action.get("value") or "")
        if target is None:
            candidates = services.checkins.candidates(team, user, channel)
            if len(candidates) > 1:  # never guess which team's form a person meant
                return say_privately(
                    respond,
                    people_blocks.pick_team_to_open([(name, open_value(tid, week)) for tid, name, week in candidates]),
                )
        team_id, week = target if target else services.checkins.resolve_team(team, user, channel)
        form = services.checkins.form_for(team, user, team_id, week, channel_id=channel)
        client.views_open(trigger_id=body["trigger_id"], view=checkin_blocks.checkin_modal(form, channel))


def checkin_pick_team(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    request: BoltRequest,
    services: Services,
) -> None:
    """Record the update carried by the team button the person picked."""
    ack()
    try:
        picked = json.loads(action.get("value") or "")
        team_id, week, text = int(picked["team"]), str(picked["week"]), str(picked["text"])
    except (ValueError, KeyError, TypeError):
        return  # not a value we put on the button
    channel = (body.get("channel") or {}).get("id")
    with user_errors(respond):
        recorded = services.checkins.record(
            Answer(
                body["team"]["id"],
                body["user"]["id"],
                text,
                channel_id=channel,
                team_id=team_id,
                week=week,
                source="command",
                from_form=True,
                sent=sent_of(request),
            )
        )
        if recorded is not None:  # else a later answer of theirs is stored: this one changes nothing
            note = share_answer(services, client, body["team"]["id"], recorded)
            say_privately(respond, checkin_blocks.answer_confirmation(recorded, note=note))


def team_settings_open(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Open a team's settings form from the App Home."""
    ack_form(ack)
    value = action.get("value") or ""
    if not value.isdigit():
        return
    with user_errors(respond):
        team_id, form = services.teams.settings_form(body["team"]["id"], body["user"]["id"], team_id=int(value))
        client.views_open(
            trigger_id=body["trigger_id"],
            view=settings_blocks.settings_modal(form, {"team_id": team_id, "channel": None}, WEEKDAYS),
        )


def checkin_edit_tags(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Open the tag editor of an update."""
    ack_form(ack)
    value = action.get("value") or ""
    if not value.isdigit():
        return
    channel = _source_channel(body)
    team, user = body["team"]["id"], body["user"]["id"]
    with user_errors(respond):
        form = services.checkins.tags_for(
            team, user, int(value), is_admin=services.people.may_fix_tags(team, user, int(value))
        )
        client.views_open(trigger_id=body["trigger_id"], view=checkin_blocks.tags_modal(form, channel))


def checkin_which_objective(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Record the objective the author picked when the tagger was unsure."""
    ack()
    answer = checkin_blocks.parse_answer_value(action.get("value") or "")
    if answer is None:
        return  # not a value we put on the button
    team, user = body["team"]["id"], body["user"]["id"]
    update_id, keys = answer
    with user_errors(respond):
        recorded = services.checkins.correct_tags(
            team, user, update_id, list(keys), is_admin=services.people.may_fix_tags(team, user, update_id)
        )
        share_answer(services, client, team, recorded)
        respond(
            **checkin_blocks.answer_confirmation(recorded, note="Recorded your answer; it teaches Alignbot's tagger."),
            replace_original=True,
        )


def goal_link(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, services: Services) -> None:
    """Store the objectives a lead tapped for a goal whose suggested links were unsure, and answer in place."""
    ack()
    answer = checkin_blocks.parse_answer_value(action.get("value") or "")
    if answer is None:
        return  # not a value we put on the button
    goal_id, keys = answer
    with user_errors(respond):
        view = services.goals.edit(body["team"]["id"], body["user"]["id"], GoalDraft(None, keys, goal_id=goal_id))
        # A lead's direct message asks about several goals: only the one tapped gives way to its answer.
        message = (body.get("message") or {}).get("blocks") or []
        reply = goal_blocks.answered_in_message(message, view) or goal_blocks.goal_linked(view)
        respond(**reply, replace_original=True)


def goal_link_other(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Open the picker of every objective for a goal whose suggested links were unsure."""
    ack_form(ack)
    value = action.get("value") or ""
    if not value.isdigit():
        return
    channel = _source_channel(body)
    with user_errors(respond):
        goal, objectives = services.goals.link_form(body["team"]["id"], body["user"]["id"], int(value))
        client.views_open(trigger_id=body["trigger_id"], view=goal_blocks.link_modal(goal, objectives, channel))


def checkin_dm_team(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    request: BoltRequest,
    services: Services,
) -> None:
    """Record a direct message as the update of the team the person picked."""
    ack()
    picked = checkin_blocks.parse_dm_team_value(action.get("value") or "")
    if picked is None:
        return  # not a value we put on the button
    team_id, channel, ts = picked
    team, user = body["team"]["id"], body["user"]["id"]
    with user_errors(respond):
        # The text is read back from the message the button answers, where the person can still edit it.
        found = client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        messages: list[dict[str, Any]] = found.get("messages") or []
        message = next((m for m in messages if m.get("ts") == ts and m.get("user") == user), None)
        if message is None:
            respond(text="That message is gone; send your update again.", replace_original=True)
            return
        recorded = services.checkins.record(
            Answer(
                team,
                user,
                message.get("text") or "",
                channel_id=channel,
                team_id=team_id,
                source="dm",
                message_ts=ts,
                from_form=True,
                sent=sent_of(request),
            )
        )
        if recorded is None:
            return  # a later answer of theirs is stored: this one changes nothing
        note = share_answer(services, client, team, recorded)
        respond(**checkin_blocks.answer_confirmation(recorded, note=note), replace_original=True)


def objective_preview(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    """Show in the objective form how recent updates would be tagged with its wording."""
    ack()
    view = body.get("view") or {}
    meta = view_metadata(view)
    values = objective_blocks.form_values(view.get("state") or {})
    draft = parse_objective_form(**values)
    preview, problem = None, None
    if isinstance(draft, dict):
        problem = " ".join(draft.values())
    else:
        try:
            preview = services.objectives.preview(body["team"]["id"], body["user"]["id"], meta.get("key"), draft)
        except UserError as error:
            problem = error.message
    client.views_update(
        view_id=view["id"],
        hash=view.get("hash"),
        view=objective_blocks.objective_form(meta, values, preview=preview, problem=problem),
    )


def _show_details(
    services: Services, body: dict[str, Any], week: str, pick: str | None, client: WebClient, respond: Respond
) -> None:
    if week and not is_week(week):
        return  # not a value we put on a button; nothing sensible to do
    with user_errors(respond):
        data = services.digests.build(body["team"]["id"], week or None, client=client)
        view = digest_blocks.details_modal(data, pick)
        if body.get("view"):
            client.views_update(view_id=body["view"]["id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)


def digest_details(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Open the digest's details."""
    ack_form(ack)
    _show_details(services, body, action.get("value") or "", None, client, respond)


def digest_details_pick(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Show what was picked in the digest's details."""
    ack_form(ack)
    pick = (action.get("selected_option") or {}).get("value")
    week = _week_of_view(body) or (body.get("actions") or [{}])[0].get("block_id", "").removeprefix("digest_actions:")
    _show_details(services, body, week, pick, client, respond)


def handoff_picked_up(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Mark a handoff picked up."""
    ack()
    handoff_id = _handoff_id(action)
    if handoff_id is None:
        return  # not a value we put on the button
    team, user = body["team"]["id"], body["user"]["id"]
    with answer_errors(body, respond, client):
        # The click's own time: the queue may run it later than it was pressed.
        services.handoffs.answer(
            team, user, handoff_id, "picked_up", client=client, at=slack_instant(action.get("action_ts"))
        )
        if _from_home(body):
            publish_home(services, client, team, user)


def ask_why(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, services: Services
) -> None:
    """Open the one-line "why" form for Need more or Not useful."""
    ack_form(ack)
    handoff_id = _handoff_id(action)
    if handoff_id is None:
        return
    channel = (body.get("channel") or {}).get("id")
    with answer_errors(body, respond, client):
        state = handoff_blocks.ANSWER_ACTIONS[action["action_id"]]
        card = services.handoffs.card_to_answer(body["team"]["id"], body["user"]["id"], handoff_id, state)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=handoff_blocks.why_modal(
                card, state, {"channel": channel, "home": _from_home(body), "at": action.get("action_ts")}
            ),
        )


def register(app: App) -> None:
    """Attach the action listeners."""
    app.action(initiative_blocks.CLOSE_ACTION)(**two_steps(initiative_close))
    app.action(re.compile(rf"^{checkin_blocks.OPEN_ACTION}(:\d+)?$"))(**two_steps(checkin_open))
    app.action(re.compile(rf"^{people_blocks.PICK_TEAM_ACTION}:\d+$"))(**two_steps(checkin_pick_team))
    app.action(re.compile(rf"^{settings_blocks.OPEN_SETTINGS_ACTION}:\d+$"))(**two_steps(team_settings_open))
    app.action(checkin_blocks.EDIT_TAGS_ACTION)(**two_steps(checkin_edit_tags))
    app.action(re.compile(f"^{re.escape(checkin_blocks.ANSWER_ACTION)}:"))(**two_steps(checkin_which_objective))
    app.action(re.compile(f"^{re.escape(checkin_blocks.DM_TEAM_ACTION)}:"))(**two_steps(checkin_dm_team))
    app.action(re.compile(f"^{re.escape(goal_blocks.LINK_ACTION)}:"))(**two_steps(goal_link))
    app.action(goal_blocks.LINK_OTHER_ACTION)(**two_steps(goal_link_other))
    app.action(objective_blocks.PREVIEW_ACTION)(**two_steps(objective_preview))
    app.action(digest_blocks.DETAILS_ACTION)(**two_steps(digest_details))
    app.action(digest_blocks.PICK_ACTION)(**two_steps(digest_details_pick))
    app.action(handoff_blocks.PICKED_UP_ACTION)(**two_steps(handoff_picked_up))
    app.action(handoff_blocks.NEED_MORE_ACTION)(**two_steps(ask_why))
    app.action(handoff_blocks.NOT_USEFUL_ACTION)(**two_steps(ask_why))


def _handoff_id(action: dict[str, Any]) -> int | None:
    value = action.get("value") or ""
    return int(value) if value.isdigit() and len(value) < 12 else None


def _from_home(body: dict[str, Any]) -> bool:
    return (body.get("view") or {}).get("type") == "home"


@contextmanager
def answer_errors(body: dict[str, Any], respond: Respond, client: WebClient) -> Iterator[None]:
    """Show a refusal privately: in the channel of the message clicked, or by DM from the App Home."""
    if body.get("response_url"):
        with user_errors(respond):
            yield
        return
    try:
        yield
    except UserError as error:
        client.chat_postMessage(channel=body["user"]["id"], text=f":warning: {error.message}")


def _week_of_view(body: dict[str, Any]) -> str | None:
    """Return the week a details modal is about, from its private_metadata."""
    week = view_metadata(body.get("view") or {}).get("week")
    return week if isinstance(week, str) else None


def _source_channel(body: dict[str, Any]) -> str | None:
    """Return the channel a button was pressed in (a message's, or its container's)."""
    channel: str | None = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return channel
