"""Exactly-once sending: claim a delivery in the database, post it, record the outcome.

A delivery is keyed by (workspace, kind, target, week). Whoever inserts the row
sends; everybody else sees it taken. A claim left unfinished (a crash, a kill)
can be taken over after a lease; the taker first looks in the conversation for
the message the crashed sender may already have posted (each message carries
its delivery key in Slack message metadata), so a takeover never posts twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Delivery, utcnow

logger = logging.getLogger(__name__)

METADATA_EVENT = "alignbot_delivery"
# Longer than one send with all its retries can take.
LEASE = timedelta(minutes=3)
MAX_ATTEMPTS = 6

# Errors that no retry will fix: report them and stop trying.
PERMANENT_ERRORS = frozenset({
    "not_in_channel", "channel_not_found", "is_archived", "user_not_found", "cannot_dm_bot",
    "account_inactive", "user_disabled", "restricted_action", "missing_scope", "not_authed",
    "invalid_auth", "token_revoked", "account_inactive", "team_access_not_granted", "msg_too_long",
    "invalid_blocks", "no_text", "too_many_attachments",
})


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery: sent now, sent before, taken by another process, or failed."""

    status: str  # sent | duplicate | busy | failed | retry
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
        self, client: WebClient, workspace_id: int, kind: str, target: str, week: str,
        message: dict[str, Any], *, channel: str | None = None,
    ) -> Outcome:
        """Post `message` to `channel` (default: `target`) once for this key, whoever else tries."""
        key = f"{workspace_id}:{kind}:{target}:{week}"
        destination = channel or target
        payload = {**message, "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": key}}}

        def post(recovering: bool) -> tuple[str | None, str | None]:
            if recovering:
                found = _find_posted(client, destination, key)
                if found is not None:
                    return found
            response = client.chat_postMessage(channel=destination, **payload)
            return response.get("channel"), response.get("ts")

        return self.run(workspace_id, kind, target, week, post)

    def run(
        self, workspace_id: int, kind: str, target: str, week: str,
        post: Callable[[bool], tuple[str | None, str | None]],
    ) -> Outcome:
        """Claim the key and call `post(recovering)`, which returns (channel, ts) of what it posted.

        `recovering` is True when taking over an unfinished claim: `post` should first
        look for what the earlier attempt may have posted.
        """
        claim = self._claim(workspace_id, kind, target, week)
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
            # Timed out or dropped: the message may have gone out; a takeover checks first.
            return self._finish(delivery_id, Outcome("retry", error=type(error).__name__))
        return self._finish(delivery_id, Outcome("sent", ts=ts, channel=channel))

    def _claim(self, workspace_id: int, kind: str, target: str, week: str) -> tuple[int, bool] | Outcome:
        now = utcnow()
        try:
            with self._sessions.begin() as session:
                row = Delivery(workspace_id=workspace_id, kind=kind, target=target, week=week,
                               status="claimed", attempts=1, claimed_at=now)
                session.add(row)
                session.flush()
                return row.id, False
        except IntegrityError:
            pass
        with self._sessions.begin() as session:
            row = session.scalars(select(Delivery).where(
                Delivery.workspace_id == workspace_id, Delivery.kind == kind,
                Delivery.target == target, Delivery.week == week,
            )).one()
            if row.status == "sent":
                return Outcome("duplicate", ts=row.message_ts)
            if row.status == "failed":
                return Outcome("failed", error=row.last_error)
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                return Outcome("failed", error=row.last_error or "too_many_attempts")
            if row.status == "claimed" and now - row.claimed_at < self._lease:
                return Outcome("busy")
            # Compare-and-set on attempts: of two processes taking over, one wins.
            taken = session.execute(
                update(Delivery)
                .where(Delivery.id == row.id, Delivery.attempts == row.attempts)
                .values(status="claimed", attempts=row.attempts + 1, claimed_at=now)
            ).rowcount
            if taken != 1:
                return Outcome("busy")
            return row.id, True

    def _finish(self, delivery_id: int, outcome: Outcome) -> Outcome:
        with self._sessions.begin() as session:
            row = session.get(Delivery, delivery_id)
            assert row is not None
            if outcome.status == "sent":
                row.status, row.message_ts, row.sent_at, row.last_error = "sent", outcome.ts, utcnow(), None
                row.channel_id = outcome.channel
            else:
                row.status, row.last_error = outcome.status, outcome.error
        if outcome.status in ("failed", "retry"):
            logger.warning("delivery %s %s: %s", delivery_id, outcome.status, outcome.error)
        return outcome


def _find_posted(client: WebClient, destination: str, key: str) -> tuple[str, str] | None:
    """Return (channel, ts) of a message already posted under `key`, looking at recent history."""
    try:
        channel = destination
        if destination.startswith(("U", "W")):
            channel = client.conversations_open(users=destination)["channel"]["id"]
        history = client.conversations_history(channel=channel, limit=100, include_all_metadata=True)
    except (SlackApiError, SlackClientError, OSError):
        return None  # can't look: sending again is the lesser harm than never sending
    for message in history.get("messages", []):
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}).get("key") == key:
            return channel, message["ts"]
    return None
