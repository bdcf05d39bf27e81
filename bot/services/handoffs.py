"""Handoffs: find them where updates and initiatives are recorded, ask the receiving team once, record the answer.

The loop: `note_handoffs` stores what an update or initiative hands over (in the
recording transaction, so an edit or a replay never asks twice). The clock's tick
posts each (from team, to team, week) group as one message in the receiving team's
channel, claimed under a delivery key, and edits that message as more handoffs of
the group arrive. A click records who answered and when, edits the message and
tells the author in a DM. A handoff still open three working days after it was
posted gets one reminder in the message's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.alignment import model
from bot.alignment.handoffs import HandoffFinder
from bot.blocks import handoffs as blocks
from bot.blocks.handoffs import HandoffCard, HandoffDigest, PairStat
from bot.commandtext import strip_control
from bot.schedule import add_working_days, shift_week
from bot.services.deliveries import Deliveries
from bot.services.errors import NotFound, Refused, UserError
from bot.services.permissions import Permissions
from bot.settings import Settings
from bot.slack import NotInstalled, SlackClients
from storage import repositories
from storage.db import rows_changed
from storage.models import DeliveryKey, Handoff, Team, Update, Workspace, utcnow

logger = logging.getLogger(__name__)

STATES = ("open", "picked_up", "need_more", "not_useful")
REMIND_AFTER_WORKING_DAYS = 3
PAIR_WEEKS = 4


class HandoffError(UserError):
    """Something the person must fix; one line."""


def note_handoffs(
    session: Session,
    workspace_id: int,
    team: Team,
    week: str,
    text: str,
    author: str | None,
    *,
    update_id: int | None = None,
    initiative_id: int | None = None,
    new: bool = False,
    known: Callable[[bool], tuple[model.Org, dict[str, int]]] | None = None,
) -> None:
    """Store the handoffs in an update or initiative just recorded.

    Runs in the caller's transaction. A handoff already posted stays as it is (an edit never
    asks again); one not posted yet follows the edit. `new`: the row was just created, so it
    has no handoffs to look up yet. `known(with_members)`: the workspace's teams as the caller
    has them current, (org, {name: team id}), instead of reading them.
    """
    # Members only matter to a mention (<@U…>); reading them costs more than the whole detection.
    mentions = "<@" in text
    if known is not None:
        org, ids = known(mentions)
    else:
        query = select(Team).where(Team.workspace_id == workspace_id)
        teams = list(session.scalars(query.options(selectinload(Team.members)) if mentions else query))
        org = model.Org(
            teams=tuple(
                model.Team(
                    name=t.name,
                    aliases=tuple(t.aliases or ()),
                    channel=t.channel_id,
                    members=tuple(m.user_id for m in t.members) if mentions else (),
                )
                for t in teams
            )
        )
        ids = {t.name: t.id for t in teams}
    found = HandoffFinder(org).find(model.Update(id=str(update_id or initiative_id), team=team.name, text=text))
    wanted = {ids[h.target]: h for h in found if h.target in ids}
    source = Handoff.update_id == update_id if update_id is not None else Handoff.initiative_id == initiative_id
    existing = (
        {}
        if new
        else {
            row.to_team_id: row
            for row in session.scalars(select(Handoff).where(Handoff.workspace_id == workspace_id, source))
        }
    )
    for to_team, row in existing.items():
        if to_team not in wanted and row.posted_at is None:
            session.delete(row)
        elif row.posted_at is None or row.state == "open":
            row.text = text
    for to_team, handoff in wanted.items():
        if to_team in existing:
            continue
        session.add(
            Handoff(
                workspace_id=workspace_id,
                from_team_id=team.id,
                to_team_id=to_team,
                week=week,
                update_id=update_id,
                initiative_id=initiative_id,
                author_user_id=author,
                text=text,
                kind=handoff.kind,
                phrase=handoff.phrase[:200],
                state="open",
            )
        )
    session.flush()


@dataclass(frozen=True)
class Answered:
    """An answer as recorded: what people will see, and whether it changed anything to tell them."""

    card: HandoffCard
    changed: bool
    workspace_id: int
    group: tuple[int, int, str] | None  # (from team, to team, week) of the message it is in, once posted


@dataclass(frozen=True)
class TickReport:
    """What one round of the clock did with handoffs."""

    posted: int = 0
    reminded: int = 0


class Handoffs:
    """Ask receiving teams about handoffs once, record their answers, remind once."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        clients: SlackClients,
        deliveries: Deliveries,
        permissions: Permissions,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._clients = clients
        self._deliveries = deliveries
        self._permissions = permissions

    # --- the clock -------------------------------------------------------------------------------

    def tick(self, *, now: datetime | None = None) -> TickReport:
        """Post new handoffs and due reminders in every workspace; one failing stops no other."""
        now = now or utcnow()
        with self._sessions() as session:
            workspaces = repositories.installed_workspaces(session)
        posted = reminded = 0
        for slack_team_id in workspaces:
            try:
                report = self.run(slack_team_id, now=now)
            except NotInstalled:
                logger.info("workspace %s has no installation; no handoffs", slack_team_id)
                continue
            except Exception:  # one workspace's failure must not stop the others' handoffs
                logger.exception("handoff round failed for workspace %s", slack_team_id)
                continue
            posted, reminded = posted + report.posted, reminded + report.reminded
        return TickReport(posted, reminded)

    def run(self, slack_team_id: str, *, now: datetime | None = None) -> TickReport:
        """Post this workspace's new handoffs (grouped per team pair and week), then the due reminders."""
        now = now or utcnow()
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                return TickReport()
            workspace_id, zone = workspace.id, self._zone(workspace)
            groups = session.execute(
                select(Handoff.from_team_id, Handoff.to_team_id, Handoff.week)
                .join(Team, Team.id == Handoff.to_team_id)
                .where(Handoff.workspace_id == workspace_id, Handoff.posted_at.is_(None), Team.channel_id.is_not(None))
                .distinct()
            ).all()
            waiting = session.scalars(
                select(Handoff).where(
                    Handoff.workspace_id == workspace_id,
                    Handoff.state == "open",
                    Handoff.message_ts.is_not(None),
                    # Three working days are at least three calendar days: skip the fresh ones in the query.
                    Handoff.posted_at <= now - timedelta(days=REMIND_AFTER_WORKING_DAYS),
                )
            ).all()
            due = [row.id for row in waiting if add_working_days(row.posted_at, REMIND_AFTER_WORKING_DAYS, zone) <= now]  # type: ignore[arg-type]
            reminded_before = repositories.reminded_handoffs(session, workspace_id, due)
        if not groups and not due:
            return TickReport()
        client = self._clients.for_team(slack_team_id)
        posted = sum(self._post_group(client, workspace_id, *group, now=now) for group in groups)
        reminded = sum(
            self._remind(client, workspace_id, handoff_id, now)
            for handoff_id in due
            if handoff_id not in reminded_before
        )
        return TickReport(posted, reminded)

    def _post_group(
        self, client: WebClient, workspace_id: int, from_team: int, to_team: int, week: str, *, now: datetime
    ) -> int:
        """Post (or edit) the group's message; return how many handoffs it newly carries."""
        message, channel, pending = self._group_message(client, workspace_id, from_team, to_team, week)
        if channel is None or not pending:
            return 0
        key = DeliveryKey("handoffs", week, team_id=to_team, from_team_id=from_team)
        outcome = self._deliveries.send(client, workspace_id, key, message, channel)
        if outcome.status == "sent":
            where = (outcome.channel or channel, outcome.ts)
        elif outcome.status == "duplicate":
            # The group's message is out already: this handoff joins it.
            where = self._group_message_at(workspace_id, from_team, to_team, week) or (channel, outcome.ts)
            if where[1] is None:
                return 0
            client.chat_update(channel=where[0], ts=where[1], text=message["text"], blocks=message["blocks"])
        else:
            return 0
        with self._sessions.begin() as session:
            session.execute(
                update(Handoff)
                .where(Handoff.workspace_id == workspace_id, Handoff.id.in_(pending))
                .values(channel_id=where[0], message_ts=where[1], posted_at=now)
            )
        return len(pending)

    def _group_message_at(self, workspace_id: int, from_team: int, to_team: int, week: str) -> tuple[str, str] | None:
        key = DeliveryKey("handoffs", week, team_id=to_team, from_team_id=from_team)
        with self._sessions() as session:
            return repositories.sent_message(session, workspace_id, key)

    def _group_message(
        self, client: WebClient, workspace_id: int, from_team: int, to_team: int, week: str
    ) -> tuple[dict, str | None, list[int]]:
        """Return the group's message as it stands, the receiving channel, and the ids not posted yet."""
        with self._sessions() as session:
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            zone = self._zone(workspace)
            rows = session.scalars(
                select(Handoff)
                .where(
                    Handoff.workspace_id == workspace_id,
                    Handoff.from_team_id == from_team,
                    Handoff.to_team_id == to_team,
                    Handoff.week == week,
                )
                .order_by(Handoff.id)
            ).all()
            names = _team_names(session, workspace_id)
            target = session.get(Team, to_team)
            channel = target.channel_id if target else None
            sources = _sources(session, workspace_id, rows)
            pending = [row.id for row in rows if row.posted_at is None]
            drafts = [(row, sources.get(row.id)) for row in rows]
        now = utcnow()
        links = _permalinks(client, {row.id: where for row, where in drafts if where})
        cards = [_card(row, names, zone, now, links.get(row.id)) for row, _ in drafts]
        message = blocks.group_message(names.get(from_team, "?"), names.get(to_team, "?"), week, cards)
        return message, channel, pending

    def _remind(self, client: WebClient, workspace_id: int, handoff_id: int, now: datetime) -> int:
        with self._sessions() as session:
            row = session.scalar(select(Handoff).where(Handoff.workspace_id == workspace_id, Handoff.id == handoff_id))
            if row is None or row.state != "open" or not row.message_ts or not row.channel_id:
                return 0
            workspace = session.get(Workspace, workspace_id)
            assert workspace is not None
            card = _card(row, _team_names(session, workspace_id), self._zone(workspace), now)
            channel, ts, week = row.channel_id, row.message_ts, row.week
        message = blocks.reminder_message(card, ts, REMIND_AFTER_WORKING_DAYS)
        key = DeliveryKey("handoff_reminder", week, handoff_id=handoff_id)
        outcome = self._deliveries.send(client, workspace_id, key, message, channel)
        return int(outcome.status == "sent")

    # --- answers ---------------------------------------------------------------------------------

    def answer(
        self,
        slack_team_id: str,
        user_id: str,
        handoff_id: int,
        state: str,
        reason: str | None = None,
        *,
        client: WebClient,
        at: datetime | None = None,
    ) -> HandoffCard:
        """Record a receiving team member's answer; edit the team's message and tell the author once."""
        answered = self.record_answer(slack_team_id, user_id, handoff_id, state, reason, at=at)
        self.announce(client, answered)
        return answered.card

    def record_answer(
        self,
        slack_team_id: str,
        user_id: str,
        handoff_id: int,
        state: str,
        reason: str | None = None,
        *,
        at: datetime | None = None,
    ) -> Answered:
        """Store who answered what and when (`at`: the button's press, else now); a repeat changes nothing."""
        if state not in STATES[1:]:
            raise HandoffError("That is not an answer to a handoff.")
        reason = " ".join(strip_control(reason or "").split())[: blocks.WHY_MAX] or None
        if state != "picked_up" and reason is None:
            raise HandoffError("Say why in one line, so the person who handed it over can act on it.")
        if state == "picked_up":
            reason = None
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row = self._row(session, workspace.id, handoff_id)
            workspace_id = workspace.id
            answerers = self._answerers(session, row)
        self._check_may_answer(slack_team_id, user_id, answerers)
        now = at or utcnow()
        with self._sessions.begin() as session:
            # Compare-and-set: a double click or a replay changes nothing and tells nobody twice.
            changed = (
                rows_changed(
                    session,
                    update(Handoff)
                    .where(
                        Handoff.workspace_id == workspace_id,
                        Handoff.id == handoff_id,
                        or_(
                            Handoff.state != state,
                            Handoff.answered_by.is_distinct_from(user_id),
                            Handoff.reason.is_distinct_from(reason),
                        ),
                    )
                    .values(state=state, answered_by=user_id, answered_at=now, reason=reason),
                )
                == 1
            )
            row = self._row(session, workspace_id, handoff_id)
            current = session.get(Workspace, workspace_id)
            assert current is not None
            card = _card(row, _team_names(session, workspace_id), self._zone(current), now)
            group = (row.from_team_id, row.to_team_id, row.week) if row.posted_at is not None else None
        return Answered(card, changed, workspace_id, group)

    def announce(self, client: WebClient, answered: Answered) -> None:
        """Show a changed answer on the receiving team's message and tell the person who made the handoff."""
        if not answered.changed:
            return
        if answered.group is not None:
            self._refresh(client, answered.workspace_id, *answered.group)
        if answered.card.author:
            client.chat_postMessage(channel=answered.card.author, **blocks.author_dm(answered.card))

    def _refresh(self, client: WebClient, workspace_id: int, from_team: int, to_team: int, week: str) -> None:
        """Edit the group's message to show every answer so far."""
        where = self._group_message_at(workspace_id, from_team, to_team, week)
        if where is None:
            return
        message, _, _ = self._group_message(client, workspace_id, from_team, to_team, week)
        try:
            client.chat_update(channel=where[0], ts=where[1], text=message["text"], blocks=message["blocks"])
        except SlackApiError as error:
            # The answer is stored and the author is told; a deleted message only loses its picture.
            logger.warning("could not edit handoff message %s: %s", where, error.response.get("error"))

    @staticmethod
    def _row(session: Session, workspace_id: int, handoff_id: int) -> Handoff:
        row = session.scalar(select(Handoff).where(Handoff.workspace_id == workspace_id, Handoff.id == handoff_id))
        if row is None:
            raise NotFound("That handoff no longer exists.")
        return row

    @staticmethod
    def _answerers(session: Session, row: Handoff) -> tuple[set[str], str]:
        """Return who may answer a handoff (besides admins) and the receiving team's name."""
        members = set(repositories.member_ids(session, row.workspace_id, row.to_team_id))
        return members, _team_names(session, row.workspace_id).get(row.to_team_id, "the receiving team")

    def _check_may_answer(self, slack_team_id: str, user_id: str, answerers: tuple[set[str], str]) -> None:
        """Refuse anyone but the receiving team's members and admins (asked of Slack outside a transaction)."""
        members, target = answerers
        if user_id not in members and not self._permissions.is_admin(slack_team_id, user_id):
            raise Refused(
                f"Only members of {target}, the team it was handed to, or an Alignbot admin can answer this handoff."
            )

    def card_to_answer(self, slack_team_id: str, user_id: str, handoff_id: int, state: str) -> HandoffCard:
        """Return the handoff that someone who may answer it answers Need more or Not useful to."""
        if state not in ("need_more", "not_useful"):
            raise HandoffError("That is not an answer to a handoff.")
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            row = self._row(session, workspace.id, handoff_id)
            answerers = self._answerers(session, row)
            card = _card(row, _team_names(session, workspace.id), self._zone(workspace), utcnow())
        self._check_may_answer(slack_team_id, user_id, answerers)
        return card

    def open_for(self, slack_team_id: str, user_id: str) -> tuple[str | None, list[HandoffCard]]:
        """Return the person's team and the handoffs to their teams still waiting for an answer, oldest first."""
        with self._sessions() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            teams = repositories.teams_of_user(session, workspace.id, user_id)
            if not teams:
                return None, []
            rows = session.scalars(
                select(Handoff)
                .where(
                    Handoff.workspace_id == workspace.id,
                    Handoff.to_team_id.in_([t.id for t in teams]),
                    Handoff.state.in_(("open", "need_more")),
                )
                .order_by(Handoff.id)
            ).all()
            names = _team_names(session, workspace.id)
            zone, now = self._zone(workspace), utcnow()
            return ", ".join(t.name for t in teams), [_card(row, names, zone, now) for row in rows]

    # --- the digest ------------------------------------------------------------------------------

    def digest_part(
        self, session: Session, workspace: Workspace, week: str, now: datetime | None = None
    ) -> tuple[HandoffDigest, set[tuple[str, str]]]:
        """Return the digest's Handoffs section for `week`, and (update id, to team) of those picked up."""
        now = now or utcnow()
        zone = self._zone(workspace)
        names = _team_names(session, workspace.id)
        weeks = [shift_week(week, -back) for back in range(PAIR_WEEKS - 1, -1, -1)]
        rows = session.scalars(
            select(Handoff).where(Handoff.workspace_id == workspace.id, Handoff.week.in_(weeks)).order_by(Handoff.id)
        ).all()
        this_week = [row for row in rows if row.week == week]
        ids = tuple(
            str(row.update_id) if row.update_id is not None else f"initiative-{row.initiative_id}" for row in this_week
        )
        pairs: dict[tuple[str, str], list[int]] = {}
        for row in rows:
            counts = pairs.setdefault((names.get(row.from_team_id, "?"), names.get(row.to_team_id, "?")), [0] * 4)
            counts[0] += 1
            counts[STATES.index(row.state)] += row.state != "open"
        section = HandoffDigest(
            week=week,
            this_week=tuple(_card(row, names, zone, now) for row in this_week),
            still_open=tuple(_card(row, names, zone, now) for row in rows if row.state == "open" and row.week < week),
            pairs=tuple(PairStat(s, t, c[0], c[1], c[2], c[3]) for (s, t), c in sorted(pairs.items())),
            not_useful=tuple(_card(row, names, zone, now) for row in rows if row.state == "not_useful"),
            weeks=PAIR_WEEKS,
            ids=ids,
        )
        picked = {(uid, card.target) for uid, card in zip(ids, section.this_week) if card.state == "picked_up"}
        return section, picked

    def _zone(self, workspace: Workspace) -> str:
        return workspace.timezone or self._settings.timezone


def _team_names(session: Session, workspace_id: int) -> dict[int, str]:
    return {t.id: t.name for t in repositories.list_teams(session, workspace_id)}


def _sources(session: Session, workspace_id: int, rows: Sequence[Handoff]) -> dict[int, tuple[str, str]]:
    """Return (channel, ts) of the message behind each handoff that came from a posted update."""
    update_ids = {row.update_id: row.id for row in rows if row.update_id is not None}
    if not update_ids:
        return {}
    found = session.execute(
        select(Update.id, Update.channel_id, Update.message_ts).where(
            Update.workspace_id == workspace_id, Update.id.in_(list(update_ids))
        )
    )
    return {update_ids[uid]: (channel, ts) for uid, channel, ts in found if channel and ts}


def _permalinks(client: WebClient, messages: dict[int, tuple[str, str]]) -> dict[int, str]:
    links = {}
    for handoff_id, (channel, ts) in messages.items():
        try:
            links[handoff_id] = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except (SlackApiError, SlackClientError, OSError):
            continue  # a missing link only costs the reader a click
    return links


def _card(row: Handoff, names: dict[int, str], zone: str, now: datetime, link: str | None = None) -> HandoffCard:
    end = row.answered_at if row.answered_at and row.state != "open" else now
    when = row.answered_at.astimezone(ZoneInfo(zone)).strftime("%a") if row.answered_at else None
    return HandoffCard(
        id=row.id,
        source=names.get(row.from_team_id, "?"),
        target=names.get(row.to_team_id, "?"),
        author=row.author_user_id,
        text=row.text,
        kind=row.kind,
        link=link,
        state=row.state,
        by=row.answered_by,
        when=when,
        reason=row.reason,
        age_days=max(0, (end - row.created_at) // timedelta(days=1)),
    )
