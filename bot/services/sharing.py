"""Shared answers: each update is posted in the thread under its week's prompt in the team's channel.

Teammates and other teams see what was said however it was given (a thread reply in a DM,
/checkin, the form). The post is edited when the answer changes and deleted when it is withdrawn.
A team can turn sharing off; posts already made then still follow their answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot import slacktext
from bot.blocks import checkin as blocks
from bot.parsing import TeamRef
from bot.services.errors import NotFound
from bot.services.permissions import Permissions, display_name
from bot.services.teams import resolve_team, team_names
from storage import repositories
from storage.models import CheckinCycle, DeliveryKey, Objective, Team, Update

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shared:
    """What sharing an answer did: posted, updated, off (team opted out), no_thread, in_thread, failed."""

    status: str
    channel: str | None = None
    ts: str | None = None
    error: str | None = None

    @property
    def note(self) -> str | None:
        """Return the line the author reads under their confirmation, if any."""
        if self.status in ("posted", "updated"):
            return f"Shared in the check-in thread in <#{self.channel}>."
        if self.status == "failed":
            return f"I could not share it in <#{self.channel}> (`{self.error}`); it is stored all the same."
        return None


@dataclass(frozen=True)
class Shareable:
    """What sharing an answer needs to know of it, as stored."""

    update_id: int
    author: str
    team: str
    week: str
    text: str
    tags: tuple[str, ...]
    by_hand: bool
    share: bool
    shared: tuple[str, str] | None
    # Where the week's channel prompt is: (channel, ts), if it went out.
    prompt: tuple[str, str] | None
    in_thread: bool


@dataclass(frozen=True)
class Ahead:
    """A shared copy posted before its answer is stored, so that the answer's transaction stores its ts."""

    draft: Shareable
    # (channel, thread ts, ts) of the post; None when posting failed.
    posted: tuple[str, str, str] | None
    failed: Shared | None = None


class HasShareable(Protocol):
    @property
    def shareable(self) -> Shareable | None: ...


R = TypeVar("R", bound=HasShareable)

# Answers this process saw with a shared copy; bounded, since it is only a hint.
_KNOWN_LIMIT = 100_000


class Sharing:
    """Post answers in their prompt's thread, keep the posts in step, and switch sharing per team."""

    def __init__(self, sessions: sessionmaker[Session], permissions: Permissions) -> None:
        self._sessions = sessions
        self._permissions = permissions
        # (workspace, author, team, week) of answers with a shared copy: their next answer edits it, never
        # posts ahead. A hint: a copy made by another process costs a post taken back, not a second copy.
        self._known: set[tuple[str, str, str, str]] = set()
        self._known_lock = threading.Lock()

    def record_and_share(
        self,
        client: WebClient,
        slack_team_id: str,
        draft: Shareable | None,
        record: Callable[[tuple[str, str, str] | None], R | None],
    ) -> tuple[R, Shared] | None:
        """Store an answer with `record` and share it, in one transaction and none held across a Slack call.

        `draft`: the answer as expected before it is stored (None when unknown). A first answer's copy
        is posted before `record` runs, which stores its ts in the answer's own upsert; a copy that
        turns out unwanted (a retry, another copy that stayed, a thread that moved) is deleted again.
        None when `record` stored nothing (a later answer is stored): no copy stays either.
        """
        ahead = self._post_ahead(client, slack_team_id, draft)
        try:
            recorded = record(ahead.posted if ahead is not None else None)
        except BaseException:
            self._take_back(client, ahead)
            raise
        if recorded is None:
            self._take_back(client, ahead)
            return None
        return recorded, self._settle(client, slack_team_id, recorded.shareable, ahead)

    def _take_back(self, client: WebClient, ahead: Ahead | None) -> None:
        if ahead is not None and ahead.posted is not None:
            self.unshare(client, ahead.posted[0], ahead.posted[2])

    def _post_ahead(self, client: WebClient, slack_team_id: str, draft: Shareable | None) -> Ahead | None:
        if (
            draft is None
            or draft.prompt is None
            or not draft.share
            or draft.in_thread
            or draft.shared is not None
            or self._has_copy(slack_team_id, draft)
        ):
            return None
        channel, thread_ts = draft.prompt
        try:
            posted = client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, **self._message(slack_team_id, draft)
            )
        except (SlackApiError, SlackClientError, OSError) as error:
            return Ahead(draft, None, _failed(channel, error))
        return Ahead(draft, (channel, thread_ts, str(posted["ts"])))

    def _settle(self, client: WebClient, slack_team_id: str, answer: Shareable | None, ahead: Ahead | None) -> Shared:
        if answer is None:
            return Shared("no_thread")
        if ahead is None:
            shared = self.share(client, slack_team_id, answer.update_id, known=answer)
        elif ahead.posted is None:
            if answer.shared is None and ahead.failed is not None and _same_thread(answer, ahead.draft):
                return ahead.failed  # posting failed: not tried twice
            shared = self.share(client, slack_team_id, answer.update_id, known=answer)
        else:
            channel, _, ts = ahead.posted
            if answer.shared != (channel, ts):
                # Not stored: an earlier copy stayed, or the answer is not to be shared there. That copy is edited.
                self.unshare(client, channel, ts)
                shared = self.share(client, slack_team_id, answer.update_id, known=answer)
            elif _content(answer) == _content(ahead.draft):
                shared = Shared("posted", channel, ts)
                self._note_copy(slack_team_id, answer)
            else:
                # Stored, but what was posted was guessed from a cache that moved: show what was stored.
                shared = self.share(client, slack_team_id, answer.update_id, known=answer)
                if shared.status == "updated":
                    shared = Shared("posted", channel, ts)
        return shared

    def _has_copy(self, slack_team_id: str, answer: Shareable) -> bool:
        with self._known_lock:
            return (slack_team_id, answer.author, answer.team, answer.week) in self._known

    def _note_copy(self, slack_team_id: str, answer: Shareable) -> None:
        with self._known_lock:
            if len(self._known) >= _KNOWN_LIMIT:
                self._known.clear()
            self._known.add((slack_team_id, answer.author, answer.team, answer.week))

    def _message(self, slack_team_id: str, answer: Shareable) -> dict:
        names: dict[str, str] = {}

        def name(user: str) -> str:
            if user not in names:
                names[user] = self._name(slack_team_id, user)
            return names[user]

        text = slacktext.plain(answer.text, name)
        return blocks.shared_answer(
            name(answer.author), answer.team, answer.week, text, answer.tags, by_hand=answer.by_hand
        )

    def set_sharing(self, slack_team_id: str, user_id: str, ref: TeamRef, on: bool) -> str:
        """Turn sharing on or off for a team (admins); return the team's name."""
        self._permissions.require_admin(slack_team_id, user_id, "change whether answers are shared")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            team = resolve_team(session, workspace.id, ref)
            if team is None:
                teams = repositories.list_teams(session, workspace.id)
                raise NotFound(f"There is no team called '{ref.name}'; {team_names(teams)}.")
            team.share_answers = on
            return team.name

    def share(self, client: WebClient, slack_team_id: str, update_id: int, known: Shareable | None = None) -> Shared:
        """Post (or edit) the shared copy of an update in its week's prompt thread.

        `known`: the update as the transaction that just stored it saw it, instead of reading it again.
        """
        answer = known if known is not None and known.update_id == update_id else self._answer(slack_team_id, update_id)
        if answer is None:
            return Shared("no_thread")
        shared = self._share(client, slack_team_id, answer)
        if shared.status in ("posted", "updated"):
            self._note_copy(slack_team_id, answer)
        return shared

    def _share(self, client: WebClient, slack_team_id: str, answer: Shareable) -> Shared:
        update_id = answer.update_id
        if answer.shared is None and not answer.share:
            return Shared("off")
        if answer.shared is None and answer.in_thread:
            return Shared("in_thread")
        message = self._message(slack_team_id, answer)
        if answer.shared is not None:
            channel, ts = answer.shared
            try:
                client.chat_update(channel=channel, ts=ts, **message)
                return Shared("updated", channel, ts)
            except SlackApiError as error:
                if error.response.get("error") != "message_not_found":
                    return _failed(channel, error)
            # Someone deleted the post in Slack: share it anew below.
            self._forget(update_id, ts)
        if answer.prompt is None:
            return Shared("no_thread")
        channel, thread_ts = answer.prompt
        try:
            posted = client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
        except (SlackApiError, SlackClientError, OSError) as error:
            return _failed(channel, error)
        ts = str(posted["ts"])
        with self._sessions.begin() as session:
            # Compare-and-set: of two shares racing for the first post, one keeps it.
            won = session.execute(
                update(Update)
                .where(Update.id == update_id, Update.shared_ts.is_(None))
                .values(shared_channel_id=channel, shared_ts=ts)
            ).rowcount
        if won != 1:
            self.unshare(client, channel, ts)
            return self.share(client, slack_team_id, update_id)  # read again: another share won
        return Shared("posted", channel, ts)

    def unshare(self, client: WebClient, channel: str | None, ts: str | None) -> bool:
        """Delete a shared post; say whether it was there."""
        if not channel or not ts:
            return False
        try:
            client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                logger.warning("could not delete shared answer %s in %s: %s", ts, channel, error.response.get("error"))
            return False
        return True

    def _forget(self, update_id: int, ts: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(Update)
                .where(Update.id == update_id, Update.shared_ts == ts)
                .values(shared_channel_id=None, shared_ts=None)
            )

    def name(self, slack_team_id: str, user_id: str) -> str:
        """Return the name Slack shows for a person, else their id."""
        return self._name(slack_team_id, user_id)

    def _name(self, slack_team_id: str, user_id: str) -> str:
        try:
            info = self._permissions.user_info(slack_team_id, user_id) or {}
        except Exception:  # noqa: BLE001 - a name is a nicety: the id still says who
            return user_id
        return display_name(info) or user_id

    def _answer(self, slack_team_id: str, update_id: int) -> Shareable | None:
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                return None
            row = session.scalar(
                select(Update)
                .where(Update.workspace_id == workspace.id, Update.id == update_id)
                .options(selectinload(Update.tags))
            )
            if row is None:
                return None
            team = session.get(Team, row.team_id)
            cycle = session.get(CheckinCycle, row.cycle_id)
            assert team is not None and cycle is not None
            titles = dict(
                session.execute(
                    select(Objective.id, Objective.title).where(
                        Objective.workspace_id == workspace.id, Objective.id.in_([t.objective_id for t in row.tags])
                    )
                ).all()
            )
            tags = tuple(
                titles[t.objective_id] for t in sorted(row.tags, key=lambda t: -t.score) if t.objective_id in titles
            )
            where = repositories.sent_message(session, workspace.id, DeliveryKey("prompt", cycle.week, team_id=team.id))
            return Shareable(
                update_id=row.id,
                author=row.author_user_id,
                team=team.name,
                week=cycle.week,
                text=row.text,
                tags=tags,
                by_hand=row.tags_by_hand,
                share=team.share_answers,
                shared=(row.shared_channel_id, row.shared_ts) if row.shared_channel_id and row.shared_ts else None,
                prompt=where,
                # A reply in the channel's own prompt thread is already there for everyone to read.
                in_thread=row.source == "thread" and where is not None and row.channel_id == where[0],
            )


def _content(answer: Shareable) -> tuple[object, ...]:
    """Return what a shared copy shows of an answer, and where."""
    return answer.author, answer.team, answer.week, answer.text, answer.tags, answer.by_hand, answer.prompt


def _same_thread(answer: Shareable, draft: Shareable) -> bool:
    return answer.prompt == draft.prompt and answer.share and not answer.in_thread


def _failed(channel: str, error: Exception) -> Shared:
    code = (
        str(error.response.get("error") or "unknown_error")
        if isinstance(error, SlackApiError)
        else type(error).__name__
    )
    logger.warning("could not share an answer in %s: %s", channel, code)
    return Shared("failed", channel, error=code)
