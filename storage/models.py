"""SQLAlchemy 2.0 models. Every row hangs off a workspace, and every query filters on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store datetimes in UTC and always read them back timezone-aware.

    SQLite keeps no zone, so naive values read from it are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    """A Slack workspace that installed Alignbot."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    leadership_channel_id: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Why the digest cannot be posted or Slack refuses our token (e.g. token_revoked), until fixed.
    problem: Mapped[str | None] = mapped_column(String(200))
    # Set when Slack tells us the app was uninstalled (or its tokens revoked): no more scheduling;
    # the workspace's data is deleted RETENTION days later.
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by database triggers (migration 0010) in the transaction that changes teams, members,
    # objectives or cycles (config) or hand tags (examples): processes cache what they say is current.
    config_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    examples_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # An admin switched the opt-in model off for this workspace: its updates are tagged by the lexicon alone.
    model_off: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The model's last fault here (a few words) and when: shown by /alignment status.
    model_fault: Mapped[str | None] = mapped_column(String(200))
    model_fault_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Faults in a row that said the endpoint is down, and until when the model is not asked here (the
    # pause grows with the streak): every worker reads the same pause. Reset by a request that gets through.
    model_fault_streak: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    model_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Team(Base):
    """A department that checks in weekly (marketing, sales, ...)."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    # Schedule: weekday 0=Monday, local time "HH:MM" in `timezone` (else the workspace's).
    prompt_weekday: Mapped[int] = mapped_column(Integer, default=0)
    prompt_time: Mapped[str] = mapped_column(String(5), default="10:00")
    timezone: Mapped[str | None] = mapped_column(String(64))
    deadline_hours: Mapped[int] = mapped_column(Integer, default=24)
    reminder_hours: Mapped[int] = mapped_column(Integer, default=4)
    prompt_mode: Mapped[str] = mapped_column(String(16), default="both")  # channel | dm | both
    # True: each member is prompted at prompt_time in their own Slack time zone.
    local_time: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Why prompts to this team cannot be delivered (e.g. not_in_channel), until fixed.
    problem: Mapped[str | None] = mapped_column(String(200))
    # Post each answer in the thread under the week's prompt, for teammates and other teams to see.
    share_answers: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The check-in's questions (what moved, what's next, which team), None: the defaults.
    questions: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan")


class TeamMember(Base):
    """A Slack user who checks in for a team (the channel's members are only the first suggestion)."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        Index("ix_team_members_workspace_user", "workspace_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))

    team: Mapped[Team] = relationship(back_populates="members")


class TeamLead(Base):
    """A Slack user who leads a team: nudges it, fixes its tags, manages its members."""

    __tablename__ = "team_leads"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        Index("ix_team_leads_workspace_user", "workspace_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))


class TimeOff(Base):
    """Days a person is away (inclusive): no prompt, no reminder, not counted missing."""

    __tablename__ = "time_off"
    __table_args__ = (Index("ix_time_off_workspace_user", "workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Holiday(Base):
    """A company holiday: the week's check-in is skipped for every team."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("workspace_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str | None] = mapped_column(String(32))


class Objective(Base):
    """A business objective leadership stated."""

    __tablename__ = "objectives"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Updates a leader says serve this objective (org file `examples:`, the edit form): they teach the tagger.
    examples: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Goal(Base):
    """A team's own goal, in its own words, and the objectives it serves (`GoalObjective` rows)."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_workspace_team", "workspace_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    # True when Alignbot chose the objectives (nobody named them); `confident` False: it should ask the lead.
    suggested: Mapped[bool] = mapped_column(default=False, server_default=false())
    confident: Mapped[bool] = mapped_column(default=True, server_default=true())
    # True when the opt-in model's answer chose the suggested objectives: said so wherever they are shown.
    by_model: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by: Mapped[str | None] = mapped_column(String(32))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    serves: Mapped[list[GoalObjective]] = relationship(cascade="all, delete-orphan", order_by="GoalObjective.position")


class GoalObjective(Base):
    """An objective a goal serves, in the order it was stated or suggested."""

    __tablename__ = "goal_objectives"

    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Initiative(Base):
    """A piece of work a team logged, linked to objectives and partner teams."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done | dropped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tags: Mapped[list[InitiativeTag]] = relationship(cascade="all, delete-orphan")
    partners: Mapped[list[InitiativePartner]] = relationship(cascade="all, delete-orphan")


class InitiativeTag(Base):
    """An objective an initiative serves, set by a person or by the tagger."""

    __tablename__ = "initiative_tags"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(String(8), default="manual")  # auto | manual


class InitiativePartner(Base):
    """Another team an initiative is done with."""

    __tablename__ = "initiative_partners"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)


class CheckinCycle(Base):
    """One team's check-in for one ISO week (in the team's time zone)."""

    __tablename__ = "checkin_cycles"
    __table_args__ = (UniqueConstraint("team_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))  # YYYY-Www
    prompt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skipped: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Update(Base):
    """A person's weekly update; one per author per cycle, an edit replaces it."""

    __tablename__ = "updates"
    __table_args__ = (
        UniqueConstraint("cycle_id", "author_user_id"),
        # The tagger's freshness stamp reads the hand-tagged rows only (bot/services/tagging.py).
        Index("ix_updates_workspace_hand_tagged", "workspace_id", "tags_by_hand", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("checkin_cycles.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    author_user_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    # How it was answered: modal | thread (a reply in a prompt's thread) | command | dm (a DM to the bot)
    source: Mapped[str] = mapped_column(String(16), default="command")
    # True once a person set or corrected the tags: they are then a labelled example for the tagger.
    tags_by_hand: Mapped[bool] = mapped_column(default=False, server_default=false())
    # False when the tagger was unsure of its automatic tags: the author is asked, and until they answer
    # an untagged update is a guess, not unaligned work.
    tags_confident: Mapped[bool] = mapped_column(default=True, server_default=true())
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    # The initiative the author said this update is part of, if any.
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id", ondelete="SET NULL"))
    # The copy of this answer posted in the team channel's prompt thread (see bot/services/sharing.py).
    shared_channel_id: Mapped[str | None] = mapped_column(String(32))
    shared_ts: Mapped[str | None] = mapped_column(String(32))
    # The form's answers, question by question ([{"question": ..., "answer": ...}]); `text` is all of them.
    answers: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # When Slack sent this answer (its clock, to the second), then when it was acked (ours): an answer is
    # replaced only by one later in this order, so a job a crash left behind never brings back an older one.
    # None: stored before answers were ordered.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tags: Mapped[list[UpdateTag]] = relationship(cascade="all, delete-orphan")
    partners: Mapped[list[UpdatePartner]] = relationship(cascade="all, delete-orphan")


class UpdateTag(Base):
    """An objective an update serves: `auto` from the tagger, `manual` from a person."""

    __tablename__ = "update_tags"

    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"), primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float] = mapped_column(Float, default=1.0)
    source: Mapped[str] = mapped_column(String(8), default="auto")  # auto | manual


class UpdatePartner(Base):
    """A team the author said they worked with or need something from."""

    __tablename__ = "update_partners"

    update_id: Mapped[int] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)


DeliveryKind = Literal[
    "prompt",  # a team's channel prompt
    "dm_prompt",  # the prompt by DM, to one person for one team or for several at once
    "reminder",  # the scheduled reminder by DM to a member who has not answered
    "nudge",  # a lead's `/alignment nudge` by DM, once per person a day
    "digest",  # the weekly digest in the leadership channel
    "digest_chart",  # the digest's picture, in its thread
    "handoffs",  # the handoffs one team made to another in a week, in the receiving team's channel
    "handoff_reminder",  # a reminder of one open handoff, in its message's thread
]


@dataclass(frozen=True)
class DeliveryKey:
    """What a delivery is: its kind, week and the columns of its kind. Each key is sent once."""

    kind: DeliveryKind
    # The ISO week; a nudge's day (YYYYMMDD in the team's zone), as it goes out once a day.
    week: str
    # The team a prompt, DM prompt, reminder or nudge is for; the receiving team of `handoffs`.
    team_id: int | None = None
    # The teams one DM prompt names, in the order it names them (team_id is then None).
    team_ids: tuple[int, ...] | None = None
    # The person a DM prompt, reminder or nudge goes to.
    user_id: str | None = None
    # The team whose handoffs a `handoffs` message carries.
    from_team_id: int | None = None
    # The channel a digest and its chart go to.
    to_channel_id: str | None = None
    # The handoff a `handoff_reminder` is about.
    handoff_id: int | None = None


class Delivery(Base):
    """A message claimed before it is sent, so it goes out exactly once: one row per DeliveryKey."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # Thread replies are matched to the prompt they answer by channel and ts.
        Index("ix_deliveries_channel_message", "channel_id", "message_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(
        Enum(*get_args(DeliveryKind), name="delivery_kind", native_enum=False, create_constraint=True, length=16)
    )
    week: Mapped[str] = mapped_column(String(8))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    team_ids: Mapped[list[int] | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    )
    user_id: Mapped[str | None] = mapped_column(String(32))
    from_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    to_channel_id: Mapped[str | None] = mapped_column(String(32))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed | sent | failed | retry
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Where the message landed (a DM's channel for a person), once sent.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def key(self) -> DeliveryKey:
        """Return the key this row was claimed for."""
        return DeliveryKey(
            self.kind,
            self.week,
            self.team_id,
            tuple(self.team_ids) if self.team_ids is not None else None,
            self.user_id,
            self.from_team_id,
            self.to_channel_id,
            self.handoff_id,
        )


# The columns of a DeliveryKey besides kind and week, each with what stands for "none" in the key's
# unique index: SQL counts NULLs as distinct, so the index compares these instead.
DELIVERY_KEY_NONE: dict[str, Any] = {
    "team_id": 0,
    "team_ids": "[]",
    "user_id": "",
    "from_team_id": 0,
    "to_channel_id": "",
    "handoff_id": 0,
}
# One row per key: whoever inserts it sends, everybody else sees it taken.
Index(
    "uq_deliveries_key",
    Delivery.workspace_id,
    Delivery.kind,
    Delivery.week,
    *(text(f"coalesce({column}, {none!r})") for column, none in DELIVERY_KEY_NONE.items()),
    unique=True,
)


class Digest(Base):
    """A weekly leadership digest, claimed per channel before it is posted."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("workspace_id", "week", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    channel_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed | posted | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProcessedEvent(Base):
    """A Slack event id already handled: Slack retries must not act twice."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("workspace_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Handoff(Base):
    """Work one team handed to, or asked of, another, found in an update or an initiative, and the answer."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # One ask per source and receiving team: editing the update or replaying it never asks again.
        UniqueConstraint("update_id", "to_team_id"),
        UniqueConstraint("initiative_id", "to_team_id"),
        Index("ix_handoffs_workspace_week", "workspace_id", "week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    from_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    to_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("updates.id", ondelete="CASCADE"))
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    author_user_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8), default="handoff")  # handoff | ask
    phrase: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | picked_up | need_more | not_useful
    answered_by: Mapped[str | None] = mapped_column(String(32))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(300))
    # Set once the handoff is in the receiving team's message (channel, ts); None: still to post.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    """A request acked to Slack whose work is still to do: the durable queue between web and worker.

    Not per workspace: any worker takes the oldest job due, whatever its workspace. A job is due when
    `due_at` has passed; taking it moves `due_at` a lease ahead, so the job of a worker that died is
    taken again once the lease ends.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_team_id: Mapped[str | None] = mapped_column(String(32))
    # The lazy listener function to run, by the name Bolt gives it.
    function: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The request's X-Slack-Request-Timestamp (None in Socket Mode), given back to the work with the request.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The attempt that last failed (tried again after a back-off): the next one redoes what it left half done.
    failed_attempt: Mapped[int | None] = mapped_column(Integer)
    # When the request was acked: with sent_at, it orders the answers the job stores (see Update.sent_at).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelAnswer(Base):
    """The opt-in model's answer to one text, by its cache key (text, team and objectives' version)."""

    __tablename__ = "model_answers"
    # The prune finds a workspace's oldest answers by it.
    __table_args__ = (Index("ix_model_answers_workspace_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    objectives: Mapped[list[str]] = mapped_column(JSON)
    # The objectives' version the answer is for (bot.llm.objectives_version): other versions' are never
    # read again, so they are dropped. Empty for answers kept before versions were recorded.
    version: Mapped[str] = mapped_column(String(16), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModelDay(Base):
    """The requests sent to the opt-in model by a workspace on one (UTC) day, against the day's cap."""

    __tablename__ = "model_days"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    # Set once the admins were told that the day's cap was reached.
    cap_noted: Mapped[bool] = mapped_column(default=False, server_default=false())
