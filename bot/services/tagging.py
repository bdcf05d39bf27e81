"""Build a workspace's tagger: its live objectives plus the examples its people labelled."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.alignment import model
from bot.alignment.goals import goal_examples
from bot.alignment.tagger import Tagger
from bot.blocks import checkin as blocks
from storage import repositories
from storage.models import Initiative, InitiativeTag, Objective, Update, Workspace

# Recent corrections teach the most; older ones add little and cost time per request.
MAX_EXAMPLES = 500
# The workspace's own recent texts tell the tagger which words are distinctive there and
# how sure to be; a few hundred say as much as a year would.
CORPUS_SIZE = 400


def as_engine_objective(row: Objective) -> model.Objective:
    """Return the alignment engine's view of an objective row."""
    return model.Objective(
        key=row.key, title=row.title, description=row.description or "", keywords=tuple(row.keywords or ())
    )


def stated_examples(rows: Sequence[Objective]) -> list[model.Example]:
    """Return the example updates leadership gave each objective (org file, edit form) as labelled examples."""
    return [model.Example(text=text, objectives=(row.key,)) for row in rows for text in row.examples or ()]


def examples_of(
    session: Session, workspace_id: int, keys: dict[int, str], taught: set[tuple[int, str]] | None = None
) -> list[model.Example]:
    """Return the updates and initiatives a person tagged by hand, newest first, as labelled examples.

    `taught` collects the (cycle id, author) of each update used.
    """
    updates = session.scalars(
        select(Update)
        .where(Update.workspace_id == workspace_id, Update.tags_by_hand.is_(True))
        .options(selectinload(Update.tags))
        .order_by(Update.updated_at.desc())
        .limit(MAX_EXAMPLES)
    )
    examples = []
    for row in updates:
        examples.append(
            model.Example(
                text=row.text, objectives=tuple(keys[t.objective_id] for t in row.tags if t.objective_id in keys)
            )
        )
        if taught is not None:
            taught.add((row.cycle_id, row.author_user_id))
    initiatives = session.scalars(
        select(Initiative)
        .where(
            Initiative.workspace_id == workspace_id,
            Initiative.id.in_(select(InitiativeTag.initiative_id).where(InitiativeTag.source == "manual")),
        )
        .options(selectinload(Initiative.tags))
        .order_by(Initiative.created_at.desc())
        .limit(MAX_EXAMPLES - len(examples))
    )
    examples += [
        model.Example(
            text=row.title, objectives=tuple(keys[t.objective_id] for t in row.tags if t.objective_id in keys)
        )
        for row in initiatives
    ]
    return examples


def team_goals(session: Session, workspace_id: int, keys: dict[int, str]) -> dict[str, tuple[model.Goal, ...]]:
    """Return each team's live goals by team name, with the keys of the objectives they serve (stated or not)."""
    rows = repositories.list_goals(session, workspace_id)
    names = {t.id: t.name for t in repositories.list_teams(session, workspace_id)} if rows else {}
    goals: dict[str, list[model.Goal]] = {}
    for row in rows:
        serves = tuple(keys[s.objective_id] for s in row.serves if s.objective_id in keys)
        goals.setdefault(names[row.team_id], []).append(model.Goal(row.title, serves))
    return {team: tuple(own) for team, own in goals.items()}


def recent_texts(session: Session, workspace_id: int) -> list[str]:
    """Return the workspace's most recent update texts: the language the tagger should read it in."""
    return list(
        session.scalars(
            select(Update.text).where(Update.workspace_id == workspace_id).order_by(Update.id.desc()).limit(CORPUS_SIZE)
        )
    )


class Tagging:
    """Hand out a tagger that knows a workspace's objectives and corrections."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        # Building a tagger reads every example and 400 recent texts; most answers find nothing changed.
        # Uncached, each answer rebuilds it: a third of the answers/s (ack_latency.py) and 7-9 statements.
        self._cache: dict[int, tuple[tuple[object, ...], Tagger, frozenset[tuple[int, str]]]] = {}
        self._lock = threading.Lock()

    def tagger_for(
        self, workspace_id: int, session: Session | None = None, objectives: Sequence[Objective] | None = None
    ) -> Tagger:
        """Return a tagger for the workspace, reading inside `session` when given.

        `objectives`: the workspace's live objectives, when the caller has them already.
        """
        if session is None:
            with self._sessions() as own:
                return self._build(own, workspace_id, objectives)[0]
        return self._build(session, workspace_id, objectives)[0]

    def draft_tagger(self, session: Session, workspace_id: int, draft: model.Objective) -> Tagger:
        """Return a fresh tagger for the workspace as it would be with `draft` added, or replacing its key."""
        rows = repositories.list_objectives(session, workspace_id)
        others = [row for row in rows if row.key != draft.key]
        objectives = [*(as_engine_objective(row) for row in others), replace(draft, examples=())]
        examples = [
            *stated_examples(others),
            *(model.Example(text, (draft.key,)) for text in draft.examples),
            *examples_of(session, workspace_id, {row.id: row.key for row in rows}),
        ]
        return Tagger(objectives, examples, corpus=recent_texts(session, workspace_id))

    def cached(self, workspace_id: int) -> tuple[Tagger, frozenset[tuple[int, str]]] | None:
        """Return the last tagger built for a workspace, current or not, and what it learned from; no reads."""
        with self._lock:
            cached = self._cache.get(workspace_id)
        return (cached[1], cached[2]) if cached is not None else None

    def current_tagger(
        self, workspace_id: int, session: Session, rows: Sequence[Objective], versions: tuple[int, int]
    ) -> tuple[Tagger, frozenset[tuple[int, str]]]:
        """Return the tagger for `rows` (the live objectives) and the workspace's versions just read.

        `versions`: its (config_version, examples_version); the first moves with the goals.

        Also the (cycle id, author) of each update the tagger learned from. Reads nothing when
        the cached tagger is current.
        """
        return self._build(session, workspace_id, rows, versions)

    def _build(
        self,
        session: Session,
        workspace_id: int,
        rows: Sequence[Objective] | None,
        versions: tuple[int, int] | None = None,
    ) -> tuple[Tagger, frozenset[tuple[int, str]]]:
        if rows is None:
            rows = repositories.list_objectives(session, workspace_id)
        objectives = [as_engine_objective(row) for row in rows]
        stated = stated_examples(rows)
        version = _examples_stamp(session, workspace_id) if versions is None else versions
        fingerprint = (tuple(objectives), tuple(stated), *version)
        with self._lock:
            cached = self._cache.get(workspace_id)
        if cached is None or cached[0] != fingerprint:
            keys = {row.id: row.key for row in rows}
            taught: set[tuple[int, str]] = set()
            goals = team_goals(session, workspace_id, keys)
            # The corpus is read when the tagger is (re)built, not on every answer: a little stale is fine.
            tagger = Tagger(
                objectives,
                [*stated, *goal_examples(goals), *examples_of(session, workspace_id, keys, taught)],
                corpus=recent_texts(session, workspace_id),
                goals=goals,
            )
            cached = (fingerprint, tagger, frozenset(taught))
            with self._lock:
                self._cache[workspace_id] = cached
        return cached[1], cached[2]


def _examples_stamp(session: Session, workspace_id: int) -> tuple[object, ...]:
    """Return what changes whenever a person tags or corrects an update or an initiative, or a goal changes.

    The workspace's `config_version` and `examples_version`, which database triggers bump in the same
    transaction (migrations 0010, 0014): one primary-key read, whatever the history.
    """
    row = session.execute(
        select(Workspace.config_version, Workspace.examples_version).where(Workspace.id == workspace_id)
    ).one()
    return (row[0], row[1])


def served_goal(
    tagger: Tagger, text: str, team: str, matched: set[str], by_key: dict[str, Objective]
) -> blocks.ServedGoal | None:
    """Return the team goal nearest the answer that agrees with its tags: it serves one of them, or none at all."""
    for goal, _ in tagger.goal_scores(text, team):
        serves = [key for key in goal.serves or () if key in by_key]
        if not serves or matched.intersection(serves):
            return blocks.ServedGoal(goal.title, tuple(by_key[key].title for key in serves))
    return None
