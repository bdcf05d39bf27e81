"""The opt-in model in Slack: asked in the queued job, its answers kept and its requests counted per workspace.

The model is asked outside any transaction (a request may take ALIGNBOT_LLM_TIMEOUT seconds); each
cached answer and each counted request is its own short transaction. A fault or the day's cap leaves the
lexicon's answer: nothing waits and nothing is lost.
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
from bot.llm import Ask, ModelConfig, ModelTagger
from bot.services.alerts import alert_admins
from bot.services.permissions import Permissions
from bot.settings import Settings
from bot.slack import SlackClients
from storage import repositories
from storage.models import Objective, Workspace, utcnow

logger = logging.getLogger(__name__)

# A dead endpoint fails every answer: one warning per process this often says so without flooding the log.
WARN_EVERY = timedelta(minutes=5)


class _StoredCache:
    """A workspace's kept answers (bot.llm.AnswerCache)."""

    def __init__(self, sessions: sessionmaker[Session], workspace_id: int) -> None:
        self._sessions = sessions
        self._workspace_id = workspace_id

    def get(self, key: str) -> tuple[str, ...] | None:
        with self._sessions() as session:
            return repositories.model_answer(session, self._workspace_id, key)

    def put(self, key: str, objectives: tuple[str, ...]) -> None:
        with self._sessions.begin() as session:
            repositories.keep_model_answer(session, self._workspace_id, key, objectives)


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

    def answers(
        self, slack_team_id: str, asks: Sequence[tuple[Ask, Verdict]], objectives: Sequence[model.Objective]
    ) -> list[tuple[str, ...] | None]:
        """Return the model's objective keys for each text its mode names, None where the lexicon's stands.

        Call it outside any transaction: it may wait for the model.
        """
        if self.config is None or not asks or not objectives:
            return [None] * len(asks)  # nothing is ever sent without ALIGNBOT_LLM_URL
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None or workspace.model_off:
                return [None] * len(asks)
            workspace_id = workspace.id
        tagger = ModelTagger(
            self.config,
            objectives,
            cache=_StoredCache(self._sessions, workspace_id),
            budget=_StoredBudget(self._sessions, workspace_id, self.config.max_per_day),
        )
        wanted = [i for i, (_, verdict) in enumerate(asks) if tagger.wants(verdict)]
        found = dict(zip(wanted, tagger.answer([asks[i][0] for i in wanted]))) if wanted else {}
        self._after(slack_team_id, workspace_id, tagger)
        return [found.get(i) for i in range(len(asks))]

    def _after(self, slack_team_id: str, workspace_id: int, tagger: ModelTagger) -> None:
        """Record a fault (and warn, at most every WARN_EVERY); tell the admins once a day of the cap."""
        now = utcnow()
        if tagger.usage.faults:
            fault = tagger.usage.faults[0][:200]
            with self._sessions.begin() as session:
                session.execute(
                    update(Workspace).where(Workspace.id == workspace_id).values(model_fault=fault, model_fault_at=now)
                )
            with self._lock:
                due = self._warned_at is None or now - self._warned_at >= WARN_EVERY
                if due:
                    self._warned_at = now
            if due:
                logger.warning("the model at %s failed (%s): tagged by the lexicon", tagger.config.shown_url, fault)
        if tagger.usage.capped:
            with self._sessions.begin() as session:
                first = repositories.note_model_cap(session, workspace_id, now.date())
            if first:
                alert_admins(
                    self._clients.for_team(slack_team_id),
                    sorted(self._settings.admin_ids),
                    f"Alignbot reached today's cap of {tagger.config.max_per_day} requests to the model "
                    "(ALIGNBOT_LLM_MAX_PER_DAY): until tomorrow (UTC), updates are tagged by the lexicon alone.",
                )

    def state(self, slack_team_id: str) -> ModelState:
        """Return the model's state in a workspace, for `/alignment status`."""
        config = self.config
        with self._sessions() as session:
            row = session.execute(
                select(Workspace.id, Workspace.model_off, Workspace.model_fault, Workspace.model_fault_at).where(
                    Workspace.slack_team_id == slack_team_id
                )
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
        )

    def switch(self, slack_team_id: str, user_id: str, on: bool) -> None:
        """Switch the model on or off for a workspace (admins)."""
        self._permissions.require_admin(slack_team_id, user_id, "switch the model on or off")
        with self._sessions.begin() as session:
            workspace = repositories.ensure_workspace(session, slack_team_id)
            workspace.model_off = not on
