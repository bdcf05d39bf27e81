"""Exactly-once sending: claim a delivery in the database, post it, record the outcome.

A delivery is keyed by its workspace and DeliveryKey. Whoever inserts the row
sends; everybody else sees it taken. A claim left unfinished (a crash, a kill, or
a post that timed out and may yet land at Slack) can be taken over only after a
lease longer than any send can take; the taker first looks in the conversation
for the message the earlier attempt may have posted (each message carries its
delivery key in Slack message metadata), so a takeover never posts twice however
soon it is tried.

A send Slack refused (not_in_channel, token_revoked, ...) is tried again with
back-off for as long as callers keep asking (the scheduler asks until the week's
deadline); `retry_now` (an admin's command) skips the back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage import repositories
from storage.models import DeliveryKey, utcnow

logger = logging.getLogger(__name__)

METADATA_EVENT = "alignbot_delivery"
# Longer than one send with all its retries can take.
LEASE = timedelta(minutes=3)
# After a refused send, wait this long before the next try, doubling up to BACKOFF_MAX.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)

# Errors a person must fix (invite the bot, unarchive, reinstall): retried with back-off, reported.
PERMANENT_ERRORS = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "user_not_found",
        "cannot_dm_bot",
        "account_inactive",
        "user_disabled",
        "restricted_action",
        "missing_scope",
        "not_authed",
        "invalid_auth",
        "token_revoked",
        "team_access_not_granted",
        "msg_too_long",
        "invalid_blocks",
        "no_text",
        "too_many_attachments",
    }
)


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery: sent now, sent before, taken by another process, or failed."""

    status: str  # sent | duplicate | busy | failed (needs a person) | retry (transient)
    ts: str | None = None
    channel: str | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status in ("sent", "duplicate")


class Deliveries:
    """Send messages at most once per key, and at least once as long as Slack accepts them."""

    def __init__(self, sessions: sessionmaker[Session], *, lease: timedelta = LEASE) -> None:
        self._sessions = sessions
        self._lease = lease

    def send(
        self,
        client: WebClient,
        workspace_id: int,
        key: DeliveryKey,
        message: dict[str, Any],
        channel: str,
        *,
        retry_now: bool = False,
    ) -> Outcome:
        """Post `message` to `channel` (a conversation or a person) once for this key, whoever else tries."""
        label = metadata_key(workspace_id, key)
        payload = {**message, "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": label}}}

        def post(recovering: bool) -> tuple[str | None, str | None]:
            if recovering:
                found = _find_posted(client, channel, label)
                if found is not None:
                    return found
            response = client.chat_postMessage(channel=channel, **payload)
            return response.get("channel"), response.get("ts")

        return self.run(workspace_id, key, post, retry_now=retry_now)

    def run(
        self,
        workspace_id: int,
        key: DeliveryKey,
        post: Callable[[bool], tuple[str | None, str | None]],
        *,
        retry_now: bool = False,
    ) -> Outcome:
        """Claim the key and call `post(recovering)`, which returns (channel, ts) of what it posted.

        `recovering` is True when taking over an unfinished claim: `post` should first
        look for what the earlier attempt may have posted.
        """
        claim = self._claim(workspace_id, key, retry_now)
        if isinstance(claim, Outcome):
            return claim
        delivery_id, recovering = claim
        try:
            channel, ts = post(recovering)
        except SlackApiError as error:
            code = str(error.response.get("error") or "unknown_error")
            status = "failed" if code in PERMANENT_ERRORS else "retry"
            return self._finish(delivery_id, Outcome(status, error=code))
        except (SlackClientError, OSError) as error:
            # Timed out or dropped: the message may still land at Slack. The claim stays held until
            # the lease ends, so the next try looks in the conversation only once the post has settled.
            return self._finish(delivery_id, Outcome("retry", error=type(error).__name__), release=False)
        return self._finish(delivery_id, Outcome("sent", ts=ts, channel=channel))

    def _claim(self, workspace_id: int, key: DeliveryKey, retry_now: bool = False) -> tuple[int, bool] | Outcome:
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                return repositories.claim_delivery(session, workspace_id, key, now), False
        except IntegrityError:
            pass
        with self._sessions.begin() as session:
            row = repositories.find_delivery(session, workspace_id, key)
            assert row is not None  # rows are never deleted but with their workspace
            if row.status == "sent":
                return Outcome("duplicate", ts=row.message_ts)
            if row.status == "claimed" and now - row.claimed_at < self._lease:
                return Outcome("busy")
            if row.status in ("failed", "retry") and not retry_now and now < row.claimed_at + backoff(row.attempts):
                return Outcome(row.status, error=row.last_error)
            # Of two processes taking over, one wins.
            if not repositories.retake_delivery(session, row, now):
                return Outcome("busy")
            # A refused send posted nothing; anything else (a crash, a timeout) may have.
            return row.id, row.status != "failed"

    def _finish(self, delivery_id: int, outcome: Outcome, *, release: bool = True) -> Outcome:
        with self._sessions.begin() as session:
            if outcome.status == "sent":
                repositories.finish_delivery(session, delivery_id, "sent", channel=outcome.channel, ts=outcome.ts)
            else:
                repositories.finish_delivery(
                    session, delivery_id, outcome.status if release else None, error=outcome.error
                )
        if outcome.status in ("failed", "retry"):
            logger.warning("delivery %s %s: %s", delivery_id, outcome.status, outcome.error)
        return outcome


def metadata_key(workspace_id: int, key: DeliveryKey) -> str:
    """Return the text a delivery's message carries in its Slack metadata, to be found again by it.

    Messages already in Slack carry it in this form, so a claim taken over finds what was posted under it.
    """
    if key.team_ids is not None:
        subject = f"teams:{','.join(map(str, key.team_ids))}"
    elif key.kind == "handoffs":
        subject = f"{key.from_team_id}>{key.team_id}"
    elif key.handoff_id is not None:
        subject = f"handoff:{key.handoff_id}"
    elif key.team_id is not None:
        subject = f"team:{key.team_id}"
    else:
        subject = str(key.to_channel_id)
    if key.user_id is not None:
        subject += f":user:{key.user_id}"
    return f"{workspace_id}:{key.kind}:{subject}:{key.week}"


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th refused send before the next."""
    return min(BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 16), BACKOFF_MAX)


def _find_posted(client: WebClient, destination: str, key: str, pages: int = 5) -> tuple[str, str] | None:
    """Return (channel, ts) of a message already posted under `key`, looking through recent history."""
    try:
        channel = destination
        if destination.startswith(("U", "W")):
            channel = client.conversations_open(users=destination)["channel"]["id"]
        cursor = None
        for _ in range(pages):
            history = client.conversations_history(channel=channel, limit=200, include_all_metadata=True, cursor=cursor)
            messages: list[dict[str, Any]] = history.get("messages", [])
            for message in messages:
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == METADATA_EVENT
                    and (metadata.get("event_payload") or {}).get("key") == key
                ):
                    return channel, message["ts"]
            cursor = (history.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
    except (SlackApiError, SlackClientError, OSError):
        return None  # can't look: sending again is the lesser harm than never sending
    return None
