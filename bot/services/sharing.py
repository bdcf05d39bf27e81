"""Shared answers: each update is posted in the thread under its week's prompt in the team's channel.

Teammates and other teams see what was said however it was given (a thread reply in a DM,
/checkin, the form). The post is edited when the answer changes and deleted when it is withdrawn.
A team can turn sharing off; posts already made then still follow their answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import CursorResult, select, update
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


class Sharing:
    """Post answers in their prompt's thread, keep the posts in step, and switch sharing per team."""

    def __init__(self, sessions: sessionmaker[Session], permissions: Permissions) -> None:
        self._sessions = sessions
        self._permissions = permissions

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
        return self._share(client, slack_team_id, answer)

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
            won = cast(
                CursorResult[Any],
                session.execute(
                    update(Update)
                    .where(Update.id == update_id, Update.shared_ts.is_(None))
                    .values(shared_channel_id=channel, shared_ts=ts)
                ),
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
            return shareable(
                team,
                cycle.week,
                update_id=row.id,
                author=row.author_user_id,
                text=row.text,
                scored=[(t.objective_id, t.score) for t in row.tags],
                titles=titles,
                by_hand=row.tags_by_hand,
                shared=(row.shared_channel_id, row.shared_ts),
                prompt=week_prompt(session, workspace.id, team.id, cycle.week),
                source=row.source,
                channel_id=row.channel_id,
            )


def shareable(
    team: Team,
    week: str,
    *,
    update_id: int,
    author: str,
    text: str,
    scored: Iterable[tuple[int, float]],
    titles: Mapping[int, str],
    by_hand: bool,
    shared: tuple[str | None, str | None],
    prompt: tuple[str, str] | None,
    source: str,
    channel_id: str | None,
) -> Shareable:
    """Return what sharing needs of a stored answer: `scored` (objective id, score) are its tags, best first.

    `shared`: (channel, ts) of its copy, either None when it has none; `prompt`: see `week_prompt`.
    """
    return Shareable(
        update_id=update_id,
        author=author,
        team=team.name,
        week=week,
        text=text,
        tags=tuple(titles[o] for o, _ in sorted(scored, key=lambda t: (-t[1], t[0])) if o in titles),
        by_hand=by_hand,
        share=team.share_answers,
        shared=(shared[0], shared[1]) if shared[0] and shared[1] else None,
        prompt=prompt,
        # A reply in the channel's own prompt thread is already there for everyone to read.
        in_thread=source == "thread" and prompt is not None and channel_id == prompt[0],
    )


def week_prompt(session: Session, workspace_id: int, team_id: int, week: str) -> tuple[str, str] | None:
    """Return (channel, ts) of a team's channel prompt of `week`, if it went out."""
    return repositories.sent_message(session, workspace_id, DeliveryKey("prompt", week, team_id=team_id))


def _failed(channel: str, error: Exception) -> Shared:
    code = (
        str(error.response.get("error") or "unknown_error")
        if isinstance(error, SlackApiError)
        else type(error).__name__
    )
    logger.warning("could not share an answer in %s: %s", channel, code)
    return Shared("failed", channel, error=code)
