"""The opt-in model in Slack: asked in the queued job, its answers kept and its requests counted per workspace.

The model is asked outside any transaction (a request may take ALIGNBOT_LLM_TIMEOUT seconds); each
cached answer and each counted request is its own short transaction. A fault or the day's cap leaves the
lexicon's answer: nothing waits and nothing is lost.

A fault that says the endpoint is down (no connection, no answer in time, a 5xx, a 429, our URL or key
refused) pauses the model for the workspace: until the pause is over its texts are tagged by the lexicon
at once (and from the kept answers), without waiting for a dead endpoint's timeout. The pause is stored
on the workspace, so every worker keeps to it; when it is over, one worker tries the model again (the
others keep to the lexicon meanwhile); each fault in a row doubles the pause, up to PAUSE_MAX, and a
request that gets through ends it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.alignment import model
from bot.alignment.model import Verdict
from bot.blocks.model import ModelState
from bot.llm import RETRY_AFTER_MAX, Ask, ModelConfig, ModelTagger, objectives_version, system_message
from bot.services.alerts import alert_admins
from bot.services.permissions import Permissions
from bot.settings import Settings
from bot.slack import SlackClients
from storage import repositories
from storage.models import Objective, Workspace, utcnow

logger = logging.getLogger(__name__)

# A dead endpoint fails every answer: one warning per process this often says so without flooding the log.
WARN_EVERY = timedelta(minutes=5)
# The pause after the endpoint's first fault in a row; each further one doubles it, up to PAUSE_MAX.
PAUSE_FIRST = timedelta(seconds=30)
PAUSE_MAX = timedelta(minutes=5)
# Kept answers older than this are dropped by the daily prune: an answer is reused when the same text is
# tagged again (a job redone, an edit undone, an initiative logged twice), which happens within days.
ANSWER_RETENTION = timedelta(days=30)
# And a workspace keeps at most this many (the newest).
ANSWERS_KEPT = 20_000


def pause_after(streak: int, retry_after: float | None = None) -> timedelta:
    """Return how long the model is paused after `streak` faults in a row (at least what a 429 asked)."""
    pause = min(PAUSE_FIRST * 2 ** max(streak - 1, 0), PAUSE_MAX)
    if retry_after is not None:
        pause = max(pause, min(timedelta(seconds=retry_after), PAUSE_MAX))
    return pause


class _StoredCache:
    """A workspace's kept answers (bot.llm.AnswerCache), each recorded with its objectives' version."""

    def __init__(self, sessions: sessionmaker[Session], workspace_id: int, version: str) -> None:
        self._sessions = sessions
        self._workspace_id = workspace_id
        self._version = version

    def get(self, key: str) -> tuple[str, ...] | None:
        with self._sessions() as session:
            return repositories.model_answer(session, self._workspace_id, key)

    def put(self, key: str, objectives: tuple[str, ...]) -> None:
        with self._sessions.begin() as session:
            repositories.keep_model_answer(session, self._workspace_id, key, objectives, self._version)


class _StoredBudget:
    """A workspace's requests today, counted in the database so that every worker shares the cap."""

    def __init__(self, sessions: sessionmaker[Session], workspace_id: int, cap: int) -> None:
        self._sessions = sessions
        self._workspace_id = workspace_id
        self._cap = cap

    def take(self) -> bool:
        with self._sessions.begin() as session:
            return repositories.take_model_request(session, self._workspace_id, utcnow().date(), self._cap)


def engine_objectives(rows: Sequence[Objective]) -> list[model.Objective]:
    """Return what the model is told of each live objective, its stated examples included."""
    return [
        model.Objective(
            key=row.key,
            title=row.title,
            description=row.description or "",
            keywords=tuple(row.keywords or ()),
            examples=tuple(row.examples or ()),
        )
        for row in rows
    ]


class ModelService:
    """Ask the workspace's model (when configured and on) which objectives texts serve."""

    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], clients: SlackClients, permissions: Permissions
    ) -> None:
        self.config = ModelConfig.from_settings(settings)
        self._permissions = permissions
        self._settings = settings
        self._sessions = sessions
        self._clients = clients
        self._warned_at: datetime | None = None
        self._lock = threading.Lock()
        # The objectives' version each workspace's kept answers were last pruned to, in this process.
        self._versions: dict[int, str] = {}

    def will_ask(self, model_off: bool, confident: bool) -> bool:
        """Say whether a text the lexicon is (not) sure of goes to the model, in a workspace with it off or on."""
        return self.config is not None and not model_off and self.config.wants(confident)

    def answers(
        self, slack_team_id: str, asks: Sequence[tuple[Ask, Verdict]], objectives: Sequence[model.Objective]
    ) -> list[tuple[str, ...] | None]:
        """Return the model's objective keys for each text its mode names, None where the lexicon's stands.

        Call it outside any transaction: it may wait for the model (never while the model is paused).
        """
        if self.config is None or not asks or not objectives:
            return [None] * len(asks)  # nothing is ever sent without ALIGNBOT_LLM_URL
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None or workspace.model_off:
                return [None] * len(asks)
            workspace_id, streak, retry_at = workspace.id, workspace.model_fault_streak, workspace.model_retry_at
        version = objectives_version(system_message(objectives), self.config.model)
        tagger = ModelTagger(
            self.config,
            objectives,
            cache=_StoredCache(self._sessions, workspace_id, version),
            budget=_StoredBudget(self._sessions, workspace_id, self.config.max_per_day),
        )
        wanted = [i for i, (_, verdict) in enumerate(asks) if tagger.wants(verdict)]
        if not wanted:
            return [None] * len(asks)
        paused, trying = self._paused(workspace_id, streak, retry_at)
        if paused:
            tagger.hold()
        else:
            self._forget_old_versions(workspace_id, version)
        found = dict(zip(wanted, tagger.answer([asks[i][0] for i in wanted])))
        self._after(slack_team_id, workspace_id, streak, tagger)
        if trying and not tagger.usage.requests:
            # Answered from the kept answers (or past the day's cap): the next text may try the model.
            with self._sessions.begin() as session:
                repositories.release_model_probe(session, workspace_id, streak, utcnow())
        return [found.get(i) for i in range(len(asks))]

    def _paused(self, workspace_id: int, streak: int, retry_at: datetime | None) -> tuple[bool, bool]:
        """Say whether the model is paused here, and whether this call claimed the request that tries it again."""
        if streak == 0 and retry_at is None:
            return False, False
        now = utcnow()
        if retry_at is not None and now < retry_at:
            return True, False
        assert self.config is not None
        # Long enough for one request, a 429's wait and its second attempt; then another worker may try.
        trying = timedelta(seconds=2 * self.config.timeout + RETRY_AFTER_MAX)
        with self._sessions.begin() as session:
            claimed = repositories.claim_model_probe(session, workspace_id, now, now + trying)
        return not claimed, claimed

    def _forget_old_versions(self, workspace_id: int, version: str) -> None:
        """Drop the workspace's answers to other objectives' versions, once a version in this process."""
        with self._lock:
            if self._versions.get(workspace_id) == version:
                return
            self._versions[workspace_id] = version
        with self._sessions.begin() as session:
            dropped = repositories.forget_model_answers(session, workspace_id, version)
        if dropped:
            logger.info("dropped %d model answers to older objectives in workspace %d", dropped, workspace_id)

    def _after(self, slack_team_id: str, workspace_id: int, streak: int, tagger: ModelTagger) -> None:
        """Record a fault and pause (warn at most every WARN_EVERY), or end a pause; tell admins of the cap."""
        now = utcnow()
        usage = tagger.usage
        if usage.faults:
            fault = usage.faults[0][:200]
            with self._sessions.begin() as session:
                session.execute(
                    update(Workspace).where(Workspace.id == workspace_id).values(model_fault=fault, model_fault_at=now)
                )
                if usage.down:
                    retry_at = now + pause_after(streak + 1, usage.retry_after)
                    repositories.note_model_down(session, workspace_id, streak, retry_at)
                else:
                    repositories.note_model_up(session, workspace_id)  # it answered: the request was at fault
            with self._lock:
                due = self._warned_at is None or now - self._warned_at >= WARN_EVERY
                if due:
                    self._warned_at = now
            if due:
                logger.warning("the model at %s failed (%s): tagged by the lexicon", tagger.config.shown_url, fault)
        elif usage.requests:
            with self._sessions.begin() as session:
                repositories.note_model_up(session, workspace_id)
        if usage.capped:
            with self._sessions.begin() as session:
                first = repositories.note_model_cap(session, workspace_id, now.date())
            if first:
                alert_admins(
                    self._clients.for_team(slack_team_id),
                    sorted(self._settings.admin_ids),
                    f"Alignbot reached today's cap of {tagger.config.max_per_day} requests to the model "
                    "(ALIGNBOT_LLM_MAX_PER_DAY): until tomorrow (UTC), updates are tagged by the lexicon alone.",
                )

    def prune(self) -> int:
        """Drop kept answers no longer of use, in every workspace; return how many (the clock's daily job).

        Answers to other objectives' versions than the current one (when the model is configured),
        answers older than ANSWER_RETENTION, and all but a workspace's ANSWERS_KEPT newest.
        """
        before = utcnow() - ANSWER_RETENTION
        with self._sessions() as session:
            workspace_ids = repositories.workspaces_with_model_answers(session)
        dropped = 0
        for workspace_id in workspace_ids:
            with self._sessions.begin() as session:
                if self.config is not None:
                    live = engine_objectives(repositories.list_objectives(session, workspace_id))
                    version = objectives_version(system_message(live), self.config.model)
                    dropped += repositories.forget_model_answers(session, workspace_id, version)
                dropped += repositories.prune_model_answers(session, workspace_id, before, ANSWERS_KEPT)
        if dropped:
            logger.info("pruned %d kept model answers", dropped)
        return dropped

    def state(self, slack_team_id: str) -> ModelState:
        """Return the model's state in a workspace, for `/alignment status`."""
        config = self.config
        with self._sessions() as session:
            row = session.execute(
                select(
                    Workspace.id,
                    Workspace.model_off,
                    Workspace.model_fault,
                    Workspace.model_fault_at,
                    Workspace.model_retry_at,
                ).where(Workspace.slack_team_id == slack_team_id)
            ).first()
            today = repositories.model_requests_on(session, row.id, utcnow().date()) if row is not None else 0
        return ModelState(
            configured=config is not None,
            on=config is not None and not (row is not None and row.model_off),
            where=config.shown_url if config is not None else None,
            mode=config.mode if config is not None else "unsure",
            requests_today=today,
            cap=config.max_per_day if config is not None else self._settings.llm_max_per_day,
            fault=row.model_fault if row is not None else None,
            fault_at=row.model_fault_at if row is not None else None,
            paused_until=row.model_retry_at if row is not None and _later(row.model_retry_at) else None,
        )

    def switch(self, slack_team_id: str, user_id: str, on: bool) -> None:
        """Switch the model on or off for a workspace (admins)."""
        self._permissions.require_admin(slack_team_id, user_id, "switch the model on or off")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            workspace.model_off = not on


def _later(moment: datetime | None) -> bool:
    return moment is not None and moment > utcnow()
