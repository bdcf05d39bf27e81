"""Events API listeners, and the guard that drops Slack's retries of events already handled."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.blocks import checkin as checkin_blocks
from bot.commandtext import looks_like_update
from bot.parsing import is_help
from bot.services import Services
from bot.services.checkins import Answer, Sent
from bot.services.errors import Repeated, UserError
from handlers.home import publish_home
from handlers.queued import sent_of, two_steps
from handlers.replies import share_answer

logger = logging.getLogger(__name__)

# What a listener returns when it recorded its event as handled itself, in the transaction of its work.
CLAIMED = object()


# Events this process is handling now, by (workspace, event id): Slack's retries of them are dropped.
# Not a speed trick: most events are claimed durably only once their listener is done, so without
# this a retry arriving meanwhile runs the listener again (an edit could be confirmed twice).
_in_flight: set[tuple[str, str]] = set()
_lock = threading.Lock()


def drop_repeated_events(
    request: BoltRequest, body: dict[str, Any], services: Services, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """Answer a delivery of an event already handled, or being handled, without running a listener."""
    key = _event_key(body)
    if key is not None:
        with _lock:
            running = key in _in_flight
        # A thread reply claims its event in the transaction that stores it, so only Slack's
        # retries of a message need the look-up; other events are checked on every delivery.
        event = body.get("event")
        first_message = (
            isinstance(event, dict) and event.get("type") == "message" and not request.headers.get("x-slack-retry-num")
        )
        if running or (not first_message and services.event_done(*key)):
            logger.info("event %s already handled or being handled; dropping the retry", key[1])
            return BoltResponse(status=200, body="")
    return next()


def once(listener: Callable[..., object]) -> Callable[..., None]:
    """Run an event listener; record its event as done only once it succeeded, so a retry redoes failed work."""

    @functools.wraps(listener)  # Bolt reads the wrapped listener's argument names
    def run(**kwargs: Any) -> None:
        key = _event_key(kwargs["body"])
        if key is None:
            listener(**kwargs)
            return
        with _lock:
            if key in _in_flight:
                return
            _in_flight.add(key)
        try:
            # A listener that claimed its event with its work returns CLAIMED: nothing more to record.
            if listener(**kwargs) is not CLAIMED:
                kwargs["services"].claim_event(*key)
        finally:
            with _lock:
                _in_flight.discard(key)

    return run


@once
def app_uninstalled(body: dict[str, Any], context: BoltContext, services: Services) -> None:
    """Delete the tokens of a workspace that uninstalled the app and stop scheduling it."""
    # An org-wide uninstall names the enterprise and no workspace.
    services.installs.uninstalled(body.get("team_id"), enterprise_id=context.enterprise_id)


@once
def tokens_revoked(body: dict[str, Any], event: dict[str, Any], context: BoltContext, services: Services) -> None:
    """Delete revoked tokens."""
    found = event.get("tokens")
    tokens: dict[str, Any] = found if isinstance(found, dict) else {}
    services.installs.tokens_revoked(body.get("team_id"), tokens, enterprise_id=context.enterprise_id)


@once
def member_joined(body: dict[str, Any], event: dict[str, Any], context: BoltContext, services: Services) -> None:
    """Clear a team's channel problem when the bot joins its channel."""
    services.teams.member_joined(body["team_id"], event["channel"], event["user"], context.bot_user_id)


@once
def member_left(body: dict[str, Any], event: dict[str, Any], context: BoltContext, services: Services) -> None:
    """Note a team's channel problem when the bot leaves its channel."""
    services.teams.member_left(body["team_id"], event["channel"], event["user"], context.bot_user_id)


@once
def message(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, request: BoltRequest, services: Services
) -> object:
    """Handle a message: a thread answer, its edit or deletion, or a direct message to the bot."""
    subtype = event.get("subtype")
    if subtype == "message_changed":
        _reply_changed(services, client, body["team_id"], event, sent_of(request))
        return None
    if subtype == "message_deleted":
        _reply_deleted(services, client, body["team_id"], event)
        return None
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if (
        event.get("channel_type") == "im"
        and not subtype
        and not event.get("bot_id")
        and event.get("user")
        and thread_ts in (None, ts)
    ):
        return _direct_message(services, client, body, event, sent_of(request))
    # Only a person's reply in a thread can be a check-in answer.
    if subtype or event.get("bot_id") or not thread_ts or thread_ts == ts or not event.get("user"):
        return None
    channel, user = event["channel"], event["user"]
    try:
        recorded = services.checkins.record(
            Answer(
                body["team_id"],
                user,
                event.get("text") or "",
                channel_id=channel,
                source="thread",
                message_ts=ts,
                once=body.get("event_id"),
                thread_ts=thread_ts,
                sent=sent_of(request),
            )
        )
    except Repeated:
        return CLAIMED  # another delivery of this event stored it
    except UserError as error:
        _answer_in_thread(client, channel, user, thread_ts, {"text": f":warning: {error.message}"})
        return None
    if recorded is None:
        return None
    try:
        note = share_answer(services, client, body["team_id"], recorded)
        _answer_in_thread(client, channel, user, thread_ts, checkin_blocks.answer_confirmation(recorded, note=note))
    except BaseException:
        # Handled means answered: let a retry (Slack's, or the job's) do it again.
        if body.get("event_id"):
            services.release_event(body["team_id"], body["event_id"])
        raise
    return CLAIMED


@once
def app_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient, services: Services) -> object:
    """Publish the App Home of the person who opened it."""
    if event.get("tab", "home") != "home":
        return None
    return _claimed_first(services, body, lambda: publish_home(services, client, body["team_id"], event["user"]))


def register(app: App) -> None:
    """Attach the event de-duplication middleware and the event listeners."""
    app.middleware(drop_repeated_events)
    app.event("app_uninstalled")(**two_steps(app_uninstalled))
    app.event("tokens_revoked")(**two_steps(tokens_revoked))
    app.event("member_joined_channel")(**two_steps(member_joined))
    app.event("member_left_channel")(**two_steps(member_left))
    app.event("message")(**two_steps(message))
    app.event("app_home_opened")(**two_steps(app_home_opened))


def _reply_changed(
    services: Services, client: WebClient, slack_team_id: str, event: dict[str, Any], sent: Sent
) -> None:
    """A person edited a thread answer in Slack: the stored answer and its shared copy follow."""
    message: dict[str, Any] = event["message"] if isinstance(event.get("message"), dict) else {}
    channel, user, ts = event.get("channel"), message.get("user"), message.get("ts")
    # A thread reply, or a message of its own in a direct message (answered in its thread).
    thread_ts = message.get("thread_ts") or (ts if str(channel).startswith("D") else None)
    if message.get("bot_id") or not (channel and user and ts and thread_ts):
        return
    previous: dict[str, Any] = event["previous_message"] if isinstance(event.get("previous_message"), dict) else {}
    if previous.get("text") == message.get("text"):
        return  # a link unfurled or a reaction count changed: nothing the person said
    try:
        recorded = services.checkins.thread_reply_changed(
            Answer(slack_team_id, user, message.get("text") or "", channel_id=channel, message_ts=ts, sent=sent)
        )
    except UserError as error:
        _answer_in_thread(client, channel, user, thread_ts, {"text": f":warning: {error.message}"})
        return
    if recorded is not None:
        note = share_answer(services, client, slack_team_id, recorded)
        _answer_in_thread(client, channel, user, thread_ts, checkin_blocks.answer_confirmation(recorded, note=note))


def _reply_deleted(services: Services, client: WebClient, slack_team_id: str, event: dict[str, Any]) -> None:
    """A person deleted a thread answer in Slack: it is withdrawn, and so is its shared copy."""
    channel, ts = event.get("channel"), event.get("deleted_ts")
    if not (channel and ts):
        return
    withdrawn = services.checkins.thread_reply_deleted(slack_team_id, channel, ts)
    if withdrawn is None:
        return
    services.sharing.unshare(client, withdrawn.shared_channel, withdrawn.shared_ts)
    previous: dict[str, Any] = event["previous_message"] if isinstance(event.get("previous_message"), dict) else {}
    said = {"text": "You deleted your check-in answer, so I withdrew it from this week's update."}
    if previous.get("thread_ts") and previous.get("thread_ts") != ts:
        _answer_in_thread(client, channel, withdrawn.author, previous["thread_ts"], said)
    elif channel.startswith("D"):
        client.chat_postMessage(channel=channel, text=said["text"])


def _direct_message(
    services: Services, client: WebClient, body: dict[str, Any], event: dict[str, Any], sent: Sent
) -> object:
    """A message to the bot in its DM: help, a one-line pointer, or the person's update (asking the team first).

    Handled once however many deliveries of the event arrive, in this process or others: the update claims
    the event in the transaction that stores it, the other answers claim it before they are posted.
    """
    slack_team_id, event_id = body["team_id"], body.get("event_id")
    channel, user, ts, text = event["channel"], event["user"], event["ts"], event.get("text") or ""
    if is_help(text):
        return _claimed_first(
            services, body, lambda: client.chat_postMessage(channel=channel, **checkin_blocks.dm_help())
        )
    if not looks_like_update(text):
        return _claimed_first(
            services, body, lambda: client.chat_postMessage(channel=channel, **checkin_blocks.dm_pointer())
        )
    teams = services.checkins.teams_of(slack_team_id, user)
    if len(teams) > 1:
        question = checkin_blocks.which_team_message(
            text, [(name, checkin_blocks.dm_team_value(team_id, channel, ts)) for team_id, name in teams]
        )
        return _claimed_first(
            services, body, lambda: client.chat_postMessage(channel=channel, thread_ts=ts, **question)
        )
    try:
        recorded = services.checkins.record(
            Answer(
                slack_team_id,
                user,
                text,
                channel_id=channel,
                source="dm",
                team_id=teams[0][0] if teams else None,
                message_ts=ts,
                once=event_id,
                sent=sent,
            )
        )
    except Repeated:
        return CLAIMED  # another delivery of this event stored it
    except UserError as error:
        client.chat_postMessage(channel=channel, thread_ts=ts, text=f":warning: {error.message}")
        return None
    if recorded is None:
        return None  # a later answer of theirs is stored: this one changes nothing
    try:
        note = share_answer(services, client, slack_team_id, recorded)
        client.chat_postMessage(
            channel=channel, thread_ts=ts, **checkin_blocks.answer_confirmation(recorded, note=note)
        )
    except BaseException:
        # Handled means answered: let a retry (Slack's, or the job's) do it again.
        if event_id:
            services.release_event(slack_team_id, event_id)
        raise
    return CLAIMED


def _claimed_first(services: Services, body: dict[str, Any], answer: Callable[[], object]) -> object:
    """Answer an event with nothing to store once: claim it first, and give the claim back if answering fails.

    Another delivery's claim (in this process or another) means it is answered already.
    """
    slack_team_id, event_id = body["team_id"], body.get("event_id")
    if not event_id:
        answer()
        return None
    if not services.claim_event(slack_team_id, event_id):
        return CLAIMED
    try:
        answer()
    except BaseException:
        services.release_event(slack_team_id, event_id)
        raise
    return CLAIMED


def _event_key(body: dict[str, Any]) -> tuple[str, str] | None:
    """Return (workspace, event id) of an Events API delivery, else None."""
    event_id, team_id = body.get("event_id"), body.get("team_id")
    if body.get("type") == "event_callback" and isinstance(event_id, str) and isinstance(team_id, str):
        return team_id, event_id
    return None


def _answer_in_thread(client: WebClient, channel: str, user: str, thread_ts: str, payload: dict[str, Any]) -> None:
    """Answer a thread reply: privately in a channel, in the thread of a direct message."""
    if channel.startswith("D"):
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **payload)
    else:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **payload)
