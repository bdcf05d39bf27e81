"""What an answer needs to know about its workspace, cached per process and checked on every read.

The workspace row carries `config_version` and `examples_version`, which database triggers bump
in the transaction that changes a team, a member, an objective, a cycle or a hand tag. An answer
reads the workspace row anyway: with the version in it, the cached teams, members, objectives
and cycle ids are used only while they are current, whichever process changed them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased

from bot.alignment import model
from storage import repositories
from storage.models import Delivery, DeliveryKind, Objective, Team, TeamMember, Workspace

# Kinds of message whose thread takes an answer.
PROMPT_KINDS: tuple[DeliveryKind, ...] = ("prompt", "dm_prompt", "reminder")


@dataclass(frozen=True)
class Replied:
    """The prompt, DM prompt or reminder a thread reply answers."""

    kind: DeliveryKind
    # The team it asked; None when it asked about several at once (`team_ids`).
    team_id: int | None
    team_ids: list[int] | None
    week: str
    status: str


@dataclass
class WorkspaceContext:
    """A workspace's teams, members and live objectives as of one `config_version`.

    Rows are detached snapshots shared between threads: read them, never change them.
    """

    key: tuple[int, datetime, int]
    # The workspace's own time zone when the context was read (a week label for a team picker).
    timezone: str | None
    teams: tuple[Team, ...]
    objectives: tuple[Objective, ...]
    members: Mapping[int, tuple[str, ...]]
    by_id: Mapping[int, Team] = field(init=False)
    by_channel: Mapping[str, Team] = field(init=False)
    of_user: Mapping[str, tuple[Team, ...]] = field(init=False)
    # (team id, week) -> cycle id, and -> (channel, ts) of the channel prompt once sent; filled as found.
    cycles: dict[tuple[int, str], int] = field(default_factory=dict)
    prompts: dict[tuple[int, str], tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {t.id: t for t in self.teams}
        self.by_channel = {t.channel_id: t for t in self.teams if t.channel_id}
        of_user: dict[str, list[Team]] = {}
        for team in self.teams:  # by name, as the teams are
            for user in self.members.get(team.id, ()):
                of_user.setdefault(user, []).append(team)
        self.of_user = {user: tuple(teams) for user, teams in of_user.items()}

    @property
    def workspace_id(self) -> int:
        return self.key[0]

    def team_here_or_of(self, user_id: str, channel_id: str | None) -> Team | None:
        """Return the team whose channel this is, else the first (by name) of the person's teams."""
        if channel_id and channel_id in self.by_channel:
            return self.by_channel[channel_id]
        teams = self.of_user.get(user_id, ())
        return teams[0] if teams else None

    def is_member(self, team_id: int, user_id: str) -> bool:
        return user_id in self.members.get(team_id, ())

    def org(self, *, with_members: bool) -> model.Org:
        """Return the alignment engine's view of the teams (members only matter to a mention)."""
        return model.Org(
            teams=tuple(
                model.Team(
                    name=t.name,
                    aliases=tuple(t.aliases or ()),
                    channel=t.channel_id,
                    members=self.members.get(t.id, ()) if with_members else (),
                )
                for t in self.teams
            )
        )


class Contexts:
    """Hand out each workspace's context, reloading it when its version moved."""

    def __init__(self) -> None:
        # Uncached, an answer reads the teams, members and objectives again: 9-11 statements, not 4-5.
        self._cache: dict[int, WorkspaceContext] = {}
        self._ids: dict[str, int] = {}
        self._lock = threading.Lock()

    def read(
        self, session: Session, slack_team_id: str, *, create: bool = False, thread: tuple[str, str] | None = None
    ) -> tuple[Workspace, WorkspaceContext, Replied | None] | None:
        """Return (workspace row, its current context, the prompt `thread` (channel, ts) answers), None if unknown.

        One statement when the cached context is current: the workspace row, its versions and
        the thread's prompt are read together. `create`: make the workspace on first sight.
        """
        query: Select[*tuple[Any, ...]] = select(Workspace)
        if thread is not None:
            prompt = aliased(Delivery)
            query = select(
                Workspace, prompt.kind, prompt.team_id, prompt.team_ids, prompt.week, prompt.status
            ).outerjoin(
                prompt,
                and_(
                    prompt.workspace_id == Workspace.id,
                    prompt.channel_id == thread[0],
                    prompt.message_ts == thread[1],
                    prompt.kind.in_(PROMPT_KINDS),
                ),
            )
        row = session.execute(query.where(Workspace.slack_team_id == slack_team_id).limit(1)).first()
        if row is None:
            if not create:
                return None
            workspace, replied = repositories.ensure_workspace(session, slack_team_id), None
        else:
            workspace = row[0]
            replied = Replied(*row[1:]) if thread is not None and row[1] is not None else None
        return workspace, self.current(session, workspace), replied

    def current(self, session: Session, workspace: Workspace) -> WorkspaceContext:
        """Return the context of a workspace row just read, loading it if the cached one is behind."""
        key = (workspace.id, workspace.created_at, workspace.config_version)
        with self._lock:
            self._ids[workspace.slack_team_id] = workspace.id
            cached = self._cache.get(workspace.id)
        if cached is not None and cached.key == key:
            return cached
        context = _load(session, key, workspace.timezone)
        with self._lock:
            self._cache[workspace.id] = context
        return context

    def cached(self, slack_team_id: str) -> WorkspaceContext | None:
        """Return the last context seen of a workspace, current or not: for answers a later read re-checks."""
        with self._lock:
            workspace_id = self._ids.get(slack_team_id)
            return self._cache.get(workspace_id) if workspace_id is not None else None


def _load(session: Session, key: tuple[int, datetime, int], timezone: str | None) -> WorkspaceContext:
    workspace_id = key[0]
    teams = list(session.scalars(select(Team).where(Team.workspace_id == workspace_id).order_by(Team.name)))
    members: dict[int, list[str]] = {}
    for team_id, user_id in session.execute(
        select(TeamMember.team_id, TeamMember.user_id)
        .where(TeamMember.workspace_id == workspace_id)
        .order_by(TeamMember.user_id)
    ):
        members.setdefault(team_id, []).append(user_id)
    objectives = repositories.list_objectives(session, workspace_id)
    # Detached, the snapshots never load anything lazily nor follow this session's changes.
    for row in (*teams, *objectives):
        session.expunge(row)
    return WorkspaceContext(key, timezone, tuple(teams), tuple(objectives), {t: tuple(u) for t, u in members.items()})
